package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// routingFleet is a small fleet: a generic worker, two synchrotrons, an initial synchrotron
// and a typing writer, all synapse_worker resources whose computed facts the table reads.
const routingFleet = `
resource "synapse_worker" "generic" {
  name             = "generic1"
  roles            = ["generic"]
  host             = "10.0.0.10"
  http_port        = 8081
  replication_port = 9093
}

resource "synapse_worker" "sync" {
  count     = 2
  name      = "sync${count.index + 1}"
  roles     = ["synchrotron"]
  host      = "10.0.0.2${count.index}"
  http_port = 8083
}

resource "synapse_worker" "isync" {
  name      = "isync1"
  roles     = ["initial_synchrotron"]
  host      = "10.0.0.30"
  http_port = 8084
}

resource "synapse_worker" "typing" {
  name             = "typing1"
  host             = "10.0.0.40"
  http_port        = 8085
  replication_port = 9093
}

resource "synapse_stream_writer" "typing" {
  stream  = "typing"
  writers = [synapse_worker.typing.name]
}
`

// tlsListen terminates TLS on 443 and 8448; the key is not where HAProxy 2.6 looks for it, so
// HAProxy's standalone config is an error (see the error cases) and the TLS steps leave it out.
const tlsListen = `{
    address              = "127.0.0.1"
    port                 = 443
    additional_ports     = [8448]
    server_name          = "matrix.example.org"
    tls_certificate_path = "/etc/ssl/matrix/fullchain.pem"
    tls_key_path         = "/etc/ssl/matrix/privkey.pem"
  }`

// routingHCL is the table over routingFleet with extra attributes and, optionally, a listen
// object (default: plain HTTP on 127.0.0.1:8448).
func routingHCL(extra string, listen ...string) string {
	l := `{ address = "127.0.0.1", port = 8448, server_name = "matrix.example.org" }`
	if len(listen) > 0 {
		l = listen[0]
	}
	return fmt.Sprintf(`
resource "synapse_routing_table" "r" {
  main           = { host = "10.0.0.1", port = 8008 }
  workers        = { for w in concat([synapse_worker.generic, synapse_worker.isync, synapse_worker.typing], synapse_worker.sync) : w.name => w }
  stream_writers = { typing = synapse_stream_writer.typing }
  listen         = %s
%s
}
`, l, extra)
}

// Keys of three routes of routingFleet's table (routing.Route.Key).
const (
	typingRoute      = "* ^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing"
	initialSyncRoute = "* ^/_matrix/client/(r0|v3)/sync$ !?since"
	syncRoute        = "* ^/_matrix/client/(r0|v3)/sync$"
)

// routeCheck matches a routes element partially.
func routeCheck(order int64, pattern, pool, strategy string, query knownvalue.Check) knownvalue.Check {
	m := map[string]knownvalue.Check{
		"order":   knownvalue.Int64Exact(order),
		"pattern": knownvalue.StringExact(pattern), "pool": knownvalue.StringExact(pool), "strategy": knownvalue.StringExact(strategy),
	}
	if query != nil {
		m["query_param"] = query
	}
	return knownvalue.ObjectPartial(m)
}

// configMentions checks that a rendered configuration names every given upstream.
func configMentions(what string, needles ...string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		for _, n := range needles {
			if !strings.Contains(v, n) {
				return fmt.Errorf("%s does not mention %q", what, n)
			}
		}
		return nil
	})
}

func TestRoutingTableResource(t *testing.T) {
	addr := "synapse_routing_table.r"
	errorCases := []struct{ config, summary, fragment string }{
		{routingFleet + routingHCL(`  strategies = { generic = "sticky" }`), "Invalid Strategy", "sticky"},
		{routingFleet + routingHCL(`  strategies = { nope = "user" }`), "Unknown Pool", "nope"},
		{`
resource "synapse_routing_table" "r" {
  main           = { host = "10.0.0.1", port = 8008 }
  stream_writers = { typing = { writers = ["ghost"] } }
}`, "Unknown Stream Writer", "ghost"},
		{routingFleet + routingHCL(`  proxies = ["nginx", "traefik"]`), "Invalid Proxy", `proxies contains "traefik"; use any of: nginx, haproxy, caddy, apache.`},
		{routingFleet + routingHCL(`  forms = ["full"]`), "Invalid Form", `forms contains "full"; use any of: config, snippet, files.`},
		{routingFleet + routingHCL(`  config_dir = "etc/proxy"`), "Invalid Config Dir", `config_dir: path "etc/proxy" must be absolute`},
		// HAProxy's standalone config with a key it cannot load is an error when it is rendered
		// (all proxies, by default)...
		{routingFleet + routingHCL("", tlsListen), "Invalid TLS Setting", "listen.tls_key_path: HAProxy 2.6 cannot load the TLS key /etc/ssl/matrix/privkey.pem"},
		{routingFleet + routingHCL(`  proxies = ["haproxy"]`, tlsListen), "Invalid TLS Setting", "Or leave haproxy out of proxies"},
		{`
resource "synapse_routing_table" "r" {
  main    = { host = "10.0.0.1", port = 8008 }
  workers = { fr1 = { roles = ["federation_reader"], upstream = "h:1", http_resources = ["client"] } }
}`, "Worker Listener Lacks Resources", "fr1"},
		{`
resource "synapse_routing_table" "r" {
  main = { host = "", port = 70000 }
}`, "Missing Main Host", "main.host"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 0 }
}`, "Invalid Port", "listen.port"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { address = "0.0.0.0;evil" }
}`, "Invalid Listen Address", "listen.address"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 443, tls_certificate_path = "/etc/ssl/matrix.pem" }
}`, "Invalid TLS Setting", "listen.tls_key_path: a TLS certificate path"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 443, tls_key_path = "/etc/ssl/matrix.key" }
}`, "Invalid TLS Setting", "listen.tls_certificate_path: a TLS key path"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 443, tls_certificate_path = "ssl/matrix.pem", tls_key_path = "/etc/ssl/matrix.key" }
}`, "Invalid TLS Setting", `"ssl/matrix.pem"`},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 443, tls_certificate_path = "/etc/ssl/m.pem", tls_key_path = "/etc/ssl/m.key;\n  include /etc/passwd" }
}`, "Invalid TLS Setting", "listen.tls_key_path"},
		{`
resource "synapse_routing_table" "r" {
  main   = { host = "10.0.0.1", port = 8008 }
  listen = { port = 443, additional_ports = [8448, 443] }
}`, "Invalid Port", "443 is already listened on"},
	}
	var steps []resource.TestStep
	for _, ec := range errorCases {
		// Terraform wraps a detail at any space: match the fragment with any whitespace there.
		frag := strings.ReplaceAll(regexp.QuoteMeta(ec.fragment), " ", `\s+`)
		steps = append(steps, resource.TestStep{Config: ec.config, ExpectError: regexp.MustCompile(regexp.QuoteMeta(ec.summary) + `(?s:.*)` + frag)})
	}
	upstreams := []string{"10.0.0.1:8008", "10.0.0.10:8081", "10.0.0.20:8083", "10.0.0.21:8083", "10.0.0.30:8084", "10.0.0.40:8085"}
	steps = append(steps,
		resource.TestStep{
			Config: routingFleet + routingHCL(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				// Known at plan time: the routes, the pools and every configuration.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(typingRoute),
					routeCheck(0, "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing", "typing_writers", "round_robin", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(initialSyncRoute),
					routeCheck(1, "^/_matrix/client/(r0|v3)/sync$", "initial_synchrotron", "user", knownvalue.StringExact("since"))),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(syncRoute),
					routeCheck(2, "^/_matrix/client/(r0|v3)/sync$", "synchrotron", "user", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("main"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"strategy": knownvalue.StringExact("single"),
					"members":  knownvalue.MapExact(map[string]knownvalue.Check{"main": knownvalue.StringExact("10.0.0.1:8008")}),
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_config"), configMentions("nginx_config", append(upstreams, "listen 127.0.0.1:8448", "matrix.example.org")...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_http_snippet"), configMentions("nginx_http_snippet", upstreams...)),
				// Unset forms are 0.1.0's: config and snippet, not files.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_files"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_snippet"), configMentions("nginx_snippet", "proxy_pass")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_config"), configMentions("haproxy_config", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_snippet"), configMentions("haproxy_snippet", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("caddy_config"), configMentions("caddy_config", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("caddy_snippet"), configMentions("caddy_snippet", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_config"), configMentions("apache_config", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_snippet"), configMentions("apache_snippet", "10.0.0.20:8083")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("127.0.0.1:8448")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("synchrotron"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"strategy": knownvalue.StringExact("user"),
					"members": knownvalue.MapExact(map[string]knownvalue.Check{
						"sync1": knownvalue.StringExact("10.0.0.20:8083"), "sync2": knownvalue.StringExact("10.0.0.21:8083"),
					}),
				})),
			},
		},
		resource.TestStep{
			Config:           routingFleet + routingHCL(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: routingFleet + routingHCL(`  strategies = { synchrotron = "round_robin", generic_room = "round_robin" }`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(syncRoute),
					routeCheck(2, "^/_matrix/client/(r0|v3)/sync$", "synchrotron", "round_robin", knownvalue.Null())),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("synchrotron"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"strategy": knownvalue.StringExact("round_robin"),
				})),
			}},
		},
		// TLS on the Matrix ports, known at plan time: an in-place update.
		resource.TestStep{
			Config: routingFleet + routingHCL(`  strategies = { synchrotron = "round_robin", generic_room = "round_robin" }
  proxies    = ["nginx", "caddy", "apache"]`, tlsListen),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_config"), configMentions("nginx_config",
					"listen 127.0.0.1:443 ssl;", "listen 127.0.0.1:8448 ssl;", "ssl_certificate /etc/ssl/matrix/fullchain.pem;", "ssl_certificate_key /etc/ssl/matrix/privkey.pem;")),
				// Not rendered, so HAProxy's key file rule does not apply.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_config"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_snippet"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("caddy_config"), configMentions("caddy_config",
					"https://matrix.example.org:443, https://matrix.example.org:8448 {", "tls /etc/ssl/matrix/fullchain.pem /etc/ssl/matrix/privkey.pem")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_config"), configMentions("apache_config",
					"Listen 127.0.0.1:443 https", "Listen 127.0.0.1:8448 https", "LoadModule ssl_module", "SSLEngine on",
					`SSLCertificateFile "/etc/ssl/matrix/fullchain.pem"`, `SSLCertificateKeyFile "/etc/ssl/matrix/privkey.pem"`)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("127.0.0.1:443")),
			},
		},
		resource.TestStep{
			Config: routingFleet + routingHCL(`  strategies = { synchrotron = "round_robin", generic_room = "round_robin" }
  proxies    = ["nginx", "caddy", "apache"]`, tlsListen),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		// Only nginx's standalone config: every other output is null, and the routes stay as
		// they were (only the outputs change).
		resource.TestStep{
			Config: routingFleet + routingHCL(`  proxies = ["nginx"]
  forms   = ["config"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_config"), configMentions("nginx_config", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_snippet"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_http_snippet"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_config"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("caddy_config"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_snippet"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("routes").AtMapKey(syncRoute),
					routeCheck(2, "^/_matrix/client/(r0|v3)/sync$", "synchrotron", "user", knownvalue.Null())),
			}},
		},
		// The standalone configuration as files: the entry file includes one file per pool
		// under config_dir.
		resource.TestStep{
			Config: routingFleet + routingHCL(`  proxies    = ["nginx", "apache"]
  forms      = ["files"]
  config_dir = "/srv/proxy"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_config"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_files"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_files").AtMapKey("nginx.conf"),
					configMentions("nginx_files[nginx.conf]", "include /srv/proxy/pools/synchrotron.conf;", "include /srv/proxy/pools/main.conf;")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_files").AtMapKey("pools/synchrotron.conf"),
					configMentions("nginx_files[pools/synchrotron.conf]", "upstream mx_synchrotron {", "10.0.0.20:8083", "10.0.0.21:8083")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("apache_files").AtMapKey("apache2.conf"),
					configMentions("apache_files[apache2.conf]", `Include "/srv/proxy/pools/synchrotron.conf"`)),
			}},
		},
		resource.TestStep{
			Config: routingFleet + routingHCL(`  proxies    = ["nginx", "apache"]
  forms      = ["files"]
  config_dir = "/srv/proxy"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		// HAProxy's snippet binds nothing, so the key file does not matter to it.
		resource.TestStep{
			Config: routingFleet + routingHCL(`  proxies = ["haproxy"]
  forms   = ["snippet"]`, tlsListen),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_snippet"), configMentions("haproxy_snippet", upstreams...)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("haproxy_config"), knownvalue.Null()),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("nginx_config"), knownvalue.Null()),
			}},
		},
		resource.TestStep{
			Config: routingFleet + routingHCL(`  proxies = ["haproxy"]
  forms   = ["snippet"]`, tlsListen),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		// Unknown inputs (a worker created later with an unknown host) leave the table unknown
		// at plan time, and it is rendered at apply.
		resource.TestStep{
			Config: `
resource "terraform_data" "host" {
  input = "10.0.0.77"
}

resource "synapse_worker" "w" {
  name      = "late1"
  roles     = ["client_reader"]
  host      = terraform_data.host.output
  http_port = 8090
}

resource "synapse_routing_table" "r" {
  main    = { host = "10.0.0.1", port = 8008 }
  workers = { late1 = synapse_worker.w }
}`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("routes")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("nginx_config")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("pools").AtMapKey("client_reader"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"members": knownvalue.MapExact(map[string]knownvalue.Check{"late1": knownvalue.StringExact("10.0.0.77:8090")}),
				})),
			},
		},
	)
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}

// TestRoutingTableSchemaDescriptions applies the house rule (descriptions end in a full stop)
// to synapse_routing_table and match_route.
func TestRoutingTableSchemaDescriptions(t *testing.T) {
	s := routingTableSchemaV1()
	if !strings.HasSuffix(s.MarkdownDescription, ".") {
		t.Error("synapse_routing_table: resource description does not end in a full stop")
	}
	checkDescriptions(t, "synapse_routing_table", s.Attributes)
	var resp function.DefinitionResponse
	NewMatchRouteFunction().Definition(context.Background(), function.DefinitionRequest{}, &resp)
	if !strings.HasSuffix(resp.Definition.MarkdownDescription, ".") {
		t.Error("match_route: description does not end in a full stop")
	}
	for _, p := range resp.Definition.Parameters {
		if d := p.GetMarkdownDescription(); !strings.HasSuffix(d, ".") {
			t.Errorf("match_route parameter %s: description %q does not end in a full stop", p.GetName(), d)
		}
	}
}
