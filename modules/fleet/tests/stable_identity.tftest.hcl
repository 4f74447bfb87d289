# Stable identity (issue #8): adding, removing, renaming or resizing one pool never changes
# another worker's host, ports, instance_map entry or rendered files. Each run plans a changed
# fleet and compares every surviving worker of the unchanged pools with the base run, byte for
# byte (files_by_host entries).

variables {
  synapse_version         = "1.157"
  hosts                   = { hs1 = "10.0.0.10", hs2 = "10.0.0.11", hs3 = "10.0.0.12", edge = "10.0.0.5" }
  main                    = { host = "hs1" }
  preset                  = "specialized"
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  metrics                 = true
  proxy                   = { kind = "nginx", host = "edge", listen = { port = 8443 } }
  homeserver_yaml         = file("tests/homeserver.yaml")
}

run "base" {
  command = plan

  assert {
    condition     = length(output.workers) == 19
    error_message = "The base fleet is the specialized preset (19 workers)."
  }
}

# Every preset pool grows by two: no existing worker may move.
run "grow_every_preset_pool" {
  command = plan

  variables {
    workers = {
      sync   = { count = 6 }, initial-sync = { count = 3 }, federation-in = { count = 4 }, federation-reader = { count = 4 },
      client = { count = 4 }, event-creator = { count = 4 }, media = { count = 3 }, persister = { count = 4 },
      sender = { count = 4 }, pusher = { count = 3 }
    }
  }

  assert {
    condition     = length(output.workers) == 39
    error_message = "Every preset pool grew by two (19 + 20 workers)."
  }
  assert {
    condition = alltrue([for n, w in run.base.workers :
      try(output.workers[n].host == w.host && output.workers[n].http_port == w.http_port &&
        output.workers[n].replication_port == w.replication_port && output.workers[n].metrics_port == w.metrics_port &&
        output.files_by_host[w.host][w.config_path] == run.base.files_by_host[w.host][w.config_path] &&
      output.files_by_host[w.host][w.log_config_path] == run.base.files_by_host[w.host][w.log_config_path], false)
    ])
    error_message = "Growing the pools moved an existing worker or changed its files."
  }
  assert {
    condition     = alltrue([for k, e in run.base.instance_map : try(output.instance_map[k] == e, false)])
    error_message = "Growing the pools changed an existing instance_map entry."
  }
}

# Every preset pool shrinks by one (the one-worker pools disappear): the survivors stay.
run "shrink_every_preset_pool" {
  command = plan

  variables {
    workers = {
      sync   = { count = 3 }, initial-sync = { count = 0 }, federation-in = { count = 1 }, federation-reader = { count = 1 },
      client = { count = 1 }, event-creator = { count = 1 }, media = { count = 0 }, persister = { count = 1 },
      sender = { count = 1 }, pusher = { count = 0 }
    }
  }

  assert {
    condition     = length(output.workers) == 9
    error_message = "Every preset pool shrank by one (19 - 10 workers)."
  }
  assert {
    condition = alltrue([for n, w in output.workers :
      try(run.base.workers[n].host == w.host && run.base.workers[n].http_port == w.http_port &&
        run.base.workers[n].replication_port == w.replication_port &&
        output.files_by_host[w.host][w.config_path] == run.base.files_by_host[w.host][w.config_path] &&
      output.files_by_host[w.host][w.log_config_path] == run.base.files_by_host[w.host][w.log_config_path], false)
    ])
    error_message = "Shrinking the pools moved a surviving worker or changed its files."
  }
  assert {
    condition     = alltrue([for k, e in output.instance_map : try(run.base.instance_map[k] == e, false)])
    error_message = "Shrinking the pools changed a surviving instance_map entry."
  }
}

# A new writer pool (typing and receipts), a new pool beside the presets, then the same fleet
# with the writer pool removed and the other pool renamed.
run "add_writer_pool" {
  command = plan

  variables {
    workers = {
      stream-writer = { roles = [], streams = ["typing", "receipts"], count = 1 }
      heavy         = { roles = ["client_reader"], count = 2 }
    }
  }

  assert {
    condition     = output.stream_writers["typing"] == ["stream-writer-1"] && length(output.workers) == 22
    error_message = "The writer pool writes typing; the fleet has 19 + 3 workers."
  }
  assert {
    condition = alltrue([for n, w in run.base.workers :
      try(output.workers[n].host == w.host && output.workers[n].http_port == w.http_port &&
        output.files_by_host[w.host][w.config_path] == run.base.files_by_host[w.host][w.config_path] &&
      output.files_by_host[w.host][w.log_config_path] == run.base.files_by_host[w.host][w.log_config_path], false)
    ])
    error_message = "Adding pools moved an existing worker or changed its files."
  }
  assert {
    condition     = alltrue([for k, e in run.base.instance_map : try(output.instance_map[k] == e, false)])
    error_message = "Adding a writer pool changed an existing instance_map entry."
  }
}

run "remove_writer_pool_rename_pool" {
  command = plan

  variables {
    workers = {
      heavy-readers = { roles = ["client_reader"], count = 2 }
    }
  }

  assert {
    condition     = !contains(keys(output.stream_writers), "typing") && length(output.workers) == 21
    error_message = "The writer pool is gone and heavy is renamed heavy-readers (19 + 2 workers)."
  }
  assert {
    condition = alltrue([for n, w in run.add_writer_pool.workers :
      try(output.workers[n].host == w.host && output.workers[n].http_port == w.http_port &&
        output.workers[n].replication_port == w.replication_port &&
        output.files_by_host[w.host][w.config_path] == run.add_writer_pool.files_by_host[w.host][w.config_path] &&
      output.files_by_host[w.host][w.log_config_path] == run.add_writer_pool.files_by_host[w.host][w.log_config_path], false)
      if !contains(["stream-writer", "heavy"], w.pool)
    ])
    error_message = "Removing the writer pool or renaming another pool moved a worker of a third pool or changed its files."
  }
  assert {
    condition     = alltrue([for k, e in output.instance_map : try(run.add_writer_pool.instance_map[k] == e, false)])
    error_message = "Removing a writer pool changed another instance_map entry."
  }
}

# An adopted fleet keeps its names; a null entry frees a position without moving later names.
run "explicit_names_keep_positions" {
  command = plan

  variables {
    workers = {
      persister = { names = ["event_persister1", null, "event_persister3"] }
    }
  }

  assert {
    condition = (output.stream_writers["events"] == ["event_persister1", "event_persister3"] &&
      output.workers["event_persister3"].replication_port == run.base.workers["persister-2"].replication_port + 1 &&
    output.workers["event_persister1"].replication_port == run.base.workers["persister-1"].replication_port)
    error_message = "Named workers take their position's ports; the null entry keeps event_persister3 at position 2."
  }
}

run "oversized_pool_needs_its_own_ports" {
  command = plan

  variables {
    workers = { sync = { count = 21 } }
  }

  expect_failures = [synapse_shared_config.this]
}

run "duplicate_names_are_refused" {
  command = plan

  variables {
    workers = { extra = { roles = ["client_reader"], names = ["sync-1"] } }
  }

  expect_failures = [synapse_shared_config.this]
}
