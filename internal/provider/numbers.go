package provider

// Ports (and redis.dbid) are Number attributes, not Int64 ones. The framework converts an Int64
// attribute before any provider code runs and answers a fractional value such as 8101.5 with
// "Value Conversion Error ... This is always an error in the provider", on no useful attribute.
// A Number reaches wholeNumber, which names the attribute, the value and the fix. In Terraform
// both are the type `number` and the state holds the same JSON, so the change needs no state
// rewrite (see upgrade.go).

import (
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// wholeNumber is v as an int when it is a whole number small enough to be a port or a count.
func wholeNumber(v types.Number) (int, bool) {
	f := v.ValueBigFloat()
	if f == nil || !f.IsInt() {
		return 0, false
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

// numberText prints a Number as Terraform writes it (8101.5, 1e+12).
func numberText(v types.Number) string {
	if f := v.ValueBigFloat(); f != nil {
		return f.Text('g', -1)
	}
	return "null"
}

// portValue reads a port attribute (name is how messages spell it, e.g. "listeners[1].port").
// Null is 0, the domain's "not set". known is false while the value is unknown, and when it is
// not a whole number in range, which is reported here on p: the domain's checks skip it then.
func portValue(v types.Number, p path.Path, name string, diags *diag.Diagnostics) (n int, known bool) {
	return numberValue(v, p, name, "Invalid Port", "a TCP port is a whole number between 1 and 65535, e.g. 8083", diags)
}

// numberValue is portValue for another whole-number attribute, with its summary and rule.
func numberValue(v types.Number, p path.Path, name, summary, rule string, diags *diag.Diagnostics) (n int, known bool) {
	if v.IsUnknown() {
		return 0, false
	}
	if v.IsNull() {
		return 0, true
	}
	n, ok := wholeNumber(v)
	if !ok {
		fix := "Write the number without a fraction."
		if f := v.ValueBigFloat(); f != nil && f.IsInt() {
			fix = "Use a number in that range."
		}
		diags.AddAttributeError(p, summary, fmt.Sprintf("%s is %s; %s. %s", name, numberText(v), rule, fix))
		return 0, false
	}
	return n, true
}

// numberOf is a computed Number attribute holding n.
func numberOf(n int) types.Number {
	return types.NumberValue(new(big.Float).SetInt64(int64(n)))
}
