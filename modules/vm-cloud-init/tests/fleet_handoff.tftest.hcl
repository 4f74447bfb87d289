# The hand-off contract: the fleet module's outputs (real synapse provider, plan time) feed this
# module unchanged, and every host's user_data carries exactly its files and its workers' units.

run "fleet" {
  command = plan

  module {
    source = "../fleet"
  }

  variables {
    synapse_version         = "1.157"
    hosts                   = { hs1 = "10.0.0.10", hs2 = "10.0.0.11", edge = "10.0.0.5" }
    main                    = { host = "hs1" }
    preset                  = "specialized"
    redis                   = { host = "hs1" }
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
    homeserver_yaml         = "server_name: example.org\nreport_stats: false\nlisteners:\n  - {port: 8008, type: http, resources: [{names: [client, federation]}]}\nsigning_key_path: /etc/matrix-synapse/example.org.signing.key\ndatabase:\n  name: psycopg2\nlog_config: /etc/matrix-synapse/log.yaml\n"
    proxy                   = { kind = "caddy", host = "edge", listen = { port = 8080 } }
  }
}

run "user_data_from_fleet_outputs" {
  command = plan

  variables {
    files_by_host   = run.fleet.files_by_host
    workers_by_host = run.fleet.workers_by_host
    main_host       = run.fleet.main.host
    proxy           = run.fleet.proxy

    replication_secret_path = run.fleet.replication_secret_path
    replication_secret      = "s3cret-value"
  }

  assert {
    condition = alltrue([for h, files in run.fleet.files_by_host :
      { for f in yamldecode(output.user_data[h]).write_files : f.path => f.content if !startswith(f.path, "/etc/systemd/") && f.path != run.fleet.replication_secret_path } == files
    ])
    error_message = "Every host's write_files equal the fleet's files_by_host for it (plus the secret), path and content."
  }
  assert {
    condition = alltrue([for n, w in run.fleet.workers : alltrue([
      for p in [run.fleet.shared_config_path, w.config_path, yamldecode(w.config).worker_log_config, run.fleet.replication_secret_path] :
      contains([for f in yamldecode(output.user_data[w.host]).write_files : f.path], p)
    ])])
    error_message = "Each worker's host writes the shared file, the worker's file, the log config it references and the secret file."
  }
  assert {
    condition     = contains([for f in yamldecode(output.user_data["hs1"]).write_files : f.path], run.fleet.main.log_config_path) && contains([for f in yamldecode(output.user_data["hs1"]).write_files : f.path], run.fleet.replication_secret_path)
    error_message = "main's host writes main's log config and the secret file."
  }
  assert {
    condition = alltrue([for h, workers in run.fleet.workers_by_host :
      toset([for c in yamldecode(output.user_data[h]).runcmd : c[2] if try(c[1] == "enable" && startswith(c[2], "matrix-synapse-worker@"), false)]) ==
      toset([for w in workers : "matrix-synapse-worker@${w}.service"])
    ])
    error_message = "Every host enables exactly the worker units of the workers the fleet placed on it."
  }
  assert {
    condition     = length(run.fleet.workers_by_host["edge"]) == 0 && strcontains(output.proxy_unit, "caddy run --config /etc/synapse-proxy/Caddyfile --adapter caddyfile")
    error_message = "The proxy-only edge host runs no worker and starts Caddy on the fleet's Caddyfile."
  }
}

# TLS on 443 and 8448: the fleet's proxy output (with its TLS paths) feeds this module as is; the
# edge VM gets the TLS configuration and a unit that asserts the certificate and key exist, and
# no certificate or key file is written (the operator or certbot provides them).
run "fleet_tls" {
  command = plan

  module {
    source = "../fleet"
  }

  variables {
    synapse_version         = "1.157"
    hosts                   = { hs1 = "10.0.0.10", edge = "10.0.0.5" }
    main                    = { host = "hs1" }
    preset                  = "small"
    redis                   = { host = "hs1" }
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
    homeserver_yaml         = "server_name: example.org\nreport_stats: false\nlisteners:\n  - {port: 8008, type: http, resources: [{names: [client, federation]}]}\nsigning_key_path: /etc/matrix-synapse/example.org.signing.key\ndatabase:\n  name: psycopg2\nlog_config: /etc/matrix-synapse/log.yaml\n"
    proxy = {
      kind = "nginx"
      host = "edge"
      listen = {
        port                 = 443
        additional_ports     = [8448]
        server_name          = "matrix.example.org"
        tls_certificate_path = "/etc/letsencrypt/live/matrix.example.org/fullchain.pem"
        tls_key_path         = "/etc/letsencrypt/live/matrix.example.org/privkey.pem"
      }
    }
  }
}

run "user_data_with_tls_from_fleet_outputs" {
  command = plan

  variables {
    files_by_host   = run.fleet_tls.files_by_host
    workers_by_host = run.fleet_tls.workers_by_host
    main_host       = run.fleet_tls.main.host
    proxy           = run.fleet_tls.proxy

    replication_secret_path = run.fleet_tls.replication_secret_path
    replication_secret      = "s3cret-value"
  }

  assert {
    condition = alltrue([for f in yamldecode(output.user_data["edge"]).write_files :
      strcontains(f.content, "listen 0.0.0.0:443 ssl;") && strcontains(f.content, "listen 0.0.0.0:8448 ssl;") &&
      strcontains(f.content, "ssl_certificate_key /etc/letsencrypt/live/matrix.example.org/privkey.pem;")
    if f.path == "/etc/synapse-proxy/nginx.conf"]) && contains([for f in yamldecode(output.user_data["edge"]).write_files : f.path], "/etc/synapse-proxy/nginx.conf")
    error_message = "The edge VM must get the nginx configuration terminating TLS on 443 and 8448."
  }
  assert {
    condition     = strcontains(output.proxy_unit, "AssertPathExists=/etc/letsencrypt/live/matrix.example.org/fullchain.pem\nAssertPathExists=/etc/letsencrypt/live/matrix.example.org/privkey.pem\n")
    error_message = "synapse-proxy.service must assert the certificate and the key exist before it starts."
  }
  assert {
    condition     = length([for f in yamldecode(output.user_data["edge"]).write_files : f.path if startswith(f.path, "/etc/letsencrypt/")]) == 0
    error_message = "The module writes no certificate or key: the operator or certbot provides them."
  }
}
