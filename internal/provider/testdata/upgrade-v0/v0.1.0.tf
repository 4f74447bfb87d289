# A fleet applied with release 0.1.0 (schema version 0 of every resource): terraform.tfstate
# is the terraform.tfstate the 0.1.0 provider binary wrote for it (regenerate it with that
# binary through a dev_overrides CLI config and `terraform apply`). main.tf is the same fleet
# as 0.2.0 takes it.
terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

resource "synapse_worker" "sync1" {
  name           = "sync1"
  roles          = ["synchrotron"]
  host           = "127.0.0.1"
  http_port      = 8083
  metrics_port   = 9083
  bind_addresses = ["127.0.0.1"]
}

resource "synapse_worker" "persister1" {
  name = "persister1"
  host = "127.0.0.1"
  listeners = [
    { type = "http", port = 9101, bind_addresses = ["127.0.0.1"], resources = ["replication"] },
    { type = "http", port = 8091, bind_addresses = ["127.0.0.1"], resources = ["client"] },
  ]
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = [synapse_worker.persister1.name]
}

resource "synapse_shared_config" "fleet" {
  main           = { host = "127.0.0.1", replication_port = 9093, http_port = 8008, bind_addresses = ["127.0.0.1"] }
  workers        = [synapse_worker.sync1, synapse_worker.persister1]
  stream_writers = [synapse_stream_writer.events]
  redis          = { host = "127.0.0.1", port = 6379, dbid = 2 }
}

resource "synapse_routing_table" "edge" {
  main           = { host = "127.0.0.1", port = 8008 }
  workers        = [synapse_worker.sync1, synapse_worker.persister1]
  stream_writers = [synapse_stream_writer.events]
  listen         = { address = "127.0.0.1", port = 8443, additional_ports = [8448] }
}
