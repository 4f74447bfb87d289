# Quickstart: a small Synapse worker fleet rendered to files with `make demo`.
#
# Every worker's YAML, its log config and the shared config (instance_map, stream_writers, Redis)
# are computed by the synapse provider at plan time and written by hashicorp/local under ./out/. Nothing is contacted: the
# provider is logical, and both providers come from this machine (see scripts/terraformrc.tmpl).

terraform {
  required_version = ">= 1.8"
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
    local = {
      source  = "hashicorp/local"
      version = "~> 2.5"
    }
  }
}

provider "synapse" {
  synapse_version = "1.157"
}

variable "host" {
  description = "Address every worker listens on and is reached at (a single-host fleet)."
  type        = string
  default     = "127.0.0.1"
}

variable "workers" {
  description = "The fleet: worker name => roles and ports. Workers with no roles only write streams."
  type = map(object({
    roles            = optional(set(string), [])
    http_port        = optional(number)
    replication_port = optional(number)
  }))
  default = {
    synchrotron1       = { roles = ["synchrotron"], http_port = 8083 }
    synchrotron2       = { roles = ["synchrotron"], http_port = 8084 }
    client_reader1     = { roles = ["client_reader"], http_port = 8085 }
    federation_inbound = { roles = ["federation_inbound"], http_port = 8086 }
    media1             = { roles = ["media_repository"], http_port = 8087, replication_port = 9103 }
    event_persister1   = { replication_port = 9101 }
    event_persister2   = { replication_port = 9102 }
  }
}

variable "stream_writers" {
  description = "Stream => the workers that write it, in order (\"main\" is the main process). The order of the events writers shards rooms: changing it means restarting every worker."
  type        = map(list(string))
  default = {
    events = ["event_persister1", "event_persister2"]
    # Synapse 1.152+: only writers of this stream may quarantine media, so the media worker writes it.
    quarantined_media_changes = ["media1"]
  }
}

resource "synapse_worker" "all" {
  for_each = var.workers

  name             = each.key
  roles            = each.value.roles
  host             = var.host
  http_port        = each.value.http_port
  replication_port = each.value.replication_port
}

resource "synapse_stream_writer" "all" {
  for_each = var.stream_writers

  stream = each.key
  # Through synapse_worker so Terraform orders them, and a writer that is not a worker fails here.
  writers = [for name in each.value : name == "main" ? name : synapse_worker.all[name].name]
}

resource "local_file" "worker" {
  for_each = synapse_worker.all

  filename        = "${path.module}/out/workers/${each.key}.yaml"
  content         = each.value.config_yaml
  file_permission = "0644"
}

resource "local_file" "worker_log_config" {
  for_each = synapse_worker.all

  filename        = "${path.module}/out/workers/${each.key}.log.config"
  content         = each.value.log_config_yaml
  file_permission = "0644"
}

# The settings every process shares: instance_map, stream_writers, Redis, the replication secret.
# out/shared.yaml is the fragment; set homeserver_yaml = file(".../homeserver.yaml") and write
# merged_yaml instead to get the complete shared file every process loads first.
resource "synapse_shared_config" "fleet" {
  main = {
    host             = var.host
    http_port        = 8008
    replication_port = 9093
    # Workers share the host: bind the main process's replication listener to that address only.
    bind_addresses = [var.host]
  }
  workers                 = values(synapse_worker.all)
  stream_writers          = values(synapse_stream_writer.all)
  redis                   = { host = var.host, port = 6379 }
  replication_secret_path = "/etc/matrix-synapse/replication_secret"
  database_engine         = "psycopg2"
}

resource "local_file" "shared" {
  filename        = "${path.module}/out/shared.yaml"
  content         = synapse_shared_config.fleet.config_yaml
  file_permission = "0644"
}

output "files" {
  description = "Every file written under out/."
  value = sort(concat(
    [for f in local_file.worker : f.filename],
    [for f in local_file.worker_log_config : f.filename],
    [local_file.shared.filename],
  ))
}

output "commands" {
  description = "The command line that starts each worker."
  value       = { for name, w in synapse_worker.all : name => w.command }
}
