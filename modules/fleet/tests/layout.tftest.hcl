# Placement, ports, files and routing of a two-host fleet with a proxy host.

variables {
  homeserver_yaml         = file("tests/homeserver.yaml")
  synapse_version         = "1.157"
  hosts                   = { hs1 = "10.0.0.10", hs2 = "10.0.0.11", edge = "10.0.0.5" }
  main                    = { host = "hs1" }
  preset                  = "specialized"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  metrics                 = true
  proxy = {
    kind   = "nginx"
    host   = "edge"
    listen = { port = 8443, server_name = "example.org" }
  }
  workers = {
    media = { host = "hs2", ports = { http = 8600 } }
    sync  = { overrides = { workers = { sync-2 = { http_port = 8700 } } } }
  }
}

run "ports_unique_per_host" {
  command = plan

  assert {
    condition     = alltrue([for h, ports in output.ports_by_host : length(distinct(values(ports))) == length(values(ports))])
    error_message = "No two listeners may share a port on one host."
  }
  assert {
    condition     = output.ports_by_host["hs1"]["main http"] == 8008 && output.ports_by_host["hs1"]["main replication"] == 9093 && output.ports_by_host["edge"]["proxy nginx"] == 8443
    error_message = "Main's and the proxy's ports are claimed on their hosts."
  }
  assert {
    condition     = output.workers["media-1"].http_port == 8600 && output.workers["sync-2"].http_port == 8700
    error_message = "Pool ports and per-worker overrides take precedence over the automatic allocation."
  }
  assert {
    condition     = alltrue([for n, w in output.workers : w.metrics_port != null])
    error_message = "metrics = true gives every worker a metrics port."
  }
  assert {
    condition = alltrue([for n, w in output.workers :
      w.http_port == 8100 + 20 * w.port_slot + w.index && (w.replication_port == null || w.replication_port == 9100 + 20 * w.port_slot + w.index) &&
      w.metrics_port == 10100 + 20 * w.port_slot + w.index if !contains(["media-1", "sync-2"], n)
    ])
    error_message = "Automatic ports are port_bases.<kind> + 20 * port slot + position in the pool."
  }
  assert {
    condition     = output.workers["sync-1"].port_slot == 0 && output.workers["persister-2"].port_slot == 7 && output.workers["persister-2"].replication_port == 9241
    error_message = "Preset pools have the fixed slots of the README (sync 0, persister 7)."
  }
}

run "files_present_per_host" {
  command = plan

  assert {
    condition     = toset(keys(output.files_by_host)) == toset(["hs1", "hs2", "edge"])
    error_message = "files_by_host has every host."
  }
  assert {
    condition = alltrue(flatten([for h, names in output.workers_by_host : [
      for n in names : output.files_by_host[h][output.workers[n].config_path] == output.workers[n].config &&
      output.files_by_host[h][output.workers[n].log_config_path] == output.workers[n].log_config
    ]]))
    error_message = "Every worker's config and log config are in its host's files, with its content."
  }
  assert {
    condition     = output.files_by_host["hs1"]["/etc/matrix-synapse/homeserver.yaml"] == output.shared_config_yaml && output.files_by_host["hs2"]["/etc/matrix-synapse/homeserver.yaml"] == output.shared_config_yaml
    error_message = "Hosts running Synapse get the shared config."
  }
  assert {
    condition     = sort(keys(output.files_by_host["edge"])) == sort(keys(output.proxy_files)) && contains(keys(output.proxy_files), output.proxy.config_path) && contains(keys(output.proxy_files), "${dirname(output.proxy.config_path)}/pools/main.conf") && alltrue([for k, v in output.proxy_files : output.files_by_host["edge"][k] == v])
    error_message = "The proxy-only host gets exactly the proxy config."
  }
  assert {
    condition     = length(output.workers_by_host["edge"]) == 0
    error_message = "Pools without placement avoid a proxy-only host."
  }
  assert {
    condition     = strcontains(output.shared_config_yaml, "worker_replication_secret_path: /etc/matrix-synapse/replication.secret")
    error_message = "The shared config points at the replication secret file (no inline secret)."
  }
}

run "routes_point_at_existing_pool_members" {
  command = plan

  assert {
    condition     = alltrue([for r in output.routes : contains(keys(output.pools), r.pool)])
    error_message = "Every route must name an existing pool."
  }
  assert {
    condition = alltrue(flatten([for p in output.pools : [
      for name, upstream in p.members : contains(keys(output.workers), name) ? output.workers[name].upstream == upstream : upstream == "10.0.0.10:8008"
    ]]))
    error_message = "Every pool member is a worker (with its upstream) or main."
  }
  assert {
    condition     = alltrue([for p in output.pools : length(p.members) > 0])
    error_message = "No pool is empty."
  }
  assert {
    condition     = length(output.routes) > 0 && length(output.proxy_files) > 1 && output.proxy_files[output.proxy.config_path] != ""
    error_message = "The routing table and the nginx config are rendered at plan time."
  }
}

run "instance_map_holds_stream_writers" {
  command = plan

  assert {
    condition     = alltrue([for n in concat(output.stream_writers["events"], ["main"]) : contains(keys(output.instance_map), n)])
    error_message = "main and every events writer are in instance_map."
  }
  assert {
    condition     = output.instance_map["persister-1"].port == output.workers["persister-1"].replication_port
    error_message = "instance_map uses the allocated replication port."
  }
}

run "metrics_listeners_enable_metrics" {
  command = plan

  assert {
    condition     = yamldecode(output.shared_config_yaml).enable_metrics == true && strcontains(output.shared_config_yaml, "signing_key_path: /etc/matrix-synapse/example.org.signing.key")
    error_message = "With metrics listeners the module appends enable_metrics: true to homeserver_yaml (keeping the rest)."
  }
}

run "bind_host_address_and_per_worker_bind_addresses" {
  command = plan

  variables {
    bind_host_address = true
    workers = {
      media = { host = "hs2", ports = { http = 8600 } }
      sync  = { overrides = { workers = { sync-2 = { http_port = 8700, bind_addresses = ["127.0.0.1"] } } } }
    }
  }

  assert {
    condition = alltrue([for n, w in output.workers :
    join(",", w.bind_addresses) == (n == "sync-2" ? "127.0.0.1" : w.address)])
    error_message = "bind_host_address binds each worker to its own host's address; a per-worker bind_addresses wins."
  }
  assert {
    condition     = strcontains(output.workers["persister-1"].config, "bind_addresses:\n      - ${output.workers["persister-1"].address}")
    error_message = "The worker file's listeners bind the host's address."
  }
}

run "main_metrics_port_rendered" {
  command = plan

  variables {
    main = { host = "hs1", metrics_port = 9400 }
  }

  assert {
    condition = anytrue([for l in yamldecode(output.shared_config_yaml).listeners :
    l.type == "metrics" && l.port == 9400]) && yamldecode(output.shared_config_yaml).enable_metrics == true
    error_message = "main.metrics_port becomes a metrics listener of the main process in the shared config, with enable_metrics: true."
  }
  assert {
    condition     = output.ports_by_host["hs1"]["main metrics"] == 9400
    error_message = "main's metrics port is claimed on its host."
  }
}
