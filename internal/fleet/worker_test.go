package fleet

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var c157 = catalog.MustFor("1.157")

func boolp(b bool) *bool { return &b }

// goldenWorkers are rendered and compared with testdata/worker/<name>.golden.
var goldenWorkers = []struct {
	name string
	w    Worker
}{
	{"synchrotron", Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "10.0.0.5", HTTPPort: 8083}},
	{"event_persister", Worker{Name: "persister1", Host: "10.0.0.6", ReplicationPort: 9093, MetricsPort: 9101}},
	{"pure_stream_writer", Worker{Name: "typing1", Host: "writer.internal", HTTPPort: 8090, ReplicationPort: 9094}},
	{"media", Worker{Name: "media1", Roles: []string{"media_repository"}, Host: "10.0.0.7", HTTPPort: 8085, ReplicationPort: 9095,
		ExtraConfig: "max_upload_size: 100M\nmedia_store_path: /var/lib/synapse/media\n"}},
	{"combined_roles", Worker{Name: "generic1", Roles: []string{"generic", "federation_inbound", "user_dir"}, Host: "fd00::5",
		HTTPPort: 8084, ReplicationPort: 9096, MetricsPort: 9102, BindAddresses: []string{"fd00::5", "10.0.0.8"},
		ConfigDir: "/srv/synapse", LogLevel: "WARNING"}},
	{"federation_reader", Worker{Name: "fed-reader_1", Roles: []string{"federation_reader"}, Host: "10.0.0.9", HTTPPort: 8086}},
	{"duty_only", Worker{Name: "pusher1", Roles: []string{"pusher", "federation_sender"}, Host: "10.0.0.10", MetricsPort: 9103}},
	{"listener_override_unix", Worker{Name: "client1", Roles: []string{"client_reader", "event_creator"}, Host: "10.0.0.11",
		Listeners: []Listener{
			{Type: "http", Path: "/run/synapse/client1.sock", Resources: []string{"client"}},
			{Type: "http", Path: "/run/synapse/client1-replication.sock", Resources: []string{"replication"}},
			{Type: "metrics", Port: 9104, BindAddresses: []string{"127.0.0.1"}},
		},
		SharedConfigPath: "/etc/matrix-synapse/conf.d", LogConfigPath: "/var/log/synapse/client1.log.yaml"}},
	{"listener_override_tcp_tls", Worker{Name: "sso1", Roles: []string{"sso"}, Host: "sso.internal",
		Listeners: []Listener{
			{Type: "http", Port: 8443, TLS: true, XForwarded: boolp(false), Resources: []string{"client", "health"}},
			{Type: "http", Port: 9097, BindAddresses: []string{"10.0.0.12"}, TLS: true, Resources: []string{"replication"}},
		}}},
}

func TestRenderWorkerGolden(t *testing.T) {
	for _, tc := range goldenWorkers {
		t.Run(tc.name, func(t *testing.T) {
			a, ps := RenderWorker(c157, tc.w)
			if ps.HasErrors() {
				t.Fatalf("unexpected problems:\n%s", ps)
			}
			checkGolden(t, filepath.Join("testdata", "worker", tc.name+".golden"), describeWorker(a))
			var parsed map[string]any
			if err := yaml.Unmarshal([]byte(a.ConfigYAML), &parsed); err != nil {
				t.Fatalf("config_yaml does not parse: %v", err)
			}
			if parsed["worker_name"] != tc.w.Name || parsed["worker_app"] != catalog.GenericWorkerApp {
				t.Errorf("parsed worker_name/worker_app = %v/%v", parsed["worker_name"], parsed["worker_app"])
			}
		})
	}
}

// TestRenderEachRoleGolden renders a worker for every role of the newest catalogue, alone,
// with an HTTP, a replication and a metrics port.
func TestRenderEachRoleGolden(t *testing.T) {
	for _, role := range c157.RoleNames() {
		t.Run(role, func(t *testing.T) {
			w := Worker{Name: role + "1", Roles: []string{role}, Host: "10.0.2.1", HTTPPort: 8080, ReplicationPort: 9093, MetricsPort: 9100}
			a, ps := RenderWorker(c157, w)
			if len(ps) != 0 {
				t.Fatalf("unexpected problems:\n%s", ps)
			}
			checkGolden(t, filepath.Join("testdata", "worker", "role_"+role+".golden"), describeWorker(a))
			wantRes := catalog.ResourcesFor(c157.EndpointsForRoles([]string{role}))
			if len(wantRes) == 0 {
				wantRes = []string{"client"}
			}
			if strings.Join(a.HTTPResources, ",") != strings.Join(wantRes, ",") {
				t.Errorf("http resources %v, want %v", a.HTTPResources, wantRes)
			}
			media := strings.Contains(a.ConfigYAML, "enable_media_repo: true")
			if media != c157.Role(role).EnableMediaRepo {
				t.Errorf("enable_media_repo rendered = %v, catalogue says %v", media, c157.Role(role).EnableMediaRepo)
			}
		})
	}
}

func TestRenderLogConfigGolden(t *testing.T) {
	a, ps := RenderWorker(c157, Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "10.0.0.5", HTTPPort: 8083, LogLevel: "DEBUG"})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	checkGolden(t, filepath.Join("testdata", "worker", "log_config.golden"), a.LogConfigYAML)
	var lc struct {
		Version    int
		Formatters map[string]map[string]string
		Filters    map[string]map[string]string
		Root       struct{ Level string }
		Loggers    map[string]struct{ Level string }
		Disable    bool `yaml:"disable_existing_loggers"`
	}
	if err := yaml.Unmarshal([]byte(a.LogConfigYAML), &lc); err != nil {
		t.Fatal(err)
	}
	if lc.Version != 1 || lc.Root.Level != "DEBUG" || lc.Loggers["synapse.storage.SQL"].Level != "INFO" || lc.Disable ||
		!strings.Contains(lc.Formatters["precise"]["format"], "%(request)s") ||
		lc.Filters["context"]["()"] != "synapse.logging.context.LoggingContextFilter" {
		t.Errorf("log config is not the expected dictConfig: %+v", lc)
	}
}

// describeWorker is the golden text: the computed facts, then the files.
func describeWorker(a WorkerArtifacts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# config_path: %s\n# log_config_path: %s\n# command: %s\n", a.ConfigPath, a.LogConfigPath, a.Command)
	fmt.Fprintf(&b, "# upstream: %q\n# http_resources: %v\n", a.Upstream, a.HTTPResources)
	if a.InstanceMap != nil {
		fmt.Fprintf(&b, "# instance_map: %+v\n", *a.InstanceMap)
	} else {
		b.WriteString("# instance_map: none\n")
	}
	fmt.Fprintf(&b, "# replication_bind_addresses: %v\n", a.ReplicationBindAddresses)
	groups := map[string]int{}
	var order []string
	for _, e := range a.Endpoints {
		if groups[e.Group] == 0 {
			order = append(order, e.Group)
		}
		groups[e.Group]++
	}
	fmt.Fprintf(&b, "# endpoints: %d", len(a.Endpoints))
	for _, g := range order {
		fmt.Fprintf(&b, "; %s: %d", g, groups[g])
	}
	b.WriteString("\n")
	b.WriteString(a.ConfigYAML)
	return b.String()
}

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/fleet -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendering (review, then -update):\n--- want\n%s\n--- got\n%s", file, want, got)
	}
}

func TestRenderWorkerFacts(t *testing.T) {
	a, ps := RenderWorker(c157, Worker{Name: "generic1", Roles: []string{"generic"}, Host: "fd00::5", HTTPPort: 8084, ReplicationPort: 9096})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	if a.Upstream != "[fd00::5]:8084" {
		t.Errorf("upstream = %q, want [fd00::5]:8084", a.Upstream)
	}
	if a.InstanceMap == nil || a.InstanceMap.Host != "fd00::5" || a.InstanceMap.Port != 9096 || a.InstanceMap.Path != "" {
		t.Errorf("instance map = %+v", a.InstanceMap)
	}
	if strings.Join(a.ReplicationBindAddresses, ",") != "::,0.0.0.0" {
		t.Errorf("replication bind addresses = %v, want Synapse's default", a.ReplicationBindAddresses)
	}
	if strings.Join(a.HTTPResources, ",") != "client,federation" {
		t.Errorf("http resources = %v", a.HTTPResources)
	}
	if len(a.Endpoints) != len(c157.EndpointsForRoles([]string{"generic"})) || len(a.Endpoints) == 0 {
		t.Errorf("endpoints = %d", len(a.Endpoints))
	}
	ref := a.Ref(Worker{Name: "generic1", Roles: []string{"generic"}, Host: "fd00::5"})
	if ref.Upstream != a.Upstream || ref.InstanceMap != a.InstanceMap || ref.Name != "generic1" {
		t.Errorf("ref = %+v", ref)
	}

	// No replication listener: no instance map entry, no bind addresses.
	a, _ = RenderWorker(c157, Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "10.0.0.5", HTTPPort: 8083})
	if a.InstanceMap != nil || len(a.ReplicationBindAddresses) != 0 || a.ReplicationBindAddresses == nil {
		t.Errorf("without replication: instance map %+v, bind %#v", a.InstanceMap, a.ReplicationBindAddresses)
	}
	// A pure event persister has no HTTP upstream.
	a, _ = RenderWorker(c157, Worker{Name: "p1", Host: "10.0.0.6", ReplicationPort: 9093})
	if a.Upstream != "" || len(a.HTTPResources) != 0 || len(a.Endpoints) != 0 {
		t.Errorf("event persister: upstream %q, resources %v, endpoints %d", a.Upstream, a.HTTPResources, len(a.Endpoints))
	}
	// Unix replication socket.
	a, _ = RenderWorker(c157, Worker{Name: "p2", Host: "10.0.0.6", Listeners: []Listener{{Type: "http", Path: "/run/p2.sock", Resources: []string{"replication"}}}})
	if a.InstanceMap == nil || a.InstanceMap.Path != "/run/p2.sock" || a.InstanceMap.Host != "" || len(a.ReplicationBindAddresses) != 0 {
		t.Errorf("unix replication: %+v %v", a.InstanceMap, a.ReplicationBindAddresses)
	}
	// Paths with spaces are quoted in the command.
	a, ps = RenderWorker(c157, Worker{Name: "p3", Host: "h", ReplicationPort: 9093, ConfigDir: "/srv/my synapse"})
	if ps.HasErrors() || a.Command != "python -m synapse.app.generic_worker --config-path '/srv/my synapse/homeserver.yaml' --config-path '/srv/my synapse/workers/p3.yaml'" {
		t.Errorf("command = %q (%s)", a.Command, ps)
	}
}

func TestRenderWorkerDeterministic(t *testing.T) {
	for _, tc := range goldenWorkers {
		a1, _ := RenderWorker(c157, tc.w)
		a2, _ := RenderWorker(c157, tc.w)
		if a1.ConfigYAML != a2.ConfigYAML || a1.LogConfigYAML != a2.LogConfigYAML || a1.Command != a2.Command {
			t.Errorf("%s: two renderings differ", tc.name)
		}
	}
	// extra_config keys come out sorted whatever their input order.
	w := Worker{Name: "x", Host: "h", ReplicationPort: 9093}
	w.ExtraConfig = "b: 1\na: 2\nc: {z: 1, y: 2}\n"
	a1, _ := RenderWorker(c157, w)
	w.ExtraConfig = "c: {y: 2, z: 1}\na: 2\nb: 1\n"
	a2, _ := RenderWorker(c157, w)
	if a1.ConfigYAML != a2.ConfigYAML {
		t.Errorf("extra_config order changes the output:\n%s\n%s", a1.ConfigYAML, a2.ConfigYAML)
	}
	if !strings.Contains(a1.ConfigYAML, "a: 2\nb: 1\nc:\n") {
		t.Errorf("extra_config keys are not sorted:\n%s", a1.ConfigYAML)
	}
}

// base is a valid worker each validation case breaks in one way.
func base() Worker {
	return Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "10.0.0.5", HTTPPort: 8083}
}

func TestValidateWorkerRules(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(w *Worker)
		path   string
		detail string
	}{
		{"empty name", func(w *Worker) { w.Name = "" }, "name", "empty"},
		{"name charset", func(w *Worker) { w.Name = "sync 1" }, "name", `"sync_1"`},
		{"name newline", func(w *Worker) { w.Name = "a\nworker_app: x" }, "name", "may only contain"},
		{"name too long", func(w *Worker) { w.Name = strings.Repeat("a", 65) }, "name", "at most 64"},
		{"name main", func(w *Worker) { w.Name = "Main" }, "name", "reserved"},
		{"name master", func(w *Worker) { w.Name = "master" }, "name", "reserved"},
		{"unknown role", func(w *Worker) { w.Roles = []string{"frontend_proxy"} }, "roles", `"synchrotron"`},
		{"duplicate role", func(w *Worker) { w.Roles = []string{"synchrotron", "synchrotron"} }, "roles", "twice"},
		{"empty host", func(w *Worker) { w.Host = "" }, "host", "empty"},
		{"host with port", func(w *Worker) { w.Host = "10.0.0.5:8083" }, "host", "neither a hostname nor an IP"},
		{"host newline", func(w *Worker) { w.Host = "a\nb" }, "host", "neither a hostname"},
		{"host quote", func(w *Worker) { w.Host = `a"b` }, "host", "neither a hostname"},
		{"host brace", func(w *Worker) { w.Host = "a{b}" }, "host", "neither a hostname"},
		{"host semicolon", func(w *Worker) { w.Host = "a;b" }, "host", "neither a hostname"},
		{"host hash", func(w *Worker) { w.Host = "a#b" }, "host", "neither a hostname"},
		{"host bracketed ipv6", func(w *Worker) { w.Host = "[::1]" }, "host", `without brackets ("::1")`},
		{"http_port range", func(w *Worker) { w.HTTPPort = 70000 }, "http_port", "between 1 and 65535"},
		{"replication_port range", func(w *Worker) { w.ReplicationPort = -1 }, "replication_port", "between 1 and 65535"},
		{"metrics_port range", func(w *Worker) { w.MetricsPort = 65536 }, "metrics_port", "between 1 and 65535"},
		{"http_port required", func(w *Worker) { w.HTTPPort = 0 }, "http_port", "http_port is not set"},
		{"duplicate ports", func(w *Worker) { w.ReplicationPort = 8083 }, "replication_port", "both 8083"},
		{"bind address hostname", func(w *Worker) { w.BindAddresses = []string{"localhost"} }, "bind_addresses[0]", "IP addresses only"},
		{"listeners with http_port", func(w *Worker) {
			w.Listeners = []Listener{{Type: "http", Port: 8080, Resources: []string{"client"}}}
		}, "http_port", "ignored when listeners is set"},
		{"listener type", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "replication", Port: 9093}, {Type: "http", Port: 8083, Resources: []string{"client"}}}
		}, "listeners[0].type", `"http", "metrics", "manhole"`},
		{"listener port and path", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Path: "/run/s.sock", Resources: []string{"client"}}}
		}, "listeners[0]", "both port 8083 and path"},
		{"listener neither port nor path", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Resources: []string{"client"}}}
		}, "listeners[0]", "neither port nor path"},
		{"listener port range", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 100000, Resources: []string{"client"}}}
		}, "listeners[0].port", "between 1 and 65535"},
		{"listener relative path", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Path: "run/s.sock", Resources: []string{"client"}}}
		}, "listeners[0].path", "relative path"},
		{"listener unknown resource", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client", "admin"}}}
		}, "listeners[0].resources[1]", `"admin", not a listener resource`},
		{"listener duplicate resource", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client", "client"}}}
		}, "listeners[0].resources[1]", "twice"},
		{"metrics on unix socket", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}, {Type: "metrics", Path: "/run/m.sock"}}
		}, "listeners[1].path", "metrics listener cannot use a unix socket"},
		{"manhole on unix socket", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}, {Type: "manhole", Path: "/run/m.sock"}}
		}, "listeners[1].path", "manhole listener cannot use a unix socket"},
		{"tls on unix socket", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Path: "/run/s.sock", TLS: true, Resources: []string{"client"}}}
		}, "listeners[0].tls", "silently ignored"},
		{"bind addresses on unix socket", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Path: "/run/s.sock", BindAddresses: []string{"::"}, Resources: []string{"client"}}}
		}, "listeners[0].bind_addresses", "do not apply"},
		{"resources on metrics", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}, {Type: "metrics", Port: 9100, Resources: []string{"client"}}}
		}, "listeners[1].resources", "ignores resources"},
		{"role resources not served", func(w *Worker) {
			w.HTTPPort = 0
			w.Roles = []string{"federation_reader"}
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}}
		}, "listeners", `no http listener in listeners serves "federation"`},
		{"role resources split", func(w *Worker) {
			w.HTTPPort = 0
			w.Roles = []string{"federation_reader", "synchrotron"}
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}, {Type: "http", Port: 8084, Resources: []string{"federation"}}}
		}, "listeners", "single upstream"},
		{"duplicate listener ports", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, Resources: []string{"client"}}, {Type: "metrics", Port: 8083}}
		}, "listeners[1].port", "both use port 8083"},
		{"duplicate listener sockets", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Path: "/run/a.sock", Resources: []string{"client"}}, {Type: "http", Path: "/run/a.sock", Resources: []string{"replication"}}}
		}, "listeners[1].path", "both use the unix socket"},
		{"listener bind address", func(w *Worker) {
			w.HTTPPort = 0
			w.Listeners = []Listener{{Type: "http", Port: 8083, BindAddresses: []string{"any"}, Resources: []string{"client"}}}
		}, "listeners[0].bind_addresses[0]", "IP addresses only"},
		{"extra_config not yaml", func(w *Worker) { w.ExtraConfig = "a: [" }, "extra_config", "does not parse"},
		{"extra_config yes is a boolean to Synapse", func(w *Worker) { w.ExtraConfig = "update_user_directory: no\n" }, "extra_config", `"no", which Synapse's YAML 1.1 loader reads as a boolean`},
		{"extra_config 0o17 is a string to Synapse", func(w *Worker) { w.ExtraConfig = "x: [0o17]\n" }, "extra_config", "as a string but the provider's YAML 1.2 parser as an integer"},
		{"extra_config = cannot load", func(w *Worker) { w.ExtraConfig = "x: =\n" }, "extra_config", "cannot load"},
		{"extra_config not mapping", func(w *Worker) { w.ExtraConfig = "- a\n- b\n" }, "extra_config", "list, not a mapping"},
		{"extra_config worker_name", func(w *Worker) { w.ExtraConfig = "worker_name: other\n" }, "extra_config", "use `name`"},
		{"extra_config worker_app", func(w *Worker) { w.ExtraConfig = "worker_app: synapse.app.media_repository\n" }, "extra_config", `"worker_app"`},
		{"extra_config worker_listeners", func(w *Worker) { w.ExtraConfig = "worker_listeners: []\n" }, "extra_config", "`listeners`"},
		{"extra_config worker_log_config", func(w *Worker) { w.ExtraConfig = "worker_log_config: /x\n" }, "extra_config", "`log_config_path`"},
		{"extra_config enable_media_repo on media worker", func(w *Worker) {
			w.Roles = []string{"media_repository"}
			w.ExtraConfig = "enable_media_repo: false\n"
		}, "extra_config", `"media_repository" role`},
		{"extra_config worker_replication_host", func(w *Worker) { w.ExtraConfig = "worker_replication_host: 10.0.0.1\n" }, "extra_config", "instance_map.main"},
		{"extra_config worker_replication_http_port", func(w *Worker) { w.ExtraConfig = "worker_replication_http_port: 9093\n" }, "extra_config", "instance_map.main"},
		{"extra_config worker_replication_http_tls", func(w *Worker) { w.ExtraConfig = "worker_replication_http_tls: true\n" }, "extra_config", "instance_map.main"},
		{"extra_config worker_replication_port", func(w *Worker) { w.ExtraConfig = "worker_replication_port: 9092\n" }, "extra_config", "redis"},
		{"extra_config worker_main_http_uri", func(w *Worker) { w.ExtraConfig = "worker_main_http_uri: http://x\n" }, "extra_config", "instance_map.main"},
		{"extra_config instance_map", func(w *Worker) { w.ExtraConfig = "instance_map: {}\n" }, "extra_config", "synapse_shared_config"},
		{"extra_config stream_writers", func(w *Worker) { w.ExtraConfig = "stream_writers: {}\n" }, "extra_config", "synapse_shared_config"},
		{"extra_config redis", func(w *Worker) { w.ExtraConfig = "redis: {enabled: true}\n" }, "extra_config", "synapse_shared_config"},
		{"extra_config secret", func(w *Worker) { w.ExtraConfig = "worker_replication_secret: s\n" }, "extra_config", "synapse_shared_config"},
		{"extra_config _instances", func(w *Worker) { w.ExtraConfig = "pusher_instances: [a]\n" }, "extra_config", "synapse_shared_config"},
		{"extra_config duty", func(w *Worker) { w.ExtraConfig = "run_background_tasks_on: sync1\n" }, "extra_config", "synapse_shared_config"},
		{"log level", func(w *Worker) { w.LogLevel = "info" }, "log_level", `"DEBUG", "INFO"`},
		{"config_dir relative", func(w *Worker) { w.ConfigDir = "etc/synapse" }, "config_dir", "relative path"},
		{"shared_config_path newline", func(w *Worker) { w.SharedConfigPath = "/etc/a\nb" }, "shared_config_path", "newline"},
		{"log_config_path relative", func(w *Worker) { w.LogConfigPath = "log.yaml" }, "log_config_path", "absolute path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := base()
			tc.mutate(&w)
			ps := ValidateWorker(c157, w)
			found := false
			for _, p := range ps {
				if p.Path == tc.path && !p.Warning && strings.Contains(p.Detail, tc.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error at %q containing %q; got:\n%s", tc.path, tc.detail, ps)
			}
			if _, rps := RenderWorker(c157, w); !rps.HasErrors() {
				t.Error("RenderWorker rendered an invalid worker")
			}
		})
	}
}

func TestValidateWorkerValid(t *testing.T) {
	for _, tc := range goldenWorkers {
		if ps := ValidateWorker(c157, tc.w); len(ps.Errors()) != 0 || (len(ps) != 0 && tc.name != "listener_override_tcp_tls") {
			t.Errorf("%s: unexpected problems:\n%s", tc.name, ps)
		}
	}
	// enable_media_repo may be set on workers without a media role; names may use '_' and '-'.
	w := Worker{Name: "Sync_1-a", Roles: []string{"synchrotron"}, Host: "sync.example.org.", HTTPPort: 8083, ExtraConfig: "enable_media_repo: false\n"}
	if ps := ValidateWorker(c157, w); len(ps) != 0 {
		t.Errorf("unexpected problems:\n%s", ps)
	}
	// Empty extra_config forms.
	for _, extra := range []string{"", "{}", "null", "\n"} {
		w := base()
		w.ExtraConfig = extra
		if ps := ValidateWorker(c157, w); len(ps) != 0 {
			t.Errorf("extra_config %q: %s", extra, ps)
		}
	}
}

func TestValidateWorkerWarnsOnHTTPListenerWithoutResources(t *testing.T) {
	w := Worker{Name: "p1", Host: "h", Listeners: []Listener{{Type: "http", Port: 8080}}}
	ps := ValidateWorker(c157, w)
	if ps.HasErrors() || len(ps) != 1 || !ps[0].Warning || ps[0].Path != "listeners[0].resources" {
		t.Errorf("want one warning at listeners[0].resources, got:\n%s", ps)
	}
}

func TestValidateWorkerWarnsOnWorkerTLS(t *testing.T) {
	w := Worker{Name: "p1", Host: "h", Listeners: []Listener{{Type: "http", Port: 9093, TLS: true, Resources: []string{"replication"}}}}
	ps := ValidateWorker(c157, w)
	if ps.HasErrors() || len(ps) != 1 || !ps[0].Warning || ps[0].Path != "listeners[0].tls" || !strings.Contains(ps[0].Detail, "tls_certificate_path") {
		t.Errorf("want one warning at listeners[0].tls, got:\n%s", ps)
	}
}

func TestValidateWorkerCollectsEveryProblem(t *testing.T) {
	ps := ValidateWorker(c157, Worker{Name: "master", Roles: []string{"nope"}, Host: "", HTTPPort: 0, LogLevel: "loud"})
	paths := map[string]bool{}
	for _, p := range ps {
		paths[p.Path] = true
	}
	for _, want := range []string{"name", "roles", "host", "log_level"} {
		if !paths[want] {
			t.Errorf("no problem at %q; got:\n%s", want, ps)
		}
	}
}

func TestValidateWorkerPartialSkipsUnknown(t *testing.T) {
	w := Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "", HTTPPort: 0}
	ps := ValidateWorkerPartial(c157, w, Unknown{"host": true, "http_port": true})
	if len(ps) != 0 {
		t.Errorf("unknown host/http_port should skip their checks; got:\n%s", ps)
	}
	ps = ValidateWorkerPartial(c157, Worker{Name: "bad name", Host: "h"}, Unknown{"roles": true})
	if len(ps) != 1 || ps[0].Path != "name" {
		t.Errorf("known name should still be checked; got:\n%s", ps)
	}
}

func TestRenderWorkerExtraConfigAliasesResolved(t *testing.T) {
	w := base()
	// The alias would precede its anchor once keys are sorted; it must be resolved.
	w.ExtraConfig = "z: &big {a: 1}\na: *big\n"
	a, ps := RenderWorker(c157, w)
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(a.ConfigYAML), &m); err != nil {
		t.Fatalf("re-encoded extra_config does not parse: %v\n%s", err, a.ConfigYAML)
	}
	if fmt.Sprint(m["a"]) != "map[a:1]" || fmt.Sprint(m["z"]) != "map[a:1]" {
		t.Errorf("aliases not resolved: %v", m)
	}
}

// TestRenderWorkerFollowsVersion renders the same worker against both catalogues: the 1.157
// generic worker also serves the room_summary endpoint (1.156+).
func TestRenderWorkerFollowsVersion(t *testing.T) {
	w := Worker{Name: "generic1", Roles: []string{"generic"}, Host: "h", HTTPPort: 8080}
	a146, ps146 := RenderWorker(catalog.MustFor("1.146"), w)
	a157, ps157 := RenderWorker(c157, w)
	if ps146.HasErrors() || ps157.HasErrors() {
		t.Fatal(ps146, ps157)
	}
	if len(a157.Endpoints) != len(a146.Endpoints)+1 {
		t.Errorf("1.157 has %d endpoints, 1.146 has %d; want exactly room_summary more", len(a157.Endpoints), len(a146.Endpoints))
	}
	for _, e := range a146.Endpoints {
		if strings.Contains(e.Pattern, "room_summary") {
			t.Errorf("1.146 worker serves %q", e.Pattern)
		}
	}
}

// TestWorkerRefCatalogDefaults: what synapse_worker publishes (Ref(...).Compact) reads back
// (WithCatalogDefaults) as the worker's effective listener facts, for every role of every
// supported release; a generated listener publishes no http_resources and no bind addresses,
// and a listener that differs from the default publishes its own.
func TestWorkerRefCatalogDefaults(t *testing.T) {
	for _, v := range catalog.Versions() {
		c := catalog.MustFor(v)
		for _, r := range append(c.Roles, catalog.Role{}) {
			var roles []string
			if r.Name != "" {
				roles = []string{r.Name}
			}
			w := Worker{Name: "w1", Host: "10.0.0.2", Roles: roles, HTTPPort: 8080, ReplicationPort: 9093}
			a, ps := RenderWorker(c, w)
			if ps.HasErrors() {
				continue // a role that needs more than these ports
			}
			full := a.Ref(w)
			pub := full.Compact(c)
			if pub.HTTPResources != nil || pub.ReplicationBindAddresses != nil {
				t.Errorf("%s %v: generated listeners publish http_resources %v, bind addresses %v; want both null",
					v, roles, pub.HTTPResources, pub.ReplicationBindAddresses)
			}
			back := pub.WithCatalogDefaults(c)
			if strings.Join(back.HTTPResources, ",") != strings.Join(full.HTTPResources, ",") {
				t.Errorf("%s %v: http_resources read back as %v, want %v", v, roles, back.HTTPResources, full.HTTPResources)
			}
		}
		w := Worker{Name: "w1", Host: "10.0.0.2", Roles: []string{"federation_reader"}, Listeners: []Listener{
			{Type: "http", Port: 8080, Resources: []string{"client", "federation"}},
			{Type: "http", Port: 9093, BindAddresses: []string{"10.0.0.2"}, Resources: []string{"replication"}},
		}}
		a, ps := RenderWorker(c, w)
		if ps.HasErrors() {
			t.Fatalf("%s: %v", v, ps)
		}
		pub := a.Ref(w).Compact(c)
		if strings.Join(pub.HTTPResources, ",") != "client,federation" || strings.Join(pub.ReplicationBindAddresses, ",") != "10.0.0.2" {
			t.Errorf("%s: a listener override publishes http_resources %v, bind addresses %v", v, pub.HTTPResources, pub.ReplicationBindAddresses)
		}
	}
	// Without an upstream there is nothing to default.
	if got := (WorkerRef{Roles: []string{"synchrotron"}}).WithCatalogDefaults(c157); got.HTTPResources != nil {
		t.Errorf("a worker without an upstream reads http_resources %v", got.HTTPResources)
	}
}
