# A fleet whose routing output feeds a separate proxy deployment: the fleet module renders the
# route table and the HAProxy configuration; this root writes them to files a proxy deployment
# (configuration management, an image build, a CI job) picks up, and keeps a restart marker
# that changes exactly when the proxy configuration does.

terraform {
  required_version = ">= 1.9.0"

  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
    local = {
      source  = "hashicorp/local"
      version = ">= 2.4.0"
    }
  }
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
  workers = {
    sync = { count = 4 }
  }
  proxy = {
    kind   = "haproxy"
    host   = "edge"
    listen = { port = 8080, server_name = "matrix.example.org" }
    strategies = {
      synchrotron = "user"
    }
  }
}

# The proxy deployment's inputs: the complete configuration, and the routes and pools as JSON
# (for review, and for conformance checks against the running proxy).
resource "local_file" "proxy_config" {
  filename        = "${path.module}/out/haproxy.cfg"
  content         = module.fleet.proxy_config
  file_permission = "0644"
}

resource "local_file" "routes" {
  filename = "${path.module}/out/routes.json"
  content = jsonencode({
    routes = module.fleet.routes
    pools  = module.fleet.pools
  })
  file_permission = "0644"
}

# A marker the proxy deployment can depend on: replaced exactly when the configuration changes.
resource "terraform_data" "proxy_reload" {
  triggers_replace = sha256(module.fleet.proxy_config)
}

output "routes" {
  description = "The ordered route table."
  value       = module.fleet.routes
}

output "pools" {
  description = "Pools and their members."
  value       = module.fleet.pools
}

output "proxy_config_path" {
  description = "Where the proxy configuration was written."
  value       = local_file.proxy_config.filename
}
