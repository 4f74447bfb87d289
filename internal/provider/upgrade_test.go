package provider

// The state of release 0.1.0 (schema version 0) must carry over to this release: testdata/
// upgrade-v0 holds a fleet as 0.1.0 took it (v0.1.0.tf), the terraform.tfstate the 0.1.0
// provider binary wrote for it (state-v0.1.0.json; regenerate it with that binary through a
// dev_overrides CLI config and `terraform apply`), and the same fleet as 0.2.0 takes it
// (main.tf). The current provider, built and driven through the real terraform CLI, must plan
// no change but the intended ones (upgradeChanges); after that apply the next plan is empty.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

func TestUpgradeStateFromV0(t *testing.T) {
	bin := buildProvider(t)
	dir := t.TempDir()
	for src, dst := range map[string]string{"main.tf": "main.tf", "terraform.tfstate": "terraform.tfstate"} {
		b, err := os.ReadFile(filepath.Join("testdata", "upgrade-v0", src))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, dst), string(b))
	}
	before := stateSchemaVersions(t, filepath.Join(dir, "terraform.tfstate"))
	for addr, v := range before {
		if v != 0 {
			t.Fatalf("testdata state: %s has schema_version %d, want 0 (the 0.1.0 state)", addr, v)
		}
	}
	tf := newTFRunner(t, bin, dir, filepath.Join(dir, "terraform.log"))
	plan := tf.run("plan", "-no-color", "-out=upgrade.plan")
	checkUpgradePlan(t, tf.run("show", "-json", "upgrade.plan"), 5)
	// An upgrade is no transition of the fleet: no warning (the dev_overrides notice aside).
	if strings.Count(plan, "Warning:") != strings.Count(plan, "Warning: Provider development overrides") {
		t.Errorf("the plan after the upgrade warns:\n%s", plan)
	}

	// Positive control: the upgraders really ran, and the intended changes settle: after the
	// apply, the state is at version 1 and the next plan is empty.
	tf.run("apply", "-no-color", "upgrade.plan")
	if again := tf.run("plan", "-no-color"); !strings.Contains(again, "No changes.") {
		t.Errorf("the plan after applying the upgrade is not empty:\n%s", again)
	}
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
	// The intended change applies, and then nothing changes any more.
	tf.run("apply", "-auto-approve", "-no-color")
	tf.run("plan", "-no-color", "-detailed-exitcode")
}

// upgradeChanges are the attributes a plan after the upgrade may change, per resource type,
// and why. Everything else must stay as 0.1.0 left it.
var upgradeChanges = map[string]map[string]string{
	// 0.2.0 reads each worker's metrics_port, listeners and extra_config (port clashes across
	// workers, enable_metrics) and config_digest (the rollout plan), which the 0.1.0 state of
	// the input does not hold.
	"synapse_shared_config": {"workers": "new listener facts and config_digest"},
	"synapse_worker":        catalogueChanges["synapse_worker"],
	// routes and pools are maps keyed by identity; the configurations lost their route
	// position comments ("# routes[3] ...") and Caddy's and nginx's positional matcher and map
	// names.
	"synapse_routing_table": withChanges(catalogueChanges["synapse_routing_table"], map[string]string{
		"routes": "keyed by route", "pools": "keyed by name",
		"nginx_config": "comments, map names", "nginx_http_snippet": "comments, map names", "haproxy_config": "comments", "haproxy_snippet": "comments",
		"caddy_config": "matcher names", "caddy_snippet": "matcher names", "apache_config": "comments", "apache_snippet": "comments"}),
}

// withChanges is the union of two allowed-change lists.
func withChanges(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if w, ok := out[k]; ok {
			v = w + "; " + v
		}
		out[k] = v
	}
	return out
}

// catalogueChanges are what the 0.2.0 catalogue renders differently for a fleet 0.1.0 rendered
// (issue 10): the routes Synapse serves on workers without documenting them (sliding sync to
// the sync workers, MAS, thread subscriptions, auth metadata, appservice ping) and /initialSync
// on initial_synchrotron workers. The endpoint lists of the workers that serve them and the
// routing table's routes and proxy configurations change; nothing else does.
var catalogueChanges = map[string]map[string]string{
	"synapse_worker": {"endpoints": "new routes"},
	"synapse_routing_table": {
		"routes": "new routes", "nginx_config": "new routes", "nginx_http_snippet": "new routes",
		"haproxy_config": "new routes", "haproxy_snippet": "new routes", "caddy_config": "new routes",
		"caddy_snippet": "new routes", "apache_config": "new routes", "apache_snippet": "new routes",
	},
}

func checkUpgradePlan(t *testing.T, planJSON string, resources int) {
	t.Helper()
	checkPlanChanges(t, planJSON, upgradeChanges, resources)
}

// checkPlanChanges checks that a plan (terraform show -json) has resources (when resources > 0)
// changes, each a no-op or an in-place update of allowed attributes only.
func checkPlanChanges(t *testing.T, planJSON string, allowed map[string]map[string]string, resources int) {
	t.Helper()
	plan := decodePlan(t, planJSON)
	managed := 0
	for _, rc := range plan.ResourceChanges {
		if rc.Type != "synapse_catalog" {
			managed++
		}
	}
	if resources > 0 && managed != resources {
		t.Fatalf("the plan has %d resource changes, want one per resource (%d)", managed, resources)
	}
	for _, rc := range plan.ResourceChanges {
		switch a := strings.Join(rc.Change.Actions, ","); a {
		case "no-op", "read":
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
			if _, ok := allowed[rc.Type][k]; !ok {
				t.Errorf("%s.%s changes after the upgrade:\n  before: %v\n  after:  %v", rc.Address, k, rc.Change.Before[k], after)
			}
		}
	}
}

// plannedChanges is the part of `terraform show -json PLAN` the upgrade tests read.
type plannedChanges struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Type    string `json:"type"`
		Mode    string `json:"mode"`
		Change  struct {
			Actions []string       `json:"actions"`
			Before  map[string]any `json:"before"`
			After   map[string]any `json:"after"`
		} `json:"change"`
	} `json:"resource_changes"`
}

// decodePlan parses `terraform show -json PLAN` output.
func decodePlan(t *testing.T, planJSON string) plannedChanges {
	t.Helper()
	var p plannedChanges
	if err := json.Unmarshal([]byte(planJSON), &p); err != nil {
		t.Fatal(err)
	}
	return p
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

const providerAddress = "registry.terraform.io/synapse-fleet/synapse"

// serveProvider runs this provider in-process for the real terraform binary and returns the
// TF_REATTACH_PROVIDERS value that points terraform at it (as terraform-plugin-testing does).
func serveProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	go func() {
		_ = tf6server.Serve(providerAddress, providerserver.NewProtocol6(New("test")()), tf6server.WithDebug(ctx, reattach, closed))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	b, err := json.Marshal(map[string]any{providerAddress: map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": true,
		"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// terraformIn runs terraform in dir against the in-process provider; it returns the combined
// output and the exit code.
func terraformIn(t *testing.T, dir, reattach string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("terraform", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "no.tfrc"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("terraform %v: %v", args, err)
	return "", -1
}

// TestStateUpgradeFromV010 plans state written by provider v0.1.0 (schema version 0,
// testdata/upgrade-v0.1.0/*/terraform.tfstate, applied from the main.tf beside it with the
// v0.1.0 binary) with this provider: the upgrade to schema version 1 must give every resource
// the release it was rendered for, and the unchanged configuration must plan no change.
func TestStateUpgradeFromV010(t *testing.T) {
	for scenario, want := range map[string]string{"default": "1.157", "v1146": "1.146"} {
		t.Run(scenario, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"main.tf", "terraform.tfstate"} {
				b, err := os.ReadFile(filepath.Join("testdata", "upgrade-v0.1.0", scenario, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "no.tfrc"), []byte("disable_checkpoint = true\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			reattach := serveProvider(t)
			if out, rc := terraformIn(t, dir, reattach, "init", "-input=false", "-no-color", "-backend=false"); rc != 0 {
				t.Fatalf("terraform init: exit %d\n%s", rc, out)
			}
			// The unchanged configuration plans no change after the state upgrade, but what the
			// 0.2.0 catalogue renders differently (catalogueChanges).
			out, rc := terraformIn(t, dir, reattach, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=plan")
			if rc != 0 && rc != 2 {
				t.Fatalf("the unchanged configuration must plan after the state upgrade (exit %d):\n%s", rc, out)
			}
			show, rc2 := terraformIn(t, dir, reattach, "show", "-json", "plan")
			if rc2 != 0 {
				t.Fatalf("terraform show: exit %d\n%s", rc2, show)
			}
			// The intended changes: each synapse_worker's new config_digest flows into the shared
			// config's `workers` (the rollout plan reads it), the new catalogue's routes, and the
			// routing table's keyed shapes (upgradeChanges); nothing else may change.
			if rc == 2 {
				checkPlanChanges(t, show, upgradeChanges, 0)
			}
			// No change but the intended ones (upgradeChanges: the routing table's new shapes).
			checkUpgradePlan(t, show, 8)
			var plan struct {
				PriorState struct {
					Values struct {
						RootModule struct {
							Resources []struct {
								Address       string         `json:"address"`
								Mode          string         `json:"mode"`
								SchemaVersion int            `json:"schema_version"`
								Values        map[string]any `json:"values"`
							} `json:"resources"`
						} `json:"root_module"`
					} `json:"values"`
				} `json:"prior_state"`
			}
			if err := json.Unmarshal([]byte(show), &plan); err != nil {
				t.Fatalf("terraform show -json: %v", err)
			}
			managed := 0
			for _, r := range plan.PriorState.Values.RootModule.Resources {
				if r.Mode != "managed" {
					continue
				}
				managed++
				if r.SchemaVersion != 1 {
					t.Errorf("%s: schema_version %d after the upgrade, want 1", r.Address, r.SchemaVersion)
				}
				if got := r.Values["synapse_version"]; got != want {
					t.Errorf("%s: synapse_version %v after the upgrade, want %q", r.Address, got, want)
				}
				for _, refs := range []string{"workers", "stream_writers"} {
					elems := map[string]any{}
					switch c := r.Values[refs].(type) {
					case map[string]any: // keyed by name and stream since 0.2.0
						elems = c
					default:
						if c != nil {
							t.Errorf("%s: %s after the upgrade is %T, want a map", r.Address, refs, c)
						}
					}
					for k, el := range elems {
						if v := el.(map[string]any)["synapse_version"]; v != want {
							t.Errorf("%s: %s[%s].synapse_version %v after the upgrade, want %q", r.Address, refs, k, v, want)
						}
					}
				}
			}
			if managed != 8 {
				t.Errorf("prior state has %d managed resources, want 8 (4 workers, 2 stream writers, shared config, routing table)", managed)
			}

			// Applying the plan stores the upgraded state. Then the intended change: another
			// release on the provider changes synapse_version (and only what that release renders
			// differently) on every resource.
			if out, rc := terraformIn(t, dir, reattach, "apply", "-input=false", "-no-color", "plan"); rc != 0 {
				t.Fatalf("terraform apply of the upgrade plan: exit %d\n%s", rc, out)
			}
			other := map[string]string{"1.157": "1.146", "1.146": "1.157"}[want]
			tf, err := os.ReadFile(filepath.Join(dir, "main.tf"))
			if err != nil {
				t.Fatal(err)
			}
			tf = regexp.MustCompile(`(?m)^provider "synapse" \{\n[^}]*\}`).ReplaceAll(tf, []byte("provider \"synapse\" {\n  synapse_version = \""+other+"\"\n}"))
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), tf, 0o600); err != nil {
				t.Fatal(err)
			}
			out, rc = terraformIn(t, dir, reattach, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=plan2")
			if rc != 2 {
				t.Fatalf("moving the provider to %s must plan changes (exit %d, want 2):\n%s", other, rc, out)
			}
			show, rc = terraformIn(t, dir, reattach, "show", "-json", "plan2")
			if rc != 0 {
				t.Fatalf("terraform show: exit %d\n%s", rc, show)
			}
			changes := decodePlan(t, show)
			updated := 0
			for _, rc := range changes.ResourceChanges {
				if rc.Mode != "managed" {
					continue
				}
				if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "update" ||
					rc.Change.Before["synapse_version"] != want || rc.Change.After["synapse_version"] != other {
					t.Errorf("%s: %v, synapse_version %v -> %v; want an in-place update %s -> %s", rc.Address, rc.Change.Actions,
						rc.Change.Before["synapse_version"], rc.Change.After["synapse_version"], want, other)
					continue
				}
				updated++
			}
			if updated != 8 {
				t.Errorf("moving the provider to %s updates %d resources, want 8", other, updated)
			}
		})
	}
}

// TestWorkersByName covers the list-to-map transform on its own: keyed by name, refused
// without a name or with a name twice, null left alone.
func TestWorkersByName(t *testing.T) {
	state := map[string]any{"workers": []any{map[string]any{"name": "b", "host": "h2"}, map[string]any{"name": "a"}}}
	if err := workersByName(state); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(state); string(got) != `{"workers":{"a":{"name":"a"},"b":{"host":"h2","name":"b"}}}` {
		t.Errorf("workersByName = %s", got)
	}
	for _, bad := range []any{[]any{map[string]any{"host": "h"}}, []any{map[string]any{"name": "a"}, map[string]any{"name": "a"}}} {
		if err := workersByName(map[string]any{"workers": bad}); err == nil {
			t.Errorf("workersByName(%v) accepted it", bad)
		}
	}
	null := map[string]any{"workers": nil}
	if err := workersByName(null); err != nil || null["workers"] != nil {
		t.Errorf("a null workers: %v, %v", null["workers"], err)
	}
	// stream_writers the same way, keyed by stream.
	sw := map[string]any{"stream_writers": []any{map[string]any{"stream": "typing", "writers": []any{"main"}}, map[string]any{"stream": "events"}}}
	if err := streamWritersByStream(sw); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(sw); string(got) != `{"stream_writers":{"events":{"stream":"events"},"typing":{"stream":"typing","writers":["main"]}}}` {
		t.Errorf("streamWritersByStream = %s", got)
	}
	if err := streamWritersByStream(map[string]any{"stream_writers": []any{map[string]any{"writers": []any{}}}}); err == nil {
		t.Error("streamWritersByStream accepted an element without a stream")
	}
	// The workers' empty lists and catalogue defaults become null, as synapse_worker's own;
	// anything else stays.
	r := &withCatalog{}
	w := map[string]any{"synapse_version": "1.157", "workers": map[string]any{
		"p1": map[string]any{"upstream": "", "http_resources": []any{}, "replication_bind_addresses": []any{"::"}},
		"s1": map[string]any{"roles": []any{"synchrotron"}, "upstream": "h:1", "http_resources": []any{"client"},
			"replication_bind_addresses": []any{"::", "0.0.0.0"}},
		"f1": map[string]any{"roles": []any{"federation_reader"}, "upstream": "h:2", "http_resources": []any{"client", "federation"}},
	}}
	if err := r.compactWorkerLists(w); err != nil {
		t.Fatal(err)
	}
	want := `{"synapse_version":"1.157","workers":{` +
		`"f1":{"http_resources":["client","federation"],"replication_bind_addresses":null,"roles":["federation_reader"],"upstream":"h:2"},` +
		`"p1":{"http_resources":null,"replication_bind_addresses":["::"],"upstream":""},` +
		`"s1":{"http_resources":null,"replication_bind_addresses":null,"roles":["synchrotron"],"upstream":"h:1"}}}`
	if got, _ := json.Marshal(w); string(got) != want {
		t.Errorf("compactWorkerLists =\n %s\nwant\n %s", got, want)
	}
	// A synapse_worker's own state the same way.
	ws := map[string]any{"synapse_version": "1.157", "roles": []any{"synchrotron"}, "upstream": "h:1", "http_resources": []any{"client"}}
	if err := r.compactWorkerLists(ws); err != nil || ws["http_resources"] != nil {
		t.Errorf("compactWorkerLists on a worker: http_resources %v, %v", ws["http_resources"], err)
	}
	if err := r.compactWorkerLists(map[string]any{"synapse_version": "0.1"}); err == nil {
		t.Error("compactWorkerLists accepted an unsupported synapse_version")
	}
}
