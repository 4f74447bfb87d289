# A small fleet: two synchrotrons (sticky per user), an initial-sync worker, a client
# reader, an event creator (sticky per room), a federation inbound worker (sticky per
# source address) and a typing stream writer.
locals {
  workers = {
    sync1    = { roles = ["synchrotron"], host = "10.0.0.11" }
    sync2    = { roles = ["synchrotron"], host = "10.0.0.12" }
    isync1   = { roles = ["initial_synchrotron"], host = "10.0.0.13" }
    reader1  = { roles = ["client_reader"], host = "10.0.0.14" }
    creator1 = { roles = ["event_creator"], host = "10.0.0.15" }
    fedin1   = { roles = ["federation_inbound"], host = "10.0.0.16" }
    typing1  = { roles = [], host = "10.0.0.17" }
  }
  # for_each iterates over a map of the names only: Terraform evaluates the for_each expression
  # for every instance, and a map of names in a local stays cheap however large local.workers grows.
  worker_names = { for k in keys(local.workers) : k => k }
}

resource "synapse_worker" "all" {
  for_each         = local.worker_names
  name             = each.key
  roles            = local.workers[each.key].roles
  host             = local.workers[each.key].host
  http_port        = 8083
  replication_port = 9093
}

resource "synapse_stream_writer" "typing" {
  stream  = "typing"
  writers = [synapse_worker.all["typing1"].name]
}

resource "synapse_routing_table" "fleet" {
  main           = { host = "10.0.0.1", port = 8008 }
  workers        = synapse_worker.all
  stream_writers = { typing = synapse_stream_writer.typing }

  # Render only the proxy you deploy, and only its standalone configuration: the other
  # outputs stay null, which keeps plans and state small. Unset, all four are rendered in
  # both forms.
  proxies = ["nginx"]
  forms   = ["config"]

  # TLS terminated at the proxy: clients on 443, federation on 8448. Omit the two tls_*
  # paths for plain HTTP (e.g. behind another TLS terminator). HAProxy loads the key from the
  # certificate file, from "<certificate>.key" or, as here, from the certificate's name with
  # ".key" for its extension.
  listen = {
    address              = "0.0.0.0"
    port                 = 443
    additional_ports     = [8448]
    server_name          = "matrix.example.org"
    tls_certificate_path = "/etc/ssl/matrix.example.org.crt"
    tls_key_path         = "/etc/ssl/matrix.example.org.key"
  }

  # Optional: override a pool's strategy (pool names are listed in `pools`).
  strategies = {
    client_reader = "round_robin"
  }

  # Optional: routes the catalogue does not know, tried before its own, in `order` (then
  # name): a Synapse module's resources on the client readers, sticky by user, and the reads
  # of an MSC newer than the catalogue on the synchrotrons' pool.
  extra_routes = {
    my_module = {
      pattern  = "^/_synapse/client/my_module/"
      role     = "client_reader"
      strategy = "user"
    }
    msc4999_reads = {
      pattern = "^/_matrix/client/unstable/org\\.example\\.msc4999/"
      methods = ["GET", "HEAD"]
      pool    = "synchrotron"
      order   = 1
    }
  }

  # Optional: when every worker of a pool is down, the main process answers instead.
  fallback_to_main = true

  # Optional: homeserver.yaml's max_upload_size. The proxy then accepts request bodies up to
  # that size (Synapse's own default, 50M, otherwise); client_max_body_size sets the limit
  # explicitly and may not be below max_upload_size.
  max_upload_size      = "100M"
  client_max_body_size = "100M"
}

# Write any of the rendered configurations where the proxy reads them, e.g.:
output "nginx_config" {
  value = synapse_routing_table.fleet.nginx_config
}

output "pools" {
  value = { for name, p in synapse_routing_table.fleet.pools : name => values(p.members) }
}
