# A two-host fleet on ONE local Docker engine: each "host" is a Docker network of its own, and
# the processes of one host reach the other's through ports published on that host's address,
# the gateway of a small network created for it (as two machines would through their IPs).
# The proxy is published on 127.0.0.1 only. `make test` applies this example for real with
# locally built stand-in images (scripts/test-docker.sh); with the default images it runs
# Synapse itself (provision var.data_dir first, see homeserver.yaml).

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

variable "synapse_image" {
  description = "Synapse image; null = matrixdotorg/synapse:v<synapse_version>."
  type        = string
  default     = null
}

variable "redis_image" {
  description = "Redis image."
  type        = string
  default     = "redis:7.4-alpine"
}

variable "proxy_image" {
  description = "nginx image for the proxy; null = the docker-host module's default."
  type        = string
  default     = null
}

variable "proxy_port" {
  description = "Port of the proxy on 127.0.0.1."
  type        = number
  default     = 8080
}

variable "host_subnets" {
  description = "One small subnet per host: its gateway is the address the host's ports are published on and the fleet reaches it at."
  type        = map(string)
  default = {
    hs1 = "172.29.211.0/29"
    hs2 = "172.29.212.0/29"
  }
}

variable "sync_log_level" {
  description = "Log level of worker sync-2's log config (a per-worker file: changing it restarts only that container)."
  type        = string
  default     = "INFO"
}

variable "data_dir" {
  description = "Host directory mounted at /data in the Synapse containers (signing key, media store); null = none."
  type        = string
  default     = null
}

variable "replication_secret" {
  description = "Shared secret of the replication listeners, uploaded into every Synapse container (so it is in Terraform state)."
  type        = string
  sensitive   = true
}

provider "docker" {}

locals {
  synapse_version = "1.157.1"
  address         = { for h, s in var.host_subnets : h => cidrhost(s, 1) }
  mounts          = var.data_dir == null ? [] : [{ source = var.data_dir, target = "/data" }]
}

# The hosts' addresses: the gateway of each network is an address of this machine.
resource "docker_network" "host" {
  for_each = { for k in keys(var.host_subnets) : k => k }

  name = "synapse-local-${each.key}-address"
  ipam_config {
    subnet  = var.host_subnets[each.key]
    gateway = local.address[each.key]
  }
}

module "fleet" {
  source = "../../modules/fleet"

  synapse_version         = local.synapse_version
  hosts                   = local.address
  main                    = { host = "hs1" }
  preset                  = "small"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml         = file("${path.module}/homeserver.yaml")
  workers = {
    sync = { count = 2, hosts = ["hs1", "hs2"], overrides = { workers = { "sync-2" = { log_level = var.sync_log_level } } } }
  }
  proxy = { kind = "nginx", host = "hs2", listen = { port = var.proxy_port } }
}

module "hs1" {
  source     = "../../modules/docker-host"
  depends_on = [docker_network.host]

  host                    = "hs1"
  name_prefix             = "synapse-local"
  synapse_version         = local.synapse_version
  image                   = var.synapse_image
  publish_ip              = local.address["hs1"]
  files                   = module.fleet.files_by_host["hs1"]
  shared_config_path      = module.fleet.shared_config_path
  workers                 = { for n, w in module.fleet.workers : n => w if w.host == "hs1" }
  main                    = module.fleet.main
  replication_secret_path = module.fleet.replication_secret_path
  replication_secret      = var.replication_secret
  redis                   = { image = var.redis_image }
  mounts                  = local.mounts
}

module "hs2" {
  source     = "../../modules/docker-host"
  depends_on = [docker_network.host]

  host                    = "hs2"
  name_prefix             = "synapse-local"
  synapse_version         = local.synapse_version
  image                   = var.synapse_image
  publish_ip              = local.address["hs2"]
  proxy_publish_ip        = "127.0.0.1"
  files                   = module.fleet.files_by_host["hs2"]
  shared_config_path      = module.fleet.shared_config_path
  workers                 = { for n, w in module.fleet.workers : n => w if w.host == "hs2" }
  replication_secret_path = module.fleet.replication_secret_path
  replication_secret      = var.replication_secret
  proxy = {
    kind        = module.fleet.proxy.kind
    config_path = module.fleet.proxy.config_path
    ports       = module.fleet.proxy.ports
    image       = var.proxy_image
  }
  mounts = local.mounts
}

output "containers" {
  description = "host -> process -> container name."
  value       = { hs1 = module.hs1.containers, hs2 = module.hs2.containers }
}

output "files_by_container" {
  description = "host -> process -> paths uploaded into its container."
  value       = { hs1 = module.hs1.files_by_container, hs2 = module.hs2.files_by_container }
}

output "files_by_host" {
  description = "host -> path -> content of the files the fleet renders for each host."
  value       = module.fleet.files_by_host
}

output "other_containers" {
  description = "The Redis and proxy containers."
  value       = { redis = module.hs1.redis_container, proxy = module.hs2.proxy_container }
}

output "networks" {
  description = "Every Docker network of the fleet."
  value       = concat([for n in docker_network.host : n.name], [module.hs1.network, module.hs2.network])
}

output "routes" {
  description = "The fleet's routing table: routes."
  value       = module.fleet.routes
}

output "pools" {
  description = "The fleet's routing table: pools."
  value       = module.fleet.pools
}

output "replication_secret_path" {
  description = "Where the secret is uploaded in every Synapse container."
  value       = module.fleet.replication_secret_path
}
