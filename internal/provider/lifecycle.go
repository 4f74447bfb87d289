package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// planToState is Create and Update of every resource of this provider: they are logical, so
// applying means reading the plan, rendering what was still unknown at plan time (rendering is
// deterministic: what was known then comes out the same), and storing the result as the state.
func planToState[M any](ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, render func(context.Context, *M, *diag.Diagnostics)) {
	var m M
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	render(ctx, &m, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}
