package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/adopt"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// copyFleet copies internal/fleet/testdata/adopt/<name> into a temporary directory (the import
// IDs name absolute paths) and returns it.
func copyFleet(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "fleet", "testdata", "adopt", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	if name == "docker-generator" {
		// As generated, its replication listeners bind every interface with no secret, which the
		// provider refuses; the adoption guide's first step is this one line.
		f, err := os.OpenFile(filepath.Join(dst, "shared.yaml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("worker_replication_secret_path: /conf/workers/replication.secret\n"); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// sensitiveHomeserver is the line `plan -generate-config-out` writes for the sensitive
// homeserver_yaml of synapse_shared_config.
var sensitiveHomeserver = regexp.MustCompile(`(?m)^(\s*homeserver_yaml\s*=\s*)null\s*# sensitive\s*$`)

// strconvQuote is an HCL string literal for a path (no template sequences in test paths).
func strconvQuote(s string) string { return strconv.Quote(s) }

// noSecrets fails the test when text shows a secret of the fixture fleets (all of them are
// test values holding "test-secret" or "test-password").
func noSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{"test-secret", "test-password"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows a secret (%s):\n%s", what, secret, text)
		}
	}
}

// tfState is the part of `terraform show -json` the import tests read.
type tfState struct {
	Values struct {
		RootModule struct {
			Resources []struct {
				Address string         `json:"address"`
				Values  map[string]any `json:"values"`
			} `json:"resources"`
		} `json:"root_module"`
	} `json:"values"`
}

// TestImportGeneratesConfigWithEmptyPlan imports a whole existing fleet with `import {}`
// blocks through the real terraform CLI: `plan -generate-config-out` writes HCL, which applies
// and then plans with no changes; every rendered worker file and the merged shared config
// equal their originals after YAML parsing.
func TestImportGeneratesConfigWithEmptyPlan(t *testing.T) {
	bin := buildProvider(t)
	for _, tc := range []struct {
		fleet, shared, workers, version, fleetOpts string
		roles                                      map[string]string
	}{
		{fleet: "hand-written", shared: "homeserver.yaml", version: catalog.Latest(), fleetOpts: "?roles.sync=synchrotron", roles: map[string]string{"sync": "synchrotron"}},
		// Worker files next to homeserver.yaml, one container per process named after it.
		{fleet: "ansible-shaped", shared: "homeserver.yaml", workers: ".", version: catalog.Latest(), fleetOpts: "?workers=."},
		// The generator's output predates Synapse 1.152: every import ID names synapse_version 1.146.
		{fleet: "docker-generator", shared: "shared.yaml", version: "1.146",
			fleetOpts: "?synapse_version=1.146&worker_types=" + strings.ReplaceAll("event_persister:2,background_worker,event_creator,user_dir,media_repository,federation_inbound,federation_reader,"+
				"federation_sender,synchrotron,client_reader,appservice,pusher,device_lists:2,stream_writers=account_data+presence+receipts+to_device+typing", "+", "%2B")},
	} {
		t.Run(tc.fleet, func(t *testing.T) {
			versionOpt := ""
			if tc.version != catalog.Latest() {
				versionOpt = "&synapse_version=" + tc.version
			}
			dir := copyFleet(t, tc.fleet)
			shared := filepath.Join(dir, tc.shared)
			workers := ""
			if tc.workers != "" {
				workers = filepath.Join(dir, tc.workers)
			}
			tc.fleetOpts = strings.Replace(tc.fleetOpts, "workers=.", "workers="+workers, 1)
			work := t.TempDir()
			in, err := adopt.ReadFleetFiles(shared, workers)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "terraform {\n  required_providers {\n    synapse = { source = \"synapse-fleet/synapse\" }\n  }\n}\n\nprovider \"synapse\" {\n  synapse_version = %q\n}\n", tc.version)
			originals := map[string]string{}
			for p, src := range in.WorkerFiles {
				wf, _ := fleet.ParseWorkerFile(catalog.MustFor(tc.version), p, src)
				addr := "synapse_worker." + strings.ReplaceAll(wf.Name, "-", "_")
				originals[addr] = src
				id := p + "?shared_config_path=" + shared + versionOpt
				if r, ok := tc.roles[wf.Name]; ok {
					id += "&roles=" + r
				}
				fmt.Fprintf(&b, "\nimport {\n  to = %s\n  id = %q\n}\n", addr, id)
			}
			fmt.Fprintf(&b, "\nimport {\n  to = synapse_stream_writer.events\n  id = %q\n}\n", shared+"?stream=events"+versionOpt)
			fmt.Fprintf(&b, "\nimport {\n  to = synapse_shared_config.fleet\n  id = %q\n}\n", shared+tc.fleetOpts)
			fmt.Fprintf(&b, "\nimport {\n  to = synapse_routing_table.fleet\n  id = %q\n}\n", shared+tc.fleetOpts)
			writeFile(t, filepath.Join(work, "main.tf"), b.String())

			tf := newTFRunner(t, bin, work, filepath.Join(work, "terraform.log"))
			// This plan may fail: with homeserver_yaml null, a fleet whose replication secret is
			// inline in homeserver.yaml has none. Terraform writes generated.tf either way.
			gencmd := exec.Command("terraform", "plan", "-no-color", "-generate-config-out=generated.tf")
			gencmd.Dir, gencmd.Env = tf.dir, tf.env
			genOut, _ := gencmd.CombinedOutput()
			noSecrets(t, "the generating plan", string(genOut))
			// Terraform writes a sensitive attribute as null: the guide's one edit reads the
			// original homeserver.yaml with file() instead.
			gen, err := os.ReadFile(filepath.Join(work, "generated.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if !sensitiveHomeserver.Match(gen) {
				t.Fatalf("generated.tf has no sensitive homeserver_yaml line to replace:\n%s", gen)
			}
			gen = sensitiveHomeserver.ReplaceAll(gen, []byte("${1}file("+strconvQuote(shared)+")"))
			writeFile(t, filepath.Join(work, "generated.tf"), string(gen))
			out := tf.run("plan", "-no-color")
			noSecrets(t, "generated.tf", string(gen))
			noSecrets(t, "the plan", out)
			want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(in.WorkerFiles)+3)
			if !strings.Contains(out, want) {
				t.Fatalf("plan with generated config: want %q:\n%s", want, out)
			}
			tf.run("apply", "-no-color", "-auto-approve")
			if out := tf.run("plan", "-no-color", "-detailed-exitcode"); !strings.Contains(out, "No changes.") {
				t.Fatalf("second plan is not empty:\n%s", out)
			}
			var st tfState
			if err := json.Unmarshal([]byte(tf.run("show", "-json")), &st); err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, r := range st.Values.RootModule.Resources {
				switch {
				case strings.HasPrefix(r.Address, "synapse_worker."):
					seen++
					if d := fleet.Differences(originals[r.Address], r.Values["config_yaml"].(string), nil); len(d) > 0 {
						t.Errorf("%s: config_yaml differs from the original at %v:\n%s", r.Address, d, r.Values["config_yaml"])
					}
				case r.Address == "synapse_shared_config.fleet":
					seen++
					if d := fleet.LoadedDifferences(in.HomeserverSrc, fleet.DutyDefaults(catalog.MustFor(tc.version)),
						r.Values["merged_yaml"].(string), r.Values["secret_config_yaml"].(string)); len(d) > 0 {
						t.Errorf("merged_yaml with secret_config_yaml differs from %s at %v", tc.shared, d)
					}
				}
			}
			if seen != len(in.WorkerFiles)+1 {
				t.Errorf("state holds %d of the %d imported workers and shared config", seen, len(in.WorkerFiles)+1)
			}
		})
	}
}

// TestImportErrors: a bad import ID is refused with the form to use.
func TestImportErrors(t *testing.T) {
	dir := copyFleet(t, "hand-written")
	missing := filepath.Join(dir, "workers", "nope.yaml")
	for _, tc := range []struct{ typ, id, want string }{
		{"synapse_worker", missing, `Cannot Read Import File`},
		{"synapse_worker", filepath.Join(dir, "workers", "sync.yaml") + "?colour=blue", `option "colour" is not one of`},
		{"synapse_worker", filepath.Join(dir, "homeserver.yaml"), `has no worker_name`},
		{"synapse_stream_writer", filepath.Join(dir, "homeserver.yaml"), `names no stream`},
		{"synapse_stream_writer", filepath.Join(dir, "homeserver.yaml") + "?stream=receipts", `no stream_writers entry for "receipts"`},
		{"synapse_shared_config", filepath.Join(dir, "homeserver.yaml") + "?workers=" + missing, `worker directory .* cannot be read`},
	} {
		t.Run(tc.typ+" "+filepath.Base(tc.id), func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config:        fmt.Sprintf("resource %q \"x\" {\n}\n", tc.typ),
					ResourceName:  tc.typ + ".x",
					ImportState:   true,
					ImportStateId: tc.id,
					// Terraform wraps long lines: any white space matches a space.
					ExpectError: regexp.MustCompile("(?s)" + strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
		})
	}
}

// TestAdoptCommandPlansWithNoChanges runs `adopt` (the provider binary's CLI mode) on both
// fixture fleets, applies the HCL it writes with the real terraform CLI, plans again (empty)
// and compares every rendered file with its original after YAML parsing.
func TestAdoptCommandPlansWithNoChanges(t *testing.T) {
	bin := buildProvider(t)
	for _, tc := range []struct {
		fleet, shared, workers, version string
		args                            []string
	}{
		{fleet: "hand-written", shared: "homeserver.yaml", version: catalog.Latest(), args: []string{"--role", "sync=synchrotron"}},
		{fleet: "ansible-shaped", shared: "homeserver.yaml", workers: ".", version: catalog.Latest()},
		{fleet: "docker-generator", shared: "shared.yaml", version: "1.146"},
	} {
		t.Run(tc.fleet, func(t *testing.T) {
			dir := copyFleet(t, tc.fleet)
			shared := filepath.Join(dir, tc.shared)
			args := append([]string{"--homeserver", shared, "--synapse-version", tc.version}, tc.args...)
			workers := ""
			if tc.workers != "" {
				workers = filepath.Join(dir, tc.workers)
				args = append(args, "--workers", workers)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "worker_types.txt")); err == nil {
				args = append(args, "--worker-types", string(b))
			}
			var out, errOut bytes.Buffer
			if code := adopt.Main(args, &out, &errOut); code != 0 {
				t.Fatalf("adopt exited %d:\n%s", code, errOut.String())
			}
			if strings.Contains(errOut.String(), "differs from the original") {
				t.Errorf("adopt reports a difference:\n%s", errOut.String())
			}
			work := t.TempDir()
			writeFile(t, filepath.Join(work, "main.tf"), out.String())
			tf := newTFRunner(t, bin, work, filepath.Join(work, "terraform.log"))
			in, err := adopt.ReadFleetFiles(shared, workers)
			if err != nil {
				t.Fatal(err)
			}
			noSecrets(t, "the adopted HCL", out.String())
			// The import blocks adopt writes: the first plan imports every resource and changes nothing.
			streams := strings.Count(out.String(), "resource \"synapse_stream_writer\"")
			want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(in.WorkerFiles)+streams+2)
			plan := tf.run("plan", "-no-color")
			if !strings.Contains(plan, want) {
				t.Fatalf("first plan of the adopted fleet: want %q:\n%s", want, plan)
			}
			noSecrets(t, "the plan", plan)
			tf.run("apply", "-no-color", "-auto-approve")
			if plan := tf.run("plan", "-no-color", "-detailed-exitcode"); !strings.Contains(plan, "No changes.") {
				t.Fatalf("plan after apply is not empty:\n%s", plan)
			}
			byName := map[string]string{}
			for p, src := range in.WorkerFiles {
				wf, _ := fleet.ParseWorkerFile(catalog.MustFor(tc.version), p, src)
				byName[wf.Name] = src
			}
			var st tfState
			if err := json.Unmarshal([]byte(tf.run("show", "-json")), &st); err != nil {
				t.Fatal(err)
			}
			nWorkers := 0
			for _, r := range st.Values.RootModule.Resources {
				switch {
				case strings.HasPrefix(r.Address, "synapse_worker."):
					nWorkers++
					name, _ := r.Values["name"].(string)
					if d := fleet.Differences(byName[name], r.Values["config_yaml"].(string), nil); len(d) > 0 || byName[name] == "" {
						t.Errorf("%s: config_yaml differs from the original at %v", r.Address, d)
					}
				case r.Address == "synapse_shared_config.fleet":
					if d := fleet.LoadedDifferences(in.HomeserverSrc, fleet.DutyDefaults(catalog.MustFor(tc.version)),
						r.Values["merged_yaml"].(string), r.Values["secret_config_yaml"].(string)); len(d) > 0 {
						t.Errorf("merged_yaml with secret_config_yaml differs from %s at %v", tc.shared, d)
					}
				}
			}
			if nWorkers != len(in.WorkerFiles) {
				t.Errorf("%d synapse_worker resources for %d worker files", nWorkers, len(in.WorkerFiles))
			}
		})
	}
}
