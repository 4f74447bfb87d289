package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
)

// extraRoutesHCL are user routes over routingFleet: a module on the generic worker sticky by
// user, an MSC's reads on the synchrotrons, an appservice path on the main process.
const extraRoutesHCL = `
  extra_routes = {
    my_module = { pattern = "^/_synapse/client/my_module/", role = "generic", strategy = "user" }
    msc_reads = { pattern = "^/_matrix/client/unstable/org\\.example\\.msc9999/", methods = ["GET", "HEAD"], pool = "synchrotron", order = 1 }
    appservice = { pattern = "^/_matrix/app/", worker = "main", order = -1 }
  }
  fallback_to_main = true
  max_upload_size  = "100M"
`

// matchOutputs ask match_route where three requests go.
const matchOutputs = `
output "module" {
  value = provider::synapse::match_route(synapse_routing_table.r.routes, "POST", "/_synapse/client/my_module/x", { Authorization = "Bearer syt_YWxpY2U_x_y" })
}
output "msc_get" {
  value = provider::synapse::match_route(synapse_routing_table.r.routes, "GET", "/_matrix/client/unstable/org.example.msc9999/thing", null)
}
output "msc_put" {
  value = provider::synapse::match_route(synapse_routing_table.r.routes, "PUT", "/_matrix/client/unstable/org.example.msc9999/thing", null)
}
`

func TestRoutingTableExtraRoutes(t *testing.T) {
	addr := "synapse_routing_table.r"
	errorCases := []struct{ extra, summary, fragment string }{
		{`extra_routes = { evil = { pattern = "^/x/;return 200", pool = "main" } }`, "Invalid Extra Route Pattern", `extra_routes["evil"].pattern`},
		{`extra_routes = { evil = { pattern = "^/x/\"; }", pool = "main" } }`, "Invalid Extra Route Pattern", "quote"},
		{`extra_routes = { evil = { pattern = "^/x/{a}", pool = "main" } }`, "Invalid Extra Route Pattern", "braces"},
		{`extra_routes = { m = { pattern = "^/x/", methods = ["get"], pool = "main" } }`, "Invalid Extra Route Method", `"get"`},
		{`extra_routes = { t = { pattern = "^/x/", pool = "main", worker = "generic1" } }`, "Invalid Extra Route Target", "exactly one"},
		{`extra_routes = { p = { pattern = "^/x/", pool = "nope" } }`, "Unknown Pool", `extra_routes["p"].pool is "nope"`},
		{`extra_routes = { w = { pattern = "^/x/", worker = "ghost" } }`, "Unknown Worker", `"ghost"`},
		{`extra_routes = { s = { pattern = "^/x/", pool = "main", strategy = "sticky" } }`, "Invalid Strategy", `"sticky"`},
		{`extra_routes = {
    broad  = { pattern = "^/_synapse/client/", pool = "main" }
    narrow = { pattern = "^/_synapse/client/my_module/", pool = "main", order = 1 }
  }`, "Shadowed Extra Route", `extra_routes["narrow"]`},
		{`extra_routes = { sync = { pattern = "^/_matrix/client/(r0|v3)/sync$", worker = "generic1" } }`, "Extra Route Shadows Catalogue Route", "use strategies instead"},
		{`client_max_body_size = "10M"
  max_upload_size = "100M"`, "Body Size Below Upload Size", `client_max_body_size is "10M" (10485760 bytes), below max_upload_size "100M" (104857600 bytes)`},
		{`client_max_body_size = "1G"`, "Invalid Size", `client_max_body_size: "1G" is not a size Synapse reads`},
		{`max_upload_size = "4000M"`, "Upload Size Beyond Proxy Limit", `max_upload_size is "4000M"`},
	}
	var steps []resource.TestStep
	for _, ec := range errorCases {
		frag := strings.ReplaceAll(regexp.QuoteMeta(ec.fragment), " ", `\s+`)
		steps = append(steps, resource.TestStep{
			Config:      routingFleet + routingHCL("  "+ec.extra),
			ExpectError: regexp.MustCompile(regexp.QuoteMeta(ec.summary) + `(?s:.*)` + frag),
		})
	}
	steps = append(steps,
		resource.TestStep{
			Config: routingFleet + routingHCL(extraRoutesHCL) + matchOutputs,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				// First the extra routes, by order then name; then the catalogue's.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey("* ^/_matrix/app/"),
					routeCheck(0, "^/_matrix/app/", "extra_appservice", "single", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey("* ^/_synapse/client/my_module/"),
					routeCheck(1, "^/_synapse/client/my_module/", "extra_my_module", "user", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(`GET,HEAD ^/_matrix/client/unstable/org\.example\.msc9999/`),
					routeCheck(2, `^/_matrix/client/unstable/org\.example\.msc9999/`, "synchrotron", "user", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(typingRoute),
					routeCheck(3, "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing", "typing_writers", "round_robin", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("extra_my_module"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"strategy": knownvalue.StringExact("user"),
					"members":  knownvalue.MapExact(map[string]knownvalue.Check{"generic1": knownvalue.StringExact("10.0.0.10:8081")}),
				})),
				// The body limit follows max_upload_size; the fallback is rendered.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_snippet"), configMentions("nginx_snippet", "client_max_body_size 100M;", "error_page 502 = @mx_fallback;")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_snippet"), configMentions("haproxy_snippet", "gt 104857600", "server main 10.0.0.1:8008", "check backup", "^/_synapse/client/my_module/")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("caddy_snippet"), configMentions("caddy_snippet", "max_size 104857600", "handle_errors", "path_regexp ^/_matrix/app/")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_snippet"), configMentions("apache_snippet", "LimitRequestBody 104857600", `BalancerMember "http://10.0.0.1:8008" lbset=1`, "MX_POOL:extra_my_module")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("module", matchResult("extra_my_module", "YWxpY2U", 1, "user")),
				statecheck.ExpectKnownOutputValue("msc_get", matchResult("synchrotron", "", 2, "user")),
				statecheck.ExpectKnownOutputValue("msc_put", matchResult("main", "", -1, "single")),
			},
		},
		resource.TestStep{
			Config:           routingFleet + routingHCL(extraRoutesHCL) + matchOutputs,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		// A route changed by its key: an in-place update; the other routes keep their keys.
		resource.TestStep{
			Config: routingFleet + routingHCL(strings.Replace(extraRoutesHCL, `methods = ["GET", "HEAD"], pool = "synchrotron"`, `pool = "synchrotron", strategy = "round_robin"`, 1)+
				`  client_max_body_size = "150M"`) + matchOutputs,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("extra_msc_reads"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"strategy": knownvalue.StringExact("round_robin"),
					"members": knownvalue.MapExact(map[string]knownvalue.Check{
						"sync1": knownvalue.StringExact("10.0.0.20:8083"), "sync2": knownvalue.StringExact("10.0.0.21:8083"),
					}),
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_snippet"), configMentions("nginx_snippet", "client_max_body_size 150M;")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("msc_put", matchResult("extra_msc_reads", "", 2, "round_robin")),
			},
		},
		// Without extra routes and options, the table is the catalogue's and the limit 50M.
		resource.TestStep{
			Config: routingFleet + routingHCL(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(typingRoute),
					routeCheck(0, "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing", "typing_writers", "round_robin", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_snippet"), knownvalue.StringFunc(func(v string) error {
					if !strings.Contains(v, "client_max_body_size 50M;") || strings.Contains(v, "mx_fallback") {
						return fmt.Errorf("nginx_snippet has no 50M limit or still falls back:\n%s", v)
					}
					return nil
				})),
			}},
		},
	)
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}

// TestDefaultBodyLimit: with neither client_max_body_size nor max_upload_size, the proxies'
// limit is the catalogue's default max_upload_size of each release; a limit already set stays.
// The renderer's own zero-Options default agrees with it, so its golden files show what the
// provider renders.
func TestDefaultBodyLimit(t *testing.T) {
	for _, v := range catalog.Versions() {
		c := catalog.MustFor(v)
		want, err := fleet.ParseSize(c.DefaultMaxUploadSize)
		if err != nil || want <= 0 {
			t.Fatalf("%s: default max_upload_size %q: %v", v, c.DefaultMaxUploadSize, err)
		}
		var o proxy.Options
		var diags diag.Diagnostics
		if !defaultBodyLimit(c, &o, &diags) || diags.HasError() || o.MaxBodyBytes != want {
			t.Errorf("%s: defaultBodyLimit set %d (%v), want %d", v, o.MaxBodyBytes, diags, want)
		}
		if want != proxy.DefaultMaxBodyBytes {
			t.Errorf("%s: the catalogue's default max_upload_size is %d bytes, the renderer's zero-Options default %d", v, want, proxy.DefaultMaxBodyBytes)
		}
		o = proxy.Options{MaxBodyBytes: 7}
		if !defaultBodyLimit(c, &o, &diags) || o.MaxBodyBytes != 7 {
			t.Errorf("%s: defaultBodyLimit replaced a set limit with %d", v, o.MaxBodyBytes)
		}
	}
}
