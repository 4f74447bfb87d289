# Import an existing worker file. `terraform plan -generate-config-out=generated.tf` writes the
# resource block; the next plan is empty, and config_yaml equals the original after YAML parsing
# (unknown keys are carried in extra_config).
import {
  to = synapse_worker.sync
  id = "/etc/matrix-synapse/workers/sync.yaml?roles=synchrotron&host=10.0.0.5"
}
