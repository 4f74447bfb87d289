# The ID is the path of the existing worker file, on the machine running Terraform. Options
# after '?' (all optional): host (where the proxy and other processes reach the worker; default:
# its instance_map entry, else its listeners' bind address, else the host most workers use),
# roles (comma-separated; default: inferred from its duties, its name and enable_media_repo,
# each reported as a warning), shared_config_path (the file it loads first; default
# <config_dir>/homeserver.yaml, also read for instance_map and duties), log_level.
terraform import synapse_worker.sync1 '/etc/matrix-synapse/workers/sync1.yaml?roles=synchrotron&host=10.0.0.5'
