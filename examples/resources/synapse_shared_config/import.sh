# The ID is the path of the existing homeserver.yaml (or the shared config every process loads),
# read with the worker files of the workers/ directory next to it. Options after '?' (all
# optional): workers (another directory of worker files, e.g. the directory of homeserver.yaml
# itself), shared_config_path (the file the workers load first), worker_types (Synapse docker's
# SYNAPSE_WORKER_TYPES, for the roles; '+' written %2B), default_host, host.<worker>=<host>,
# roles.<worker>=<role>,<role> and synapse_version.
# homeserver_yaml is sensitive, so `plan -generate-config-out` writes it as null: set it to
# file("/etc/matrix-synapse/homeserver.yaml"). Every duty is explicit, inline secrets move to
# secret_config_yaml, and merged_yaml loaded with secret_config_yaml equals the original after
# YAML parsing, comments kept.
terraform import synapse_shared_config.this '/etc/matrix-synapse/homeserver.yaml?roles.sync1=synchrotron'
