package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func matchResult(pool, key string, route int64, strategy string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"pool": knownvalue.StringExact(pool), "key": knownvalue.StringExact(key),
		"route": knownvalue.Int64Exact(route), "strategy": knownvalue.StringExact(strategy),
	})
}

// handRoutes is a routes value written by hand (every attribute present, as the resource
// computes them).
const handRoutes = `
locals {
  routes = {
    "* ^/_matrix/client/(r0|v3)/sync$ !?since" = { order = 0, pattern = "^/_matrix/client/(r0|v3)/sync$", methods = [], query_param = "since", query_present = false, pool = "initial_synchrotron", group = "Sync requests", strategy = "user" },
    "* ^/_matrix/client/(r0|v3)/sync$" = { order = 1, pattern = "^/_matrix/client/(r0|v3)/sync$", methods = [], query_param = null, query_present = null, pool = "synchrotron", group = "Sync requests", strategy = "user" },
    "* ^/_matrix/federation/v1/send/" = { order = 2, pattern = "^/_matrix/federation/v1/send/", methods = [], query_param = null, query_present = null, pool = "federation_inbound", group = "Inbound federation", strategy = "source_ip" },
    "* ^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send" = { order = 3, pattern = "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send", methods = [], query_param = null, query_present = null, pool = "event_creator", group = "Event sending requests", strategy = "room" },
    "GET,HEAD ^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/" = { order = 4, pattern = "^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/", methods = ["GET", "HEAD"], query_param = null, query_present = null, pool = "client_reader", group = "Push rules requests", strategy = "round_robin" },
  }
}
`

func TestMatchRouteFunction(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: handRoutes + `
output "bad" {
  value = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/rooms/%zz/send", null)
}`,
				ExpectError: expectErr("Invalid function argument", "%-encoded"),
			},
			{
				Config: `
output "bad" {
  value = provider::synapse::match_route({ r = { order = 0, pattern = "^/", methods = [], query_param = null, query_present = null, pool = "x", group = "", strategy = "sticky" } }, "GET", "/", null)
}`,
				ExpectError: expectErr("Invalid function argument", "sticky"),
			},
			{
				Config: `
output "bad" {
  value = provider::synapse::match_route({ a = { order = 0, pattern = "^/a", methods = [], query_param = null, query_present = null, pool = "x", group = "", strategy = "single" }, b = { order = 0, pattern = "^/b", methods = [], query_param = null, query_present = null, pool = "x", group = "", strategy = "single" } }, "GET", "/", null)
}`,
				ExpectError: expectErr("Invalid function argument", "must be 0 to 1, each once"),
			},
			{
				Config: handRoutes + `
output "initial_sync" {
  value = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/sync?timeout=0", { Authorization = "Bearer syt_YWxpY2U_JvXHXLHbiUYuJoHCRfvS_1AXKAl" })
}
output "incremental_sync_query_token" {
  value = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/sync?since=s1&access_token=mat_abc123", {})
}
output "federation" {
  value = provider::synapse::match_route(local.routes, "PUT", "/_matrix/federation/v1/send/1", { "x-forwarded-for" = "203.0.113.9, 10.0.0.1" })
}
output "room" {
  value = provider::synapse::match_route(local.routes, "PUT", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/1", null)
}
output "pushrules_get" {
  value = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/pushrules/", null)
}
output "pushrules_put" {
  value = provider::synapse::match_route(local.routes, "PUT", "/_matrix/client/v3/pushrules/global/override/x", null)
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("initial_sync", matchResult("initial_synchrotron", "YWxpY2U", 0, "user")),
					statecheck.ExpectKnownOutputValue("incremental_sync_query_token", matchResult("synchrotron", "mat_abc123", 1, "user")),
					statecheck.ExpectKnownOutputValue("federation", matchResult("federation_inbound", "203.0.113.9", 2, "source_ip")),
					statecheck.ExpectKnownOutputValue("room", matchResult("event_creator", "!abc:example.org", 3, "room")),
					statecheck.ExpectKnownOutputValue("pushrules_get", matchResult("client_reader", "", 4, "round_robin")),
					statecheck.ExpectKnownOutputValue("pushrules_put", matchResult("main", "", -1, "single")),
				},
			},
			{
				// With the resource: the function reads its routes, in an output and a check block.
				Config: routingFleet + routingHCL("") + `
output "sync" {
  value = provider::synapse::match_route(synapse_routing_table.r.routes, "GET", "/_matrix/client/v3/sync?since=x", { Authorization = "Bearer syt_Ym9i_a_b" })
}
output "typing" {
  value = provider::synapse::match_route(synapse_routing_table.r.routes, "PUT", "/_matrix/client/v3/rooms/!r:hs/typing/@bob:hs", {})
}
check "sso_goes_to_main" {
  assert {
    condition     = provider::synapse::match_route(synapse_routing_table.r.routes, "GET", "/_synapse/admin/v1/server_version", null).pool == "main"
    error_message = "admin requests must reach the main process"
  }
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("sync", matchResult("synchrotron", "Ym9i", 2, "user")),
					statecheck.ExpectKnownOutputValue("typing", matchResult("typing_writers", "", 0, "round_robin")),
				},
			},
			{Config: `# no resources: the post-test destroy has nothing to do`},
		},
	})
}
