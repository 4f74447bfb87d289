terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# Where does a request go? match_route applies the routing table's reference semantics,
# the same that the rendered nginx, HAProxy, Caddy and Apache configurations follow.
resource "synapse_worker" "sync" {
  count     = 2
  name      = "sync${count.index + 1}"
  roles     = ["synchrotron"]
  host      = "10.0.0.${11 + count.index}"
  http_port = 8083
}

resource "synapse_worker" "initial_sync" {
  name      = "isync1"
  roles     = ["initial_synchrotron"]
  host      = "10.0.0.13"
  http_port = 8083
}

resource "synapse_routing_table" "fleet" {
  main    = { host = "10.0.0.1", port = 8008 }
  workers = { for w in concat(synapse_worker.sync, [synapse_worker.initial_sync]) : w.name => w }
  proxies = [] # only the routes are used here
}

locals {
  routes = synapse_routing_table.fleet.routes
}

output "initial_sync" {
  # => { pool = "initial_synchrotron", key = "YWxpY2U", route = 0, strategy = "user" }
  value = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/sync",
  { Authorization = "Bearer syt_YWxpY2U_JvXHXLHbiUYuJoHCRfvS_1AXKAl" })
}

output "incremental_sync" {
  # => { pool = "synchrotron", key = "YWxpY2U", route = 1, strategy = "user" }
  value = provider::synapse::match_route(local.routes, "GET",
  "/_matrix/client/v3/sync?since=s72594_4483_1934&access_token=syt_YWxpY2U_JvXHXLHbiUYuJoHCRfvS_1AXKAl", null)
}

output "admin" {
  # => { pool = "main", key = "", route = -1, strategy = "single" }
  value = provider::synapse::match_route(local.routes, "GET", "/_synapse/admin/v1/server_version", null)
}

# Guard the routing in CI: a check block fails the plan's checks if a request goes astray.
check "incremental_syncs_reach_synchrotrons" {
  assert {
    condition     = provider::synapse::match_route(local.routes, "GET", "/_matrix/client/v3/sync?since=s1", null).pool == "synchrotron"
    error_message = "incremental syncs must reach the synchrotron pool"
  }
}
