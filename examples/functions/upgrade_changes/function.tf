terraform {
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# What changes for workers from Synapse 1.135 to 1.157: streams, options Synapse now refuses,
# endpoints added or removed, and the worker sections of Synapse's upgrade notes.
locals {
  upgrade = provider::synapse::upgrade_changes("1.135", "1.157")
}

output "streams_added" {
  value = local.upgrade.streams_added # ["quarantined_media_changes"]
}

output "remove_before_upgrading" {
  value = local.upgrade.now_refused
}

output "upgrade_notes" {
  value = [for n in local.upgrade.notes : "${n.version}: ${n.title} (${n.link})"]
}
