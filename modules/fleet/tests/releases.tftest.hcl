# One configuration, several fleets on different Synapse releases (issue #13): the module has no
# provider block, so it takes for_each and count, and a provider passed in with `providers`.

run "two_fleets_two_releases" {
  command = plan

  module {
    source = "./tests/multi"
  }

  variables {
    fleets = {
      blue  = { release = "1.146", address = "10.0.1.1" }
      green = { release = "1.157.1", address = "10.0.2.1" }
    }
  }

  assert {
    condition     = output.releases == { blue = "1.146", green = "1.157.1" }
    error_message = "Each fleet instance runs the release it was given."
  }
  assert {
    # quarantined_media_changes exists from 1.152: only green's media worker writes it.
    condition     = output.streams == { blue = ["events"], green = ["events", "quarantined_media_changes"] }
    error_message = "Each fleet follows its own release's catalogue (streams)."
  }
  assert {
    condition     = output.counted_release == "1.146" && output.counted_streams == ["events"]
    error_message = "A fleet without synapse_version takes the release of the provider passed in (count + providers)."
  }
}

# Moving one fleet to the other release changes only that fleet.
run "move_one_fleet" {
  command = plan

  module {
    source = "./tests/multi"
  }

  variables {
    fleets = {
      blue  = { release = "1.157", address = "10.0.1.1" }
      green = { release = "1.157.1", address = "10.0.2.1" }
    }
  }

  assert {
    condition     = output.releases == { blue = "1.157", green = "1.157.1" } && output.streams["blue"] == ["events", "quarantined_media_changes"]
    error_message = "blue moved to 1.157."
  }
  assert {
    condition     = output.media_config["green"] == run.two_fleets_two_releases.media_config["green"]
    error_message = "Moving blue must not change green."
  }
}
