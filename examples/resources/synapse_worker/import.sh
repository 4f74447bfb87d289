# The ID is the path of the existing worker file, on the machine running Terraform. Options
# after '?' (all optional): host (where the proxy and other processes reach the worker; default:
# its instance_map entry, else its listeners' bind address, else its own name when every
# instance_map worker is reached at its name (one container per worker), else the host most
# workers use), roles (comma-separated, empty for none; default: inferred from its duties, its
# name and enable_media_repo, each reported as a warning), shared_config_path (the file it loads
# first; default <config_dir>/homeserver.yaml, also read for instance_map and duties), log_level,
# synapse_version. Keys the provider does not model are carried in extra_config; a file it
# cannot render identically is an error naming the file and key.
terraform import synapse_worker.sync '/etc/matrix-synapse/workers/sync.yaml?roles=synchrotron&host=10.0.0.5'
