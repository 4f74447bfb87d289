# The ID is the path of the existing homeserver.yaml (or the shared config every process loads),
# read with the worker files of the workers/ directory next to it. Options after '?' (all
# optional): workers (another directory of worker files), shared_config_path (the file the
# workers load first), worker_types (Synapse docker's SYNAPSE_WORKER_TYPES, for the roles; '+'
# written %2B), default_host, host.<worker>=<host> and roles.<worker>=<role>,<role>.
# homeserver_yaml becomes the file's content (replace it with file("homeserver.yaml")), every
# duty is explicit, and merged_yaml equals the original after YAML parsing, comments kept.
terraform import synapse_shared_config.fleet '/etc/matrix-synapse/homeserver.yaml?roles.sync1=synchrotron'
