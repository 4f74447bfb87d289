package fleet

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzRenderWorker renders arbitrary names, hosts, paths and extra_config. It must never panic,
// and whenever validation passes, the rendered YAML must parse back to exactly the inputs:
// no value can inject a key or end up changed (the injection proof).
func FuzzRenderWorker(f *testing.F) {
	seeds := []struct {
		name, host, configDir, logPath, extra, role string
		port                                        int
		unix                                        bool
	}{
		{"sync1", "10.0.0.5", "", "", "", "synchrotron", 8083, false},
		{"sync1\nworker_app: x", "10.0.0.5", "", "", "", "synchrotron", 8083, false},
		{"a: b", "h", "", "", "", "", 8083, false},
		{"sync1", "10.0.0.5\nworker_name: evil", "", "", "", "synchrotron", 8083, false},
		{"sync1", "h\"; proxy_pass http://evil;#", "", "", "", "synchrotron", 8083, false},
		{"sync1", "{evil}", "", "", "", "synchrotron", 8083, false},
		{"sync1", "fd00::1", "/srv/a b", "", "", "generic", 8083, false},
		{"sync1", "h", "/etc/x\nworker_name: evil", "", "", "synchrotron", 8083, false},
		{"sync1", "h", "/etc/#x: {y}", "/var/log/'q'.yaml", "", "synchrotron", 8083, false},
		{"sync1", "h", "/etc/\"x\"", "/var/log/a: b", "a: 1", "synchrotron", 8083, true},
		{"media1", "h", "", "", "worker_name: evil", "media_repository", 8085, false},
		{"media1", "h", "", "", "x: &a [1]\ny: *a\n", "media_repository", 8085, false},
		{"true", "null", "/", "/~", "'worker_name': x", "sso", 1, true},
		{"w", "h", "", "", "\"worker_app\": y\n", "", 65535, false},
		{"w", "h", "", "", "{a: [\n", "", 0, false},
		{"w", "h", "", "", "!!binary aGVsbG8=", "", 8080, false},
		{"MASTER", "h", "", "", "", "", 8080, false},
		{"yes", "on", "/0777", "/2024-01-01", "a: \"=\"\nb: \"<<\"\n", "synchrotron", 8080, false},
	}
	for _, s := range seeds {
		f.Add(s.name, s.host, s.configDir, s.logPath, s.extra, s.role, s.port, s.unix)
	}
	f.Fuzz(func(t *testing.T, name, host, configDir, logPath, extra, role string, port int, unix bool) {
		w := Worker{Name: name, Host: host, ConfigDir: configDir, LogConfigPath: logPath, ExtraConfig: extra, HTTPPort: port}
		if role != "" {
			w.Roles = []string{role}
		}
		sock := configDir + "/http.sock"
		if unix {
			w.HTTPPort = 0
			w.Listeners = []Listener{
				{Type: "http", Path: sock, Resources: []string{"client", "federation", "media"}},
				{Type: "http", Port: port, Resources: []string{"replication"}},
			}
		}
		a, ps := RenderWorker(c157, w)
		if ps.HasErrors() {
			if a.ConfigYAML != "" {
				t.Fatal("artifacts rendered despite errors")
			}
			return
		}
		d := w.WithDefaults()
		var parsed map[string]any
		if err := yaml.Unmarshal([]byte(a.ConfigYAML), &parsed); err != nil {
			t.Fatalf("config_yaml does not parse: %v\n%s", err, a.ConfigYAML)
		}
		if parsed["worker_name"] != name {
			t.Fatalf("worker_name = %#v, want %#v", parsed["worker_name"], name)
		}
		// Synapse reads the file with a YAML 1.1 loader: the name must still be that string.
		if p11, err := decodeYAML11(a.ConfigYAML); err != nil {
			t.Fatalf("config_yaml does not load as YAML 1.1: %v\n%s", err, a.ConfigYAML)
		} else if m, _ := p11.(map[string]any); m == nil || m["worker_name"] != name {
			t.Fatalf("worker_name reads back in YAML 1.1 as %#v, want %q\n%s", p11, name, a.ConfigYAML)
		}
		if parsed["worker_log_config"] != d.LogConfigPath || a.LogConfigPath != d.LogConfigPath {
			t.Fatalf("worker_log_config = %#v, want %#v", parsed["worker_log_config"], d.LogConfigPath)
		}
		if parsed["worker_app"] != "synapse.app.generic_worker" {
			t.Fatalf("worker_app = %#v", parsed["worker_app"])
		}
		ls, _ := parsed["worker_listeners"].([]any)
		if len(ls) != len(EffectiveListeners(c157, w)) {
			t.Fatalf("%d listeners parsed, %d rendered", len(ls), len(EffectiveListeners(c157, w)))
		}
		if unix {
			first, _ := ls[0].(map[string]any)
			if first["path"] != sock {
				t.Fatalf("listener path = %#v, want %#v", first["path"], sock)
			}
			if a.Upstream != "unix:"+sock {
				t.Fatalf("upstream = %q", a.Upstream)
			}
		}
		if a.InstanceMap != nil && a.InstanceMap.Path == "" && a.InstanceMap.Host != host {
			t.Fatalf("instance map host = %q, want %q", a.InstanceMap.Host, host)
		}
		if !unix && a.Upstream != "" && a.Upstream != net.JoinHostPort(host, strconv.Itoa(port)) {
			t.Fatalf("upstream = %q, want host %q port %d", a.Upstream, host, port)
		}
		// Only the provider's keys, enable_media_repo and the user's extra keys appear.
		extraKeys := map[string]bool{}
		if m, err := parseYAMLMapping(extra); err == nil {
			for k := range m {
				extraKeys[k] = true
			}
		}
		for k := range parsed {
			switch k {
			case "worker_app", "worker_name", "worker_listeners", "worker_log_config", "enable_media_repo":
			default:
				if !extraKeys[k] {
					t.Fatalf("unexpected key %q in:\n%s", k, a.ConfigYAML)
				}
			}
		}
		var lc map[string]any
		if err := yaml.Unmarshal([]byte(a.LogConfigYAML), &lc); err != nil {
			t.Fatalf("log_config_yaml does not parse: %v", err)
		}
		if !strings.Contains(a.Command, "--config-path") {
			t.Fatalf("command = %q", a.Command)
		}
	})
}

// FuzzValidateStreamAssignment validates and renders arbitrary assignments: never a panic, and
// a valid assignment parses back to exactly its writers (main as master).
func FuzzValidateStreamAssignment(f *testing.F) {
	for _, s := range [][2]string{
		{"events", "p1,p2"}, {"events", "main,p1"}, {"typing", "main"}, {"typing", "a,b"}, {"push", "a"},
		{"quarantined_media", "m1"}, {"events", "master"}, {"events", "p1\n  - evil"}, {"events", "a: b"},
		{"events\nevil: x", "p1"}, {"receipts", "r1,r1"}, {"device_lists", ""}, {"thread_subscriptions", "t1"},
		{"", ""}, {"events", "#x,{y}"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, stream, writers string) {
		var ws []string
		if writers != "" {
			ws = strings.Split(writers, ",")
		}
		s := StreamAssignment{Stream: stream, Writers: ws}
		ps := ValidateStreamAssignment(c157, s)
		a, rps := RenderStreamAssignment(c157, s)
		if ps.HasErrors() != rps.HasErrors() {
			t.Fatalf("validate and render disagree: %s / %s", ps, rps)
		}
		if ps.HasErrors() {
			return
		}
		var parsed map[string][]string
		if err := yaml.Unmarshal([]byte(a.ConfigYAML), &parsed); err != nil {
			t.Fatalf("config does not parse: %v\n%s", err, a.ConfigYAML)
		}
		got, ok := parsed[stream]
		if len(parsed) != 1 || !ok || len(got) != len(ws) {
			t.Fatalf("parsed %v from %q", parsed, a.ConfigYAML)
		}
		for i, w := range ws {
			want := w
			if w == MainWriter {
				want = c157.MainInstanceName
			}
			if got[i] != want {
				t.Fatalf("writer %d = %q, want %q", i, got[i], want)
			}
		}
	})
}
