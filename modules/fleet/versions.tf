terraform {
  # Cross-variable validation conditions need Terraform >= 1.9.
  required_version = ">= 1.9.0"

  # The provider must have the per-resource synapse_version (0.2.0 and later): the module
  # configures no provider of its own. (No version pinned here: the repository's tests serve
  # the checkout's build as 0.0.1.)
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}
