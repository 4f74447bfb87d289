terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# Each worker's log config, written where the worker's file points (`worker_log_config`, the
# worker's log_config_path): console logging, lines tagged with the worker's name.
locals {
  workers = {
    sync1 = { roles = ["synchrotron"], http_port = 8083 }
    sync2 = { roles = ["synchrotron"], http_port = 8084 }
  }
  worker_names = { for k in keys(local.workers) : k => k }
}

resource "synapse_worker" "all" {
  for_each  = local.worker_names
  name      = each.key
  roles     = local.workers[each.key].roles
  host      = "10.0.0.11"
  http_port = local.workers[each.key].http_port
  log_level = "WARNING"
}

output "log_configs" {
  # => { "/etc/matrix-synapse/workers/sync1.log.config" = "version: 1\nformatters: ...", ... }
  value = {
    for name, w in synapse_worker.all :
    w.log_config_path => provider::synapse::worker_log_config(name, w.log_level)
  }
}
