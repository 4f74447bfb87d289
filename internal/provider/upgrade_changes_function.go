package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var _ function.Function = (*upgradeChangesFunction)(nil)

// NewUpgradeChangesFunction is the upgrade_changes function factory.
func NewUpgradeChangesFunction() function.Function { return &upgradeChangesFunction{} }

type upgradeChangesFunction struct{}

var upgradeNoteAttrTypes = map[string]attr.Type{
	"version": types.StringType,
	"title":   types.StringType,
	"link":    types.StringType,
}

var upgradeChangesAttrTypes = map[string]attr.Type{
	"from":              types.StringType,
	"to":                types.StringType,
	"streams_added":     types.ListType{ElemType: types.StringType},
	"streams_removed":   types.ListType{ElemType: types.StringType},
	"stream_rules":      types.ListType{ElemType: types.StringType},
	"options_added":     types.ListType{ElemType: types.StringType},
	"options_removed":   types.ListType{ElemType: types.StringType},
	"now_refused":       types.ListType{ElemType: types.StringType},
	"endpoints_added":   types.ListType{ElemType: types.StringType},
	"endpoints_removed": types.ListType{ElemType: types.StringType},
	"notes":             types.ListType{ElemType: types.ObjectType{AttrTypes: upgradeNoteAttrTypes}},
}

func (f *upgradeChangesFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "upgrade_changes"
}

func (f *upgradeChangesFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "What changes for workers between two Synapse releases.",
		MarkdownDescription: "Compares the catalogue of two Synapse releases (`" + catalog.Versions()[0] + "` to `" + catalog.Latest() +
			"`, any patch level): `stream_writers` streams that appear or disappear, writer-rule changes, worker options Synapse " +
			"starts or stops reading, options it now refuses to start with (settings to remove before the upgrade), routable " +
			"endpoints added or removed (`pattern [methods] -> roles` or `-> writers of <stream>`), and the sections of " +
			"Synapse's `docs/upgrade.md` that concern workers for the releases after `from` up to `to` (title and link). " +
			"Which of a fleet's routes move between pools shows as the `routes` diff of its `synapse_routing_table` " +
			"when `synapse_version` changes.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "from", MarkdownDescription: "The release the fleet runs, e.g. `1.135` or `1.135.0`."},
			function.StringParameter{Name: "to", MarkdownDescription: "The release to upgrade to, e.g. `1.157.1`."},
		},
		Return: function.ObjectReturn{AttributeTypes: upgradeChangesAttrTypes},
	}
}

func (f *upgradeChangesFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var from, to string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &from, &to))
	if resp.Error != nil {
		return
	}
	a, err := catalog.For(from)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("from: %v.", err))
		return
	}
	b, err := catalog.For(to)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("to: %v.", err))
		return
	}
	u := catalog.Diff(a, b)
	var diags diag.Diagnostics
	notes := make([]attr.Value, 0, len(u.Notes))
	for _, n := range u.Notes {
		notes = append(notes, objectValue(upgradeNoteAttrTypes, map[string]attr.Value{
			"version": types.StringValue(n.Version), "title": types.StringValue(n.Title), "link": types.StringValue(n.Link),
		}, &diags))
	}
	list := func(s []string) attr.Value { return stringList(ctx, s, &diags) }
	out := objectValue(upgradeChangesAttrTypes, map[string]attr.Value{
		"from": types.StringValue(u.From), "to": types.StringValue(u.To),
		"streams_added": list(u.StreamsAdded), "streams_removed": list(u.StreamsRemoved), "stream_rules": list(u.StreamRules),
		"options_added": list(u.OptionsAdded), "options_removed": list(u.OptionsRemoved), "now_refused": list(u.NowRefused),
		"endpoints_added": list(u.EndpointsAdded), "endpoints_removed": list(u.EndpointsRemoved),
		"notes": listValue(upgradeNoteAttrTypes, notes, &diags),
	}, &diags)
	if diags.HasError() {
		resp.Error = function.NewFuncError("provider bug: the upgrade view does not convert: " + fmt.Sprint(diags))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}
