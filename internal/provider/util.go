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

// mapValue builds a computed map of objects, adding any conversion problem to diags.
func mapValue(elem map[string]attr.Type, elems map[string]attr.Value, diags *diag.Diagnostics) types.Map {
	m, d := types.MapValue(types.ObjectType{AttrTypes: elem}, elems)
	diags.Append(d...)
	return m
}

// stringListValue is a known list of strings (empty, never null, for nil), built directly.
func stringListValue(s []string) types.List {
	elems := make([]attr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// stringListOrNull is stringListValue, or a null list for none: a computed list that is empty
// for most resources is left out of their plans instead of printing `[]`.
func stringListOrNull(s []string) types.List {
	if len(s) == 0 {
		return types.ListNull(types.StringType)
	}
	return stringListValue(s)
}
