# The ID takes the same form as synapse_shared_config's: homeserver.yaml (main's client listener
# and instance_map host give main) and the worker files. The existing proxy configuration is not
# read: the table is computed from the workers' roles, as for a new fleet.
terraform import synapse_routing_table.fleet '/etc/matrix-synapse/homeserver.yaml?roles.sync1=synchrotron'
