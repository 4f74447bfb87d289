# A fleet applied with provider v0.1.0 (schema version 0), planned again by the current provider
# after the state upgrade, with the worker inputs written as 0.2.0 takes them (maps keyed by name;
# v0.1.0 took `values(synapse_worker.all)` and the list of objects): the test expects no change
# but the routing table's new route/pool shape. synapse_version is "1.146" on the provider.
terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

provider "synapse" {
  synapse_version = "1.146"
}

locals {
  workers = {
    sync1      = { roles = ["synchrotron"], http_port = 8083, replication_port = null }
    client1    = { roles = ["client_reader"], http_port = 8084, replication_port = null }
    persister1 = { roles = [], http_port = null, replication_port = 9101 }
    persister2 = { roles = [], http_port = null, replication_port = 9102 }
  }
}

resource "synapse_worker" "all" {
  for_each = local.workers

  name             = each.key
  roles            = each.value.roles
  host             = "10.0.0.5"
  http_port        = each.value.http_port
  replication_port = each.value.replication_port
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = [synapse_worker.all["persister1"].name, synapse_worker.all["persister2"].name]
}

resource "synapse_stream_writer" "typing" {
  stream  = "typing"
  writers = ["main"]
}

resource "synapse_shared_config" "fleet" {
  main = {
    host             = "10.0.0.1"
    http_port        = 8008
    replication_port = 9093
  }
  workers                 = synapse_worker.all
  stream_writers          = { events = synapse_stream_writer.events, typing = synapse_stream_writer.typing }
  redis                   = { host = "10.0.0.2" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml         = <<-YAML
    server_name: example.org
    # kept through the merge
    report_stats: false
    signing_key_path: /etc/matrix-synapse/example.org.signing.key
    media_store_path: /var/lib/matrix-synapse/media
    database:
      name: psycopg2
      args:
        user: synapse
        database: synapse
    listeners:
      - port: 8008
        type: http
        x_forwarded: true
        resources:
          - names: [client, federation]
  YAML
}

# The module's way of passing workers: objects with only the attributes read.
resource "synapse_routing_table" "edge" {
  main = { host = "10.0.0.1", port = 8008 }
  workers = { for n, w in synapse_worker.all : n => {
    name           = w.name
    roles          = w.roles
    upstream       = w.upstream
    http_resources = w.http_resources
  } }
  stream_writers = { events = synapse_stream_writer.events }
  listen         = { port = 8080 }
}

data "synapse_catalog" "this" {}

output "stream_keys" {
  value = data.synapse_catalog.this.stream_keys
}
