# A sync worker: serves /sync, /events and /initialSync behind the reverse proxy.
resource "synapse_worker" "sync" {
  name         = "synchrotron1"
  roles        = ["synchrotron"]
  host         = "10.0.0.11"
  http_port    = 8083
  metrics_port = 9101
}

# An event persister: serves no endpoints, writes the events stream, so it needs a
# replication listener (its instance_map_entry).
resource "synapse_worker" "persister" {
  name             = "event_persister1"
  host             = "10.0.0.12"
  replication_port = 9093
  metrics_port     = 9102
}

# A media worker: the worker file gets enable_media_repo: true; extra options are merged.
resource "synapse_worker" "media" {
  name             = "media1"
  roles            = ["media_repository"]
  host             = "10.0.0.13"
  http_port        = 8085
  replication_port = 9094
  bind_addresses   = ["10.0.0.13"]
  log_level        = "WARNING"
  extra_config = yamlencode({
    max_upload_size  = "100M"
    media_store_path = "/var/lib/matrix-synapse/media"
  })
}

# The rendered files and the command that starts each worker.
output "sync_worker_file" {
  value = {
    path    = synapse_worker.sync.config_path
    content = synapse_worker.sync.config_yaml
    command = synapse_worker.sync.command
  }
}

output "media_upstream" {
  value = synapse_worker.media.upstream
}
