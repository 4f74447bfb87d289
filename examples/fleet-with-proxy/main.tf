# A fleet whose output feeds separate deployments: the fleet module renders every host's files,
# the route table and the HAProxy configuration; this root writes them to files a deployment
# (configuration management, an image build, a CI job) picks up: out/hosts/<host>/<absolute
# path> is the tree to copy onto each host (rsync -a out/hosts/hs1/ root@hs1:/), with the
# replication secret beside the fleet's files on every Synapse host. It also keeps a restart
# marker that changes exactly when the proxy configuration does.

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

variable "replication_secret" {
  description = "Shared secret of the replication listeners (the fleet spans hosts, so Synapse requires one). Written to out/hosts/<host>/etc/matrix-synapse/replication.secret (mode 0600) and therefore in Terraform state: pass it with TF_VAR_replication_secret and protect the state."
  type        = string
  sensitive   = true
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
    # When every worker of a pool is down, the main process answers. The body limit follows
    # homeserver.yaml's max_upload_size (Synapse's 50M when it sets none).
    fallback_to_main = true
  }
  # Routes the catalogue does not know, tried before its own: a Synapse module's HTTP
  # resources on the client readers, sticky by user.
  extra_routes = {
    my_module = { pattern = "^/_synapse/client/my_module/", role = "client_reader", strategy = "user" }
  }
}

# Every host's files (secret-free), as a tree per host: "<host><path>" => content.
locals {
  host_files = merge([for h, files in module.fleet.files_by_host : { for p, c in files : "${h}${p}" => c }]...)
}

resource "local_file" "host_files" {
  # Over the names only (Terraform evaluates for_each once per instance): the content is
  # looked up by name.
  for_each = { for k in keys(local.host_files) : k => k }

  filename        = "${path.module}/out/hosts/${each.key}"
  content         = local.host_files[each.key]
  file_permission = "0640"
}

# The replication secret on every host that runs Synapse (those that get the shared config).
resource "local_sensitive_file" "replication_secret" {
  for_each = toset([for h, files in module.fleet.files_by_host : h if contains(keys(files), module.fleet.shared_config_path)])

  filename        = "${path.module}/out/hosts/${each.key}${module.fleet.replication_secret_path}"
  content         = var.replication_secret
  file_permission = "0600"
}

# The proxy deployment's inputs: the configuration files (haproxy.cfg and one backend file per
# pool, started with `haproxy -f haproxy.cfg -f pools`), and the routes and pools as JSON (for
# review, and for conformance checks against the running proxy).
resource "local_file" "proxy_config" {
  for_each = module.fleet.proxy_files

  filename        = "${path.module}/out/proxy${each.key}"
  content         = each.value
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
  triggers_replace = sha256(jsonencode(module.fleet.proxy_files))
}

output "commands_by_host" {
  description = "host -> process (main, worker names) -> the command that starts it on that host."
  value = {
    for h in keys(module.fleet.files_by_host) : h => merge(
      { for n, w in module.fleet.workers : n => w.command if w.host == h },
      module.fleet.main.host == h ? { main = module.fleet.main.command } : {},
    )
  }
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
  description = "Where the proxy configuration's entry file was written (its pool files are in pools/ beside it)."
  value       = local_file.proxy_config[module.fleet.proxy.config_path].filename
}
