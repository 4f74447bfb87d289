# Import the routing table of an existing fleet, the roles of the docker image's generated
# workers given by its SYNAPSE_WORKER_TYPES ('+' written %2B).
import {
  to = synapse_routing_table.fleet
  id = "/conf/workers/shared.yaml?workers=/conf/workers&worker_types=synchrotron:2,event_persister:2,federation_reader%2Bclient_reader"
}
