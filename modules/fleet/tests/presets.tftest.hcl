# Plan-level tests of the fleet module against the real synapse provider (dev_overrides, see
# scripts/test-modules.sh). Every value asserted here is known at plan time.

variables {
  homeserver_yaml = file("tests/homeserver.yaml")
  synapse_version = "1.157"
  hosts           = { hs1 = "10.0.0.10", hs2 = "10.0.0.11" }
  main            = { host = "hs1" }
  redis           = { host = "hs1" }
  # The provider refuses replication listeners on non-loopback addresses without a secret.
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
}

run "small_preset_one_worker_of_each_kind" {
  command = plan

  variables {
    preset = "small"
  }

  assert {
    condition = { for n, w in output.workers : w.pool => n... } == {
      client            = ["client-1"]
      event-creator     = ["event-creator-1"]
      federation-in     = ["federation-in-1"]
      federation-reader = ["federation-reader-1"]
      media             = ["media-1"]
      persister         = ["persister-1"]
      pusher            = ["pusher-1"]
      sender            = ["sender-1"]
      sync              = ["sync-1"]
    }
    error_message = "small must give exactly one worker of each of the 9 kinds."
  }
  assert {
    condition     = output.workers["sync-1"].roles == tolist(["synchrotron"]) && length(output.workers["persister-1"].roles) == 0
    error_message = "small: sync-1 is a synchrotron and persister-1 a pure stream writer."
  }
  assert {
    condition     = output.stream_writers == { events = ["persister-1"], quarantined_media_changes = ["main", "media-1"] }
    error_message = "small: persister-1 writes events; since 1.152 media-1 writes quarantined_media_changes, after main (Synapse 1.152-1.157 need main among its writers)."
  }
}

run "specialized_preset_documented_counts" {
  command = plan

  variables {
    preset = "specialized"
  }

  assert {
    condition = { for p, ns in { for n, w in output.workers : w.pool => n... } : p => length(ns) } == {
      sync          = 4, initial-sync = 1, federation-in = 2, federation-reader = 2, client = 2,
      event-creator = 2, media = 1, persister = 2, sender = 2, pusher = 1
    }
    error_message = "specialized must have the counts documented in the README."
  }
  assert {
    condition = { for p, rs in { for n, w in output.workers : w.pool => join("+", w.roles)... } : p => join(",", distinct(rs)) } == {
      sync              = "synchrotron", initial-sync = "initial_synchrotron", federation-in = "federation_inbound",
      federation-reader = "federation_reader", client = "client_reader", event-creator = "event_creator",
      media             = "media_repository", persister = "", sender = "federation_sender", pusher = "pusher"
    }
    error_message = "specialized pools must carry the documented roles."
  }
  assert {
    condition     = length(output.workers_by_host["hs1"]) + length(output.workers_by_host["hs2"]) == 19 && abs(length(output.workers_by_host["hs1"]) - length(output.workers_by_host["hs2"])) <= 1
    error_message = "Pools without placement spread round-robin over both hosts (19 workers: 10 and 9)."
  }
  assert {
    condition     = output.stream_writers["events"] == ["persister-1", "persister-2"]
    error_message = "The persister pool writes the events stream."
  }
}

run "workers_map_extends_and_overrides_preset" {
  command = plan

  variables {
    preset = "small"
    workers = {
      sync    = { count = 3, host = "hs2" }
      pusher  = { count = 0 }
      readers = { roles = ["client_reader", "federation_reader"], count = 2, hosts = ["hs1"] }
    }
  }

  assert {
    condition     = [for n in ["sync-1", "sync-2", "sync-3"] : output.workers[n].host] == ["hs2", "hs2", "hs2"] && !contains(keys(output.workers), "sync-4")
    error_message = "sync overrides the preset count (3) and placement (hs2)."
  }
  assert {
    condition     = output.workers["sync-2"].roles == tolist(["synchrotron"])
    error_message = "An override that does not set roles keeps the preset's roles."
  }
  assert {
    condition     = !contains(keys(output.workers), "pusher-1")
    error_message = "count = 0 removes a preset pool."
  }
  assert {
    condition     = toset(output.workers["readers-2"].roles) == toset(["client_reader", "federation_reader"]) && output.workers["readers-2"].host == "hs1"
    error_message = "A new pool key extends the preset, with combined roles."
  }
}

run "older_version_has_no_quarantine_stream" {
  command = plan

  variables {
    synapse_version = "1.146"
    preset          = "small"
  }

  assert {
    condition     = output.stream_writers == { events = ["persister-1"] }
    error_message = "Before 1.152 the media worker writes no stream."
  }
  assert {
    condition     = output.workers["media-1"].replication_port == null
    error_message = "A media worker that writes no stream needs no replication listener."
  }
}
