package provider

// State upgrades. Schema version 1 of every resource is release 0.2.0; version 0 is 0.1.0. All
// schema changes of 0.2.0 share that one version: a change of this release extends the V0
// upgrader of its resource (one more stateTransform) instead of adding a version 2.
//
// v0 -> v1, on the JSON of the stored state:
//   - ports and redis.dbid became Number attributes (were Int64): the same JSON number;
//   - synapse_version (every resource, and the elements of the `workers` and `stream_writers`
//     lists): set to the provider's release, the one version 0 rendered for (setSynapseVersion,
//     setRefVersions), so an unchanged configuration plans no change;
//   - computed attributes added in v1 that a v0 state already determines are filled in, so an
//     unchanged configuration plans no change: synapse_worker's config_digest (fillWorkerV1),
//     synapse_shared_config's secret_config_keys and main_log_config_path (fillSharedConfigV1);
//   - other attributes added in v1 are absent from a v0 state: they read as null, and the next
//     plan computes them (ModifyPlan renders every computed attribute from the configuration);
//   - attributes removed in v1 are dropped (decoding ignores undefined attributes);
//   - the `workers` and `stream_writers` lists of the fleet-wide resources become maps keyed by
//     worker name and by stream (workersByName, streamWritersByStream);
//   - synapse_worker's config_dir, log_level and shared_config_path, computed in v0, are null
//     in v1 unless set: a stored default becomes null (fillWorkerV1);
//   - synapse_worker's http_resources and replication_bind_addresses are null in v1 when empty
//     or the catalogue's default (fleet.WorkerRef.Compact), and so in the fleet-wide resources'
//     copies (compactWorkerLists).
// A later change that needs more (a renamed attribute, a changed shape) adds a transform.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// stateTransform edits a version-0 state (its JSON object) into the current schema.
type stateTransform func(state map[string]any) error

// upgradeFromV0 is the version 0 -> 1 upgrader: the given transforms run in order on the
// prior state.
func upgradeFromV0(transforms ...stateTransform) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			if req.RawState == nil || len(req.RawState.JSON) == 0 {
				resp.Diagnostics.AddError("Unable To Upgrade State",
					"The prior state has no JSON form (state written by Terraform before 0.12?); this provider was never released for such a Terraform. This is a bug in the provider, please report it.")
				return
			}
			dec := json.NewDecoder(bytes.NewReader(req.RawState.JSON))
			dec.UseNumber() // ports and ids stay exact
			var state map[string]any
			if err := dec.Decode(&state); err != nil || state == nil {
				resp.Diagnostics.AddError("Unable To Upgrade State",
					fmt.Sprintf("The prior state does not parse as a JSON object (%v). This is a bug in the provider, please report it.", err))
				return
			}
			for _, t := range transforms {
				if err := t(state); err != nil {
					resp.Diagnostics.AddError("Unable To Upgrade State", fmt.Sprintf("%s. This is a bug in the provider, please report it.", err))
					return
				}
			}
			b, err := json.Marshal(state)
			if err != nil {
				resp.Diagnostics.AddError("Unable To Upgrade State", fmt.Sprintf("The upgraded state does not encode (%v). This is a bug in the provider, please report it.", err))
				return
			}
			// Decode by name with the current schema: new attributes read as null, removed ones are dropped.
			raw := tfprotov6.RawState{JSON: b}
			v, err := raw.UnmarshalWithOpts(resp.State.Schema.Type().TerraformType(ctx),
				tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
			if err != nil {
				resp.Diagnostics.AddError("Unable To Upgrade State",
					fmt.Sprintf("The state written by an earlier provider version does not decode with the current schema: %s. "+
						"This is a bug in the provider: please report it with the resource's state.", err))
				return
			}
			resp.State.Raw = v
		}},
	}
}

// setSynapseVersion gives a version-0 resource the release it was rendered for: version 0 had
// no per-resource synapse_version, so that was the provider's. With the computed attribute
// set to the same value, an unchanged configuration plans no change.
func (w *withCatalog) setSynapseVersion(state map[string]any) error {
	state["synapse_version"] = w.providerVersion()
	return nil
}

// setRefVersions does the same for the elements of reference lists (`workers`,
// `stream_writers`): the resources passed in were on the provider's release too, and they now
// pass their synapse_version along.
func (w *withCatalog) setRefVersions(attrs ...string) stateTransform {
	return func(state map[string]any) error {
		for _, a := range attrs {
			list, ok := state[a].([]any)
			if !ok {
				continue // null: nothing passed
			}
			for i, el := range list {
				obj, ok := el.(map[string]any)
				if !ok {
					if el == nil {
						continue
					}
					return fmt.Errorf("%s[%d] in the prior state is not an object", a, i)
				}
				obj["synapse_version"] = w.providerVersion()
			}
		}
		return nil
	}
}

// workersByName turns version 0's `workers` list into the map keyed by worker name of version
// 1 (run after setRefVersions, which edits the list's elements). An element with a name
// already taken, or with no name, is an error: the version-0 resources accepted neither.
func workersByName(state map[string]any) error { return listToMap(state, "workers", "name") }

// streamWritersByStream does the same for `stream_writers`, keyed by stream.
func streamWritersByStream(state map[string]any) error {
	return listToMap(state, "stream_writers", "stream")
}

// listToMap turns the list attribute attrName of a version-0 state into a map keyed by each
// element's keyField.
func listToMap(state map[string]any, attrName, keyField string) error {
	list, ok := state[attrName].([]any)
	if !ok {
		return nil // null: nothing passed
	}
	out := make(map[string]any, len(list))
	for i, el := range list {
		obj, _ := el.(map[string]any)
		key, _ := obj[keyField].(string)
		if key == "" {
			return fmt.Errorf("%s[%d] in the prior state has no %s", attrName, i, keyField)
		}
		if _, dup := out[key]; dup {
			return fmt.Errorf("two elements of %s in the prior state have %s %q", attrName, keyField, key)
		}
		out[key] = obj
	}
	state[attrName] = out
	return nil
}

// compactWorkerLists nulls the http_resources and replication_bind_addresses that version 1
// leaves null (fleet.WorkerRef.Compact): empty lists, the default resources of the worker's
// roles, and Synapse's default bind addresses. It edits a synapse_worker state itself, and
// each element of a fleet-wide resource's `workers` map (run after workersByName), which copy
// the worker's attributes, so an unchanged fleet plans no change. The release is the state's
// synapse_version (run after setSynapseVersion).
func (w *withCatalog) compactWorkerLists(state map[string]any) error {
	c, err := catalog.For(stateString(state, "synapse_version"))
	if err != nil {
		return fmt.Errorf("the upgraded state's synapse_version: %v", err)
	}
	compact := func(obj map[string]any) {
		strs := func(name string) []string {
			l, _ := obj[name].([]any)
			out := make([]string, 0, len(l))
			for _, v := range l {
				if s, ok := v.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		ref := fleet.WorkerRef{Roles: strs("roles"), Upstream: stateString(obj, "upstream"),
			HTTPResources: strs("http_resources"), ReplicationBindAddresses: strs("replication_bind_addresses")}
		ref = ref.Compact(c)
		if ref.HTTPResources == nil {
			obj["http_resources"] = nil
		}
		if ref.ReplicationBindAddresses == nil {
			obj["replication_bind_addresses"] = nil
		}
	}
	workers, isFleet := state["workers"].(map[string]any)
	if !isFleet {
		if _, isWorker := state["roles"]; isWorker {
			compact(state)
		}
		return nil
	}
	for _, el := range workers {
		if obj, ok := el.(map[string]any); ok {
			compact(obj)
		}
	}
	return nil
}

// dropComputed nulls computed attributes whose shape changed (version 0's `routes` and `pools`
// lists are maps in version 1): the next plan computes them again.
func dropComputed(attrs ...string) stateTransform {
	return func(state map[string]any) error {
		for _, a := range attrs {
			delete(state, a)
		}
		return nil
	}
}

// stateString reads a string attribute of a decoded JSON state ("" when absent or null).
func stateString(state map[string]any, name string) string {
	s, _ := state[name].(string)
	return s
}
