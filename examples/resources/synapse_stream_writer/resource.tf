# Two event persisters sharing the events stream (sharded by room: keep the order stable).
resource "synapse_worker" "persister" {
  count            = 2
  name             = "event_persister${count.index + 1}"
  host             = "10.0.0.${21 + count.index}"
  replication_port = 9093
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = synapse_worker.persister[*].name
}

# The typing stream stays on the main process ("main" is rendered as "master").
resource "synapse_stream_writer" "typing" {
  stream  = "typing"
  writers = ["main"]
}

output "stream_writers" {
  value = {
    events = synapse_stream_writer.events.config_yaml
    typing = synapse_stream_writer.typing.config_yaml
  }
}
