package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// planToState is Create and Update of every logical resource: read the plan into the model,
// let render fill what the plan left unknown (inputs unknown at plan time are known now;
// rendering is deterministic, so values known at plan time come out the same), and store the
// model as the new state.
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
