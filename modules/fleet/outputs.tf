output "synapse_version" {
  description = "The Synapse release the fleet is validated and rendered for: var.synapse_version, or the provider's when that is null."
  value       = synapse_shared_config.this.synapse_version
}

output "workers" {
  description = "Every worker: name -> host (hosts key), address, pool, index (position in the pool, from 0), roles, ports, bind addresses, upstream, command, config/log config paths and contents, health URL."
  value = {
    for n, w in local.workers : n => {
      host             = w.host
      address          = w.address
      pool             = w.pool
      index            = w.index
      port_slot        = w.slot
      bind_addresses   = w.bind_addresses
      roles            = sort(w.roles)
      http_port        = w.http_port
      replication_port = w.replication_port
      metrics_port     = w.metrics_port
      upstream         = synapse_worker.this[n].upstream
      command          = synapse_worker.this[n].command
      config_path      = synapse_worker.this[n].config_path
      config           = synapse_worker.this[n].config_yaml
      log_config_path  = synapse_worker.this[n].log_config_path
      log_config       = local.log_configs[n]
      health_url       = "http://localhost:${w.http_port}/health"
    }
  }
}

output "workers_by_host" {
  description = "host -> names of the workers placed on it (every hosts key is present)."
  value       = local.names_by_host
}

output "main" {
  description = "The main process: host, address, ports, the command that starts it, the shared config path and its log config path (homeserver_yaml's log_config; null if unset)."
  value = {
    host               = var.main.host
    address            = var.hosts[var.main.host]
    http_port          = var.main.http_port
    replication_port   = var.main.replication_port
    metrics_port       = var.main.metrics_port
    shared_config_path = local.shared_config_path
    log_config_path    = local.main_log_config_path
    command            = "python -m synapse.app.homeserver --config-path ${local.shared_config_path} --config-path ${local.secret_config_path}"
    health_url         = "http://localhost:${var.main.http_port}/health"
  }
}

output "shared_config_yaml" {
  description = "The shared homeserver.yaml (homeserver_yaml merged with the fleet's worker settings); holds no inline secret."
  value       = local.shared_config_yaml
}

output "secret_config_path" {
  description = "Where the secret config file (homeserver_yaml's inline secrets, or an empty mapping) is written on every Synapse host, with mode 0600; every process loads it right after the shared config."
  value       = local.secret_config_path
}

output "rollout" {
  description = "What the running fleet needs to take the planned change (synapse_shared_config's rollout): level (none, proxy_reload, rolling_restart, coordinated_restart), summary, changes with the rule and Synapse source of each, processes and the ordered steps. See docs/guides/day-2-operations.md."
  value       = synapse_shared_config.this.rollout
}

output "shared_config_path" {
  description = "Where the shared config is written on every Synapse host."
  value       = local.shared_config_path
}

output "replication_secret_path" {
  description = "Where every Synapse host must hold the replication secret (null = none): pass it to the deploy modules with the secret itself."
  value       = var.replication_secret_path
}

output "instance_map" {
  description = "Synapse's instance_map (main and every worker with a replication listener)."
  value       = synapse_shared_config.this.instance_map
}

output "stream_writers" {
  description = "stream -> writers (worker names, and \"main\" for the main process where the release needs it among them), from the pools' streams."
  value       = local.streams
}

output "routes" {
  description = "The routing table, keyed by route identity: {order, pattern, methods, query_param, query_present, pool, group, strategy}; `order` is the first-match order."
  value       = synapse_routing_table.this.routes
}

output "pools" {
  description = "The routing pools, keyed by name: {strategy, members = {worker name => upstream}}."
  value       = synapse_routing_table.this.pools
}

output "proxy" {
  description = "The proxy placement: kind, host, address, config_path, listen `port`, `additional_ports`, `ports` (all of them, to publish or open), and `tls_certificate_path` / `tls_key_path` (the files the configuration reads on the proxy host; null for plain HTTP). null when proxy is null."
  value = var.proxy == null ? null : {
    kind                 = var.proxy.kind
    host                 = var.proxy.host
    address              = var.hosts[var.proxy.host]
    config_path          = local.proxy_config_path
    port                 = local.proxy_ports[0]
    additional_ports     = slice(local.proxy_ports, 1, length(local.proxy_ports))
    ports                = local.proxy_ports
    tls_certificate_path = try(var.proxy.listen.tls_certificate_path, null)
    tls_key_path         = try(var.proxy.listen.tls_key_path, null)
  }
}

output "proxy_files" {
  description = "The reverse-proxy configuration for proxy.kind, absolute path -> content: the entry file at proxy.config_path and one file per pool under pools/ beside it, which the entry file includes (HAProxy loads the pools/ directory: `-f <config_path> -f <dir>/pools`). Empty when proxy is null. The same files are in files_by_host for the proxy host."
  value       = local.proxy_files
}

output "proxy_configs" {
  description = "The complete configuration of each proxy kind (nginx, haproxy, caddy, apache) as one file, when proxy is null (for deployments that pick their own); all null when proxy is set (its configuration is in proxy_files)."
  value = {
    nginx   = synapse_routing_table.this.nginx_config
    haproxy = synapse_routing_table.this.haproxy_config
    caddy   = synapse_routing_table.this.caddy_config
    apache  = synapse_routing_table.this.apache_config
  }
}

output "ports_by_host" {
  description = "host -> owner (\"<worker> http\", \"main replication\", \"proxy nginx\", ...) -> port: every port the fleet uses."
  value       = local.ports_by_host
}

output "ports_by_address" {
  description = "address -> owner -> port: ports_by_host keyed by the hosts' addresses, so fleets sharing machines (under different host keys) can be checked for collisions (see examples/many-homeservers)."
  value       = local.ports_by_address
}

output "files_by_host" {
  description = "host -> absolute path -> file content: the merged shared config and the secret config file (hosts running Synapse), worker and log configs, main's log config on its host, and the proxy config on the proxy host. The hand-off every deploy module consumes. The secret config file's content is sensitive (deploy it with mode 0600; the deploy modules do so for every sensitive content), and so is the shared config when homeserver_yaml is; the keys never are, so for_each over it works. The replication secret file at replication_secret_path is written by the deploy modules."
  value       = local.files_by_host
}
