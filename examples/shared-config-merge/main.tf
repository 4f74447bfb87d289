# Merge a fleet's shared settings into an existing homeserver.yaml: the user's keys, their
# order and comments are kept; the replication listener is appended to `listeners`; redis,
# instance_map, stream_writers and the duty options are added. Run `terraform apply` and
# write merged_yaml over homeserver.yaml (e.g. with the hashicorp/local provider).
terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

resource "synapse_worker" "federation_sender1" {
  name             = "federation_sender1"
  host             = "127.0.0.1"
  roles            = ["federation_sender"]
  replication_port = 9102
  bind_addresses   = ["127.0.0.1"]
}

resource "synapse_worker" "persister1" {
  name             = "persister1"
  host             = "127.0.0.1"
  replication_port = 9101
  bind_addresses   = ["127.0.0.1"]
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = ["persister1"]
}

resource "synapse_shared_config" "this" {
  main = {
    host             = "127.0.0.1"
    replication_port = 9093
    http_port        = 8008
    bind_addresses   = ["127.0.0.1"]
  }
  workers        = { federation_sender1 = synapse_worker.federation_sender1, persister1 = synapse_worker.persister1 }
  stream_writers = { events = synapse_stream_writer.events }
  redis          = { host = "127.0.0.1", port = 6379 }

  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml         = file("${path.module}/homeserver.yaml")
}

output "merged_yaml" {
  description = "homeserver.yaml with the fleet's shared settings merged in."
  value       = synapse_shared_config.this.merged_yaml
}
