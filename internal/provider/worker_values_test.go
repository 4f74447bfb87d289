package provider

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestWorkerValuesRoundTrip: every attribute of the schema goes through the hand-written
// conversion and comes back unchanged, for an all-null value and a filled one.
func TestWorkerValuesRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, tt := workerTypes()
	null := map[string]tftypes.Value{}
	for name, at := range tt.AttributeTypes {
		null[name] = tftypes.NewValue(at, nil)
	}
	filled := map[string]tftypes.Value{}
	for k, v := range null {
		filled[k] = v
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	filled["name"], filled["host"], filled["config_yaml"] = str("sync1"), str("10.0.0.5"), str("worker_app: x\n")
	filled["http_port"] = tftypes.NewValue(tftypes.Number, big.NewFloat(8083))
	filled["roles"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str("synchrotron")})
	filled["http_resources"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str("client")})
	filled["upstream"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	ime := tt.AttributeTypes["instance_map_entry"].(tftypes.Object)
	filled["instance_map_entry"] = tftypes.NewValue(ime, map[string]tftypes.Value{
		"host": str("10.0.0.5"), "port": tftypes.NewValue(tftypes.Number, big.NewFloat(9101)),
		"path": tftypes.NewValue(tftypes.String, nil), "tls": tftypes.NewValue(tftypes.Bool, false),
	})
	for name, attrs := range map[string]map[string]tftypes.Value{"null": null, "filled": filled} {
		in := tftypes.NewValue(tt, attrs)
		m, err := workerFromTerraform(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := m.toTerraform(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !out.Equal(in) {
			t.Errorf("%s: round trip changed the value:\n in: %s\nout: %s", name, in, out)
		}
	}
	if m, _ := workerFromTerraform(ctx, tftypes.NewValue(tt, filled)); m.Name.ValueString() != "sync1" || !m.Upstream.IsUnknown() {
		t.Errorf("read name %q, upstream %v", m.Name.ValueString(), m.Upstream)
	}
}
