# The hand-off contract: the fleet module's outputs, planned with the real synapse provider,
# feed this module unchanged (files_by_host[<host>], the workers filtered to the host, main,
# the proxy placement). The docker provider is mocked.

mock_provider "docker" {
  mock_resource "docker_image" {
    defaults = {
      image_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
    }
  }
}

run "fleet" {
  command = plan

  module {
    source = "../fleet"
  }

  variables {
    synapse_version         = "1.157.1"
    hosts                   = { hs1 = "10.0.0.10", hs2 = "10.0.0.11" }
    main                    = { host = "hs1" }
    preset                  = "small"
    redis                   = { host = "hs1" }
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
    homeserver_yaml         = "server_name: example.org\nreport_stats: false\nlisteners:\n  - {port: 8008, type: http, resources: [{names: [client, federation]}]}\nsigning_key_path: /etc/matrix-synapse/example.org.signing.key\ndatabase:\n  name: psycopg2\nlog_config: /etc/matrix-synapse/log.yaml\n"
    proxy                   = { kind = "haproxy", host = "hs2", listen = { port = 8080 } }
    workers                 = { sync = { count = 2, hosts = ["hs1", "hs2"] } }
  }
}

run "hs2_from_fleet_outputs" {
  command = plan

  variables {
    host                    = "hs2"
    synapse_version         = "1.157.1"
    files                   = run.fleet.files_by_host["hs2"]
    shared_config_path      = run.fleet.shared_config_path
    workers                 = { for n, w in run.fleet.workers : n => w if w.host == "hs2" }
    redis                   = null
    replication_secret_path = run.fleet.replication_secret_path
    replication_secret      = "s3cret-value"
    proxy = {
      kind        = run.fleet.proxy.kind
      config_path = run.fleet.proxy.config_path
      ports       = [run.fleet.proxy.port]
    }
  }

  assert {
    condition     = toset(keys(docker_container.synapse)) == toset(run.fleet.workers_by_host["hs2"])
    error_message = "One container per worker the fleet placed on hs2."
  }
  assert {
    condition = alltrue([for n, c in docker_container.synapse :
      join(" ", c.entrypoint) == "setpriv --reuid=991 --regid=991 --clear-groups -- ${run.fleet.workers[n].command}" &&
      c.healthcheck[0].test[3] == run.fleet.workers[n].health_url
    ])
    error_message = "Each container runs its worker's command and probes its health URL."
  }
  assert {
    condition = alltrue([for n, c in docker_container.synapse : alltrue([
      for u in c.upload : u.content == run.fleet.files_by_host["hs2"][u.file] if u.file != run.fleet.replication_secret_path
    ]) && length(c.upload) == 5])
    error_message = "Each container gets the shared config, its config and its log config, as rendered by the fleet."
  }
  assert {
    condition = alltrue([for n, c in docker_container.synapse :
      toset([for u in c.upload : u.file]) == toset([
        run.fleet.shared_config_path, run.fleet.secret_config_path, run.fleet.workers[n].config_path, run.fleet.workers[n].log_config_path,
        yamldecode(run.fleet.workers[n].config).worker_log_config, run.fleet.replication_secret_path,
      ]) && [for u in c.upload : u.content if u.file == run.fleet.replication_secret_path] == ["s3cret-value"]
    ])
    error_message = "Each worker container gets the shared file, its worker file, the log config it references and the secret file, nothing else."
  }
  assert {
    condition     = length(docker_container.proxy[0].upload) == length(run.fleet.proxy_files) && alltrue([for u in docker_container.proxy[0].upload : run.fleet.proxy_files[u.file] == u.content]) && docker_container.proxy[0].ports[0].external == 8080
    error_message = "The proxy container gets the fleet's HAProxy config and publishes its listen port."
  }
}

run "hs1_runs_main_and_redis" {
  command = plan

  variables {
    host               = "hs1"
    synapse_version    = "1.157.1"
    files              = run.fleet.files_by_host["hs1"]
    shared_config_path = run.fleet.shared_config_path
    workers            = { for n, w in run.fleet.workers : n => w if w.host == "hs1" }
    main               = run.fleet.main
    redis              = {}
    proxy              = null
  }

  assert {
    condition     = toset([for u in docker_container.synapse["main"].upload : u.file]) == toset([run.fleet.shared_config_path, run.fleet.secret_config_path, "/etc/matrix-synapse/log.yaml"]) && run.fleet.main.log_config_path == "/etc/matrix-synapse/log.yaml"
    error_message = "main gets the shared file, the secret config file and the log config homeserver_yaml's log_config names (no replication secret given on hs1 here)."
  }

  assert {
    condition     = alltrue([for u in docker_container.synapse["main"].upload : u.permissions == "0640"])
    error_message = "Without inline secrets the secret config file is an empty mapping, not sensitive: every upload is 0640."
  }

  assert {
    condition     = contains(keys(docker_container.synapse), "main") && join(" ", docker_container.synapse["main"].entrypoint) == "setpriv --reuid=991 --regid=991 --clear-groups -- ${run.fleet.main.command}"
    error_message = "main runs on hs1 with the fleet's main command."
  }
  assert {
    condition     = toset([for p in docker_container.synapse["main"].ports : p.external]) == toset([8008, 9093])
    error_message = "main publishes its HTTP and replication ports."
  }
  assert {
    condition     = length(docker_container.redis) == 1
    error_message = "Redis runs on hs1."
  }
}
