package provider

// State upgrades. Schema version 1 of synapse_worker, synapse_shared_config and
// synapse_routing_table is release 0.2.0; version 0 is 0.1.0.
//
// v0 -> v1 changes only what the JSON of a state can carry unchanged or as null:
//   - ports and redis.dbid became Number attributes (were Int64): the same JSON number;
//   - attributes added in v1 are absent from a v0 state: they read as null, and the next plan
//     computes them (ModifyPlan renders every computed attribute from the configuration);
//   - attributes removed in v1 are dropped.
// upgradeByName therefore decodes the v0 JSON with the current schema. A later change that
// needs more (a renamed attribute, a changed shape) must add its own step here.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// upgradeFromV0 is the UpgradeState map of a resource whose v0 state decodes by name.
func upgradeFromV0() map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradeByName}}
}

// upgradeByName decodes the stored JSON with the current schema, keeping every attribute
// of the same name, leaving new ones null and dropping removed ones.
func upgradeByName(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil {
		resp.Diagnostics.AddError("Missing Prior State", "The state to upgrade is empty. This is a bug in the provider: please report it.")
		return
	}
	v, err := req.RawState.UnmarshalWithOpts(resp.State.Schema.Type().TerraformType(ctx),
		tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Upgrade State",
			fmt.Sprintf("The state written by an earlier provider version does not decode with the current schema: %s. "+
				"This is a bug in the provider: please report it with the resource's state.", err))
		return
	}
	resp.State.Raw = v
}
