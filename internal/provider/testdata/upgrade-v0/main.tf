# The fleet of v0.1.0.tf as 0.2.0 takes it (worker inputs are maps keyed by name).
# TestUpgradeStateFromV0 plans it against terraform.tfstate, the state the 0.1.0 provider
# wrote for v0.1.0.tf, with the current provider and expects only the intended changes.
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
  workers        = { sync1 = synapse_worker.sync1, persister1 = synapse_worker.persister1 }
  stream_writers = { events = synapse_stream_writer.events }
  redis          = { host = "127.0.0.1", port = 6379, dbid = 2 }
  # log_config: 0.2.0 fills main_log_config_path from it when upgrading the state.
  homeserver_yaml = "server_name: example.org\nreport_stats: false\nenable_metrics: true\nsigning_key_path: /etc/matrix-synapse/example.org.signing.key\nlog_config: /etc/matrix-synapse/log.yaml\nlisteners:\n  - {port: 8008, type: http, x_forwarded: true, resources: [{names: [client, federation]}]}\n"
}

resource "synapse_routing_table" "edge" {
  main           = { host = "127.0.0.1", port = 8008 }
  workers        = { sync1 = synapse_worker.sync1, persister1 = synapse_worker.persister1 }
  stream_writers = { events = synapse_stream_writer.events }
  listen         = { address = "127.0.0.1", port = 8443, additional_ports = [8448] }
}
