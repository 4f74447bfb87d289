# Quickstart: a small Synapse worker fleet rendered to files with `make demo`.
#
# Every worker's YAML, its log config and the stream_writers fragment are computed by the synapse
# provider at plan time and written by hashicorp/local under ./out/. Nothing is contacted: the
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
    media1             = { roles = ["media_repository"], http_port = 8087 }
    event_persister1   = { replication_port = 9101 }
    event_persister2   = { replication_port = 9102 }
  }
}

variable "event_persisters" {
  description = "Workers that write the events stream, in shard order (changing it means restarting every worker)."
  type        = list(string)
  default     = ["event_persister1", "event_persister2"]
}

resource "synapse_worker" "all" {
  for_each = var.workers

  name             = each.key
  roles            = each.value.roles
  host             = var.host
  http_port        = each.value.http_port
  replication_port = each.value.replication_port
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = [for name in var.event_persisters : synapse_worker.all[name].name]
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

# This stream's entry of `stream_writers` (shared config), e.g. "events:\n  - event_persister1\n...".
resource "local_file" "stream_writer" {
  filename        = "${path.module}/out/stream_writers/events.yaml"
  content         = synapse_stream_writer.events.config_yaml
  file_permission = "0644"
}

output "files" {
  description = "Every file written under out/."
  value = sort(concat(
    [for f in local_file.worker : f.filename],
    [for f in local_file.worker_log_config : f.filename],
    [local_file.stream_writer.filename],
  ))
}

output "commands" {
  description = "The command line that starts each worker."
  value       = { for name, w in synapse_worker.all : name => w.command }
}
