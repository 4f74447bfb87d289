package provider

// The v1 attributes of synapse_shared_config a 0.1.0 state already determines.

import (
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// fillSharedConfigV1 fills secret_config_keys (0.1.0's secret file held only an inline
// replication secret) and main_log_config_path; rollout stays null: 0.1.0 planned none, and the
// first change after the upgrade plans one.
func fillSharedConfigV1(state map[string]any) error {
	keys := []any{}
	if stateString(state, "secret_config_yaml") != "" {
		keys = append(keys, "worker_replication_secret")
	}
	state["secret_config_keys"] = keys
	state["main_log_config_path"] = nil
	if p := fleet.MainLogConfigPath(stateString(state, "homeserver_yaml")); p != "" {
		state["main_log_config_path"] = p
	}
	return nil
}
