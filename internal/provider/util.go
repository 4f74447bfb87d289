package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// objectAsOptions lets Object.As read objects whose attributes are unknown or null without error.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// objectValue builds a computed object, adding any conversion problem to diags.
func objectValue(attrTypes map[string]attr.Type, values map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValue(attrTypes, values)
	diags.Append(d...)
	return o
}

// listValue builds a computed list of objects, adding any conversion problem to diags.
func listValue(elem map[string]attr.Type, elems []attr.Value, diags *diag.Diagnostics) types.List {
	l, d := types.ListValue(types.ObjectType{AttrTypes: elem}, elems)
	diags.Append(d...)
	return l
}
