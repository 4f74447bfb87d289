# What the configured Synapse release knows: roles, streams and routable endpoints.
data "synapse_catalog" "this" {}

# Make the media workers writers of quarantined_media_changes only where the release has that
# stream (Synapse 1.152 and later), without restating the version rule in HCL.
locals {
  has_quarantine_stream = contains(data.synapse_catalog.this.stream_keys, "quarantined_media_changes")
}

output "single_writer_streams" {
  value = [for s in data.synapse_catalog.this.streams : s.key if !s.multi_writer]
}

output "roles_with_a_duty" {
  value = { for r in data.synapse_catalog.this.roles : r.name => r.duty if r.duty != "" }
}

output "has_quarantine_stream" {
  value = local.has_quarantine_stream
}
