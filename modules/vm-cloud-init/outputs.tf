output "user_data" {
  description = "host -> cloud-init user-data (`#cloud-config` YAML): the host's files (and the replication secret, hence sensitive), the systemd units of the Synapse \"Systemd with Workers\" layout, and the commands that enable and start them."
  value       = local.user_data
  # Holds the replication secret when one is given (always marked, since the module's input is).
  sensitive = true
}

output "units" {
  description = "The systemd unit files installed (name -> content), for review or for other deployment tools."
  value       = local.units
}

output "proxy_unit" {
  description = "The synapse-proxy.service unit installed on the proxy host (null without a proxy)."
  value       = local.proxy_unit
}
