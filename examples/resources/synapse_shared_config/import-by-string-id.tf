# Import the shared configuration of an existing fleet: homeserver.yaml and the worker files of
# /etc/matrix-synapse/workers.
import {
  to = synapse_shared_config.this
  id = "/etc/matrix-synapse/homeserver.yaml?workers=/etc/matrix-synapse/workers"
}
