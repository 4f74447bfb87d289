# What each host needs for Synapse to load its processes' configs: the merged shared file at the
# path every command names, each worker's file and the log config it references, main's log
# config on main's host, and no secret anywhere in files_by_host.

variables {
  synapse_version         = "1.157"
  hosts                   = { hs1 = "10.0.0.10", hs2 = "10.0.0.11", edge = "10.0.0.5" }
  main                    = { host = "hs1" }
  preset                  = "small"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  proxy                   = { kind = "haproxy", host = "edge" }
  homeserver_yaml         = <<-YAML
    server_name: example.org
    report_stats: false
    listeners:
      - port: 8008
        type: http
        resources:
          - names: [client, federation]
    database:
      name: psycopg2
      args: { database: synapse }
    log_config: /etc/matrix-synapse/log.yaml
    media_store_path: /var/lib/matrix-synapse/media
    signing_key_path: /etc/matrix-synapse/example.org.signing.key
  YAML
}

run "shared_file_is_the_merged_config_at_the_commands_path" {
  command = plan

  assert {
    condition = alltrue([for n, w in output.workers :
      output.files_by_host[w.host][split(" ", w.command)[4]] == output.shared_config_yaml &&
      split(" ", w.command)[4] == output.shared_config_path
    ])
    error_message = "Every worker's first --config-path must be the shared path, and its host must hold the merged shared config there."
  }
  assert {
    condition = (
      yamldecode(output.shared_config_yaml).server_name == "example.org" &&
      yamldecode(output.shared_config_yaml).database.name == "psycopg2" &&
      yamldecode(output.shared_config_yaml).worker_replication_secret_path == "/etc/matrix-synapse/replication.secret" &&
      yamldecode(output.shared_config_yaml).instance_map.main.port == 9093
    )
    error_message = "The shared file must be homeserver_yaml merged with the fleet's settings (server_name, database, secret path, instance_map)."
  }
}

run "worker_files_and_their_log_configs_on_their_hosts" {
  command = plan

  assert {
    condition = alltrue([for n, w in output.workers :
      output.files_by_host[w.host][split(" ", w.command)[8]] == w.config &&
      contains(keys(output.files_by_host[w.host]), yamldecode(w.config).worker_log_config) &&
      yamldecode(w.config).worker_log_config == w.log_config_path &&
      output.files_by_host[w.host][w.log_config_path] == w.log_config
    ])
    error_message = "Each worker's host must hold its config at the command's third --config-path and the log config its worker_log_config names."
  }
}

run "secret_file_between_shared_and_worker_file" {
  command = plan

  assert {
    condition = alltrue([for n, w in output.workers :
      split(" ", w.command)[6] == output.secret_config_path &&
      output.files_by_host[w.host][output.secret_config_path] == "{}\n"
    ])
    error_message = "Every worker's second --config-path must be the secret config file, present on its host (an empty mapping: this homeserver_yaml holds no inline secret)."
  }
  assert {
    condition     = endswith(output.main.command, "--config-path ${output.secret_config_path}") && output.rollout.level == "none"
    error_message = "main loads the secret config file too, and a first deployment needs no restart."
  }
}

run "main_log_config_on_main_host_only" {
  command = plan

  assert {
    condition     = output.main.log_config_path == "/etc/matrix-synapse/log.yaml" && yamldecode(output.files_by_host["hs1"]["/etc/matrix-synapse/log.yaml"]).root.handlers == ["console"]
    error_message = "main's host must hold the log config homeserver_yaml's log_config names (a console logger by default)."
  }
  assert {
    condition     = !contains(keys(output.files_by_host["hs2"]), "/etc/matrix-synapse/log.yaml") && !contains(keys(output.files_by_host["edge"]), "/etc/matrix-synapse/log.yaml")
    error_message = "Only main's host gets main's log config."
  }
}

run "main_log_config_override" {
  command = plan

  variables {
    main_log_config = "version: 1\nroot: {level: WARNING}\n"
  }

  assert {
    condition     = output.files_by_host["hs1"]["/etc/matrix-synapse/log.yaml"] == "version: 1\nroot: {level: WARNING}\n"
    error_message = "main_log_config must be written as given."
  }
}

run "files_by_host_is_secret_free" {
  command = plan

  assert {
    condition     = alltrue([for h, files in output.files_by_host : !contains(keys(files), "/etc/matrix-synapse/replication.secret")])
    error_message = "The fleet never writes the replication secret file: the deploy modules do."
  }
  assert {
    condition     = output.replication_secret_path == "/etc/matrix-synapse/replication.secret"
    error_message = "The secret path is output for the deploy modules."
  }
}
