# Many homeservers from one configuration: one modules/fleet instance per homeserver, from one
# for_each map. Each homeserver has its own server_name, Synapse release, hosts and proxy; they
# share edge machines, where each proxy listens on its own port.
#
# The fleet module configures no provider, so the one `synapse` provider below serves every
# instance and each instance runs the release it is given (synapse_version on its resources).
# Moving one homeserver to another release changes only that homeserver's resources.
#
# Two fleets that put a listener on the same machine and port (two proxies on one edge port, or
# workers of two homeservers sharing an application host) are caught at plan time: each fleet
# reports every port it uses by address (ports_by_address), and the `port_claims` output's
# precondition fails the plan naming both owners. Each fleet checks its own ports itself.

terraform {
  required_version = ">= 1.9.0"

  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
  }
}

# The default release of fleets that set none (every fleet here sets one).
provider "synapse" {}

variable "homeservers" {
  description = "Homeserver key -> its server_name, Synapse release, machines (host key -> address; the edge machines may be shared with other homeservers), main's host, preset and proxy (kind, the host it runs on, its listen port)."
  type = map(object({
    server_name = string
    release     = string
    hosts       = map(string)
    main_host   = string
    preset      = optional(string, "small")
    proxy = object({
      kind = string
      host = string
      port = number
    })
  }))
  default = {
    alpha = {
      server_name = "alpha.example.org"
      release     = "1.157"
      hosts       = { app = "10.1.0.10", edge = "10.0.0.5" }
      main_host   = "app"
      proxy       = { kind = "nginx", host = "edge", port = 8443 }
    }
    beta = {
      server_name = "beta.example.net"
      release     = "1.146"
      hosts       = { app1 = "10.2.0.10", app2 = "10.2.0.11", edge = "10.0.0.5" }
      main_host   = "app1"
      preset      = "specialized"
      proxy       = { kind = "haproxy", host = "edge", port = 8444 }
    }
    gamma = {
      server_name = "gamma.example.com"
      release     = "1.157.1"
      hosts       = { app = "10.3.0.10", edge = "10.0.0.6" }
      main_host   = "app"
      proxy       = { kind = "caddy", host = "edge", port = 8443 }
    }
  }
}

module "homeserver" {
  source = "../../modules/fleet"
  # Over the names only; each instance looks its homeserver up by name.
  for_each = { for k in keys(var.homeservers) : k => k }

  synapse_version = var.homeservers[each.key].release
  hosts           = var.homeservers[each.key].hosts
  main            = { host = var.homeservers[each.key].main_host }
  preset          = var.homeservers[each.key].preset
  redis           = { host = var.homeservers[each.key].main_host }
  # Written by the deploy modules (docker-host / vm-cloud-init replication_secret) on every
  # Synapse host of the homeserver, or provisioned out of band: one secret per homeserver.
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  homeserver_yaml = templatefile("${path.module}/homeserver.yaml.tftpl", {
    server_name   = var.homeservers[each.key].server_name
    database      = "synapse_${each.key}"
    database_host = var.homeservers[each.key].hosts[var.homeservers[each.key].main_host]
  })
  proxy = {
    kind   = var.homeservers[each.key].proxy.kind
    host   = var.homeservers[each.key].proxy.host
    listen = { port = var.homeservers[each.key].proxy.port, server_name = var.homeservers[each.key].server_name }
  }
}

locals {
  # Every port every homeserver uses, by machine address: "address:port" -> owners.
  port_owners = {
    for c in flatten([
      for hs, m in module.homeserver : [
        for address, ports in m.ports_by_address : [
          for owner, port in ports : { key = "${address}:${port}", owner = "${hs} ${owner}" }
        ]
      ]
    ]) : c.key => c.owner...
  }
  cross_fleet_conflicts = [for k, owners in local.port_owners : "${k} (${join(", ", owners)})" if length(distinct([for o in owners : split(" ", o)[0]])) > 1]
}

output "port_claims" {
  description = "address:port -> the homeservers' listeners on it. Its precondition fails the plan when two homeservers claim the same port on one machine."
  value       = local.port_owners

  precondition {
    condition     = length(local.cross_fleet_conflicts) == 0
    error_message = "Two homeservers listen on the same port of one machine: ${join("; ", local.cross_fleet_conflicts)}. Give one of them another port (homeservers[<key>].proxy.port for a shared edge, or the fleet's port settings)."
  }
}

output "releases" {
  description = "Homeserver -> the Synapse release its fleet is validated and rendered for."
  value       = { for hs, m in module.homeserver : hs => m.synapse_version }
}

output "files_by_homeserver" {
  description = "Homeserver -> host -> path -> content: what to deploy on each machine of each homeserver (pass module.homeserver[<key>] to the deploy modules)."
  value       = { for hs, m in module.homeserver : hs => m.files_by_host }
}

output "proxies" {
  description = "Homeserver -> its proxy: kind, host, address, ports, config path."
  value       = { for hs, m in module.homeserver : hs => m.proxy }
}
