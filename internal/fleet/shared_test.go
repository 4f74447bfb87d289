package fleet

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var latest = catalog.MustFor(catalog.Latest())

// wk builds a worker reference the way synapse_worker computes it: the HTTP listener on port,
// the replication listener on repl (0: none) bound to the worker's host address (so that the
// instance_map entry is reachable), or to loopback when the host is a name.
func wk(name, host string, port, repl int, roles ...string) WorkerRef {
	bind := "127.0.0.1"
	if net.ParseIP(host) != nil {
		bind = host
	}
	w := WorkerRef{Name: name, Host: host, Roles: roles, ReplicationBindAddresses: []string{bind}}
	if port != 0 {
		w.Upstream = fmt.Sprintf("%s:%d", host, port)
		w.HTTPResources = neededResources(latest, roles)
		if len(w.HTTPResources) == 0 {
			w.HTTPResources = []string{"client"} // a stream writer's listener (generatedListeners)
		}
	}
	if repl != 0 {
		w.InstanceMap = &InstanceMapEntry{Host: host, Port: repl}
	}
	return w
}

func intp(i int) *int { return &i }

// fullFleet is a correct fleet using every feature; the corpus breaks it one rule at a time.
func fullFleet() SharedConfig {
	return SharedConfig{
		Main: MainProcess{Host: "10.0.0.1", ReplicationPort: 9093, HTTPPort: 8008, BindAddresses: []string{"10.0.0.1"}},
		Workers: []WorkerRef{
			wk("sync1", "10.0.0.2", 8083, 0, "synchrotron", "client_reader"),
			wk("persister1", "10.0.0.2", 0, 9101),
			wk("persister2", "10.0.0.3", 0, 9101),
			wk("media1", "10.0.0.4", 8085, 9102, "media_repository"),
			wk("pusher1", "10.0.0.5", 0, 0, "pusher"),
			wk("pusher2", "10.0.0.5", 0, 0, "pusher"),
			wk("fed1", "10.0.0.5", 0, 9103, "federation_sender"),
			wk("bg1", "10.0.0.6", 0, 0, "background_worker", "user_dir", "appservice"),
			wk("writer1", "10.0.0.6", 8090, 9104),
		},
		StreamWriters: []StreamAssignment{
			{Stream: "events", Writers: []string{"persister1", "persister2"}},
			{Stream: "typing", Writers: []string{"writer1"}},
			{Stream: "receipts", Writers: []string{"writer1", "main"}},
			{Stream: "device_lists", Writers: []string{"writer1"}},
			{Stream: "quarantined_media_changes", Writers: []string{"main", "media1"}},
		},
		Redis:                          &Redis{Host: "10.0.0.7", Port: 6379, DBID: intp(1), PasswordPath: "/etc/matrix-synapse/redis.pass"},
		ReplicationSecretPath:          "/etc/matrix-synapse/replication.secret",
		OutboundFederationRestrictedTo: []string{"fed1"},
		DatabaseEngine:                 "psycopg2",
	}
}

const exampleHomeserver = `# Main homeserver configuration (managed by hand).
server_name: example.org
report_stats: false
# The public listener.
listeners:
  - port: 8008
    type: http
    x_forwarded: true
    bind_addresses: ['127.0.0.1']
    resources:
      - names: [client, federation]
database:
  name: psycopg2
  args:
    user: synapse # the role
    database: synapse
media_store_path: /var/lib/matrix-synapse/media
signing_key_path: /etc/matrix-synapse/example.org.signing.key
`

func goldenFleets() map[string]SharedConfig {
	minimal := SharedConfig{
		Main:    MainProcess{Host: "127.0.0.1", ReplicationPort: 9093, HTTPPort: 8008, BindAddresses: []string{"127.0.0.1"}},
		Workers: []WorkerRef{wk("generic1", "127.0.0.1", 8081, 0, "generic")},
		Redis:   &Redis{},
	}
	unix := SharedConfig{
		Main: MainProcess{Host: "localhost", ReplicationPath: "/run/synapse/main-replication.sock"},
		Workers: []WorkerRef{
			{Name: "persister1", Host: "localhost", Upstream: "unix:/run/synapse/persister1.sock",
				InstanceMap: &InstanceMapEntry{Path: "/run/synapse/persister1-replication.sock"}},
			{Name: "sync1", Host: "localhost", Roles: []string{"synchrotron"}, Upstream: "unix:/run/synapse/sync1.sock"},
		},
		StreamWriters: []StreamAssignment{{Stream: "events", Writers: []string{"persister1"}}},
		Redis:         &Redis{Path: "/run/redis/redis.sock", DBID: intp(0)},
	}
	merge := fullFleet()
	merge.HomeserverYAML = exampleHomeserver
	inline := minimal
	inline.ReplicationSecret = "s3cret-inline-value"
	inline.Main.BindAddresses = []string{"0.0.0.0"}
	inline.Redis = &Redis{Host: "redis.internal", Port: 6380, UseTLS: true}
	overrides := fullFleet()
	overrides.Duties = map[string][]string{
		"pusher_instances":                  {"pusher2", "pusher1"},
		"federation_sender_instances":       {"main", "fed1"},
		"run_background_tasks_on":           {"bg1"},
		"update_user_directory_from_worker": {"bg1"},
	}
	overrides.Workers[1].InstanceMap.TLS = true
	return map[string]SharedConfig{"minimal": minimal, "full": fullFleet(), "unix": unix, "merge": merge, "inline_secret": inline, "overrides": overrides}
}

func TestRenderSharedGolden(t *testing.T) {
	for name, cfg := range goldenFleets() {
		t.Run(name, func(t *testing.T) {
			if ps := ValidateShared(latest, cfg); len(ps) > 0 {
				t.Fatalf("golden fleet %s must be valid, got:\n%s", name, ps)
			}
			out, err := RenderShared(latest, cfg)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".yaml", out.ConfigYAML)
			if cfg.HomeserverYAML != "" {
				golden(t, name+".merged.yaml", out.MergedYAML)
			} else if out.MergedYAML != out.ConfigYAML {
				t.Errorf("without homeserver_yaml, merged_yaml must equal config_yaml")
			}
			if cfg.ReplicationSecret != "" {
				golden(t, name+".secret.yaml", out.SecretConfigYAML)
				for what, s := range map[string]string{"config_yaml": out.ConfigYAML, "merged_yaml": out.MergedYAML} {
					if strings.Contains(s, cfg.ReplicationSecret) {
						t.Errorf("%s holds the inline secret", what)
					}
				}
			} else if out.SecretConfigYAML != "" {
				t.Errorf("secret_config_yaml = %q without an inline secret", out.SecretConfigYAML)
			}
			again, _ := RenderShared(latest, cfg)
			if again.ConfigYAML != out.ConfigYAML || again.MergedYAML != out.MergedYAML || again.SecretConfigYAML != out.SecretConfigYAML {
				t.Errorf("rendering is not deterministic")
			}
		})
	}
}

// golden compares with testdata/shared/<file> (checkGolden, -update rewrites it).
func golden(t *testing.T, file, got string) {
	t.Helper()
	checkGolden(t, filepath.Join("testdata", "shared", file), got)
}

// TestRenderedShapes parses the rendered YAML and checks the types Synapse's loader needs
// (rules F.38, G.41, H.49, B.10): instance_map values {host: str, port: int} or {path: str},
// list-typed *_instances, stream_writers values as lists, integer ports.
func TestRenderedShapes(t *testing.T) {
	for name, cfg := range goldenFleets() {
		out, err := RenderShared(latest, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range []string{out.ConfigYAML, out.MergedYAML} {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			im, ok := m["instance_map"].(map[string]any)
			if !ok {
				t.Fatalf("%s: instance_map is %T", name, m["instance_map"])
			}
			if _, ok := im["main"]; !ok {
				t.Errorf("%s: instance_map has no main", name)
			}
			if len(im) != len(out.InstanceMap) {
				t.Errorf("%s: instance_map has %d entries, InstanceMap %d", name, len(im), len(out.InstanceMap))
			}
			for k, v := range im {
				e, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("%s: instance_map.%s is %T, want a mapping", name, k, v)
				}
				if p, isPath := e["path"]; isPath {
					if _, ok := p.(string); !ok || len(e) != 1 {
						t.Errorf("%s: instance_map.%s = %v, want {path: string}", name, k, e)
					}
					continue
				}
				if _, ok := e["host"].(string); !ok {
					t.Errorf("%s: instance_map.%s.host is %T", name, k, e["host"])
				}
				if _, ok := e["port"].(int); !ok {
					t.Errorf("%s: instance_map.%s.port is %T, want int", name, k, e["port"])
				}
				if tls, ok := e["tls"]; ok && tls != true {
					t.Errorf("%s: instance_map.%s.tls = %v; only `tls: true` is rendered", name, k, tls)
				}
			}
			for _, k := range []string{"pusher_instances", "federation_sender_instances"} {
				if _, ok := m[k].([]any); !ok {
					t.Errorf("%s: %s is %T, want a list", name, k, m[k])
				}
			}
			for _, k := range []string{"run_background_tasks_on", "update_user_directory_from_worker", "notify_appservices_from_worker", "media_instance_running_background_jobs"} {
				if _, ok := m[k].(string); !ok {
					t.Errorf("%s: %s is %T, want a string", name, k, m[k])
				}
			}
			if sw, ok := m["stream_writers"].(map[string]any); ok {
				for k, v := range sw {
					list, ok := v.([]any)
					if !ok || len(list) == 0 {
						t.Errorf("%s: stream_writers.%s = %v, want a non-empty list", name, k, v)
					}
					for _, w := range list {
						if w == "main" {
							t.Errorf("%s: stream_writers.%s names main; Synapse calls it master", name, k)
						}
					}
				}
			}
			ls, _ := m["listeners"].([]any)
			repl := 0
			for _, l := range ls {
				lm := l.(map[string]any)
				if p, ok := lm["port"]; ok {
					if _, ok := p.(int); !ok {
						t.Errorf("%s: listener port is %T", name, p)
					}
				}
				if servesReplication(lm["resources"]) {
					repl++
				}
			}
			if repl != 1 {
				t.Errorf("%s: %d replication listeners, want 1", name, repl)
			}
			for _, legacy := range []string{"start_pushers", "send_federation", "worker_replication_secret"} {
				if _, ok := m[legacy]; ok {
					t.Errorf("%s: rendered %s", name, legacy)
				}
			}
		}
	}
}

func TestMergeKeepsUserFile(t *testing.T) {
	cfg := fullFleet()
	cfg.HomeserverYAML = exampleHomeserver
	out, err := RenderShared(latest, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Main homeserver configuration (managed by hand).", "# The public listener.", "# the role", "media_store_path: /var/lib/matrix-synapse/media"} {
		if !strings.Contains(out.MergedYAML, want) {
			t.Errorf("merged_yaml lost %q:\n%s", want, out.MergedYAML)
		}
	}
	if i, j := strings.Index(out.MergedYAML, "server_name:"), strings.Index(out.MergedYAML, "redis:"); i < 0 || j < i {
		t.Errorf("user keys must stay first, fleet keys appended")
	}
	// Merging the merged file again changes nothing: the replication listener is found.
	cfg.HomeserverYAML = out.MergedYAML
	if ps := ValidateShared(latest, cfg); len(ps) > 0 {
		t.Errorf("re-merge reports problems:\n%s", ps)
	}
	again, err := RenderShared(latest, cfg)
	if err != nil || again.MergedYAML != out.MergedYAML {
		t.Errorf("merge is not idempotent (err %v):\n%s", err, again.MergedYAML)
	}
}

func TestValidFleetHasNoProblems(t *testing.T) {
	if ps := ValidateShared(latest, fullFleet()); len(ps) > 0 {
		t.Fatalf("full fleet must be valid:\n%s", ps)
	}
	// An empty fleet (no workers) is valid too: nothing to share yet.
	if ps := ValidateShared(latest, SharedConfig{}); len(ps) > 0 {
		t.Fatalf("empty fleet:\n%s", ps)
	}
	// Synapse 1.146 has no quarantined_media_changes stream, so a media worker needs no writer role.
	old := catalog.MustFor("1.146")
	cfg := fullFleet()
	cfg.StreamWriters = cfg.StreamWriters[:4]
	if ps := ValidateShared(old, cfg); len(ps) > 0 {
		t.Fatalf("1.146 fleet:\n%s", ps)
	}
}

// TestDutyDefaults checks the duties derived from roles and the rendering of main as master.
func TestDutyDefaults(t *testing.T) {
	out, err := RenderShared(latest, fullFleet())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(out.ConfigYAML), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"pusher_instances":                       []any{"pusher1", "pusher2"},
		"federation_sender_instances":            []any{"fed1"},
		"run_background_tasks_on":                "bg1",
		"update_user_directory_from_worker":      "bg1",
		"notify_appservices_from_worker":         "bg1",
		"media_instance_running_background_jobs": "media1",
		"enable_media_repo":                      false,
	}
	for k, v := range want {
		if fmt.Sprint(m[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	sw := m["stream_writers"].(map[string]any)
	if fmt.Sprint(sw["receipts"]) != "[writer1 master]" {
		t.Errorf("receipts = %v", sw["receipts"])
	}
	empty, _ := RenderShared(latest, SharedConfig{Main: MainProcess{Host: "h", ReplicationPort: 1}})
	if !strings.Contains(empty.ConfigYAML, "pusher_instances:\n  - master\n") || !strings.Contains(empty.ConfigYAML, "run_background_tasks_on: master\n") {
		t.Errorf("without duty workers the main process does the duties:\n%s", empty.ConfigYAML)
	}
}

// TestNoInjection: hostile names and paths stay scalar values in the parsed YAML.
func TestNoInjection(t *testing.T) {
	cfg := fullFleet()
	cfg.ReplicationSecretPath = "/x\nstart_pushers: true"
	cfg.Redis.PasswordPath = "a: b\n# c"
	out, err := RenderShared(latest, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(out.ConfigYAML), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["start_pushers"]; ok || m["worker_replication_secret_path"] != cfg.ReplicationSecretPath {
		t.Errorf("injection: %v", m)
	}
	if m["redis"].(map[string]any)["password_path"] != "a: b\n# c" {
		t.Errorf("password_path did not round-trip")
	}
}

type want struct {
	path, summary, substr string
	warning               bool
}

type badCase struct {
	name   string
	mutate func(c *SharedConfig)
	want   []want
}

func e(path, summary, substr string) want { return want{path, summary, substr, false} }
func w(path, summary, substr string) want { return want{path, summary, substr, true} }

func withHS(y string) func(c *SharedConfig) {
	return func(c *SharedConfig) { c.HomeserverYAML = y }
}

func badCorpus() []badCase {
	return []badCase{
		// workers
		{"duplicate worker name", func(c *SharedConfig) { c.Workers[4].Name = "sync1" }, []want{e("workers[4].name", "Duplicate Worker Name", `workers[0] and workers[4] are both named "sync1"`)}},
		{"worker named main", func(c *SharedConfig) { c.Workers[0].Name = "main" }, []want{e("workers[0].name", "Invalid Worker Name", "is reserved")}},
		{"worker named master", func(c *SharedConfig) { c.Workers[0].Name = "master" }, []want{e("workers[0].name", "Invalid Worker Name", `"master"`)}},
		{"worker name with colon", func(c *SharedConfig) { c.Workers[2].Name = "a: b" }, []want{e("workers[2].name", "Invalid Worker Name", "may only contain")}},
		{"unknown role", func(c *SharedConfig) { c.Workers[0].Roles = []string{"frontend_proxy"} }, []want{e("workers[0].roles", "Unknown Worker Role", `"frontend_proxy"`)}},
		{"instance map port and path", func(c *SharedConfig) { c.Workers[1].InstanceMap.Path = "/run/x.sock" }, []want{e("workers[1].instance_map_entry", "Conflicting Replication Listener", "both port 9101")}},
		{"instance map empty", func(c *SharedConfig) { c.Workers[1].InstanceMap = &InstanceMapEntry{Host: "h"} }, []want{e("workers[1].instance_map_entry", "Invalid Instance Map Entry", "neither a port nor a path")}},
		{"instance map port out of range", func(c *SharedConfig) { c.Workers[1].InstanceMap.Port = 70000 }, []want{e("workers[1].instance_map_entry", "Invalid Port", "70000")}},
		// main
		{"main port and path", func(c *SharedConfig) { c.Main.ReplicationPath = "/run/m.sock" }, []want{e("main.replication_path", "Conflicting Replication Listener", "both set")}},
		{"main replication port out of range", func(c *SharedConfig) { c.Main.ReplicationPort = 65536 }, []want{e("main.replication_port", "Invalid Port", "65536")}},
		{"main http port negative", func(c *SharedConfig) { c.Main.HTTPPort = -1 }, []want{e("main.http_port", "Invalid Port", "-1")}},
		{"main relative socket", func(c *SharedConfig) { c.Main.ReplicationPort = 0; c.Main.ReplicationPath = "run/m.sock" }, []want{e("main.replication_path", "Invalid Path", "a relative path")}},
		{"newline in socket path", func(c *SharedConfig) {
			c.Main.ReplicationPort = 0
			c.Main.ReplicationPath = "/run/m.sock\nstart_pushers: true"
		}, []want{e("main.replication_path", "Invalid Path", "control character")}},
		{"main host with a port", func(c *SharedConfig) { c.Main.Host = "10.0.0.1:9093" }, []want{e("main.host", "Invalid Host", "write just the host")}},
		{"redis host with a scheme", func(c *SharedConfig) { c.Redis.Host = "redis://10.0.0.7" }, []want{e("redis.host", "Invalid Host", "redis://10.0.0.7")}},
		{"relative redis password path", func(c *SharedConfig) { c.Redis.PasswordPath = "redis.pass" }, []want{e("redis.password_path", "Invalid Path", "a relative path")}},
		{"no main replication listener", func(c *SharedConfig) { c.Main.ReplicationPort = 0 }, []want{e("main.replication_port", "Missing Main Replication Listener", "instance_map.main")}},
		{"main host missing", func(c *SharedConfig) { c.Main.Host = "" }, []want{e("main.host", "Missing Main Host", "main.host is empty")}},
		{"main replication on http port", func(c *SharedConfig) { c.Main.ReplicationPort = 8008 }, []want{e("main.replication_port", "Port Already In Use", "both 8008")}},
		{"main bind address not an ip", func(c *SharedConfig) { c.Main.BindAddresses = []string{"127.0.0.1", "eth0"} }, []want{e("main.bind_addresses[1]", "Invalid Bind Address", `"eth0"`)}},
		// addresses
		{"worker replication on main http port", func(c *SharedConfig) {
			c.Workers[1].Host = "10.0.0.1"
			c.Workers[1].InstanceMap = &InstanceMapEntry{Host: "10.0.0.1", Port: 8008}
		}, []want{e("workers[1].instance_map_entry", "Address Already In Use", `"main" (main.http_port) both use 10.0.0.1:8008`)}},
		{"worker replication on main replication port", func(c *SharedConfig) { c.Workers[1].InstanceMap = &InstanceMapEntry{Host: "10.0.0.1", Port: 9093} }, []want{e("workers[1].instance_map_entry", "Address Already In Use", "10.0.0.1:9093")}},
		{"two workers same upstream", func(c *SharedConfig) { c.Workers[8].Upstream = "10.0.0.2:8083" }, []want{e("workers[8].upstream", "Address Already In Use", `"sync1" (workers[0].upstream)`)}},
		{"upstream on another worker's replication port", func(c *SharedConfig) { c.Workers[8].Host = "10.0.0.2"; c.Workers[8].Upstream = "10.0.0.2:9101" }, []want{e("workers[8].upstream", "Address Already In Use", "10.0.0.2:9101")}},
		{"worker replication defaults to worker host", func(c *SharedConfig) { c.Workers[2].InstanceMap.Host = ""; c.Workers[2].Host = "10.0.0.2" }, []want{e("workers[2].instance_map_entry", "Address Already In Use", "10.0.0.2:9101")}},
		{"same socket for main and worker", func(c *SharedConfig) {
			c.Main.ReplicationPort, c.Main.ReplicationPath = 0, "/run/s.sock"
			c.Workers[1].InstanceMap = &InstanceMapEntry{Path: "/run/s.sock"}
		}, []want{e("workers[1].instance_map_entry", "Address Already In Use", "/run/s.sock")}},
		{"two workers same socket upstream", func(c *SharedConfig) {
			c.Workers[0].Upstream = "unix:/run/w.sock"
			c.Workers[3].Upstream = "unix:/run/w.sock"
		}, []want{e("workers[3].upstream", "Address Already In Use", "/run/w.sock")}},
		// stream writers
		{"unknown stream", func(c *SharedConfig) { c.StreamWriters[1].Stream = "push" }, []want{e("stream_writers[1].stream", "Unknown Stream", `"push"`)}},
		{"quarantined_media is not a key", func(c *SharedConfig) { c.StreamWriters[4].Stream = "quarantined_media" }, []want{e("stream_writers[4].stream", "Unknown Stream", "quarantined_media_changes")}},
		{"stream assigned twice", func(c *SharedConfig) {
			c.StreamWriters = append(c.StreamWriters, StreamAssignment{Stream: "events", Writers: []string{"main"}})
		}, []want{e("stream_writers[5].stream", "Stream Assigned Twice", `stream_writers[0] and stream_writers[5] both assign stream "events"`)}},
		{"two typing writers", func(c *SharedConfig) { c.StreamWriters[1].Writers = []string{"writer1", "persister1"} }, []want{e("stream_writers[1].writers", "Invalid Stream Writers", "exactly one writer")}},
		{"push_rules error name", func(c *SharedConfig) {
			c.StreamWriters = append(c.StreamWriters, StreamAssignment{Stream: "push_rules", Writers: []string{"writer1", "main"}})
		}, []want{e("stream_writers[5].writers", "Invalid Stream Writers", "stream_writers[5]: The \"push_rules\" stream")}},
		{"events without writers", func(c *SharedConfig) { c.StreamWriters[0].Writers = nil }, []want{e("stream_writers[0].writers", "Invalid Stream Writers", "writers is empty")}},
		{"duplicate writer", func(c *SharedConfig) { c.StreamWriters[0].Writers = []string{"persister1", "persister1"} }, []want{e("stream_writers[0].writers[1]", "Invalid Stream Writers", `are both "persister1"`)}},
		{"writer not in fleet", func(c *SharedConfig) { c.StreamWriters[0].Writers[1] = "persister3" }, []want{e("stream_writers[0].writers[1]", "Unknown Stream Writer", `"persister3"`)}},
		{"writer without replication listener", func(c *SharedConfig) { c.StreamWriters[0].Writers[1] = "sync1" }, []want{e("stream_writers[0].writers[1]", "Stream Writer Not In Instance Map", `worker "sync1" writes stream "events"`)}},
		{"device_lists writer without replication (Synapse does not check)", func(c *SharedConfig) { c.StreamWriters[3].Writers = []string{"main", "pusher1"} }, []want{e("stream_writers[3].writers[1]", "Stream Writer Not In Instance Map", `"device_lists"`)}},
		{"thread_subscriptions writer unknown", func(c *SharedConfig) {
			c.StreamWriters = append(c.StreamWriters, StreamAssignment{Stream: "thread_subscriptions", Writers: []string{"ghost"}})
		}, []want{e("stream_writers[5].writers[0]", "Unknown Stream Writer", `"ghost"`)}},
		{"quarantine writer without replication", func(c *SharedConfig) { c.StreamWriters[4].Writers = []string{"main", "media1", "bg1"} }, []want{e("stream_writers[4].writers[2]", "Stream Writer Not In Instance Map", `"quarantined_media_changes"`)}},
		// Synapse 1.152-1.157: a worker-only writer list leaves /sync stuck (element-hq/synapse#20080).
		{"quarantine writers without main", func(c *SharedConfig) { c.StreamWriters[4].Writers = []string{"media1"} }, []want{e("stream_writers[4].writers", "Main Process Must Write Stream", `writers = ["main", "media1"]`)}},
		// the writer's HTTP listener serves its stream's endpoints (generic_worker.py _listen_http)
		{"typing writer without HTTP listener", func(c *SharedConfig) { c.Workers[8].Upstream, c.Workers[8].HTTPResources = "", nil }, []want{
			w("stream_writers[1].writers[0]", "Stream Writer Serves No HTTP", `"typing"`),
			w("stream_writers[3].writers[0]", "Stream Writer Serves No HTTP", `"device_lists"`),
		}},
		{"typing writer serving media only", func(c *SharedConfig) { c.StreamWriters[1].Writers = []string{"media1"} }, []want{e("stream_writers[1].writers[0]", "Stream Writer Resource Not Served", `Serve "client"`)}},
		{"quarantine writer serving client only", func(c *SharedConfig) { c.StreamWriters[4].Writers = []string{"media1", "writer1"} }, []want{
			e("stream_writers[4].writers[1]", "Stream Writer Resource Not Served", `serves only "client"`),
			w("stream_writers[4].writers[1]", "Stream Writer Cannot Load Media", "enable_media_repo: false"),
		}},
		{"quarantine writer with a media listener but no media role", func(c *SharedConfig) {
			c.Workers[8].HTTPResources = []string{"client", "media"}
			c.StreamWriters[4].Writers = []string{"media1", "writer1"}
		}, []want{w("stream_writers[4].writers[1]", "Stream Writer Cannot Load Media", `"writer1" has no media role`)}},
		// duties
		{"pusher unknown", func(c *SharedConfig) { c.Duties = map[string][]string{"pusher_instances": {"pusher1", "pusher3"}} }, []want{e("pusher_instances[1]", "Unknown Duty Target", "run the duty nowhere")}},
		{"pusher duplicate", func(c *SharedConfig) {
			c.Duties = map[string][]string{"pusher_instances": {"pusher1", "pusher2", "pusher1"}}
		}, []want{e("pusher_instances[2]", "Duplicate Duty Target", `"pusher1"`)}},
		{"main listed twice", func(c *SharedConfig) {
			c.Duties = map[string][]string{"federation_sender_instances": {"main", "fed1", "main"}}
		}, []want{e("federation_sender_instances[2]", "Duplicate Duty Target", `"main"`)}},
		{"master is not the fleet's name for main", func(c *SharedConfig) { c.Duties = map[string][]string{"run_background_tasks_on": {"master"}} }, []want{e("run_background_tasks_on", "Unknown Duty Target", `"master"`)}},
		{"master as stream writer", func(c *SharedConfig) { c.StreamWriters[2].Writers = []string{"master"} }, []want{e("stream_writers[2].writers[0]", "Invalid Stream Writer Name", `write "main"`)}},
		{"federation sender unknown", func(c *SharedConfig) { c.Duties = map[string][]string{"federation_sender_instances": {"fed2"}} }, []want{e("federation_sender_instances[0]", "Unknown Duty Target", `"fed2"`), w("workers[6].roles", "Worker Role Without Duty", `"fed1"`)}},
		{"background tasks unknown", func(c *SharedConfig) { c.Duties = map[string][]string{"run_background_tasks_on": {"bg2"}} }, []want{e("run_background_tasks_on", "Unknown Duty Target", `"bg2"`)}},
		{"user directory unknown", func(c *SharedConfig) {
			c.Duties = map[string][]string{"update_user_directory_from_worker": {"userdir"}}
		}, []want{e("update_user_directory_from_worker", "Unknown Duty Target", `"userdir"`)}},
		{"appservice unknown", func(c *SharedConfig) { c.Duties = map[string][]string{"notify_appservices_from_worker": {"as1"}} }, []want{e("notify_appservices_from_worker", "Unknown Duty Target", `"as1"`)}},
		{"media jobs unknown", func(c *SharedConfig) {
			c.Duties = map[string][]string{"media_instance_running_background_jobs": {"media2"}}
		}, []want{e("media_instance_running_background_jobs", "Unknown Duty Target", `"media2"`)}},
		{"single duty on worker without role", func(c *SharedConfig) { c.Duties = map[string][]string{"run_background_tasks_on": {"writer1"}} }, []want{w("run_background_tasks_on", "Duty On Worker Without Role", `"background_worker"`), w("workers[7].roles", "Worker Role Without Duty", "run_background_tasks_on does not name it")}},
		{"list duty on worker without role", func(c *SharedConfig) {
			c.Duties = map[string][]string{"pusher_instances": {"pusher1", "pusher2", "writer1"}}
		}, []want{w("pusher_instances[2]", "Duty On Worker Without Role", `"pusher"`)}},
		{"pushers empty", func(c *SharedConfig) { c.Duties = map[string][]string{"pusher_instances": {}} }, []want{w("pusher_instances", "Duty Assigned To Nobody", "no process at all")}},
		{"pusher worker left out", func(c *SharedConfig) { c.Duties = map[string][]string{"pusher_instances": {"pusher1"}} }, []want{w("workers[5].roles", "Worker Role Without Duty", `"pusher2"`)}},
		{"empty duty target", func(c *SharedConfig) { c.Duties = map[string][]string{"run_background_tasks_on": {""}} }, []want{e("run_background_tasks_on", "Unknown Duty Target", "is empty")}},
		// media
		{"media workers on two hosts", func(c *SharedConfig) {
			c.Workers = append(c.Workers, wk("media2", "10.0.0.9", 8085, 9102, "media_repository"))
			c.StreamWriters[4].Writers = []string{"media1", "media2"}
		}, []want{w("workers[9].host", "Media Workers On Several Hosts", "media_store_path")}},
		{"media worker not a quarantine writer", func(c *SharedConfig) { c.StreamWriters = c.StreamWriters[:4] }, []want{e("workers[3].roles", "Media Worker Not A Stream Writer", "synapse_stream_writer for quarantined_media_changes")}},
		{"second media worker not a quarantine writer", func(c *SharedConfig) {
			c.Workers = append(c.Workers, wk("media2", "10.0.0.4", 8086, 9105, "media_repository"))
		}, []want{e("workers[9].roles", "Media Worker Not A Stream Writer", `"media2"`)}},
		// redis
		{"redis missing", func(c *SharedConfig) { c.Redis = nil }, []want{e("redis", "Missing Redis", "9 worker(s)")}},
		{"redis port out of range", func(c *SharedConfig) { c.Redis.Port = 0x10000 }, []want{e("redis.port", "Invalid Port", "65536")}},
		{"redis path and host", func(c *SharedConfig) { c.Redis.Path = "/run/redis.sock" }, []want{e("redis.path", "Conflicting Redis Address", "/run/redis.sock")}},
		{"redis path and tls", func(c *SharedConfig) { c.Redis = &Redis{Path: "/run/redis.sock", UseTLS: true} }, []want{e("redis.path", "Conflicting Redis Address", "use_tls")}},
		{"redis negative dbid", func(c *SharedConfig) { c.Redis.DBID = intp(-1) }, []want{e("redis.dbid", "Invalid Redis Database", "-1")}},
		// secrets
		{"both secrets", func(c *SharedConfig) { c.ReplicationSecret = "abc" }, []want{e("replication_secret", "Conflicting Replication Secret", "both set")}},
		{"relative secret path", func(c *SharedConfig) { c.ReplicationSecretPath = "secret.txt" }, []want{e("replication_secret_path", "Invalid Path", `"secret.txt"`)}},
		{"secret with trailing space", func(c *SharedConfig) { c.ReplicationSecretPath = ""; c.ReplicationSecret = "abc " }, []want{e("replication_secret", "Invalid Replication Secret", "white space")}},
		{"secret non-ascii", func(c *SharedConfig) { c.ReplicationSecretPath = ""; c.ReplicationSecret = "gehëim" }, []want{e("replication_secret", "Invalid Replication Secret", "non-ASCII")}},
		{"outbound federation without secret", func(c *SharedConfig) { c.ReplicationSecretPath = ""; c.Main.BindAddresses = []string{"::1"} }, []want{e("outbound_federation_restricted_to", "Missing Replication Secret", "refuses to start")}},
		{"main replication open without secret", func(c *SharedConfig) { c.ReplicationSecretPath = ""; c.OutboundFederationRestrictedTo = nil }, []want{e("main.bind_addresses", "Unprotected Replication Listener", `binds "10.0.0.1"`)}},
		{"main replication default bind without secret", func(c *SharedConfig) {
			c.ReplicationSecretPath = ""
			c.OutboundFederationRestrictedTo = nil
			c.Main.BindAddresses = nil
		}, []want{e("main.replication_port", "Unprotected Replication Listener", "all interfaces")}},
		{"worker replication open without secret", func(c *SharedConfig) {
			c.ReplicationSecretPath = ""
			c.OutboundFederationRestrictedTo = nil
			c.Main.BindAddresses = []string{"127.0.0.1"}
			c.Workers[2].ReplicationBindAddresses = []string{"127.0.0.1", "10.0.0.3"}
		}, []want{e("workers[2].replication_bind_addresses", "Unprotected Replication Listener", `"persister2"`)}},
		{"worker replication default bind without secret", func(c *SharedConfig) {
			c.ReplicationSecretPath = ""
			c.OutboundFederationRestrictedTo = nil
			c.Main.BindAddresses = []string{"127.0.0.1"}
			c.Workers[8].ReplicationBindAddresses = nil
		}, []want{e("workers[8].replication_bind_addresses", "Unprotected Replication Listener", "all interfaces")}},
		// outbound federation
		// instance_map hosts must be bound by the replication listeners
		{"worker replication bound to loopback only", func(c *SharedConfig) { c.Workers[1].ReplicationBindAddresses = []string{"127.0.0.1"} }, []want{w("workers[1].replication_bind_addresses", "Replication Listener Not Reachable", "10.0.0.2 port 9101")}},
		{"main replication bound to loopback only", func(c *SharedConfig) { c.Main.BindAddresses = []string{"127.0.0.1"} }, []want{w("main.bind_addresses", "Replication Listener Not Reachable", "10.0.0.1 port 9093")}},
		{"outbound main", func(c *SharedConfig) { c.OutboundFederationRestrictedTo = []string{"main"} }, []want{e("outbound_federation_restricted_to[0]", "Main Process Not Allowed", "List workers only")}},
		{"outbound unknown", func(c *SharedConfig) { c.OutboundFederationRestrictedTo = []string{"fed1", "proxy9"} }, []want{e("outbound_federation_restricted_to[1]", "Unknown Duty Target", `"proxy9"`)}},
		{"outbound without replication", func(c *SharedConfig) { c.OutboundFederationRestrictedTo = []string{"pusher1"} }, []want{e("outbound_federation_restricted_to[0]", "Worker Not In Instance Map", `"pusher1"`)}},
		{"outbound duplicate", func(c *SharedConfig) { c.OutboundFederationRestrictedTo = []string{"fed1", "fed1"} }, []want{e("outbound_federation_restricted_to[1]", "Duplicate Duty Target", `"fed1"`)}},
		// text
		{"invalid utf-8 in a writer", func(c *SharedConfig) { c.StreamWriters[0].Writers[0] = "p\xff" }, []want{e("stream_writers[0].writers[0]", "Invalid Text", "not valid UTF-8")}},
		{"invalid utf-8 in redis password path", func(c *SharedConfig) { c.Redis.PasswordPath = "/\xfe" }, []want{e("redis.password_path", "Invalid Text", "not valid UTF-8")}},
		// database
		{"sqlite", func(c *SharedConfig) { c.DatabaseEngine = "sqlite3" }, []want{e("database_engine", "Workers Need PostgreSQL", "synapse_port_db")}},
		{"unknown engine", func(c *SharedConfig) { c.DatabaseEngine = "mysql" }, []want{e("database_engine", "Unknown Database Engine", "psycopg2")}},
		// homeserver_yaml
		{"homeserver not a mapping", withHS("- a\n- b\n"), []want{e("homeserver_yaml", "Invalid Homeserver YAML", "not a YAML mapping")}},
		{"homeserver unparsable", withHS("a: [b\n"), []want{e("homeserver_yaml", "Invalid Homeserver YAML", "does not parse")}},
		{"legacy worker_replication_host", withHS("worker_replication_host: 10.0.0.1\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "instance_map.main")}},
		{"legacy worker_replication_http_port", withHS("worker_replication_http_port: 9093\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "worker_replication_http_port: 9093")}},
		{"legacy worker_replication_port", withHS("worker_replication_port: 9092\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "direct TCP replication was removed")}},
		{"legacy worker_main_http_uri", withHS("worker_main_http_uri: http://127.0.0.1:8008\n"), []want{w("homeserver_yaml", "Legacy Option In Homeserver YAML", "unused since Synapse 1.73")}},
		{"start_pushers true with pusher workers", withHS("start_pushers: true\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "pusher_instances")}},
		{"send_federation true with sender workers", withHS("send_federation: true\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "federation_sender_instances")}},
		{"start_pushers false is only deprecated", withHS("start_pushers: false\n"), []want{w("homeserver_yaml", "Legacy Option In Homeserver YAML", "ignores start_pushers")}},
		{"homeserver without report_stats", withHS("server_name: example.org\nsigning_key_path: /k\n"), []want{w("homeserver_yaml", "Required Setting Missing", `no "report_stats"`)}},
		{"homeserver without signing_key_path", withHS("server_name: example.org\nreport_stats: false\n"), []want{e("homeserver_yaml", "Signing Key Path Not Set", "workers/ directory")}},
		{"start_pushers no is false to Synapse (YAML 1.1)", withHS("start_pushers: no\n"), []want{w("homeserver_yaml", "Legacy Option In Homeserver YAML", "ignores start_pushers")}},
		{"update_user_directory true", withHS("update_user_directory: true\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "update_user_directory_from_worker")}},
		{"notify_appservices true", withHS("notify_appservices: yes\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "notify_appservices_from_worker")}},
		// _should_this_worker_perform_duty: only a true legacy flag with the duty on main agrees
		{"notify_appservices false with the duty on a worker", withHS("notify_appservices: false\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "notify_appservices_from_worker")}},
		{"update_user_directory false with the duty on main", func(c *SharedConfig) {
			c.Duties = map[string][]string{"update_user_directory_from_worker": {"main"}}
			c.HomeserverYAML = "update_user_directory: false\n"
		}, []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "update_user_directory_from_worker")}},
		{"update_user_directory true with the duty on main", func(c *SharedConfig) {
			c.Duties = map[string][]string{"update_user_directory_from_worker": {"main"}}
			c.HomeserverYAML = "update_user_directory: true\n"
		}, []want{w("homeserver_yaml", "Legacy Option In Homeserver YAML", "update_user_directory_from_worker")}},
		{"worker_app in shared file", withHS("worker_app: synapse.app.generic_worker\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "refuses to start with worker_app")}},
		{"worker_name in shared file", withHS("worker_name: w1\n"), []want{e("homeserver_yaml", "Legacy Option In Homeserver YAML", "worker_name")}},
		{"sqlite in homeserver", withHS("database:\n  name: sqlite3\n  args: {database: /data/homeserver.db}\n"), []want{e("homeserver_yaml", "Workers Need PostgreSQL", "database.name: sqlite3")}},
		{"inline secret in file and path here", withHS("worker_replication_secret: abc\n"), []want{e("homeserver_yaml", "Conflicting Replication Secret", "refuses two secrets")}},
		{"secret path in file and inline here", func(c *SharedConfig) {
			c.ReplicationSecretPath = ""
			c.ReplicationSecret = "abc"
			c.HomeserverYAML = "worker_replication_secret_path: /s\n"
		}, []want{e("homeserver_yaml", "Conflicting Replication Secret", "worker_replication_secret_path")}},
		{"owned key with another value", withHS("pusher_instances: [pusher9]\n"), []want{w("homeserver_yaml", "Setting Replaced In Homeserver YAML", "pusher_instances")}},
		{"redis block differs", withHS("redis:\n  enabled: true\n"), []want{w("homeserver_yaml", "Setting Replaced In Homeserver YAML", "redis")}},
		{"listener clash on replication port", withHS("listeners:\n  - port: 9093\n    type: http\n    resources: [{names: [client]}]\n"), []want{e("homeserver_yaml", "Invalid Homeserver YAML", "port 9093")}},
		{"media listener on main with a media worker", withHS("listeners:\n  - port: 8008\n    type: http\n    resources: [{names: [client, media]}]\n"), []want{e("homeserver_yaml", "Media Listener On Main Process", "listeners[0] serves the `media` resource")}},
		{"listeners not a list", withHS("listeners: {port: 8008}\n"), []want{e("homeserver_yaml", "Invalid Homeserver YAML", "listeners is not a list")}},
		// combinations: every problem is reported at once
		{"combination: names, ports and streams", func(c *SharedConfig) {
			c.Workers[1].Name = "persister2"
			c.Workers[0].Upstream = "10.0.0.1:8008"
			c.StreamWriters[1].Stream = "typing2"
			c.Redis = nil
		}, []want{
			e("workers[2].name", "Duplicate Worker Name", "persister2"),
			e("workers[0].upstream", "Address Already In Use", "10.0.0.1:8008"),
			e("stream_writers[1].stream", "Unknown Stream", "typing2"),
			e("redis", "Missing Redis", "worker"),
			e("stream_writers[0].writers[0]", "Unknown Stream Writer", "persister1"),
		}},
		{"combination: secrets and duties", func(c *SharedConfig) {
			c.ReplicationSecret = "x"
			c.Duties = map[string][]string{"pusher_instances": {"nobody"}, "run_background_tasks_on": {"ghost"}}
			c.DatabaseEngine = "sqlite3"
		}, []want{
			e("replication_secret", "Conflicting Replication Secret", "both set"),
			e("pusher_instances[0]", "Unknown Duty Target", "nobody"),
			e("run_background_tasks_on", "Unknown Duty Target", "ghost"),
			e("database_engine", "Workers Need PostgreSQL", "sqlite3"),
		}},
		{"combination: legacy file", withHS("worker_replication_host: a\nworker_replication_http_port: 1\nsend_federation: true\nworker_main_http_uri: x\n"), []want{
			e("homeserver_yaml", "Legacy Option In Homeserver YAML", "worker_replication_host"),
			e("homeserver_yaml", "Legacy Option In Homeserver YAML", "worker_replication_http_port"),
			e("homeserver_yaml", "Legacy Option In Homeserver YAML", "send_federation"),
			w("homeserver_yaml", "Legacy Option In Homeserver YAML", "worker_main_http_uri"),
		}},
		{"combination: writer problems in every stream kind", func(c *SharedConfig) {
			c.StreamWriters[0].Writers = []string{"ghost", "sync1"}
			c.StreamWriters[3].Writers = []string{"bg1"}
			c.StreamWriters[4].Writers = []string{"main", "pusher1"}
		}, []want{
			e("stream_writers[0].writers[0]", "Unknown Stream Writer", "ghost"),
			e("stream_writers[0].writers[1]", "Stream Writer Not In Instance Map", "sync1"),
			e("stream_writers[3].writers[0]", "Stream Writer Not In Instance Map", "device_lists"),
			e("stream_writers[4].writers[1]", "Stream Writer Not In Instance Map", "quarantined_media_changes"),
			e("workers[3].roles", "Media Worker Not A Stream Writer", "media1"),
		}},
	}
}

func TestValidateSharedCorpus(t *testing.T) {
	corpus := badCorpus()
	if len(corpus) < 60 {
		t.Fatalf("corpus has %d fleets, want at least 60", len(corpus))
	}
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fullFleet()
			tc.mutate(&cfg)
			ps := ValidateShared(latest, cfg)
			for _, w := range tc.want {
				found := false
				for _, p := range ps {
					if p.Path == w.path && p.Summary == w.summary && strings.Contains(p.Detail, w.substr) && p.Warning == w.warning {
						found = true
					}
				}
				if !found {
					t.Errorf("want %v at %q: %s (%q); got:\n%s", map[bool]string{true: "warning", false: "error"}[w.warning], w.path, w.summary, w.substr, ps)
				}
			}
			for _, p := range ps {
				if p.Detail == "" || !strings.HasSuffix(strings.TrimSpace(p.Detail), ".") {
					t.Errorf("detail must be full sentences: %q", p.Detail)
				}
			}
			// Rendering invalid input must not panic, and stays deterministic.
			a, errA := RenderShared(latest, cfg)
			b, errB := RenderShared(latest, cfg)
			if a.ConfigYAML != b.ConfigYAML || a.MergedYAML != b.MergedYAML || (errA == nil) != (errB == nil) {
				t.Errorf("render is not deterministic")
			}
		})
	}
}

func FuzzShared(f *testing.F) {
	f.Add("sync1", "10.0.0.2", "synchrotron", "events", "persister1", "main", "pusher_instances", exampleHomeserver, "", 8083, 9101, 9093)
	f.Add("main", "", "media_repository", "typing", "main", "x", "run_background_tasks_on", "- a", "s3cret", 0, 0, 0)
	f.Add("a: b", "::1", "pusher", "quarantined_media_changes", "a: b", "a: b", "outbound", "listeners: {a: 1}", "é", -1, 70000, 8008)
	f.Add("w\n", "h", "", "", "", "", "", "worker_replication_port: 1\nlisteners: [{port: 9093, type: http}]", "  ", 9093, 9093, 9093)
	f.Add("yes", "10.0.0.9", "pusher", "receipts", "off", "off", "run_background_tasks_on", "", "yes", 0, 9101, 9093)
	f.Fuzz(func(t *testing.T, name, host, role, stream, writer, dutyTarget, dutyOption, hs, secret string, http, repl, mainRepl int) {
		cfg := SharedConfig{
			Main:                           MainProcess{Host: host, ReplicationPort: mainRepl, HTTPPort: http, BindAddresses: []string{host}},
			Workers:                        []WorkerRef{wk(name, host, http, repl, role), wk(writer, "127.0.0.1", 8080, repl)},
			StreamWriters:                  []StreamAssignment{{Stream: stream, Writers: []string{writer, name}}},
			Redis:                          &Redis{Host: host, Port: repl},
			Duties:                         map[string][]string{dutyOption: {dutyTarget}, "pusher_instances": {name, dutyTarget}},
			ReplicationSecret:              secret,
			OutboundFederationRestrictedTo: []string{writer},
			HomeserverYAML:                 hs,
		}
		ps := ValidateShared(latest, cfg)
		out, err := RenderShared(latest, cfg)
		if ps.HasErrors() {
			return
		}
		if err != nil {
			t.Fatalf("valid fleet failed to render: %v", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(out.ConfigYAML), &m); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, out.ConfigYAML)
		}
		if _, leaked := m["worker_replication_secret"]; leaked {
			t.Fatalf("inline secret rendered into config_yaml")
		}
		if secret != "" {
			var s map[string]any
			if err := yaml.Unmarshal([]byte(out.SecretConfigYAML), &s); err != nil || s["worker_replication_secret"] != secret || len(s) != 1 {
				t.Fatalf("secret_config_yaml %q does not hold exactly the secret", out.SecretConfigYAML)
			}
		}
		im, _ := m["instance_map"].(map[string]any)
		if len(im) != len(out.InstanceMapKeys) {
			t.Fatalf("instance_map has %d keys, want %d", len(im), len(out.InstanceMapKeys))
		} // Synapse's loader (YAML 1.1) must read the same names and secret back.
		v11, err := decodeYAML11(out.ConfigYAML)
		if err != nil {
			t.Fatalf("config_yaml does not load as YAML 1.1: %v\n%s", err, out.ConfigYAML)
		}
		im11, _ := v11.(map[string]any)["instance_map"].(map[string]any)
		for _, k := range out.InstanceMapKeys {
			if e, ok := im11[k].(map[string]any); !ok || (e["host"] != nil && e["host"] != out.InstanceMap[k].Host) {
				t.Fatalf("instance_map[%q] reads back in YAML 1.1 as %#v\n%s", k, im11, out.ConfigYAML)
			}
		}
		if secret != "" {
			s11, err := decodeYAML11(out.SecretConfigYAML)
			if m11, _ := s11.(map[string]any); err != nil || m11["worker_replication_secret"] != secret {
				t.Fatalf("secret reads back in YAML 1.1 as %#v (%v)", s11, err)
			}
		}
	})
}

// TestHomeserverYAMLReadAsSynapseDoes: homeserver_yaml is typed by YAML 1.1 as Synapse's
// loader (PyYAML safe_load, synapse/config/_base.py read_config_files) reads it, merge keys
// included.
func TestHomeserverYAMLReadAsSynapseDoes(t *testing.T) {
	for name, hs := range map[string]string{
		"yes":       "redis:\n  enabled: yes\n",
		"on":        "redis: {enabled: On}\n",
		"merge key": "base: &b {enabled: true}\nredis:\n  <<: *b\n",
	} {
		cfg := fullFleet()
		cfg.Redis = nil
		cfg.HomeserverYAML = hs
		for _, p := range ValidateShared(latest, cfg) {
			if p.Summary == "Missing Redis" {
				t.Errorf("%s: %q enables redis for Synapse, but got: %s", name, hs, p.Detail)
			}
		}
	}
}

func TestBindCovers(t *testing.T) {
	for _, tc := range []struct {
		binds []string
		host  string
		want  bool
	}{
		{[]string{"10.0.0.1"}, "10.0.0.1", true},
		{[]string{"127.0.0.1"}, "10.0.0.1", false},
		{[]string{"0.0.0.0"}, "10.0.0.1", true},
		{[]string{"0.0.0.0"}, "fd00::1", false},
		{[]string{"::"}, "10.0.0.1", true},
		{[]string{"fd00::1", "10.0.0.2"}, "fd00::1", true},
		{[]string{"127.0.0.1"}, "localhost", true},
		{[]string{"::1"}, "localhost", true},
		{[]string{"10.0.0.1"}, "localhost", false},
		{[]string{"127.0.0.1"}, "worker1.internal", true}, // a name: not judged
	} {
		if got := bindCovers(tc.binds, tc.host); got != tc.want {
			t.Errorf("bindCovers(%v, %q) = %v, want %v", tc.binds, tc.host, got, tc.want)
		}
	}
}

// TestOptionsFollowTheRelease: options a release does not read yet are refused at the
// attribute that sets them, naming the release that reads them; from that release on they pass.
func TestOptionsFollowTheRelease(t *testing.T) {
	cfg := fullFleet()
	cfg.StreamWriters = cfg.StreamWriters[:3] // events, typing, receipts: in every release
	cfg.StreamWriters[2].Writers = []string{"writer1"}
	wantAt := map[string][]string{
		"1.84":  {"redis.password_path", "replication_secret_path", "outbound_federation_restricted_to"},
		"1.89":  {"redis.password_path", "replication_secret_path"},
		"1.117": {"replication_secret_path"},
		"1.126": nil,
		"1.157": nil,
	}
	for v, want := range wantAt {
		ps := ValidateShared(catalog.MustFor(v), cfg)
		var got []string
		for _, p := range ps {
			if p.Summary == "Option Not In This Release" {
				got = append(got, p.Path)
				if !strings.Contains(p.Detail, "Synapse "+v+" does not read") {
					t.Errorf("%s: detail does not name the release: %s", v, p.Detail)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: refused options at %v, want %v\n%s", v, got, want, ps)
		}
	}
	// redis.path (a unix socket) arrived in 1.85, also when set through homeserver_yaml.
	sock := fullFleet()
	sock.StreamWriters = cfg.StreamWriters
	sock.Redis = &Redis{Path: "/run/redis/redis.sock"}
	sock.HomeserverYAML = "redis:\n  path: /run/redis/other.sock\n"
	for v, n := range map[string]int{"1.84": 2, "1.85": 0} {
		count := 0
		for _, p := range ValidateShared(catalog.MustFor(v), sock) {
			if p.Summary == "Option Not In This Release" && strings.Contains(p.Detail, "`redis.path`") {
				count++
			}
		}
		if count != n {
			t.Errorf("%s: %d redis.path problems, want %d", v, count, n)
		}
	}
}

// TestSharedMainWorkerApp: `worker_app: synapse.app.homeserver` in the shared file is what
// Synapse reads as no worker_app (matrix-docker-ansible-deploy writes it), unlike any other.
func TestSharedMainWorkerApp(t *testing.T) {
	for app, refused := range map[string]bool{"synapse.app.homeserver": false, "synapse.app.generic_worker": true} {
		cfg := fullFleet()
		cfg.HomeserverYAML += "worker_app: " + app + "\n"
		got := false
		for _, p := range ValidateShared(latest, cfg) {
			if p.Summary == "Legacy Option In Homeserver YAML" && strings.Contains(p.Detail, "worker_app") && !p.Warning {
				got = true
			}
		}
		if got != refused {
			t.Errorf("worker_app: %s in the shared file: refused = %v, want %v", app, got, refused)
		}
	}
}
