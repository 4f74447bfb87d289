terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# The Synapse release the fleet runs: it selects the worker roles, streams and endpoints that are
# valid. Omit it to use the newest release the provider knows.
provider "synapse" {
  synapse_version = "1.157"
}
