terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

# Two workers: a sync worker, and an event persister with a replication listener.
resource "synapse_worker" "sync1" {
  name           = "sync1"
  host           = "10.0.0.11"
  roles          = ["synchrotron"]
  http_port      = 8083
  bind_addresses = ["10.0.0.11"]
}

resource "synapse_worker" "persister1" {
  name             = "persister1"
  host             = "10.0.0.12"
  replication_port = 9101
  bind_addresses   = ["10.0.0.12"]
}

# The events stream is written by the persister.
resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = [synapse_worker.persister1.name]
}

resource "synapse_shared_config" "this" {
  main = {
    host             = "10.0.0.10"
    replication_port = 9093
    http_port        = 8008
    bind_addresses   = ["10.0.0.10"]
  }
  # A map keyed by worker name: a plan then shows an added worker alone.
  workers        = { sync1 = synapse_worker.sync1, persister1 = synapse_worker.persister1 }
  stream_writers = { events = synapse_stream_writer.events }

  redis = {
    host          = "10.0.0.20"
    port          = 6379
    password_path = "/etc/matrix-synapse/redis.password"
  }

  # The secret stays in a file on the hosts: it never reaches Terraform state.
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  database_engine         = "psycopg2"
}

# The shared fragment every process loads (with --config-path) before its own file.
output "shared_yaml" {
  value = synapse_shared_config.this.config_yaml
}
