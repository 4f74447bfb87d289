terraform {
  # Cross-variable validation conditions need Terraform >= 1.9.
  required_version = ">= 1.9.0"

  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# The module configures the provider itself so that `synapse_version` selects the catalogue
# (roles, streams, endpoints) the whole fleet is validated against. The price: a module with its
# own provider block cannot be used with count/for_each/depends_on. One fleet is one module
# instance, so that is the right trade here.
provider "synapse" {
  synapse_version = var.synapse_version
}
