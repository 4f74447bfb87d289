# Three VMs: hs1 runs main, Redis and half of the workers, hs2 the other half, edge the nginx
# reverse proxy. The output is one cloud-init user-data per VM; hand it to your cloud's VM
# resource (user_data / custom_data / cloud-init drive).

terraform {
  required_version = ">= 1.9.0"

  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

variable "proxy_kind" {
  description = "Reverse proxy on the edge VM: nginx, haproxy, caddy or apache."
  type        = string
  default     = "nginx"
}

variable "proxy_tls" {
  description = "Terminate TLS on the edge VM on 443 and 8448 instead of plain HTTP on 8080: the PEM certificate and key paths on the edge VM (the operator or certbot provides them; see modules/vm-cloud-init/README.md). For haproxy both name one file holding certificate and key. null = plain HTTP."
  type = object({
    certificate_path = string
    key_path         = string
  })
  default = null
}

variable "replication_secret" {
  description = "Shared secret of the replication listeners (the fleet spans hosts, so Synapse requires one). Written to every Synapse VM by the vm-cloud-init module, so it is in user_data and in Terraform state: pass it with TF_VAR_replication_secret and protect the state."
  type        = string
  sensitive   = true
}

variable "python" {
  description = "Python interpreter with Synapse installed on the VMs."
  type        = string
  default     = "/opt/venvs/matrix-synapse/bin/python"
}

module "fleet" {
  source = "../../modules/fleet"

  synapse_version = "1.157"
  hosts = {
    hs1  = "10.0.0.10"
    hs2  = "10.0.0.11"
    edge = "10.0.0.5"
  }
  main                    = { host = "hs1" }
  preset                  = "small"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  # server_name, database, signing key, media store, main's listener and log config.
  homeserver_yaml = file("${path.module}/homeserver.yaml")
  proxy = {
    kind = var.proxy_kind
    host = "edge"
    listen = {
      port                 = var.proxy_tls == null ? 8080 : 443
      additional_ports     = var.proxy_tls == null ? [] : [8448]
      server_name          = "matrix.example.org"
      tls_certificate_path = try(var.proxy_tls.certificate_path, null)
      tls_key_path         = try(var.proxy_tls.key_path, null)
    }
  }
}

module "vms" {
  source = "../../modules/vm-cloud-init"

  files_by_host   = module.fleet.files_by_host
  workers_by_host = module.fleet.workers_by_host
  main_host       = module.fleet.main.host
  proxy           = module.fleet.proxy
  python          = var.python
  # The fleet's files hold no secret; the secret goes to the VMs through this module only.
  replication_secret_path = module.fleet.replication_secret_path
  replication_secret      = var.replication_secret
  packages                = []
}

output "user_data" {
  description = "host -> #cloud-config user-data (holds the replication secret: `terraform output -json user_data`)."
  value       = module.vms.user_data
  sensitive   = true
}

output "files_by_host" {
  description = "host -> path -> content of the (secret-free) files the fleet renders for each VM."
  value       = module.fleet.files_by_host
}

output "units" {
  description = "The systemd units written to the Synapse hosts (name -> content)."
  value       = module.vms.units
}

output "workers_by_host" {
  description = "host -> workers it runs (each is matrix-synapse-worker@<name>.service)."
  value       = module.fleet.workers_by_host
}

output "proxy_unit" {
  description = "The synapse-proxy.service unit of the edge VM."
  value       = module.vms.proxy_unit
}

output "proxy_files" {
  description = "The reverse-proxy configuration written to the edge VM, path -> content: the entry file at module.fleet.proxy.config_path and the pool files it includes."
  value       = module.fleet.proxy_files
}
