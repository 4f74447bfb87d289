# Plan-level tests of the docker-host module. The kreuzwerker/docker provider is mocked (no
# Docker engine here), but it must be installed: scripts/test-modules.sh builds it from the Go
# module proxy into a filesystem mirror.

mock_provider "docker" {
  mock_resource "docker_image" {
    defaults = {
      image_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
    }
  }
  mock_resource "docker_network" {
    defaults = {
      id = "net-0123"
    }
  }
}

variables {
  host            = "hs1"
  synapse_version = "1.157.1"
  files = {
    "/etc/matrix-synapse/homeserver.yaml"                = "server_name: example.org\n"
    "/etc/matrix-synapse/workers/sync-1.yaml"            = "worker_name: sync-1\n"
    "/etc/matrix-synapse/workers/sync-1.log.config"      = "version: 1\n"
    "/etc/matrix-synapse/workers/persister-1.yaml"       = "worker_name: persister-1\n"
    "/etc/matrix-synapse/workers/persister-1.log.config" = "version: 1\n"
    "/etc/synapse-proxy/nginx.conf"                      = "events {}\nhttp {}\n"
  }
  workers = {
    sync-1 = {
      command         = "python -m synapse.app.generic_worker --config-path /etc/matrix-synapse/homeserver.yaml --config-path /etc/matrix-synapse/workers/sync-1.yaml"
      http_port       = 8100
      config_path     = "/etc/matrix-synapse/workers/sync-1.yaml"
      log_config_path = "/etc/matrix-synapse/workers/sync-1.log.config"
    }
    persister-1 = {
      command          = "python -m synapse.app.generic_worker --config-path /etc/matrix-synapse/homeserver.yaml --config-path /etc/matrix-synapse/workers/persister-1.yaml"
      http_port        = 8101
      replication_port = 9101
      config_path      = "/etc/matrix-synapse/workers/persister-1.yaml"
      log_config_path  = "/etc/matrix-synapse/workers/persister-1.log.config"
    }
  }
  redis = {}
  proxy = { kind = "nginx", config_path = "/etc/synapse-proxy/nginx.conf" }
}

run "one_container_per_worker_pinned_to_version" {
  command = plan

  assert {
    condition     = toset(keys(docker_container.synapse)) == toset(["sync-1", "persister-1"])
    error_message = "Expected one Synapse container per worker."
  }
  assert {
    condition     = docker_image.synapse.name == "matrixdotorg/synapse:v1.157.1"
    error_message = "The Synapse image must be pinned to v<synapse_version>."
  }
  assert {
    condition     = docker_container.synapse["sync-1"].entrypoint == tolist(["setpriv", "--reuid=991", "--regid=991", "--clear-groups", "--", "python", "-m", "synapse.app.generic_worker", "--config-path", "/etc/matrix-synapse/homeserver.yaml", "--config-path", "/etc/matrix-synapse/workers/sync-1.yaml"])
    error_message = "A worker container must run the worker's command."
  }
  assert {
    condition     = docker_container.synapse["sync-1"].name == "synapse-hs1-sync-1"
    error_message = "Container names are <prefix>-<host>-<worker>."
  }
}

run "uploads_exactly_the_worker_files" {
  command = plan

  assert {
    condition = toset([for u in docker_container.synapse["sync-1"].upload : u.file]) == toset([
      "/etc/matrix-synapse/homeserver.yaml",
      "/etc/matrix-synapse/workers/sync-1.yaml",
      "/etc/matrix-synapse/workers/sync-1.log.config",
    ])
    error_message = "sync-1 must get the shared config, its worker config and its log config, nothing else."
  }
  assert {
    condition     = alltrue([for u in docker_container.synapse["persister-1"].upload : u.content == var.files[u.file] && u.owner == "991" && u.permissions == "0640"])
    error_message = "Uploaded content must equal files[path], owned by the synapse uid."
  }
}

run "health_and_ports" {
  command = plan

  assert {
    condition     = docker_container.synapse["sync-1"].healthcheck[0].test == tolist(["CMD", "curl", "-fSs", "http://localhost:8100/health"])
    error_message = "The healthcheck must probe the worker's own /health on its HTTP port."
  }
  assert {
    condition     = toset([for p in docker_container.synapse["persister-1"].ports : p.external]) == toset([8101, 9101])
    error_message = "A stream writer publishes its HTTP and replication ports."
  }
  assert {
    condition     = [for p in docker_container.synapse["sync-1"].ports : p.external] == [8100]
    error_message = "A worker without replication publishes only its HTTP port."
  }
}

run "restart_trigger_tracks_file_contents" {
  command = plan

  assert {
    condition     = terraform_data.files["sync-1"].input["/etc/matrix-synapse/workers/sync-1.yaml"] == sha256("worker_name: sync-1\n")
    error_message = "The replace trigger must follow the content of the worker's files."
  }
}

run "redis_and_proxy_containers" {
  command = plan

  assert {
    condition     = length(docker_container.redis) == 1 && docker_container.redis[0].ports[0].external == 6379
    error_message = "redis = {} must run one Redis container on 6379."
  }
  assert {
    condition     = length(docker_container.proxy) == 1 && docker_image.proxy[0].name == "nginx:1.27-alpine"
    error_message = "proxy must run one nginx container."
  }
  assert {
    condition     = [for u in docker_container.proxy[0].upload : u.file] == ["/etc/synapse-proxy/nginx.conf"] && [for u in docker_container.proxy[0].upload : u.content] == ["events {}\nhttp {}\n"]
    error_message = "The proxy container must get the rendered config at the fleet's path."
  }
  assert {
    condition     = docker_container.proxy[0].entrypoint == tolist(["/bin/sh", "-c", "mkdir -p '/run/nginx' && exec nginx -c /etc/synapse-proxy/nginx.conf -g 'daemon off;'"])
    error_message = "The proxy container creates the config's runtime directory and runs nginx in the foreground on the uploaded file."
  }
}

run "no_optional_containers" {
  command = plan

  variables {
    redis = null
    proxy = null
    main = {
      command   = "python -m synapse.app.homeserver --config-path /etc/matrix-synapse/homeserver.yaml"
      http_port = 8008
    }
  }

  assert {
    condition     = length(docker_container.redis) == 0 && length(docker_container.proxy) == 0
    error_message = "No Redis or proxy container unless asked for."
  }
  assert {
    condition     = contains(keys(docker_container.synapse), "main") && [for u in docker_container.synapse["main"].upload : u.file] == ["/etc/matrix-synapse/homeserver.yaml"]
    error_message = "main runs here when given, with the shared config."
  }
}

run "rejects_short_version" {
  command = plan

  variables {
    synapse_version = "1.157"
  }
  expect_failures = [var.synapse_version]
}

run "rejects_proxy_file_missing" {
  command = plan

  variables {
    proxy = { kind = "haproxy", config_path = "/etc/haproxy/haproxy.cfg" }
  }
  expect_failures = [var.proxy]
}

run "replication_secret_uploaded_into_every_synapse_container" {
  command = plan

  variables {
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
    replication_secret      = "s3cret-value"
    main = {
      command         = "python -m synapse.app.homeserver --config-path /etc/matrix-synapse/homeserver.yaml"
      http_port       = 8008
      log_config_path = "/etc/matrix-synapse/workers/sync-1.log.config"
    }
  }

  assert {
    condition = alltrue([for n, c in docker_container.synapse :
      [for u in c.upload : u.permissions if u.file == "/etc/matrix-synapse/replication.secret" && u.content == "s3cret-value" && u.owner == "991"] == ["0600"]
    ]) && length(docker_container.synapse) == 3
    error_message = "Every Synapse container (workers and main) must get the secret at replication_secret_path, mode 0600, owned by run_as."
  }
  assert {
    condition     = length(docker_container.proxy[0].upload) == 1
    error_message = "The proxy container must not get the secret."
  }
  assert {
    condition     = contains(output.files_by_container["sync-1"], "/etc/matrix-synapse/replication.secret") && contains(output.files_by_container["main"], "/etc/matrix-synapse/workers/sync-1.log.config")
    error_message = "files_by_container lists the secret's path, and main's log config."
  }
  assert {
    condition     = terraform_data.files["sync-1"].input["/etc/matrix-synapse/replication.secret"] == sha256("s3cret-value")
    error_message = "A rotated secret must restart the containers (replace trigger)."
  }
}

run "no_secret_no_secret_upload" {
  command = plan

  variables {
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
  }

  assert {
    condition     = alltrue([for n, c in docker_container.synapse : !contains([for u in c.upload : u.file], "/etc/matrix-synapse/replication.secret")])
    error_message = "Without replication_secret nothing is uploaded at the secret path (the operator mounts it)."
  }
}

run "rejects_secret_without_path" {
  command = plan

  variables {
    replication_secret = "s3cret-value"
  }
  expect_failures = [var.replication_secret]
}

run "rejects_secret_path_among_files" {
  command = plan

  variables {
    replication_secret_path = "/etc/matrix-synapse/homeserver.yaml"
  }
  expect_failures = [var.replication_secret_path]
}

run "sensitive_files_are_uploaded_0600" {
  command = plan

  variables {
    files = {
      "/etc/matrix-synapse/homeserver.yaml"                = "server_name: example.org\n"
      "/etc/matrix-synapse/homeserver-secrets.yaml"        = sensitive("macaroon_secret_key: test-only\n")
      "/etc/matrix-synapse/workers/sync-1.yaml"            = "worker_name: sync-1\n"
      "/etc/matrix-synapse/workers/sync-1.log.config"      = "version: 1\n"
      "/etc/matrix-synapse/workers/persister-1.yaml"       = "worker_name: persister-1\n"
      "/etc/matrix-synapse/workers/persister-1.log.config" = "version: 1\n"
      "/etc/synapse-proxy/nginx.conf"                      = "events {}\nhttp {}\n"
    }
  }

  assert {
    condition = alltrue([for n in ["sync-1", "persister-1"] :
      contains([for u in docker_container.synapse[n].upload : u.file], "/etc/matrix-synapse/homeserver-secrets.yaml") &&
      alltrue([for u in docker_container.synapse[n].upload : u.permissions == (u.file == "/etc/matrix-synapse/homeserver-secrets.yaml" ? "0600" : "0640")])
    ])
    error_message = "The fleet's secret config file (a sensitive content) goes into every Synapse container with mode 0600; the other files stay 0640."
  }
}
