variable "synapse_version" {
  description = "Synapse release the fleet runs, e.g. \"1.157\" or \"1.157.1\": set as synapse_version on every resource of the fleet, it selects the provider's catalogue of roles, streams and endpoints. null uses the provider's synapse_version (default: the newest release it knows). Fleets on different releases can be instances of this module side by side."
  type        = string
  default     = null

  validation {
    condition     = var.synapse_version == null || can(regex("^[0-9]+\\.[0-9]+(\\.[0-9]+)?$", var.synapse_version))
    error_message = "synapse_version must look like \"1.157\" or \"1.157.1\" (major.minor[.patch], no leading v)."
  }
}

variable "hosts" {
  description = "Machines of the fleet: host name -> address other machines reach it at (IP or DNS name). Worker placement (`workers[*].host`/`hosts`), `main.host`, `redis.host` and `proxy.host` refer to these names."
  type        = map(string)

  validation {
    condition     = length(var.hosts) > 0
    error_message = "hosts must name at least one machine, e.g. { hs1 = \"10.0.0.10\" }."
  }
  validation {
    condition     = alltrue([for n, a in var.hosts : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*$", n)) && trimspace(a) != ""])
    error_message = "Every hosts key must be a name of letters, digits, '.', '_' or '-' and every address must be non-empty."
  }
}

variable "main" {
  description = "The main Synapse process: the host it runs on (a key of `hosts`), its client/federation HTTP port, its replication port (main is always in instance_map), an optional metrics port (rendered as a metrics listener of main in the shared config, with enable_metrics: true) and bind addresses."
  type = object({
    host             = string
    http_port        = optional(number, 8008)
    replication_port = optional(number, 9093)
    metrics_port     = optional(number)
    bind_addresses   = optional(list(string))
  })

  validation {
    condition     = contains(keys(var.hosts), var.main.host)
    error_message = "main.host must be one of the names in hosts."
  }
  validation {
    condition = alltrue([for p in compact([for x in [var.main.http_port, var.main.replication_port, var.main.metrics_port] : x == null ? "" : tostring(x)]) :
    tonumber(p) >= 1 && tonumber(p) <= 65535 && floor(tonumber(p)) == tonumber(p)])
    error_message = "main.http_port, main.replication_port and main.metrics_port must be whole numbers between 1 and 65535."
  }
}

variable "preset" {
  description = "A starting shape for the worker pools: \"none\" (only `workers`), \"small\" (one worker of each kind) or \"specialized\" (split pools with counts; see README). `workers` extends it (new pool keys) or overrides it (same pool key; unset attributes keep the preset's)."
  type        = string
  default     = "none"
  nullable    = false

  validation {
    condition     = contains(["none", "small", "specialized"], var.preset)
    error_message = "preset must be one of \"none\", \"small\", \"specialized\"."
  }
}

variable "workers" {
  description = <<-EOT
    Worker pools: pool key -> pool. Workers are named `<pool>-<n>` (n from 1), or `names` lists
    them (an adopted fleet keeps its names; a null entry keeps its position free). Per pool:
    `roles` (role names of the provider's catalogue; [] = a pure stream writer), `count` (or
    `names`), `host` (one host) or `hosts` (spread round-robin; default: default_hosts),
    `port_slot` (0-49: the pool's automatic port block, see README; default: fixed for preset
    pools, derived from the pool key otherwise), `ports` (first http/replication/metrics port of
    this pool: worker i gets first + i), `streams` (streams this pool writes, e.g. ["events"]; its
    workers get a replication listener), `replication` (force a replication listener), and
    `overrides` (log_level, extra_config (YAML string), bind_addresses for the pool, and
    `workers`: per-worker host/ports/bind_addresses/log_level/extra_config keyed by worker name).
    Unset attributes of a pool that overrides a preset pool keep the preset's values;
    `count = 0` removes a preset pool.
  EOT
  type = map(object({
    roles       = optional(list(string))
    count       = optional(number)
    names       = optional(list(string))
    port_slot   = optional(number)
    host        = optional(string)
    hosts       = optional(list(string))
    streams     = optional(list(string))
    replication = optional(bool)
    ports = optional(object({
      http        = optional(number)
      replication = optional(number)
      metrics     = optional(number)
    }))
    overrides = optional(object({
      log_level      = optional(string)
      extra_config   = optional(string)
      bind_addresses = optional(list(string))
      workers = optional(map(object({
        host             = optional(string)
        http_port        = optional(number)
        replication_port = optional(number)
        metrics_port     = optional(number)
        bind_addresses   = optional(list(string))
        log_level        = optional(string)
        extra_config     = optional(string)
      })), {})
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, _ in var.workers : can(regex("^[a-z][a-z0-9-]{0,40}$", k))])
    error_message = "Every workers pool key must start with a lowercase letter and hold only lowercase letters, digits and '-' (at most 41 characters): it becomes the prefix of worker names like \"sync-1\"."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.count == null || try(p.count >= 0 && floor(p.count) == p.count, false)])
    error_message = "Every workers[*].count must be a whole number >= 0."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.host == null || p.hosts == null])
    error_message = "A workers pool sets either host or hosts, not both."
  }
  validation {
    condition = alltrue(flatten([for k, p in var.workers : [
      for h in concat(p.host == null ? [] : [p.host], p.hosts == null ? [] : p.hosts,
      p.overrides == null ? [] : [for w in values(p.overrides.workers) : w.host if w.host != null]) :
      contains(keys(var.hosts), h)
    ]]))
    error_message = "Every host named in workers (host, hosts, overrides.workers[*].host) must be a key of hosts."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.hosts == null || try(length(p.hosts) > 0, false)])
    error_message = "A workers pool's hosts list must not be empty (leave it unset to spread over every host)."
  }
  validation {
    condition = alltrue(flatten([for k, p in var.workers : [
      for port in concat(
        p.ports == null ? [] : [p.ports.http, p.ports.replication, p.ports.metrics],
        p.overrides == null ? [] : flatten([for w in values(p.overrides.workers) : [w.http_port, w.replication_port, w.metrics_port]])
      ) : port == null || try(port >= 1 && port <= 65535 && floor(port) == port, false)
    ]]))
    error_message = "Every port in workers (ports.*, overrides.workers[*].*_port) must be a whole number between 1 and 65535."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.streams == null || try(length(distinct(p.streams)) == length(p.streams), false)])
    error_message = "A workers pool's streams list must not repeat a stream."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.port_slot == null || try(p.port_slot >= 0 && p.port_slot <= 49 && floor(p.port_slot) == p.port_slot, false)])
    error_message = "Every workers[*].port_slot must be a whole number from 0 to 49 (slots 0-9 are the preset pools'; see the README's \"Stable identity\")."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.names == null || p.count == null || try(p.count == length(p.names), false)])
    error_message = "A workers pool with names takes its count from them: leave count unset (or equal to the number of names, null entries included)."
  }
  validation {
    condition = alltrue(flatten([for k, p in var.workers : [
      for n in coalesce(p.names, []) : n == null || can(regex("^[A-Za-z0-9_-]{1,100}$", n))
    ]]))
    error_message = "Every name in workers[*].names must be a worker name: letters, digits, '_' and '-' (null keeps a free position)."
  }
  validation {
    condition     = alltrue([for k, p in var.workers : p.names == null || try(length(compact(p.names)) == length(distinct(compact(p.names))), false)])
    error_message = "A workers pool's names must not repeat a name."
  }
}

variable "default_hosts" {
  description = "Hosts that pools without host/hosts spread over (round-robin, in this order). null = every host, sorted, except a proxy-only host (the proxy host, unless it runs main or a pool names it in host/hosts)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.default_hosts == null || try(length(var.default_hosts) > 0 && alltrue([for h in var.default_hosts : contains(keys(var.hosts), h)]), false)
    error_message = "default_hosts must be a non-empty list of names from hosts."
  }
}

variable "port_bases" {
  description = "Automatic port allocation: worker i (from 0) of the pool in port slot s gets http + 20 * s + i, replication + 20 * s + i (only if it needs a replication listener) and metrics + 20 * s + i (only if `metrics` is true), on whatever host it runs. Pools with `ports` and per-worker overrides take precedence; collisions are a plan error."
  type = object({
    http        = optional(number, 8100)
    replication = optional(number, 9100)
    metrics     = optional(number, 10100)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for p in [var.port_bases.http, var.port_bases.replication, var.port_bases.metrics] : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "port_bases.http, .replication and .metrics must be whole numbers between 1 and 65535."
  }
}

variable "bind_host_address" {
  description = "Bind every worker's listeners to its own host's address from `hosts` (which must then be IP addresses), so replication and metrics listeners of a pool spread over hosts do not bind every interface. A pool's overrides.bind_addresses, or a worker's overrides.workers[<name>].bind_addresses, wins."
  type        = bool
  default     = false
  nullable    = false
}

variable "metrics" {
  description = "Give every worker a metrics listener (port from port_bases.metrics). The module then sets enable_metrics: true in homeserver_yaml, without which Synapse serves no metrics listener."
  type        = bool
  default     = false
  nullable    = false
}

variable "config_dir" {
  description = "Directory of Synapse's configuration on every host; worker files go to <config_dir>/workers/."
  type        = string
  default     = "/etc/matrix-synapse"
  nullable    = false

  validation {
    condition     = startswith(var.config_dir, "/") && !endswith(var.config_dir, "/")
    error_message = "config_dir must be an absolute path without a trailing slash, e.g. \"/etc/matrix-synapse\"."
  }
}

variable "log_level" {
  description = "Default log level of every worker (a pool's overrides.log_level wins)."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "redis" {
  description = "Redis for replication between processes. `host` is a key of hosts (resolved to its address) or an address; or set `path` for a unix socket. null leaves Redis out of the shared config (the provider then reports that workers need it)."
  type = object({
    host          = optional(string)
    port          = optional(number, 6379)
    path          = optional(string)
    dbid          = optional(number)
    use_tls       = optional(bool)
    password_path = optional(string)
  })
  default = null

  validation {
    condition     = var.redis == null || try(var.redis.host != null || var.redis.path != null, false)
    error_message = "redis needs host (a hosts key or an address) or path (unix socket)."
  }
  validation {
    # A bare name that is no hosts key is most likely a typo of one ("hs3" for "hs2"): refuse it.
    condition = try(var.redis.host, null) == null || contains(keys(var.hosts), try(var.redis.host, "")) || (
      can(cidrhost("${var.redis.host}/32", 0)) || can(cidrhost("${var.redis.host}/128", 0)) ||
      var.redis.host == "localhost" || can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$", var.redis.host))
    )
    error_message = "redis.host must be a key of hosts (${join(", ", keys(var.hosts))}), an IP address, localhost or a fully qualified DNS name (with a dot); a bare name that is none of those is most likely a mistyped hosts key."
  }
}

variable "replication_secret_path" {
  description = "Path, on every Synapse host, of the file holding worker_replication_secret (rendered as worker_replication_secret_path; Synapse reads it when any process loads its config). This module never sees the secret, so files_by_host stays secret-free: give the secret to the deploy modules (docker-host / vm-cloud-init `replication_secret` + this path), which write it on every Synapse host, or provision the file out of band. null leaves replication unauthenticated (only allowed on loopback)."
  type        = string
  default     = null

  validation {
    condition     = var.replication_secret_path == null || startswith(coalesce(var.replication_secret_path, "/"), "/")
    error_message = "replication_secret_path must be an absolute path."
  }
}

variable "main_log_config" {
  description = "Content of the main process's log config (Python logging dictConfig YAML). Written on main's host at the path homeserver_yaml's `log_config` names (Synapse opens it when main starts); null writes a console logger at the default log_level there. Ignored when homeserver_yaml sets no log_config."
  type        = string
  default     = null
}

variable "homeserver_yaml" {
  description = "The rest of homeserver.yaml as a YAML string (file(\"homeserver.yaml\") or yamlencode({...})); the provider merges the worker settings into it and files_by_host carries the merged file. Synapse needs at least server_name, report_stats, a psycopg2 database (workers share it), signing_key_path, media_store_path and the main process's client listener to load; its `log_config` file is rendered on main's host (main_log_config). null renders only the worker settings, which Synapse cannot load alone."
  type        = string
  default     = null
}

variable "shared_config" {
  description = "Optional explicit fleet-wide duties and settings passed to synapse_shared_config as they are (null = let the provider derive them from the workers' roles)."
  type = object({
    pusher_instances                       = optional(list(string))
    federation_sender_instances            = optional(list(string))
    run_background_tasks_on                = optional(string)
    update_user_directory_from_worker      = optional(string)
    notify_appservices_from_worker         = optional(string)
    media_instance_running_background_jobs = optional(string)
    outbound_federation_restricted_to      = optional(list(string))
    database_engine                        = optional(string)
  })
  default  = {}
  nullable = false
}

variable "extra_routes" {
  description = "Routes the provider's catalogue does not know (a Synapse module, an application service, a newer MSC), keyed by a name: synapse_routing_table's `extra_routes` as they are. Each has a `pattern` (regex on the decoded path), optional `methods`, exactly one target (`pool`, `role` or `worker`, a worker's name or \"main\"), an optional `strategy` and `order` (lower first; all extra routes come before the catalogue's). The provider rejects a route that is shadowed or shadows a catalogue route. Defaults to none."
  type = map(object({
    pattern  = string
    methods  = optional(list(string))
    order    = optional(number)
    pool     = optional(string)
    role     = optional(string)
    worker   = optional(string)
    strategy = optional(string)
  }))
  default  = {}
  nullable = false
}

variable "proxy" {
  description = "The reverse proxy: `kind` (nginx, haproxy, caddy, apache), the `host` it runs on (a hosts key), its `listen` settings (`address`, `port`, `server_name`, `additional_ports` such as 8448, and `tls_certificate_path` + `tls_key_path`, both or neither, to terminate TLS on every port: paths on the proxy host, provided by the operator or certbot), per-pool `strategies`, `fallback_to_main` (send a request to the main process when every member of its pool is down), `client_max_body_size` (Synapse size syntax, e.g. \"100M\"; default: homeserver_yaml's `max_upload_size`, else \"50M\"; below `max_upload_size` is an error), and `config_path` (default per kind, see README). null renders no proxy file (routes and pools are still output)."
  type = object({
    kind                 = string
    host                 = string
    config_path          = optional(string)
    strategies           = optional(map(string))
    fallback_to_main     = optional(bool)
    client_max_body_size = optional(string)
    listen = optional(object({
      address              = optional(string)
      port                 = optional(number)
      server_name          = optional(string)
      tls_certificate_path = optional(string)
      tls_key_path         = optional(string)
      additional_ports     = optional(list(number), [])
    }))
  })
  default = null

  validation {
    condition     = var.proxy == null || contains(["nginx", "haproxy", "caddy", "apache"], try(var.proxy.kind, ""))
    error_message = "proxy.kind must be one of \"nginx\", \"haproxy\", \"caddy\", \"apache\"."
  }
  validation {
    condition     = var.proxy == null || contains(keys(var.hosts), try(var.proxy.host, ""))
    error_message = "proxy.host must be one of the names in hosts."
  }
  validation {
    condition     = var.proxy == null || try(startswith(var.proxy.config_path, "/"), try(var.proxy.config_path == null, false))
    error_message = "proxy.config_path must be an absolute path."
  }
  validation {
    condition     = var.proxy == null || (try(var.proxy.listen.tls_certificate_path, null) == null) == (try(var.proxy.listen.tls_key_path, null) == null)
    error_message = "proxy.listen.tls_certificate_path and proxy.listen.tls_key_path go together: set both (the same file if it holds the certificate and the key) to terminate TLS, or neither for plain HTTP."
  }
}
