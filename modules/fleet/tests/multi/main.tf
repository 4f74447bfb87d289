# Test helper (tests/releases.tftest.hcl): the fleet module with for_each over fleets on
# different Synapse releases, with count, and with a provider passed in through `providers`.

terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

provider "synapse" {
  alias           = "old"
  synapse_version = "1.146"
}

variable "fleets" {
  type = map(object({
    release = string
    address = string
  }))
}

locals {
  homeserver_yaml = file("${path.module}/../homeserver.yaml")
}

module "fleet" {
  source   = "../.."
  for_each = var.fleets

  synapse_version         = each.value.release
  hosts                   = { hs = each.value.address }
  main                    = { host = "hs" }
  preset                  = "small"
  redis                   = { host = "hs" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml         = local.homeserver_yaml
}

# No synapse_version: the release of the provider passed in (1.146).
module "counted" {
  source = "../.."
  count  = 1
  providers = {
    synapse = synapse.old
  }

  hosts                   = { hs = "10.0.9.1" }
  main                    = { host = "hs" }
  preset                  = "small"
  redis                   = { host = "hs" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml         = local.homeserver_yaml
}

output "releases" {
  value = { for k, m in module.fleet : k => m.synapse_version }
}

output "streams" {
  value = { for k, m in module.fleet : k => keys(m.stream_writers) }
}

output "media_config" {
  value = { for k, m in module.fleet : k => m.workers["media-1"].config }
}

output "counted_release" {
  value = module.counted[0].synapse_version
}

output "counted_streams" {
  value = keys(module.counted[0].stream_writers)
}
