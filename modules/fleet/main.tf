locals {
  # ---------------------------------------------------------------------------------------------
  # Presets. Role names are the provider catalogue's; the provider validates them per version.
  # small: one worker of each kind. specialized: the same kinds split further, with counts.
  # ---------------------------------------------------------------------------------------------
  preset_kinds = {
    sync              = { roles = ["synchrotron"], streams = [] }
    initial-sync      = { roles = ["initial_synchrotron"], streams = [] }
    federation-in     = { roles = ["federation_inbound"], streams = [] }
    federation-reader = { roles = ["federation_reader"], streams = [] }
    client            = { roles = ["client_reader"], streams = [] }
    event-creator     = { roles = ["event_creator"], streams = [] }
    media             = { roles = ["media_repository"], streams = local.media_streams }
    persister         = { roles = [], streams = ["events"] }
    sender            = { roles = ["federation_sender"], streams = [] }
    pusher            = { roles = ["pusher"], streams = [] }
  }
  # Where the release has the quarantined_media_changes stream (Synapse 1.152 and later), a media
  # worker must write it (the provider rejects a media worker that does not). The catalogue says
  # which releases have it, so the version rule is not restated here.
  media_streams = contains(data.synapse_catalog.this.stream_keys, "quarantined_media_changes") ? ["quarantined_media_changes"] : []

  preset_counts = {
    none = {}
    # initial-sync is a split of sync, so the small preset leaves it to the sync worker.
    small = {
      sync  = 1, federation-in = 1, federation-reader = 1, client = 1, event-creator = 1,
      media = 1, persister = 1, sender = 1, pusher = 1
    }
    specialized = {
      sync          = 4, initial-sync = 1, federation-in = 2, federation-reader = 2, client = 2,
      event-creator = 2, media = 1, persister = 2, sender = 2, pusher = 1
    }
  }
  preset = { for k, n in local.preset_counts[var.preset] : k => merge(local.preset_kinds[k], { count = n }) }

  all_hosts = sort(keys(var.hosts))
  # Pools without host/hosts spread over default_hosts, or every host except a proxy-only one
  # (the proxy host, unless it runs main or a pool names it explicitly).
  explicit_hosts = toset(flatten([for k, p in var.workers : concat(
    p.host == null ? [] : [p.host], p.hosts == null ? [] : p.hosts,
    p.overrides == null ? [] : [for w in values(p.overrides.workers) : w.host if w.host != null],
  )]))
  proxy_only_host = (var.proxy != null && try(var.proxy.host, "") != var.main.host && !contains(local.explicit_hosts, try(var.proxy.host, ""))
    ? var.proxy.host : null
  )
  default_hosts = var.default_hosts != null ? var.default_hosts : [
    for h in local.all_hosts : h if h != local.proxy_only_host
  ]

  # Preset and user pools, normalised to one shape. A user pool with the key of a preset pool
  # overrides only the attributes it sets.
  pools = {
    for k in sort(distinct(concat(keys(local.preset), keys(var.workers)))) : k => {
      roles       = try(var.workers[k].roles, null) != null ? var.workers[k].roles : try(local.preset[k].roles, [])
      count       = try(var.workers[k].count, null) != null ? var.workers[k].count : try(local.preset[k].count, 1)
      streams     = try(var.workers[k].streams, null) != null ? var.workers[k].streams : try(local.preset[k].streams, [])
      replication = try(var.workers[k].replication, null) == true
      hosts = (
        try(var.workers[k].host, null) != null ? [var.workers[k].host] :
        try(var.workers[k].hosts, null) != null ? var.workers[k].hosts :
        local.default_hosts
      )
      placed = try(var.workers[k].host, null) != null || try(var.workers[k].hosts, null) != null
      ports = {
        http        = try(var.workers[k].ports.http, null)
        replication = try(var.workers[k].ports.replication, null)
        metrics     = try(var.workers[k].ports.metrics, null)
      }
      log_level      = try(var.workers[k].overrides.log_level, null)
      extra_config   = try(var.workers[k].overrides.extra_config, null)
      bind_addresses = try(var.workers[k].overrides.bind_addresses, null)
      per_worker     = try(var.workers[k].overrides.workers, null) != null ? var.workers[k].overrides.workers : {}
    }
  }

  # Pools on the default hosts continue the round-robin where the previous pool stopped, so
  # many one-worker pools do not all land on the first host.
  pool_keys    = keys(local.pools)
  pool_offsets = { for idx, k in local.pool_keys : k => sum(concat([0], [for j, k2 in local.pool_keys : local.pools[k2].count if j < idx])) }

  # One entry per worker, in a stable order (pool key, then index).
  worker_list = flatten([
    for k, p in local.pools : [
      for i in range(p.count) : {
        name  = "${k}-${i + 1}"
        pool  = k
        index = i
        host = (
          try(p.per_worker["${k}-${i + 1}"].host, null) != null ? p.per_worker["${k}-${i + 1}"].host :
          p.hosts[(p.placed ? i : local.pool_offsets[k] + i) % length(p.hosts)]
        )
      }
    ]
  ])

  # Position of each worker among the workers on its host, and among its pool's workers on it.
  names_by_host      = { for h in local.all_hosts : h => [for w in local.worker_list : w.name if w.host == h] }
  host_position      = merge([for h, names in local.names_by_host : { for i, n in names : n => i }]...)
  pool_host_position = merge([for h in local.all_hosts : merge([for k, p in local.pools : { for i, w in [for w in local.worker_list : w.name if w.host == h && w.pool == k] : w => i }]...)]...)

  streams = {
    for s in sort(distinct(flatten([for k, p in local.pools : p.streams if p.count > 0]))) :
    s => [for w in local.worker_list : w.name if contains(local.pools[w.pool].streams, s)]
  }

  workers = {
    for w in local.worker_list : w.name => {
      pool    = w.pool
      host    = w.host
      address = var.hosts[w.host]
      roles   = local.pools[w.pool].roles
      http_port = coalesce(
        try(local.pools[w.pool].per_worker[w.name].http_port, null),
        local.pools[w.pool].ports.http == null ? null : local.pools[w.pool].ports.http + local.pool_host_position[w.name],
        var.port_bases.http + local.host_position[w.name],
      )
      replication_port = (
        length(local.pools[w.pool].streams) > 0 || local.pools[w.pool].replication || try(local.pools[w.pool].per_worker[w.name].replication_port, null) != null
        ? coalesce(
          try(local.pools[w.pool].per_worker[w.name].replication_port, null),
          local.pools[w.pool].ports.replication == null ? null : local.pools[w.pool].ports.replication + local.pool_host_position[w.name],
          var.port_bases.replication + local.host_position[w.name],
        ) : null
      )
      metrics_port = (
        var.metrics || local.pools[w.pool].ports.metrics != null || try(local.pools[w.pool].per_worker[w.name].metrics_port, null) != null
        ? coalesce(
          try(local.pools[w.pool].per_worker[w.name].metrics_port, null),
          local.pools[w.pool].ports.metrics == null ? null : local.pools[w.pool].ports.metrics + local.pool_host_position[w.name],
          var.port_bases.metrics + local.host_position[w.name],
        ) : null
      )
      log_level      = coalesce(try(local.pools[w.pool].per_worker[w.name].log_level, null), local.pools[w.pool].log_level, var.log_level)
      extra_config   = try(coalesce(try(local.pools[w.pool].per_worker[w.name].extra_config, null), local.pools[w.pool].extra_config), null)
      bind_addresses = local.pools[w.pool].bind_addresses
    }
  }

  # Every port in use, per host, to prove there is no collision before the provider runs.
  port_claims = concat(
    [for n, w in local.workers : { host = w.host, port = w.http_port, owner = "${n} http" }],
    [for n, w in local.workers : { host = w.host, port = w.replication_port, owner = "${n} replication" } if w.replication_port != null],
    [for n, w in local.workers : { host = w.host, port = w.metrics_port, owner = "${n} metrics" } if w.metrics_port != null],
    [for kind, port in { http = var.main.http_port, replication = var.main.replication_port, metrics = var.main.metrics_port } :
    { host = var.main.host, port = port, owner = "main ${kind}" } if port != null],
    # The proxy's listen port is "proxy <kind>", each additional port "proxy <kind> <port>".
    [for i, p in local.proxy_ports : { host = var.proxy.host, port = p, owner = i == 0 ? "proxy ${var.proxy.kind}" : "proxy ${var.proxy.kind} ${p}" }],
  )
  # Per-worker overrides must name a worker of their pool (a typo would otherwise do nothing).
  unknown_overrides = flatten([for k, p in local.pools : [
    for n in keys(p.per_worker) : "workers.${k}.overrides.workers[\"${n}\"]" if !contains([for w in local.worker_list : w.name if w.pool == k], n)
  ]])

  claims_by_port = { for c in local.port_claims : "${c.host}:${c.port}" => c.owner... }
  port_conflicts = [for hp, owners in local.claims_by_port : "${hp} (${join(", ", owners)})" if length(owners) > 1]
  ports_by_host = {
    for h in local.all_hosts : h => { for c in local.port_claims : c.owner => c.port if c.host == h }
  }

  redis_host = try(var.redis.host, null) == null ? null : lookup(var.hosts, var.redis.host, var.redis.host)

  shared_config_path = "${var.config_dir}/homeserver.yaml"

  # The main process's log config: Synapse opens the file named by homeserver_yaml's
  # `log_config` when main starts, so the main host gets it (main_log_config, or a console
  # logger like the workers'). Workers log through their own worker_log_config.
  main_log_config_path = try(tostring(yamldecode(var.homeserver_yaml).log_config), null)
  main_log_config = local.main_log_config_path == null ? null : coalesce(var.main_log_config, yamlencode({
    version                  = 1
    formatters               = { precise = { format = "%(asctime)s - main - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s" } }
    filters                  = { context = { "()" = "synapse.logging.context.LoggingContextFilter" } }
    handlers                 = { console = { class = "logging.StreamHandler", formatter = "precise", filters = ["context"] } }
    root                     = { level = var.log_level, handlers = ["console"] }
    disable_existing_loggers = false
  }))
  # The provider renders complete, standalone configurations (their own pid file and runtime
  # directory), so they live beside the distribution's files rather than replacing them; the
  # deploy modules run the proxy with `-c`/`-f` on this path.
  proxy_config_paths = {
    nginx   = "/etc/synapse-proxy/nginx.conf"
    haproxy = "/etc/synapse-proxy/haproxy.cfg"
    caddy   = "/etc/synapse-proxy/Caddyfile"
    apache  = "/etc/synapse-proxy/apache2.conf"
  }
}

resource "synapse_worker" "this" {
  for_each = local.workers

  name             = each.key
  roles            = each.value.roles
  host             = each.value.address
  http_port        = each.value.http_port
  replication_port = each.value.replication_port
  metrics_port     = each.value.metrics_port
  bind_addresses   = each.value.bind_addresses
  config_dir       = var.config_dir
  log_level        = each.value.log_level
  extra_config     = each.value.extra_config
}

resource "synapse_stream_writer" "this" {
  for_each = local.streams

  stream  = each.key
  writers = each.value
}

locals {
  # Only the attributes the fleet-wide resources read: passing whole synapse_worker objects
  # (with their YAML and endpoint lists) makes Terraform convert all of it twice per plan.
  worker_refs = [for w in synapse_worker.this : {
    name                       = w.name
    roles                      = w.roles
    host                       = w.host
    upstream                   = w.upstream
    http_resources             = w.http_resources
    instance_map_entry         = w.instance_map_entry
    replication_bind_addresses = w.replication_bind_addresses
  }]
}

resource "synapse_shared_config" "this" {
  main = {
    host             = var.hosts[var.main.host]
    http_port        = var.main.http_port
    replication_port = var.main.replication_port
    bind_addresses   = var.main.bind_addresses
  }
  workers        = local.worker_refs
  stream_writers = values(synapse_stream_writer.this)
  redis = var.redis == null ? null : {
    host          = local.redis_host
    port          = var.redis.path == null ? var.redis.port : null
    path          = var.redis.path
    dbid          = var.redis.dbid
    use_tls       = var.redis.use_tls
    password_path = var.redis.password_path
  }
  replication_secret_path                = var.replication_secret_path
  pusher_instances                       = var.shared_config.pusher_instances
  federation_sender_instances            = var.shared_config.federation_sender_instances
  run_background_tasks_on                = var.shared_config.run_background_tasks_on
  update_user_directory_from_worker      = var.shared_config.update_user_directory_from_worker
  notify_appservices_from_worker         = var.shared_config.notify_appservices_from_worker
  media_instance_running_background_jobs = var.shared_config.media_instance_running_background_jobs
  outbound_federation_restricted_to      = var.shared_config.outbound_federation_restricted_to
  database_engine                        = var.shared_config.database_engine
  homeserver_yaml                        = var.homeserver_yaml

  lifecycle {
    precondition {
      condition     = length(local.unknown_overrides) == 0
      error_message = "Override for a worker that does not exist: ${join(", ", local.unknown_overrides)}. Worker names are <pool>-<n> with n from 1 to the pool's count."
    }
    precondition {
      condition     = length(local.port_conflicts) == 0
      error_message = "Port collision on a host: ${join("; ", local.port_conflicts)}. Give one of them another port (workers[<pool>].ports, overrides.workers[<name>].*_port, port_bases or main.*_port)."
    }
  }
}

resource "synapse_routing_table" "this" {
  main = {
    host = var.hosts[var.main.host]
    port = var.main.http_port
  }
  workers        = local.worker_refs
  stream_writers = values(synapse_stream_writer.this)
  strategies     = try(var.proxy.strategies, null)
  listen         = try(var.proxy.listen, null)
}

locals {
  # Every port the proxy binds: listen.port (8008 is synapse_routing_table's default), then
  # listen.additional_ports, all with the same routing and TLS setting.
  proxy_ports = var.proxy == null ? [] : concat(
    [coalesce(try(var.proxy.listen.port, null), 8008)],
    coalesce(try(var.proxy.listen.additional_ports, null), []),
  )
}

locals {
  shared_config_yaml = synapse_shared_config.this.merged_yaml

  proxy_config = var.proxy == null ? null : {
    nginx   = synapse_routing_table.this.nginx_config
    haproxy = synapse_routing_table.this.haproxy_config
    caddy   = synapse_routing_table.this.caddy_config
    apache  = synapse_routing_table.this.apache_config
  }[var.proxy.kind]
  proxy_config_path = var.proxy == null ? null : coalesce(var.proxy.config_path, local.proxy_config_paths[var.proxy.kind])

  # Hosts that run a Synapse process get the shared config; the proxy host gets the proxy file.
  synapse_hosts = toset(concat([var.main.host], [for w in local.worker_list : w.host]))

  files_by_host = {
    for h in local.all_hosts : h => merge(
      contains(local.synapse_hosts, h) ? { (local.shared_config_path) = local.shared_config_yaml } : {},
      h == var.main.host && local.main_log_config_path != null ? { (local.main_log_config_path) = local.main_log_config } : {},
      merge([for n in local.names_by_host[h] : {
        (synapse_worker.this[n].config_path)     = synapse_worker.this[n].config_yaml
        (synapse_worker.this[n].log_config_path) = synapse_worker.this[n].log_config_yaml
      }]...),
      var.proxy != null && try(var.proxy.host, null) == h ? { (local.proxy_config_path) = local.proxy_config } : {},
    )
  }
}

# What the configured Synapse release knows (streams, roles), from the provider's catalogue.
data "synapse_catalog" "this" {}
