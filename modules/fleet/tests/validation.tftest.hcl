# Malformed input is rejected by the module's variable validation, before the provider runs.

variables {
  hosts = { hs1 = "10.0.0.10" }
  main  = { host = "hs1" }
  redis = { host = "hs1" }
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
