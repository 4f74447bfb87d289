# Import one stream_writers entry of an existing homeserver.yaml.
import {
  to = synapse_stream_writer.events
  id = "/etc/matrix-synapse/homeserver.yaml?stream=events"
}
