package provider

// The computed `endpoints` of synapse_stream_writer: catalogue endpoints as Terraform values.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// endpointModel is one element of the computed endpoints of stream writers.
type endpointModel struct {
	Pattern  types.String `tfsdk:"pattern"`
	Methods  types.List   `tfsdk:"methods"`
	Group    types.String `tfsdk:"group"`
	Resource types.String `tfsdk:"resource"`
	Sticky   types.String `tfsdk:"sticky"`
}

var endpointAttrTypes = map[string]attr.Type{
	"pattern":  types.StringType,
	"methods":  types.ListType{ElemType: types.StringType},
	"group":    types.StringType,
	"resource": types.StringType,
	"sticky":   types.StringType,
}

// endpointSchemaAttributes are the attributes of a computed endpoint object.
func endpointSchemaAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"pattern": schema.StringAttribute{Computed: true, MarkdownDescription: "Path regular expression (the RE2/PCRE subset), from Synapse's docs."},
		"methods": schema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "HTTP methods the route is limited to; empty means every method."},
		"group":    schema.StringAttribute{Computed: true, MarkdownDescription: "The heading it stands under in Synapse's workers documentation."},
		"resource": schema.StringAttribute{Computed: true, MarkdownDescription: "The listener resource serving it."},
		"sticky": schema.StringAttribute{Computed: true,
			MarkdownDescription: "Load-balancing need: " + backticked(stickinessNames()) + "."},
	}
}

// endpointsValue converts catalogue endpoints to the computed endpoints list.
func endpointsValue(ctx context.Context, eps []catalog.Endpoint, diags *diag.Diagnostics) types.List {
	out := make([]endpointModel, len(eps))
	for i, e := range eps {
		methods := e.Methods
		if methods == nil {
			methods = []string{}
		}
		out[i] = endpointModel{
			Pattern:  types.StringValue(e.Pattern),
			Methods:  stringList(ctx, methods, diags),
			Group:    types.StringValue(e.Group),
			Resource: types.StringValue(e.Resource),
			Sticky:   types.StringValue(string(e.Sticky)),
		}
	}
	v, d := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: endpointAttrTypes}, out)
	diags.Append(d...)
	return v
}
