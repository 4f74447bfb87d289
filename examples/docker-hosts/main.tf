# Two Docker hosts reached remotely: hs1 over SSH, hs2 over TCP with TLS client certificates.
# One docker-host module instance per host, each with its own aliased docker provider; the
# fleet module decides what runs where and renders every file. nginx on hs2 terminates TLS on
# 443 and 8448 with a certificate and key that stay on hs2 (mounted into the proxy container).

terraform {
  required_version = ">= 1.9.0"

  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
    docker = {
      source  = "kreuzwerker/docker"
      version = ">= 3.0.0"
    }
  }
}

variable "hs2_cert_path" {
  description = "Directory with ca.pem, cert.pem and key.pem for hs2's Docker daemon."
  type        = string
  default     = "~/.docker/hs2"
}

variable "hs2_tls_certificate" {
  description = "PEM certificate (with chain) for matrix.example.org on hs2, the proxy host. It stays on hs2: the proxy container mounts it read-only. A regular file, not certbot's live/ symlink (a bind mount resolves a symlink once, when the container is created): have a certbot deploy hook copy fullchain.pem and privkey.pem here and send the container SIGHUP (see modules/docker-host/README.md)."
  type        = string
  default     = "/srv/synapse/tls/fullchain.pem"
}

variable "hs2_tls_key" {
  description = "PEM private key of hs2_tls_certificate on hs2 (a regular file, see hs2_tls_certificate)."
  type        = string
  default     = "/srv/synapse/tls/privkey.pem"
}

variable "replication_secret" {
  description = "Shared secret of the replication listeners (the fleet spans hosts, so Synapse requires one). Uploaded into every Synapse container by the docker-host modules, so it is in Terraform state: pass it with TF_VAR_replication_secret and protect the state."
  type        = string
  sensitive   = true
}

provider "docker" {
  alias = "hs1"
  host  = "ssh://deploy@hs1.example.org:22"
}

provider "docker" {
  alias     = "hs2"
  host      = "tcp://hs2.example.org:2376"
  cert_path = pathexpand(var.hs2_cert_path)
}

locals {
  synapse_version = "1.157.1"
}

module "fleet" {
  source = "../../modules/fleet"

  synapse_version = local.synapse_version
  hosts = {
    hs1 = "10.0.0.10"
    hs2 = "10.0.0.11"
  }
  main                    = { host = "hs1" }
  preset                  = "small"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  # server_name, database, signing key and media store (under the /data mount), main's listener
  # and log config.
  homeserver_yaml = file("${path.module}/homeserver.yaml")
  workers = {
    sync = { count = 2, hosts = ["hs1", "hs2"] }
  }
  # nginx on hs2 terminates TLS on 443 (clients) and 8448 (federation), same routing on both.
  # The paths are where the configuration reads the files inside the proxy container; the
  # docker-host module mounts hs2's files there (proxy_tls_files).
  proxy = {
    kind = "nginx"
    host = "hs2"
    listen = {
      port                 = 443
      additional_ports     = [8448]
      server_name          = "matrix.example.org"
      tls_certificate_path = "/etc/synapse-proxy/tls/fullchain.pem"
      tls_key_path         = "/etc/synapse-proxy/tls/privkey.pem"
    }
  }
}

module "hs1" {
  source    = "../../modules/docker-host"
  providers = { docker = docker.hs1 }

  host               = "hs1"
  synapse_version    = local.synapse_version
  files              = module.fleet.files_by_host["hs1"]
  shared_config_path = module.fleet.shared_config_path
  workers            = { for n, w in module.fleet.workers : n => w if w.host == "hs1" }
  # The fleet's files hold no secret; it reaches the containers through this module only.
  replication_secret_path = module.fleet.replication_secret_path
  replication_secret      = var.replication_secret
  main                    = module.fleet.main
  redis                   = {}
  mounts = [
    { source = "/srv/synapse/data", target = "/data" },
  ]
}

module "hs2" {
  source    = "../../modules/docker-host"
  providers = { docker = docker.hs2 }

  host               = "hs2"
  synapse_version    = local.synapse_version
  files              = module.fleet.files_by_host["hs2"]
  shared_config_path = module.fleet.shared_config_path
  workers            = { for n, w in module.fleet.workers : n => w if w.host == "hs2" }
  # The fleet's files hold no secret; it reaches the containers through this module only.
  replication_secret_path = module.fleet.replication_secret_path
  replication_secret      = var.replication_secret
  proxy = {
    kind                 = module.fleet.proxy.kind
    config_path          = module.fleet.proxy.config_path
    ports                = module.fleet.proxy.ports # 443 and 8448
    tls_certificate_path = module.fleet.proxy.tls_certificate_path
    tls_key_path         = module.fleet.proxy.tls_key_path
  }
  # The certificate and key on hs2 (e.g. certbot's), mounted read-only at the paths above.
  proxy_tls_files = {
    certificate = var.hs2_tls_certificate
    key         = var.hs2_tls_key
  }
  mounts = [
    { source = "/srv/synapse/data", target = "/data" },
  ]
}

output "containers" {
  description = "host -> process -> container name."
  value = {
    hs1 = module.hs1.containers
    hs2 = module.hs2.containers
  }
}

output "files_by_host" {
  description = "host -> path -> content of the (secret-free) files the fleet renders for each Docker host."
  value       = module.fleet.files_by_host
}
