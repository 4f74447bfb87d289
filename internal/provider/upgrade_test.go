package provider

// The state of release 0.1.0 (schema version 0) must carry over to this release: testdata/
// upgrade-v0 holds a fleet and the terraform.tfstate the 0.1.0 provider binary wrote for it
// (regenerate it with that binary through a dev_overrides CLI config and `terraform apply`).
// The current provider, built and driven through the real terraform CLI, must plan no change
// but the intended ones (upgradeChanges).

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestUpgradeStateFromV0(t *testing.T) {
	bin := buildProvider(t)
	dir := t.TempDir()
	for _, f := range []string{"main.tf", "terraform.tfstate"} {
		b, err := os.ReadFile(filepath.Join("testdata", "upgrade-v0", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(b))
	}
	before := stateSchemaVersions(t, filepath.Join(dir, "terraform.tfstate"))
	for addr, v := range before {
		if v != 0 {
			t.Fatalf("testdata state: %s has schema_version %d, want 0 (the 0.1.0 state)", addr, v)
		}
	}
	tf := newTFRunner(t, bin, dir, filepath.Join(dir, "terraform.log"))
	tf.run("plan", "-no-color", "-out=upgrade.plan")
	checkUpgradePlan(t, tf.run("show", "-json", "upgrade.plan"))

	// Positive control: the upgraders really ran. A refresh-only apply writes the upgraded state.
	tf.run("apply", "-refresh-only", "-auto-approve", "-no-color")
	after := stateSchemaVersions(t, filepath.Join(dir, "terraform.tfstate"))
	want := map[string]int{
		"synapse_worker.sync1": 1, "synapse_worker.persister1": 1, "synapse_stream_writer.events": 0,
		"synapse_shared_config.fleet": 1, "synapse_routing_table.edge": 1,
	}
	for addr, v := range want {
		if got, ok := after[addr]; !ok || got < v {
			t.Errorf("after the upgrade, %s has schema_version %d (present: %v), want at least %d", addr, got, ok, v)
		}
	}
}

// upgradeChanges are the attributes a plan after the upgrade may change, per resource type,
// and why. Everything else must stay as 0.1.0 left it.
var upgradeChanges = map[string]map[string]string{
	// 0.2.0 reads each worker's metrics_port, listeners and extra_config (port clashes across
	// workers, enable_metrics), which the 0.1.0 state of the input does not hold.
	"synapse_shared_config": {"workers": "new listener facts"},
}

func checkUpgradePlan(t *testing.T, planJSON string) {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Change  struct {
				Actions []string       `json:"actions"`
				Before  map[string]any `json:"before"`
				After   map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.ResourceChanges) != 5 {
		t.Fatalf("the plan has %d resource changes, want one per resource (5)", len(plan.ResourceChanges))
	}
	for _, rc := range plan.ResourceChanges {
		switch a := strings.Join(rc.Change.Actions, ","); a {
		case "no-op":
			continue
		case "update":
		default:
			t.Errorf("%s: planned %s after the upgrade; only no-op or an in-place update is acceptable", rc.Address, a)
			continue
		}
		for k, after := range rc.Change.After {
			if reflect.DeepEqual(rc.Change.Before[k], after) {
				continue
			}
			if _, ok := upgradeChanges[rc.Type][k]; !ok {
				t.Errorf("%s.%s changes after the upgrade:\n  before: %v\n  after:  %v", rc.Address, k, rc.Change.Before[k], after)
			}
		}
	}
}

// stateSchemaVersions maps each resource address of a state file to its schema_version.
func stateSchemaVersions(t *testing.T, file string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				SchemaVersion int `json:"schema_version"`
			}
		}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range st.Resources {
		for _, i := range r.Instances {
			out[r.Type+"."+r.Name] = i.SchemaVersion
		}
	}
	return out
}
