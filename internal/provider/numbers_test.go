package provider

import (
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestWholeNumber(t *testing.T) {
	for _, c := range []struct {
		in   *big.Float
		want int
		ok   bool
	}{
		{big.NewFloat(8083), 8083, true},
		{big.NewFloat(0), 0, true},
		{big.NewFloat(-1), -1, true},
		{big.NewFloat(8101.5), 0, false},
		{big.NewFloat(1e12), 0, false},
		{big.NewFloat(-1e12), 0, false},
		{new(big.Float).SetInf(false), 0, false},
	} {
		got, ok := wholeNumber(types.NumberValue(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("wholeNumber(%s) = %d, %v; want %d, %v", c.in.Text('g', -1), got, ok, c.want, c.ok)
		}
	}
	if n, known := portValue(types.NumberNull(), path.Root("p"), "p", &diag.Diagnostics{}); n != 0 || !known {
		t.Errorf("a null port is %d, known %v; want 0 (unset), known", n, known)
	}
	var diags diag.Diagnostics
	if _, known := portValue(types.NumberValue(big.NewFloat(8101.5)), path.Root("http_port"), "http_port", &diags); known || diags.ErrorsCount() != 1 {
		t.Fatalf("8101.5: known %v, %d errors; want unknown and one error", known, diags.ErrorsCount())
	}
	if d := diags[0].Detail(); d != "http_port is 8101.5; a TCP port is a whole number between 1 and 65535, e.g. 8083. Write the number without a fraction." {
		t.Errorf("detail = %q", d)
	}
}

// A fractional port is a plain error on the attribute at fault, in every resource, not the
// framework's "Value Conversion Error" (which ports as Int64 attributes gave).
func TestFractionalPortsArePlainErrors(t *testing.T) {
	cases := []struct{ config, fragment string }{
		{workerHCL(`name = "w1"` + "\n" + `host = "h"` + "\n" + `replication_port = 9101.5`), "replication_port is 9101.5"},
		{workerHCL(`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 9101.25, resources = ["replication"] }]`),
			"listeners[0].port is 9101.25"},
		{sharedConfig(`redis = { host = "127.0.0.1", port = 6379.5 }`), "redis.port is 6379.5"},
		{`
resource "synapse_routing_table" "t" {
  main   = { host = "127.0.0.1", port = 8008 }
  listen = { port = 8443, additional_ports = [8448.5] }
}
`, "listen.additional_ports[0] is 8448.5"},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.config, ExpectError: expectErr("Invalid Port", c.fragment)})
	}
	steps = append(steps, resource.TestStep{
		Config:      sharedConfig(`redis = { host = "127.0.0.1", dbid = 1.5 }`),
		ExpectError: expectErr("Invalid Redis Database", "redis.dbid is 1.5"),
	})
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}
