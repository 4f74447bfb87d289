# Quickstart: a small Synapse worker fleet rendered to files with `make demo`.
#
# Every worker's YAML, its log config and the shared config (instance_map, stream_writers, Redis)
# are computed by the synapse provider at plan time and written by hashicorp/local under ./out/:
# out/hosts/localhost/ is the tree to copy onto the host (etc/matrix-synapse/...), laid out like
# examples/fleet-with-proxy's out/hosts/<host>/. Nothing is contacted: the provider is logical,
# and both providers come from this machine (scripts/tf-providers.sh, .cache/terraformrc).

terraform {
  required_version = ">= 1.8"
  required_providers {
    synapse = {
      source = "synapse-fleet/synapse"
    }
    local = {
      source  = "hashicorp/local"
      version = "~> 2.5"
    }
  }
}

provider "synapse" {
  synapse_version = "1.157"
}

variable "host" {
  description = "Address every process listens on and is reached at: a single-host fleet on loopback, so replication needs no secret. A fleet across hosts sets replication_secret_path on synapse_shared_config."
  type        = string
  default     = "127.0.0.1"
}

variable "workers" {
  description = "The fleet: worker name => roles and ports. Workers with no roles only write streams."
  type = map(object({
    roles            = optional(set(string), [])
    http_port        = optional(number)
    replication_port = optional(number)
  }))
  default = {
    synchrotron1       = { roles = ["synchrotron"], http_port = 8083 }
    synchrotron2       = { roles = ["synchrotron"], http_port = 8084 }
    client_reader1     = { roles = ["client_reader"], http_port = 8085 }
    federation_inbound = { roles = ["federation_inbound"], http_port = 8086 }
    media1             = { roles = ["media_repository"], http_port = 8087, replication_port = 9103 }
    event_persister1   = { replication_port = 9101 }
    event_persister2   = { replication_port = 9102 }
  }
}

locals {
  # The host's files, at their absolute paths under out/hosts/localhost.
  root = "${path.module}/out/hosts/localhost"
  # Every for_each iterates over a map of names (name => name) kept in a local, and looks the
  # rest up by name: Terraform evaluates a for_each expression once per instance, and a map of
  # names is the cheapest value to evaluate (a set, or whole objects, cost time that grows with
  # the square of the fleet; docs/benchmarks.md).
  worker_names = { for k in keys(var.workers) : k => k }
  stream_names = { for k in keys(var.stream_writers) : k => k }
}

variable "stream_writers" {
  description = "Stream => the workers that write it, in order (\"main\" is the main process). The order of the events writers shards rooms: changing it means restarting every worker."
  type        = map(list(string))
  default = {
    events = ["event_persister1", "event_persister2"]
    # Synapse 1.152+: only writers of this stream may quarantine media, so the media worker writes
    # it; 1.152-1.157 also need the main process among its writers (element-hq/synapse#20080).
    quarantined_media_changes = ["main", "media1"]
  }
}

resource "synapse_worker" "all" {
  for_each = local.worker_names

  name             = each.key
  roles            = var.workers[each.key].roles
  host             = var.host
  http_port        = var.workers[each.key].http_port
  replication_port = var.workers[each.key].replication_port
  # Listen on the fleet's address only: replication without a secret must stay on loopback.
  bind_addresses = [var.host]
}

resource "synapse_stream_writer" "all" {
  for_each = local.stream_names

  stream = each.key
  # Through synapse_worker so Terraform orders them, and a writer that is not a worker fails here.
  writers = [for name in var.stream_writers[each.key] : name == "main" ? name : synapse_worker.all[name].name]
}

resource "local_file" "worker" {
  for_each = local.worker_names

  filename        = "${local.root}${synapse_worker.all[each.key].config_path}"
  content         = synapse_worker.all[each.key].config_yaml
  file_permission = "0644"
}

# Each worker's log config (at its log_config_path): the provider's template for the worker's
# name and log level.
resource "local_file" "worker_log_config" {
  for_each = local.worker_names

  filename        = "${local.root}${synapse_worker.all[each.key].log_config_path}"
  content         = provider::synapse::worker_log_config(each.key, synapse_worker.all[each.key].log_level)
  file_permission = "0644"
}

# The settings every process shares: instance_map, stream_writers, Redis, duties. They are merged
# into the hand-maintained homeserver.yaml beside this file (comments and unrelated keys kept):
# /etc/matrix-synapse/homeserver.yaml is the complete file every process loads first;
# out/review/shared.fragment.yaml is the fleet's part alone.
resource "synapse_shared_config" "fleet" {
  main = {
    host             = var.host
    http_port        = 8008
    replication_port = 9093
    # Workers share the host: bind the main process's replication listener to that address only.
    bind_addresses = [var.host]
  }
  workers         = synapse_worker.all
  stream_writers  = synapse_stream_writer.all
  redis           = { host = var.host, port = 6379 }
  database_engine = "psycopg2"
  homeserver_yaml = file("${path.module}/homeserver.yaml")
}

resource "local_file" "shared" {
  filename        = "${local.root}/etc/matrix-synapse/homeserver.yaml"
  content         = synapse_shared_config.fleet.merged_yaml
  file_permission = "0644"
}

# The main process's log config, at the path homeserver.yaml's log_config names
# (/etc/matrix-synapse/log.yaml): Synapse opens it when main starts.
# The same console logger as the workers' log_config_yaml, written as plain YAML.
resource "local_file" "main_log_config" {
  filename        = "${local.root}/etc/matrix-synapse/log.yaml"
  content         = <<-YAML
    version: 1
    formatters:
      precise:
        format: '%(asctime)s - main - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
    filters:
      context:
        (): synapse.logging.context.LoggingContextFilter
    handlers:
      console:
        class: logging.StreamHandler
        formatter: precise
        filters: [context]
    loggers:
      synapse.storage.SQL:
        level: INFO
    root:
      level: INFO
      handlers: [console]
    disable_existing_loggers: false
  YAML
  file_permission = "0644"
}

resource "local_file" "shared_fragment" {
  filename        = "${path.module}/out/review/shared.fragment.yaml"
  content         = synapse_shared_config.fleet.config_yaml
  file_permission = "0644"
}

# The reverse proxy: one routing table, rendered for each of the four proxies (a real fleet sets
# proxies = ["nginx"] or whichever it runs). Sync is sticky per user, federation transactions per
# source address, and GET-only routes split by method.
#
# Form "files" splits each proxy's standalone configuration into an entry file and one file per
# pool, which the entry file includes by absolute path under config_dir. Moving or adding a worker
# then changes its pool's file, so the plan shows that small file instead of four whole
# configurations of several hundred lines each.
resource "synapse_routing_table" "fleet" {
  main           = { host = var.host, port = 8008 }
  workers        = synapse_worker.all
  stream_writers = synapse_stream_writer.all
  listen         = { address = var.host, port = 8080, server_name = "example.org" }
  proxies        = ["nginx", "haproxy", "caddy", "apache"]
  forms          = ["files"]
  # Where the proxy host keeps the files (the default, written out): out/proxy/<proxy>/ is what
  # goes into this directory for that proxy.
  config_dir = "/etc/synapse-proxy"
}

locals {
  # Every proxy's files, "<proxy>/<path relative to config_dir>" => content. Each proxy gets a
  # directory of its own: nginx's and Apache's pool files have the same names (pools/<pool>.conf).
  proxy_files = merge([
    for proxy, files in {
      nginx   = synapse_routing_table.fleet.nginx_files
      haproxy = synapse_routing_table.fleet.haproxy_files
      caddy   = synapse_routing_table.fleet.caddy_files
      apache  = synapse_routing_table.fleet.apache_files
    } : { for path, content in files : "${proxy}/${path}" => content }
  ]...)
  proxy_names = { for k in keys(local.proxy_files) : k => k }
}

resource "local_file" "proxy" {
  for_each = local.proxy_names

  filename        = "${path.module}/out/proxy/${each.key}"
  content         = local.proxy_files[each.key]
  file_permission = "0644"
}

output "files" {
  description = "Every file written under out/."
  value = sort(concat(
    [for f in local_file.worker : f.filename],
    [for f in local_file.worker_log_config : f.filename],
    [local_file.shared.filename, local_file.shared_fragment.filename, local_file.main_log_config.filename],
    [for f in local_file.proxy : f.filename],
  ))
}

output "routes" {
  description = "How many routes the proxy table holds, per pool."
  value = {
    for name, p in synapse_routing_table.fleet.pools : name => length([for r in synapse_routing_table.fleet.routes : r if r.pool == name])
  }
}

output "commands" {
  description = "The command line that starts each worker, and the main process (\"main\")."
  value = merge(
    { for name, w in synapse_worker.all : name => w.command },
    { main = "python -m synapse.app.homeserver --config-path /etc/matrix-synapse/homeserver.yaml" },
  )
}

output "install_paths" {
  description = "Where each file goes on the host: absolute path -> file under out/hosts/localhost (which mirrors /; out/review/ and out/proxy/ are for review and the proxy)."
  value = merge(
    { "/etc/matrix-synapse/homeserver.yaml" = local_file.shared.filename, "/etc/matrix-synapse/log.yaml" = local_file.main_log_config.filename },
    { for n, w in synapse_worker.all : w.config_path => local_file.worker[n].filename },
    { for n, w in synapse_worker.all : w.log_config_path => local_file.worker_log_config[n].filename },
  )
}
