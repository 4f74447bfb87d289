locals {
  # ---------------------------------------------------------------------------------------------
  # Presets. Role names are the provider catalogue's; the provider validates them per version.
  # small: one worker of each kind. specialized: the same kinds split further, with counts.
  # ---------------------------------------------------------------------------------------------
  preset_kinds = {
    # slot: the pool's fixed port block and placement start (see "Stable identity" in README).
    sync              = { slot = 0, roles = ["synchrotron"], streams = [] }
    initial-sync      = { slot = 1, roles = ["initial_synchrotron"], streams = [] }
    federation-in     = { slot = 2, roles = ["federation_inbound"], streams = [] }
    federation-reader = { slot = 3, roles = ["federation_reader"], streams = [] }
    client            = { slot = 4, roles = ["client_reader"], streams = [] }
    event-creator     = { slot = 5, roles = ["event_creator"], streams = [] }
    media             = { slot = 6, roles = ["media_repository"], streams = local.media_streams }
    persister         = { slot = 7, roles = [], streams = ["events"] }
    sender            = { slot = 8, roles = ["federation_sender"], streams = [] }
    pusher            = { slot = 9, roles = ["pusher"], streams = [] }
  }
  # Where the release has the quarantined_media_changes stream (Synapse 1.152 and later), a media
  # worker must write it (the provider rejects a media worker that does not), beside the main
  # process (see local.streams). The catalogue says which releases have it, so the version rule
  # is not restated here.
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

  # Stable identity: every pool owns a port slot, a block of port_block consecutive ports from
  # each of port_bases.http, .replication and .metrics; worker i of the pool (from 0, its
  # position in the pool) takes port base + slot * port_block + i. Preset pools have fixed slots
  # 0-9; any other pool takes workers[*].port_slot, else a slot derived from a hash of its key
  # (10-49). Nothing here depends on another pool, so adding, removing, renaming or resizing one
  # pool never moves another pool's ports or hosts.
  port_block   = 20
  port_slots   = 50
  preset_slots = 10
  hashed_slot  = { for k in keys(var.workers) : k => local.preset_slots + parseint(substr(sha256(k), 0, 8), 16) % (local.port_slots - local.preset_slots) }

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
      roles = try(var.workers[k].roles, null) != null ? var.workers[k].roles : try(local.preset[k].roles, [])
      # Explicit worker names (an adopted fleet keeps its names); a null entry keeps its
      # position (and so the ports of the names after it) free.
      names = try(var.workers[k].names, null)
      count = (
        try(var.workers[k].names, null) != null ? length(var.workers[k].names) :
        try(var.workers[k].count, null) != null ? var.workers[k].count : try(local.preset[k].count, 1)
      )
      streams     = try(var.workers[k].streams, null) != null ? var.workers[k].streams : try(local.preset[k].streams, [])
      replication = try(var.workers[k].replication, null) == true
      slot = (
        try(var.workers[k].port_slot, null) != null ? var.workers[k].port_slot :
        contains(keys(local.preset_kinds), k) ? local.preset_kinds[k].slot : local.hashed_slot[k]
      )
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

  # One entry per worker: pool, position in the pool, name and host. A pool without placement
  # starts its round-robin over default_hosts at its slot, so one-worker pools spread out.
  worker_list = flatten([
    for k, p in local.pools : [
      for i in range(p.count) : {
        name  = p.names != null ? p.names[i] : "${k}-${i + 1}"
        pool  = k
        index = i
      } if p.names == null || try(p.names[i] != null, false)
    ]
  ])
  # Grouped by name: two pools naming the same worker are reported (duplicate_names), not a crash.
  worker_entries = { for w in local.worker_list : w.name => w... }
  worker_by_name = { for n, ws in local.worker_entries : n => merge(ws[0], {
    host = (
      try(local.pools[ws[0].pool].per_worker[n].host, null) != null ? local.pools[ws[0].pool].per_worker[n].host :
      local.pools[ws[0].pool].hosts[(local.pools[ws[0].pool].placed ? ws[0].index : local.pools[ws[0].pool].slot + ws[0].index) % length(local.pools[ws[0].pool].hosts)]
    )
  }) }

  names_by_host = { for h in local.all_hosts : h => sort([for n, w in local.worker_by_name : n if w.host == h]) }

  # stream -> writers: the pools' workers, after "main" (the main process) where the release
  # needs it among the writers (quarantined_media_changes on Synapse 1.152-1.157).
  streams = {
    for s in sort(distinct(flatten([for k, p in local.pools : p.streams if p.count > 0]))) :
    s => concat(
      contains(data.synapse_catalog.this.main_writes, s) ? ["main"] : [],
      [for w in local.worker_list : w.name if contains(local.pools[w.pool].streams, s) && length(local.worker_entries[w.name]) == 1],
    )
  }

  workers = {
    for n, w in local.worker_by_name : n => {
      pool    = w.pool
      index   = w.index
      slot    = local.pools[w.pool].slot
      host    = w.host
      address = var.hosts[w.host]
      roles   = local.pools[w.pool].roles
      http_port = coalesce(
        try(local.pools[w.pool].per_worker[n].http_port, null),
        local.pools[w.pool].ports.http == null ? null : local.pools[w.pool].ports.http + w.index,
        var.port_bases.http + local.pools[w.pool].slot * local.port_block + w.index,
      )
      replication_port = (
        length(local.pools[w.pool].streams) > 0 || local.pools[w.pool].replication || try(local.pools[w.pool].per_worker[n].replication_port, null) != null
        ? coalesce(
          try(local.pools[w.pool].per_worker[n].replication_port, null),
          local.pools[w.pool].ports.replication == null ? null : local.pools[w.pool].ports.replication + w.index,
          var.port_bases.replication + local.pools[w.pool].slot * local.port_block + w.index,
        ) : null
      )
      metrics_port = (
        var.metrics || local.pools[w.pool].ports.metrics != null || try(local.pools[w.pool].per_worker[n].metrics_port, null) != null
        ? coalesce(
          try(local.pools[w.pool].per_worker[n].metrics_port, null),
          local.pools[w.pool].ports.metrics == null ? null : local.pools[w.pool].ports.metrics + w.index,
          var.port_bases.metrics + local.pools[w.pool].slot * local.port_block + w.index,
        ) : null
      )
      log_level    = coalesce(try(local.pools[w.pool].per_worker[n].log_level, null), local.pools[w.pool].log_level, var.log_level)
      extra_config = try(coalesce(try(local.pools[w.pool].per_worker[n].extra_config, null), local.pools[w.pool].extra_config), null)
      bind_addresses = (
        try(local.pools[w.pool].per_worker[n].bind_addresses, null) != null ? local.pools[w.pool].per_worker[n].bind_addresses :
        local.pools[w.pool].bind_addresses != null ? local.pools[w.pool].bind_addresses :
        var.bind_host_address ? [var.hosts[w.host]] : null
      )
    }
  }
  # Resources iterate over a map of names only (name => name); each instance reads
  # local.workers[each.key]. Terraform re-evaluates a for_each expression per instance: a map of
  # objects, a set of names or a for expression written in the for_each costs O(N^2); a map of
  # names in a local is the cheapest value (docs/benchmarks.md).
  worker_names = { for k in keys(local.workers) : k => k }
  stream_names = { for k in keys(local.streams) : k => k }

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
  # A worker name is one process: the same name from two pools (explicit names) is refused.
  duplicate_names = [for n, ws in local.worker_entries : "${n} (pools ${join(", ", distinct([for w in ws : w.pool]))})" if length(ws) > 1]
  # An automatic port block holds port_block workers: a bigger pool would run into the next slot.
  oversized_pools = [for k, p in local.pools : "${k} (${p.count} workers)" if p.count > local.port_block && (
    p.ports.http == null || (p.ports.replication == null && (length(p.streams) > 0 || p.replication)) || (p.ports.metrics == null && var.metrics)
  )]

  claims_by_port = { for c in local.port_claims : "${c.host}:${c.port}" => c.owner... }
  port_conflicts = [for hp, owners in local.claims_by_port : "${hp} (${join(", ", owners)})" if length(owners) > 1]
  ports_by_host = {
    for h in local.all_hosts : h => { for c in local.port_claims : c.owner => c.port if c.host == h }
  }
  # The same by address, for checks across fleets that share machines (examples/many-homeservers).
  ports_by_address = {
    for a in distinct(values(var.hosts)) : a => merge([for h in local.all_hosts : local.ports_by_host[h] if var.hosts[h] == a]...)
  }

  redis_host = try(var.redis.host, null) == null ? null : lookup(var.hosts, var.redis.host, var.redis.host)

  # Synapse serves metrics listeners only with enable_metrics: true. When the fleet has any, the
  # module appends it to homeserver_yaml (text appended, so comments and key order stay), unless
  # homeserver_yaml sets it already (false is refused by a precondition).
  uses_metrics              = var.metrics || var.main.metrics_port != null || anytrue([for n, w in local.workers : w.metrics_port != null])
  homeserver_enable_metrics = try(yamldecode(var.homeserver_yaml).enable_metrics, null)
  homeserver_yaml = (!local.uses_metrics || local.homeserver_enable_metrics != null ? var.homeserver_yaml :
    var.homeserver_yaml == null ? "enable_metrics: true\n" :
    startswith(trimspace(var.homeserver_yaml), "{") ? yamlencode(merge(yamldecode(var.homeserver_yaml), { enable_metrics = true })) :
    "${var.homeserver_yaml}${endswith(var.homeserver_yaml, "\n") ? "" : "\n"}enable_metrics: true\n"
  )

  shared_config_path = "${var.config_dir}/homeserver.yaml"
  # The inline secrets (homeserver_yaml's secret options, which the provider moves out of the
  # shared file) live in their own file, loaded right after the shared one by every process.
  # It is always deployed (an empty mapping when there is no secret), so the commands do not
  # depend on the shared config, which depends on the workers.
  secret_config_path = "${var.config_dir}/homeserver-secrets.yaml"

  # The main process's log config: Synapse opens the file named by homeserver_yaml's
  # `log_config` when main starts, so the main host gets it (main_log_config, or a console
  # logger like the workers'). Workers log through their own worker_log_config.
  # From the provider, not yamldecode(var.homeserver_yaml): a path is not secret, and a value
  # read from a sensitive homeserver_yaml would make files_by_host's keys sensitive (for_each
  # cannot take those).
  main_log_config_path = synapse_shared_config.this.main_log_config_path
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

# No provider block: the release is set on every resource (synapse_version), so the module
# works with count, for_each and depends_on, and takes the caller's provider configuration
# (`providers = { synapse = synapse.x }`).

resource "synapse_worker" "this" {
  for_each = local.worker_names

  synapse_version  = var.synapse_version
  name             = each.key
  roles            = local.workers[each.key].roles
  host             = local.workers[each.key].address
  http_port        = local.workers[each.key].http_port
  replication_port = local.workers[each.key].replication_port
  metrics_port     = local.workers[each.key].metrics_port
  bind_addresses   = local.workers[each.key].bind_addresses
  config_dir       = var.config_dir
  # Every process loads the secret config file right after the shared one.
  secret_config_path = local.secret_config_path
  log_level          = local.workers[each.key].log_level
  extra_config       = local.workers[each.key].extra_config
}

resource "synapse_stream_writer" "this" {
  for_each = local.stream_names

  synapse_version = var.synapse_version
  stream          = each.key
  writers         = local.streams[each.key]
}

locals {
  # Only the attributes each fleet-wide resource reads, keyed by worker name (a plan then shows
  # an added worker alone): passing whole synapse_worker objects (with their YAML) makes
  # Terraform convert all of it twice per plan.
  worker_refs = { for n, w in synapse_worker.this : n => {
    name                       = w.name
    synapse_version            = w.synapse_version
    roles                      = w.roles
    host                       = w.host
    upstream                   = w.upstream
    http_resources             = w.http_resources
    instance_map_entry         = w.instance_map_entry
    replication_bind_addresses = w.replication_bind_addresses
    config_digest              = w.config_digest
  } }
  routing_refs = { for n, w in synapse_worker.this : n => {
    synapse_version = w.synapse_version
    roles           = w.roles
    upstream        = w.upstream
    http_resources  = w.http_resources
  } }
}

resource "synapse_shared_config" "this" {
  synapse_version = var.synapse_version
  main = {
    host             = var.hosts[var.main.host]
    http_port        = var.main.http_port
    replication_port = var.main.replication_port
    metrics_port     = var.main.metrics_port
    bind_addresses   = var.main.bind_addresses
  }
  workers        = local.worker_refs
  stream_writers = synapse_stream_writer.this
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
  homeserver_yaml                        = local.homeserver_yaml
  # The rollout plan reports a routing-only change as a reload of the proxy this fleet renders.
  proxy_config_digest = var.proxy == null ? null : sha256(jsonencode(local.proxy_files))

  lifecycle {
    precondition {
      condition     = length(local.unknown_overrides) == 0
      error_message = "Override for a worker that does not exist: ${join(", ", local.unknown_overrides)}. Worker names are <pool>-<n> with n from 1 to the pool's count, or the pool's names."
    }
    precondition {
      condition     = length(local.duplicate_names) == 0
      error_message = "Duplicate worker name: ${join(", ", local.duplicate_names)}. A worker name is one process: rename one of them in workers[<pool>].names (or rename the pool whose <pool>-<n> names clash)."
    }
    precondition {
      condition     = length(local.oversized_pools) == 0
      error_message = "Pool larger than its automatic port block of ${local.port_block}: ${join(", ", local.oversized_pools)}. Its ports would run into the next pool's block: give the pool its own ranges with workers[<pool>].ports = { http = ..., replication = ..., metrics = ... } (worker i takes first port + i)."
    }
    precondition {
      condition     = length(local.port_conflicts) == 0
      error_message = "Port collision on a host: ${join("; ", local.port_conflicts)}. Give one of them another port (workers[<pool>].ports, workers[<pool>].port_slot, overrides.workers[<name>].*_port, port_bases or main.*_port)."
    }
    precondition {
      condition     = !local.uses_metrics || local.homeserver_enable_metrics != false
      error_message = "homeserver_yaml sets enable_metrics: false, but the fleet has metrics listeners (metrics = true, a metrics port, or main.metrics_port), which Synapse then does not serve. Remove enable_metrics from homeserver_yaml (the module sets it to true) or drop the metrics listeners."
    }
  }
}

resource "synapse_routing_table" "this" {
  synapse_version = var.synapse_version
  main = {
    host = var.hosts[var.main.host]
    port = var.main.http_port
  }
  workers        = local.routing_refs
  stream_writers = synapse_stream_writer.this
  strategies     = try(var.proxy.strategies, null)
  listen         = try(var.proxy.listen, null)
  extra_routes   = length(var.extra_routes) == 0 ? null : var.extra_routes
  # The limit the proxy enforces is checked against (and defaults to) homeserver_yaml's
  # max_upload_size.
  fallback_to_main     = try(var.proxy.fallback_to_main, null)
  client_max_body_size = try(var.proxy.client_max_body_size, null)
  max_upload_size      = local.max_upload_size
  # Only proxy.kind's standalone configuration, split into files (a plan then shows a changed
  # pool's file, not the whole configuration) under the directory of proxy.config_path; every
  # kind as one file when proxy is null, for deployments that pick their own from proxy_configs.
  proxies    = var.proxy == null ? null : [var.proxy.kind]
  forms      = var.proxy == null ? ["config"] : ["files"]
  config_dir = var.proxy == null ? null : dirname(local.proxy_config_path)
}

locals {
  # homeserver_yaml's max_upload_size (a number of bytes or "100M"), null when unset. A size is
  # no secret: it stays readable when homeserver_yaml is passed through sensitive().
  max_upload_size = nonsensitive(try(tostring(yamldecode(var.homeserver_yaml).max_upload_size), null))
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
  # A homeserver_yaml passed through sensitive() keeps its mark in the file derived from it (the
  # provider cannot see marks). The choice is made between maps and the value picked from the
  # result: a conditional between a marked and an unmarked value is always marked, whichever
  # branch it takes, and an unmarked value must stay unmarked (outputs, for_each).
  shared_config_yaml = merge(
    { v = synapse_shared_config.this.merged_yaml },
    issensitive(var.homeserver_yaml) ? { v = sensitive(synapse_shared_config.this.merged_yaml) } : {},
  ).v
  # The secret file: the provider's sensitive secret_config_yaml when homeserver_yaml holds
  # secrets (secret_config_keys is not sensitive), else "{}" (an empty mapping, which Synapse
  # loads silently), unmarked, so a fleet without inline secrets has no sensitive file.
  secret_config_files = merge(
    { (local.secret_config_path) = "{}\n" },
    length(synapse_shared_config.this.secret_config_keys) > 0 ? { (local.secret_config_path) = synapse_shared_config.this.secret_config_yaml } : {},
  )

  # The proxy's files, absolute path -> content: the entry file at proxy.config_path, and the
  # pool files it includes under pools/ beside it.
  proxy_files = var.proxy == null ? {} : {
    for k, v in {
      nginx   = synapse_routing_table.this.nginx_files
      haproxy = synapse_routing_table.this.haproxy_files
      caddy   = synapse_routing_table.this.caddy_files
      apache  = synapse_routing_table.this.apache_files
    }[var.proxy.kind] :
    (k == local.proxy_entry_files[var.proxy.kind] ? local.proxy_config_path : "${dirname(local.proxy_config_path)}/${k}") => v
  }
  proxy_entry_files = { nginx = "nginx.conf", haproxy = "haproxy.cfg", caddy = "Caddyfile", apache = "apache2.conf" }
  proxy_config_path = var.proxy == null ? null : coalesce(var.proxy.config_path, local.proxy_config_paths[var.proxy.kind])

  # Hosts that run a Synapse process get the shared config; the proxy host gets the proxy file.
  synapse_hosts = toset(concat([var.main.host], [for n, w in local.workers : w.host]))

  # Each worker's log config, rendered once (a provider function call per worker) for
  # files_by_host and the workers output.
  log_configs = { for n in local.worker_names : n => provider::synapse::worker_log_config(n, synapse_worker.this[n].log_level) }

  files_by_host = {
    for h in local.all_hosts : h => merge(
      contains(local.synapse_hosts, h) ? { (local.shared_config_path) = local.shared_config_yaml } : {},
      contains(local.synapse_hosts, h) ? local.secret_config_files : {},
      h == var.main.host && local.main_log_config_path != null ? { (local.main_log_config_path) = local.main_log_config } : {},
      merge([for n in local.names_by_host[h] : {
        (synapse_worker.this[n].config_path)     = synapse_worker.this[n].config_yaml
        (synapse_worker.this[n].log_config_path) = local.log_configs[n]
      }]...),
      var.proxy != null && try(var.proxy.host, null) == h ? local.proxy_files : {},
    )
  }
}

# What the fleet's Synapse release knows (streams, roles), from the provider's catalogue.
data "synapse_catalog" "this" {
  synapse_version = var.synapse_version
  # Only the stream names: the roles, streams and endpoints would add about 50 KB to the state.
  details = false
}

# Synapse cannot load the shared file without the rest of homeserver.yaml (server_name,
# database, signing key, ...): a plan without it warns.
check "homeserver_yaml" {
  assert {
    condition     = var.homeserver_yaml != null
    error_message = "homeserver_yaml is not set: the shared homeserver.yaml in files_by_host then holds only the worker settings, which Synapse refuses to load (no server_name, database, signing_key_path, media_store_path or main client listener). Pass your homeserver.yaml, e.g. homeserver_yaml = file(\"homeserver.yaml\")."
  }
}
