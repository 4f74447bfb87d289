# Plan-level tests of the cloud-init rendering. The module is pure HCL, so these run with no
# provider at all; the inputs mimic the fleet module's outputs for three hosts.

variables {
  main_host = "hs1"
  files_by_host = {
    hs1 = {
      "/etc/matrix-synapse/homeserver.yaml"                = "server_name: example.org\n"
      "/etc/matrix-synapse/workers/sync-1.yaml"            = "worker_name: sync-1\n"
      "/etc/matrix-synapse/workers/sync-1.log.config"      = "version: 1\n"
      "/etc/matrix-synapse/workers/persister-1.yaml"       = "worker_name: persister-1\n"
      "/etc/matrix-synapse/workers/persister-1.log.config" = "version: 1\n"
    }
    hs2 = {
      "/etc/matrix-synapse/homeserver.yaml"             = "server_name: example.org\n"
      "/etc/matrix-synapse/workers/client-1.yaml"       = "worker_name: client-1\n"
      "/etc/matrix-synapse/workers/client-1.log.config" = "version: 1\n"
    }
    edge = {
      "/etc/synapse-proxy/nginx.conf" = "events {}\nhttp {}\n"
    }
  }
  workers_by_host = {
    hs1  = ["sync-1", "persister-1"]
    hs2  = ["client-1"]
    edge = []
  }
  proxy = { kind = "nginx", host = "edge", config_path = "/etc/synapse-proxy/nginx.conf" }
}

run "renders_cloud_config_per_host" {
  command = plan

  assert {
    condition     = toset(keys(output.user_data)) == toset(["hs1", "hs2", "edge"])
    error_message = "Expected one user_data per host (hs1, hs2, edge)."
  }
  assert {
    condition     = alltrue([for h, ud in output.user_data : startswith(ud, "#cloud-config\n")])
    error_message = "Every user_data must start with the #cloud-config header line."
  }
  assert {
    condition     = alltrue([for h, ud in output.user_data : can(yamldecode(ud))])
    error_message = "Every user_data must parse as YAML."
  }
}

run "writes_every_host_file_with_owner_and_mode" {
  command = plan

  assert {
    condition = alltrue([for h, files in var.files_by_host :
      toset(keys(files)) == toset([for f in yamldecode(output.user_data[h]).write_files : f.path if !startswith(f.path, "/etc/systemd/")])
    ])
    error_message = "write_files must hold exactly the host's files (plus units)."
  }
  assert {
    condition = alltrue([for h, files in var.files_by_host : alltrue([
      for f in yamldecode(output.user_data[h]).write_files : f.content == files[f.path] if !startswith(f.path, "/etc/systemd/")
    ])])
    error_message = "write_files content must be the fleet's file content byte for byte."
  }
  assert {
    condition = alltrue([for f in yamldecode(output.user_data["hs1"]).write_files :
    f.owner == "matrix-synapse:matrix-synapse" && f.permissions == "0640" && f.defer if startswith(f.path, "/etc/matrix-synapse/")])
    error_message = "Synapse config files must be owned by matrix-synapse, mode 0640, deferred until the user exists."
  }
  assert {
    condition     = [for f in yamldecode(output.user_data["edge"]).write_files : f.owner if f.path == "/etc/synapse-proxy/nginx.conf"] == ["root:root"]
    error_message = "The proxy config must be owned by root."
  }
}

run "installs_systemd_with_workers_layout" {
  command = plan

  assert {
    condition = toset([for f in yamldecode(output.user_data["hs1"]).write_files : f.path if startswith(f.path, "/etc/systemd/")]) == toset([
      "/etc/systemd/system/matrix-synapse.target",
      "/etc/systemd/system/matrix-synapse.service",
      "/etc/systemd/system/matrix-synapse-worker@.service",
    ])
    error_message = "The main host needs the target, the main service and the worker template."
  }
  assert {
    condition = toset([for f in yamldecode(output.user_data["hs2"]).write_files : f.path if startswith(f.path, "/etc/systemd/")]) == toset([
      "/etc/systemd/system/matrix-synapse.target",
      "/etc/systemd/system/matrix-synapse-worker@.service",
    ])
    error_message = "A worker-only host needs the target and the worker template, not the main service."
  }
  assert {
    condition     = [for f in yamldecode(output.user_data["edge"]).write_files : f.path if startswith(f.path, "/etc/systemd/")] == ["/etc/systemd/system/synapse-proxy.service"]
    error_message = "The proxy-only host runs no Synapse unit, only synapse-proxy.service."
  }
  assert {
    condition     = strcontains(output.proxy_unit, "ExecStart=/usr/sbin/nginx -c /etc/synapse-proxy/nginx.conf -g 'daemon off;'") && strcontains(output.proxy_unit, "RuntimeDirectory=nginx")
    error_message = "synapse-proxy.service runs nginx in the foreground on the fleet's config, with its runtime directory."
  }
  assert {
    condition     = !strcontains(output.proxy_unit, "AssertPathExists")
    error_message = "A plain-HTTP proxy unit asserts no TLS files."
  }
  assert {
    condition     = strcontains(output.units["matrix-synapse-worker@.service"], "--config-path=/etc/matrix-synapse/workers/%i.yaml") && strcontains(output.units["matrix-synapse-worker@.service"], "PartOf=matrix-synapse.target")
    error_message = "The worker template must run <config_dir>/workers/%i.yaml and be part of matrix-synapse.target."
  }
  assert {
    condition     = strcontains(output.units["matrix-synapse.service"], "WantedBy=matrix-synapse.target") && strcontains(output.units["matrix-synapse.target"], "WantedBy=multi-user.target")
    error_message = "main is wanted by the target, and the target by multi-user.target."
  }
}

run "enables_and_starts_units" {
  command = plan

  assert {
    condition = yamldecode(output.user_data["hs1"]).runcmd == [
      ["install", "-d", "-o", "matrix-synapse", "-g", "matrix-synapse", "-m", "0750", "/var/lib/matrix-synapse"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "matrix-synapse.target"],
      ["systemctl", "enable", "matrix-synapse.service"],
      ["systemctl", "enable", "matrix-synapse-worker@persister-1.service"],
      ["systemctl", "enable", "matrix-synapse-worker@sync-1.service"],
      ["systemctl", "start", "matrix-synapse.target"],
    ]
    error_message = "hs1 must enable the target, main and both workers, then start the target."
  }
  assert {
    condition     = !contains(yamldecode(output.user_data["hs2"]).runcmd, ["systemctl", "enable", "matrix-synapse.service"])
    error_message = "A worker-only host must not enable main."
  }
  assert {
    condition = yamldecode(output.user_data["edge"]).runcmd == [
      ["systemctl", "daemon-reload"],
      ["systemctl", "disable", "--now", "nginx"],
      ["systemctl", "enable", "synapse-proxy.service"],
      ["systemctl", "restart", "synapse-proxy.service"],
    ] && yamldecode(output.user_data["edge"]).packages == ["nginx"]
    error_message = "The proxy host installs nginx, disables the distribution's service and runs synapse-proxy.service, and nothing else."
  }
}

run "rejects_unknown_proxy_kind" {
  command = plan

  variables {
    proxy = { kind = "traefik", host = "edge", config_path = "/etc/synapse-proxy/traefik.yml" }
  }
  expect_failures = [var.proxy]
}

run "rejects_main_host_not_in_files" {
  command = plan

  variables {
    main_host = "nope"
  }
  expect_failures = [var.main_host]
}

run "writes_replication_secret_on_every_synapse_host" {
  command = plan

  variables {
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
    replication_secret      = "s3cret-value"
  }

  assert {
    condition = alltrue([for h in ["hs1", "hs2"] :
      [for f in yamldecode(output.user_data[h]).write_files : "${f.owner} ${f.permissions} ${f.content}" if f.path == "/etc/matrix-synapse/replication.secret"] == ["matrix-synapse:matrix-synapse 0600 s3cret-value"]
    ])
    error_message = "Every host running Synapse must get the secret at replication_secret_path, mode 0600, owned by matrix-synapse."
  }
  assert {
    condition     = !contains([for f in yamldecode(output.user_data["edge"]).write_files : f.path], "/etc/matrix-synapse/replication.secret")
    error_message = "The proxy-only host runs no Synapse process and must not get the secret."
  }
}

run "no_secret_without_replication_secret" {
  command = plan

  variables {
    replication_secret_path = "/etc/matrix-synapse/replication.secret"
  }

  assert {
    condition     = alltrue([for h, ud in output.user_data : !contains([for f in yamldecode(ud).write_files : f.path], "/etc/matrix-synapse/replication.secret")])
    error_message = "Without replication_secret no secret file is written (the operator provisions it)."
  }
}

run "rejects_secret_without_path" {
  command = plan

  variables {
    replication_secret = "s3cret-value"
  }
  expect_failures = [var.replication_secret]
}

run "rejects_tls_certificate_without_key" {
  command = plan

  variables {
    proxy = { kind = "nginx", host = "edge", config_path = "/etc/synapse-proxy/nginx.conf", tls_certificate_path = "/etc/ssl/matrix/fullchain.pem" }
  }
  expect_failures = [var.proxy]
}

run "secret_config_file_is_0600_and_loaded" {
  command = plan

  variables {
    files_by_host = {
      hs1 = {
        "/etc/matrix-synapse/homeserver.yaml"                = "server_name: example.org\n"
        "/etc/matrix-synapse/homeserver-secrets.yaml"        = sensitive("macaroon_secret_key: test-only\n")
        "/etc/matrix-synapse/workers/sync-1.yaml"            = "worker_name: sync-1\n"
        "/etc/matrix-synapse/workers/sync-1.log.config"      = "version: 1\n"
        "/etc/matrix-synapse/workers/persister-1.yaml"       = "worker_name: persister-1\n"
        "/etc/matrix-synapse/workers/persister-1.log.config" = "version: 1\n"
      }
      hs2 = {
        "/etc/matrix-synapse/homeserver.yaml"             = "server_name: example.org\n"
        "/etc/matrix-synapse/homeserver-secrets.yaml"     = sensitive("macaroon_secret_key: test-only\n")
        "/etc/matrix-synapse/workers/client-1.yaml"       = "worker_name: client-1\n"
        "/etc/matrix-synapse/workers/client-1.log.config" = "version: 1\n"
      }
      edge = {
        "/etc/synapse-proxy/nginx.conf" = "events {}\nhttp {}\n"
      }
    }
  }

  assert {
    condition = alltrue([for h in ["hs1", "hs2"] : alltrue([for f in yamldecode(output.user_data[h]).write_files :
      f.permissions == "0600" if f.path == "/etc/matrix-synapse/homeserver-secrets.yaml"
    ]) && contains([for f in yamldecode(output.user_data[h]).write_files : f.path], "/etc/matrix-synapse/homeserver-secrets.yaml")])
    error_message = "The secret config file (a sensitive content) is written with mode 0600 on every Synapse host."
  }
  assert {
    condition = alltrue([for h in ["hs1", "hs2"] : alltrue([for f in yamldecode(output.user_data[h]).write_files :
      strcontains(f.content, "--config-path=/etc/matrix-synapse/homeserver.yaml --config-path=/etc/matrix-synapse/homeserver-secrets.yaml") if startswith(f.path, "/etc/systemd/system/matrix-synapse") && endswith(f.path, ".service")
    ])])
    error_message = "The Synapse units load the secret config file right after the shared one."
  }
}
