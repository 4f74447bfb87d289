# User routes and proxy options pass through to synapse_routing_table: extra routes come
# first in the routes output and in the proxy file, fallback_to_main and client_max_body_size
# reach the rendered configuration, and the body limit follows homeserver_yaml's
# max_upload_size unless set (through sensitive(): TestDay2FleetModule). A limit below
# max_upload_size is a provider error, which terraform test cannot expect: internal/provider
# tests it.

variables {
  homeserver_yaml         = "${file("tests/homeserver.yaml")}max_upload_size: 100M\n"
  synapse_version         = "1.157"
  hosts                   = { hs1 = "10.0.0.10", edge = "10.0.0.5" }
  main                    = { host = "hs1" }
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  preset                  = "small"
  extra_routes = {
    my_module  = { pattern = "^/_synapse/client/my_module/", role = "client_reader", strategy = "user" }
    appservice = { pattern = "^/_matrix/app/", worker = "main", order = -1 }
  }
  proxy = {
    kind             = "nginx"
    host             = "edge"
    fallback_to_main = true
  }
}

run "extra_routes_come_first" {
  command = plan

  assert {
    condition     = output.routes["* ^/_matrix/app/"].order == 0 && output.routes["* ^/_matrix/app/"].pool == "extra_appservice"
    error_message = "The appservice route (order -1) must be the first route, to its own pool."
  }
  assert {
    condition     = output.routes["* ^/_synapse/client/my_module/"].order == 1 && output.routes["* ^/_synapse/client/my_module/"].strategy == "user"
    error_message = "The module route must come second, sticky by user."
  }
  assert {
    condition     = provider::synapse::match_route(output.routes, "POST", "/_synapse/client/my_module/x", null).pool == "extra_my_module"
    error_message = "match_route must send the module's path to its pool."
  }
  assert {
    condition     = strcontains(join("\n", values(output.proxy_files)), "\"~^/_synapse/client/my_module/\" mx_extra_my_module;")
    error_message = "The nginx configuration must route the module's path."
  }
}

run "fallback_and_body_size_from_max_upload_size" {
  command = plan

  assert {
    condition     = strcontains(join("\n", values(output.proxy_files)), "error_page 502 = @mx_fallback;") && strcontains(join("\n", values(output.proxy_files)), "client_max_body_size 100M;")
    error_message = "The nginx configuration must fall back to main and take bodies up to homeserver_yaml's max_upload_size."
  }
}

run "explicit_body_size" {
  command = plan

  variables {
    proxy = { kind = "caddy", host = "edge", client_max_body_size = "150M" }
  }

  assert {
    condition     = strcontains(join("\n", values(output.proxy_files)), "max_size 157286400") && !strcontains(join("\n", values(output.proxy_files)), "handle_errors")
    error_message = "The Caddyfile must take bodies up to client_max_body_size and not fall back without fallback_to_main."
  }
}
