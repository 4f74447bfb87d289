# Malformed input is rejected by the module's variable validation, before the provider runs.

variables {
  homeserver_yaml = file("tests/homeserver.yaml")
  hosts           = { hs1 = "10.0.0.10" }
  main            = { host = "hs1" }
  redis           = { host = "hs1" }
  # The provider refuses replication listeners on non-loopback addresses without a secret.
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
}

run "unknown_preset" {
  command = plan
  variables {
    preset = "huge"
  }
  expect_failures = [var.preset]
}

run "negative_count" {
  command = plan
  variables {
    workers = { sync = { roles = ["synchrotron"], count = -1 } }
  }
  expect_failures = [var.workers]
}

run "unknown_host_in_pool" {
  command = plan
  variables {
    workers = { sync = { roles = ["synchrotron"], hosts = ["hs1", "hs9"] } }
  }
  expect_failures = [var.workers]
}

run "bad_pool_name" {
  command = plan
  variables {
    workers = { Sync_Pool = { roles = ["synchrotron"] } }
  }
  expect_failures = [var.workers]
}

run "unknown_proxy_kind" {
  command = plan
  variables {
    proxy = { kind = "traefik", host = "hs1" }
  }
  expect_failures = [var.proxy]
}

run "proxy_host_not_in_hosts" {
  command = plan
  variables {
    proxy = { kind = "nginx", host = "edge" }
  }
  expect_failures = [var.proxy]
}

run "main_host_not_in_hosts" {
  command = plan
  variables {
    main = { host = "nowhere" }
  }
  expect_failures = [var.main]
}

run "port_collision_is_a_plan_error" {
  command = plan
  variables {
    workers = { sync = { roles = ["synchrotron"], count = 2, overrides = { workers = { sync-2 = { http_port = 8008 } } } } }
  }
  expect_failures = [synapse_shared_config.this]
}

run "override_for_missing_worker" {
  command = plan
  variables {
    workers = { sync = { roles = ["synchrotron"], count = 2, overrides = { workers = { sync-3 = { log_level = "DEBUG" } } } } }
  }
  expect_failures = [synapse_shared_config.this]
}

run "redis_host_neither_hosts_key_nor_address" {
  command = plan
  variables {
    redis = { host = "hs9" }
  }
  expect_failures = [var.redis]
}

run "redis_host_address_or_fqdn_accepted" {
  command = plan
  variables {
    redis = { host = "redis.internal.example.org" }
  }
  assert {
    condition     = strcontains(output.shared_config_yaml, "host: redis.internal.example.org")
    error_message = "A fully qualified Redis host name is passed on as it is."
  }
}

run "no_homeserver_yaml_warns" {
  command = plan
  variables {
    homeserver_yaml = null
  }
  expect_failures = [check.homeserver_yaml]
}

run "metrics_with_enable_metrics_false_is_refused" {
  command = plan
  variables {
    metrics         = true
    homeserver_yaml = "server_name: example.org\nenable_metrics: false\n"
  }
  expect_failures = [synapse_shared_config.this]
}
