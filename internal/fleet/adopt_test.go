package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// readFleet reads testdata/adopt/<name>: the shared config and workers/*.yaml.
func readFleet(t *testing.T, name, shared, base string) AdoptInput {
	t.Helper()
	dir := filepath.Join("testdata", "adopt", name)
	src, err := os.ReadFile(filepath.Join(dir, shared))
	if err != nil {
		t.Fatal(err)
	}
	in := AdoptInput{HomeserverPath: base + "/" + shared, HomeserverSrc: string(src), WorkerFiles: map[string]string{}}
	entries, err := os.ReadDir(filepath.Join(dir, "workers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !IsWorkerFileName(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "workers", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in.WorkerFiles[base+"/workers/"+e.Name()] = string(b)
	}
	return in
}

func TestAdoptDockerGenerator(t *testing.T) {
	// The generator's output predates Synapse 1.152 (its media worker writes no
	// quarantined_media_changes stream), so the fleet is adopted as a 1.146 fleet.
	c := catalog.MustFor("1.146")
	in := readFleet(t, "docker-generator", "shared.yaml", "/conf")
	types, err := os.ReadFile(filepath.Join("testdata", "adopt", "docker-generator", "worker_types.txt"))
	if err != nil {
		t.Fatal(err)
	}
	wt, err := ParseWorkerTypes(string(types))
	if err != nil {
		t.Fatal(err)
	}
	in.Roles = map[string][]string{}
	for name, ts := range wt {
		roles, unknown := RolesFromTypes(c, ts)
		if len(unknown) > 0 {
			t.Errorf("%s: unknown types %v", name, unknown)
		}
		in.Roles[name] = roles
	}
	// As generated, the fleet's replication listeners bind every interface with no secret. Its
	// processes reach each other over loopback (one container), so it adopts as it runs, with a
	// warning naming the fix for each of the six stream writers and no error.
	_, ps := Adopt(c, in)
	unprotected := 0
	for _, p := range ps {
		if p.Summary == "Unprotected Replication Listener" && p.Warning && strings.Contains(p.Detail, "replication_secret_path") {
			unprotected++
		}
	}
	if unprotected != 6 || len(ps.Errors()) != 0 {
		t.Errorf("%d Unprotected Replication Listener warnings and %d errors, want 6 and 0:\n%s", unprotected, len(ps.Errors()), ps)
	}
	// The same listeners in a fleet whose instance_map crosses a network are refused, and the
	// adoption names the option to add to the file.
	remote := in
	remote.HomeserverSrc = strings.ReplaceAll(in.HomeserverSrc, "host: localhost", "host: 10.0.0.7")
	_, ps = Adopt(c, remote)
	refused, fileFix := 0, 0
	for _, p := range ps {
		if p.Summary == "Unprotected Replication Listener" && !p.Warning {
			refused++
		}
		if p.Path == "worker_replication_secret" && !p.Warning && strings.Contains(p.Detail, "Add worker_replication_secret_path: <file holding the secret>") {
			fileFix++
		}
	}
	if refused != 6 || fileFix != 1 {
		t.Errorf("instance_map on 10.0.0.7: %d Unprotected Replication Listener errors and %d naming the file's fix, want 6 and 1:\n%s", refused, fileFix, ps.Errors())
	}
	// With the secret in a file (the guide's one-line first step) it adopts with no difference.
	in.HomeserverSrc += DockerGeneratorSecretLine
	a, ps := Adopt(c, in)
	for _, p := range ps {
		if !p.Warning || p.Summary == sumAdoptDiffers {
			t.Errorf("%s", p)
		}
	}
	if len(a.Workers) != len(in.WorkerFiles) || len(a.Workers) != len(wt) {
		t.Fatalf("adopted %d workers from %d files, SYNAPSE_WORKER_TYPES names %d", len(a.Workers), len(in.WorkerFiles), len(wt))
	}
	for _, w := range a.Workers {
		orig := in.WorkerFiles[a.Sources[w.Name]]
		if d := Differences(orig, a.Artifacts[w.Name].ConfigYAML, nil); len(d) > 0 {
			t.Errorf("%s differs at %v:\n%s", w.Name, d, a.Artifacts[w.Name].ConfigYAML)
		}
		if _, ok := wt[w.Name]; !ok {
			t.Errorf("worker %q is not one SYNAPSE_WORKER_TYPES names", w.Name)
		}
	}
	if d := Differences(in.HomeserverSrc, a.Render.MergedYAML, DutyDefaults(c)); len(d) > 0 {
		t.Errorf("shared config differs at %v:\n%s", d, a.Render.MergedYAML)
	}
	// The stream writers keep their names and order.
	var got []string
	for _, s := range a.Streams {
		got = append(got, s.Stream+"="+strings.Join(s.Writers, "+"))
	}
	want := "events=event_persister1+event_persister2 typing=stream_writers1 to_device=stream_writers1 account_data=stream_writers1 receipts=stream_writers1 presence=stream_writers1 device_lists=device_lists1+device_lists2"
	if strings.Join(got, " ") != want {
		t.Errorf("streams\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// DockerGeneratorSecretLine is what the adoption guide adds to the docker generator's shared.yaml
// before adopting it (the tests of other packages append it too).
const DockerGeneratorSecretLine = "worker_replication_secret_path: /conf/workers/replication.secret\n"

func TestAdoptHandWritten(t *testing.T) {
	c := catalog.MustFor(catalog.Latest())
	in := readFleet(t, "hand-written", "homeserver.yaml", "/etc/matrix-synapse")
	in.Roles = map[string][]string{"sync": {"synchrotron"}}
	a, ps := Adopt(c, in)
	for _, p := range ps {
		if !p.Warning || p.Summary == sumAdoptDiffers {
			t.Errorf("%s", p)
		}
	}
	if len(a.Workers) != 6 {
		t.Fatalf("adopted %d workers, want 6", len(a.Workers))
	}
	for _, w := range a.Workers {
		orig := in.WorkerFiles[a.Sources[w.Name]]
		if d := Differences(orig, a.Artifacts[w.Name].ConfigYAML, nil); len(d) > 0 {
			t.Errorf("%s differs at %v:\n%s", w.Name, d, a.Artifacts[w.Name].ConfigYAML)
		}
	}
	if d := Differences(in.HomeserverSrc, a.Render.MergedYAML, DutyDefaults(c)); len(d) > 0 {
		t.Errorf("shared config differs at %v:\n%s", d, a.Render.MergedYAML)
	}
	for _, comment := range []string{"Comments like this one must survive the merge.", "# workers need PostgreSQL", "# replication, for the workers"} {
		if !strings.Contains(a.Render.MergedYAML, comment) {
			t.Errorf("merged shared config lost the comment %q:\n%s", comment, a.Render.MergedYAML)
		}
	}
	byName := map[string]Worker{}
	for _, w := range a.Workers {
		byName[w.Name] = w
	}
	// Inferred: roles from the duties and the name; hosts from instance_map, else the most
	// common worker host; the generated-listener form where it reproduces the file.
	checks := []struct {
		name, got, want string
	}{
		{"fed-pusher roles", strings.Join(byName["fed-pusher"].Roles, ","), "federation_sender,pusher"},
		{"federation_reader roles", strings.Join(byName["federation_reader"].Roles, ","), "federation_reader"},
		{"typing_writer host (instance_map)", byName["typing_writer"].Host, "10.0.1.11"},
		{"sync host (its bind address)", byName["sync"].Host, "10.0.1.11"},
		{"fed-pusher host (the common one)", byName["fed-pusher"].Host, "10.0.1.10"},
		{"persister-1 replication_port", fmt.Sprint(byName["persister-1"].ReplicationPort), "9111"},
		{"sync http_port (generated form)", fmt.Sprint(byName["sync"].HTTPPort, byName["sync"].MetricsPort, len(byName["sync"].Listeners)), "8083 9101 0"},
		{"sync extra_config", byName["sync"].ExtraConfig, "caches:\n  global_factor: 2.0\nworker_daemonize: false\n"},
		{"fed-pusher listeners override", fmt.Sprint(len(byName["fed-pusher"].Listeners)), "1"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
}

func TestDifferencesFindsChanges(t *testing.T) {
	orig := "a: 1\nlisteners:\n  - port: 1\n    type: http\n    bind_address: 127.0.0.1\n    resources:\n      - names: [client]\n      - names: [federation]\n"
	same := "listeners:\n- type: http\n  port: 1\n  bind_addresses: [127.0.0.1]\n  resources:\n  - names: [client, federation]\n    compress: false\na: 1\n"
	if d := Differences(orig, same, nil); len(d) != 0 {
		t.Errorf("equivalent files differ at %v", d)
	}
	for _, tc := range []struct{ changed, want string }{
		{"a: 2\n", "a"},
		{"a: '1'\n", "a"},
		{"a: 1\nb: yes\n", "b"},
		{"a: 1\nlisteners: [{port: 1, type: http, bind_addresses: [127.0.0.1], resources: [{names: [client, federation], compress: true}]}]\n", "listeners"},
	} {
		if d := Differences("a: 1\n", tc.changed, nil); len(d) == 0 || !strings.Contains(strings.Join(d, " "), tc.want) {
			t.Errorf("Differences(%q) = %v, want %s named", tc.changed, d, tc.want)
		}
	}
	if d := Differences("a: 1\n", "a: 1\npusher_instances: [master]\n", map[string]any{"pusher_instances": []any{"master"}}); len(d) != 0 {
		t.Errorf("a duty at its default differs: %v", d)
	}
}

func TestParseWorkerTypes(t *testing.T) {
	wt, err := ParseWorkerTypes("event_persister:2, synchrotron+client_reader, writers=typing+to_device, synchrotron")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, n := range []string{"event_persister1", "event_persister2", "synchrotron+client_reader1", "writers1", "synchrotron1"} {
		got = append(got, n+"="+strings.Join(wt[n], "+"))
	}
	want := "event_persister1=event_persister event_persister2=event_persister synchrotron+client_reader1=synchrotron+client_reader writers1=typing+to_device synchrotron1=synchrotron"
	if strings.Join(got, " ") != want || len(wt) != 5 {
		t.Errorf("got %v (%d workers)", got, len(wt))
	}
	for _, bad := range []string{"sync:0", "sync:x", "name=", ":2"} {
		if _, err := ParseWorkerTypes(bad); err == nil {
			t.Errorf("ParseWorkerTypes(%q) accepted", bad)
		}
	}
}

// TestAdoptAnsibleShaped adopts a fleet shaped like matrix-docker-ansible-deploy's: worker files
// (worker.<name>.yaml) next to homeserver.yaml, one container per worker reached at its name,
// inline secrets, worker_app: synapse.app.homeserver in the shared file.
func TestAdoptAnsibleShaped(t *testing.T) {
	c := catalog.MustFor(catalog.Latest())
	dir := filepath.Join("testdata", "adopt", "ansible-shaped")
	src, err := os.ReadFile(filepath.Join(dir, "homeserver.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in := AdoptInput{HomeserverPath: "/matrix/synapse/config/homeserver.yaml", HomeserverSrc: string(src), WorkerFiles: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "worker.") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in.WorkerFiles["/matrix/synapse/config/"+e.Name()] = string(b)
	}
	a, ps := Adopt(c, in)
	if ps.HasErrors() {
		t.Fatalf("adopt: %s", ps.Errors())
	}
	if len(a.Workers) != 12 {
		t.Fatalf("adopted %d workers, want 12", len(a.Workers))
	}
	for _, w := range a.Workers {
		if w.Host != w.Name {
			t.Errorf("%s: host %q, want its own name (one container per worker)", w.Name, w.Host)
		}
		if d := Differences(in.WorkerFiles[a.Sources[w.Name]], a.Artifacts[w.Name].ConfigYAML, nil); len(d) > 0 {
			t.Errorf("%s differs at %v:\n%s", w.Name, d, a.Artifacts[w.Name].ConfigYAML)
		}
	}
	if d := LoadedDifferences(in.HomeserverSrc, DutyDefaults(c), a.Render.MergedYAML, a.Render.SecretConfigYAML); len(d) > 0 {
		t.Errorf("shared config differs at %v", d)
	}
	for _, secret := range []string{"registration-test-secret", "macaroon-test-secret", "form-test-secret", "db-test-password", "replication-test-secret"} {
		if strings.Contains(a.Render.MergedYAML, secret) || strings.Contains(a.Render.ConfigYAML, secret) {
			t.Errorf("%s is in merged_yaml or config_yaml", secret)
		}
		if !strings.Contains(a.Render.SecretConfigYAML, secret) {
			t.Errorf("%s is not in secret_config_yaml", secret)
		}
	}
	roles := map[string]string{}
	for _, w := range a.Workers {
		roles[w.Name] = strings.Join(w.Roles, "+")
	}
	for name, want := range map[string]string{
		"matrix-synapse-worker-sync-0": "synchrotron", "matrix-synapse-worker-client-reader-0": "client_reader",
		"matrix-synapse-worker-background-0": "background_worker", "matrix-synapse-worker-stream-writer-0-events": "",
	} {
		if roles[name] != want {
			t.Errorf("%s: roles %q, want %q", name, roles[name], want)
		}
	}
	// stream_writers as a string is read as a list of it.
	var got []string
	for _, s := range a.Streams {
		got = append(got, s.Stream+"="+strings.Join(s.Writers, "+"))
	}
	if want := "events=matrix-synapse-worker-stream-writer-0-events typing=matrix-synapse-worker-stream-writer-1-typing receipts=matrix-synapse-worker-stream-writer-2-receipts"; strings.Join(got, " ") != want {
		t.Errorf("streams\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestLoadedDifferences: later files replace earlier ones' top-level keys, as Synapse loads
// several --config-path files; a key only the secret file holds counts.
func TestLoadedDifferences(t *testing.T) {
	orig := "a: 1\nsecret: s\ndb: {name: psycopg2, args: {password: p}}\n"
	if d := LoadedDifferences(orig, nil, "a: 1\ndb: {name: psycopg2}\n", "secret: s\ndb: {name: psycopg2, args: {password: p}}\n"); len(d) != 0 {
		t.Errorf("shallow merge: %v", d)
	}
	if d := LoadedDifferences(orig, nil, "a: 1\ndb: {name: psycopg2, args: {password: p}}\n", ""); len(d) == 0 || d[0] != "secret" {
		t.Errorf("a key missing from every file: %v", d)
	}
	if d := LoadedDifferences(orig, nil, "a: 1\n", "secret: s\ndb: {name: psycopg2, args: {password: q}}\n"); len(d) == 0 {
		t.Errorf("a changed value in the last file is not a difference: %v", d)
	}
}

// TestImportWorkerOddFiles: real-world worker files either import with a rendered file equal to
// the original (odd keys in extra_config), or fail with an error naming the file and the key.
func TestImportWorkerOddFiles(t *testing.T) {
	c := catalog.MustFor(catalog.Latest())
	hs, ps := ParseHomeserver(c, "/x/homeserver.yaml", "instance_map:\n  main: {host: 10.0.0.1, port: 9093}\n  w1: {host: 10.0.0.2, port: 9101, tls: true}\n")
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	const head = "worker_app: synapse.app.generic_worker\nworker_log_config: /var/log/w.yaml\n"
	for _, tc := range []struct {
		name, src string
		extra     string // want in extra_config ("" = none), for files that import
		errKey    string // want an error naming this key, for files that do not
	}{
		{name: "pid file, daemonize, tls replication", src: head + "worker_name: w1\nworker_pid_file: /run/w1.pid\nworker_daemonize: false\nworker_listeners:\n  - {type: http, port: 9101, tls: true, resources: [{names: [replication]}]}\n",
			extra: "worker_pid_file: /run/w1.pid"},
		{name: "two resources entries and metrics", src: head + "worker_name: w2\nworker_listeners:\n  - type: http\n    port: 8083\n    resources:\n      - names: [client]\n      - names: [federation]\n  - type: metrics\n    port: 9000\n"},
		{name: "legacy bind_address", src: head + "worker_name: w3\nworker_listeners:\n  - {type: http, port: 8083, bind_address: 10.0.0.3, resources: [{names: [client]}]}\n"},
		{name: "unknown keys and floats", src: head + "worker_name: w7\nenable_metrics: true\ncaches: {global_factor: 2.0}\nfoo_unknown: [1, 2.5, 'x']\n",
			extra: "foo_unknown"},
		{name: "no worker_log_config", src: "worker_app: synapse.app.generic_worker\nworker_name: w8\n", errKey: "worker_log_config"},
		{name: "compress true", src: head + "worker_name: w4\nworker_listeners:\n  - {type: http, port: 8083, resources: [{names: [client], compress: true}]}\n", errKey: "compress"},
		{name: "legacy worker_app", src: "worker_app: synapse.app.synchrotron\nworker_name: w9\nworker_log_config: /l\n", errKey: "worker_app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := "/x/workers/" + strings.ReplaceAll(tc.name, " ", "_") + ".yaml"
			w, ps := ImportWorker(c, p, tc.src, WorkerImport{Homeserver: &hs})
			if tc.errKey != "" {
				found := false
				for _, e := range ps.Errors() {
					found = found || strings.Contains(e.Detail, p) && strings.Contains(e.Detail, tc.errKey)
				}
				if !found {
					t.Errorf("want an error naming %s and %s, got %s", p, tc.errKey, ps)
				}
				return
			}
			if ps.HasErrors() {
				t.Fatalf("import: %s", ps.Errors())
			}
			if !strings.Contains(w.ExtraConfig, tc.extra) {
				t.Errorf("extra_config %q lacks %q", w.ExtraConfig, tc.extra)
			}
			a, rps := RenderWorker(c, w)
			if rps.HasErrors() {
				t.Fatal(rps)
			}
			if d := Differences(tc.src, a.ConfigYAML, nil); len(d) > 0 {
				t.Errorf("rendered file differs at %v:\n%s", d, a.ConfigYAML)
			}
		})
	}
}
