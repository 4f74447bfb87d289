package fleet

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// hsWithClient is exampleHomeserver with its client listener on port (8008 there).
func hsWithClient(port string) string {
	return strings.Replace(exampleHomeserver, "  - port: 8008\n", "  - port: "+port+"\n", 1)
}

// The mistakes Synapse accepts in silence (issue #12), each on the attribute at fault.
func TestValidateSharedSilentMistakes(t *testing.T) {
	replListener := "  - port: 9095\n    type: http\n    resources: [{names: [replication]}]\n"
	cases := []badCase{
		{"client listener on another port than main.http_port", withHS(hsWithClient("8448")),
			[]want{e("main.http_port", sumMainClient, "client listener (listeners[0]) is on port 8448")}},
		{"no client listener in homeserver_yaml", withHS("server_name: example.org\nreport_stats: false\nsigning_key_path: /k\n"),
			[]want{e("homeserver_yaml", sumMainClient, "no http listener serving the `client` resource")}},
		{"only a federation listener", withHS(strings.Replace(exampleHomeserver, "names: [client, federation]", "names: [federation]", 1)),
			[]want{e("homeserver_yaml", sumMainClient, "{port: 8008")}},
		{"inline redis password", withHS(exampleHomeserver + "redis:\n  enabled: true\n  password: hunter2\n"), []want{}},
		{"inline redis password without password_path", func(c *SharedConfig) {
			c.HomeserverYAML = exampleHomeserver + "redis:\n  enabled: true\n  password: hunter2\n"
			c.Redis.PasswordPath = ""
		}, []want{e("redis.password_path", sumRedisPassword, "password would be dropped")}},
		{"second replication listener", withHS(exampleHomeserver[:strings.Index(exampleHomeserver, "database:")] + replListener +
			exampleHomeserver[strings.Index(exampleHomeserver, "database:"):]),
			[]want{e("main.replication_port", sumSecondRepl, "set main.replication_port = 9095")}},
		{"hosts differ only in case", func(c *SharedConfig) { c.Workers[1].Host = "Synapse-A"; c.Workers[2].Host = "synapse-a" },
			[]want{w("workers[2].host", sumHostCase, `workers[1].host is "Synapse-A"`)}},
		{"metrics port on another worker's http port", func(c *SharedConfig) {
			c.Workers[1].Listeners = []Listener{{Type: "metrics", Port: 8083}}
		}, []want{e("workers[1].name", "Address Already In Use", "the metrics listener of \"persister1\" and the HTTP listener of \"sync1\"")}},
		{"metrics clash across host spellings", func(c *SharedConfig) {
			c.Workers[0].Host, c.Workers[0].Upstream = "Node2", "Node2:8083"
			c.Workers[1].Host = "node2"
			c.Workers[1].Listeners = []Listener{{Type: "metrics", Port: 8083}}
		}, []want{e("workers[1].name", "Address Already In Use", "8083"), w("workers[1].host", sumHostCase, "Node2")}},
		{"metrics listener without enable_metrics", func(c *SharedConfig) {
			c.HomeserverYAML = exampleHomeserver
			c.Workers[0].Listeners = []Listener{{Type: "metrics", Port: 9000}}
		}, []want{w("workers[0].name", sumMetricsDisabled, "enable_metrics: true")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fullFleet()
			tc.mutate(&cfg)
			ps := ValidateShared(latest, cfg)
			for _, wt := range tc.want {
				found := false
				for _, p := range ps {
					found = found || (p.Path == wt.path && p.Summary == wt.summary && strings.Contains(p.Detail, wt.substr) && p.Warning == wt.warning)
				}
				if !found {
					t.Errorf("want %s at %q (%q); got:\n%s", wt.summary, wt.path, wt.substr, ps)
				}
			}
			if len(tc.want) == 0 && ps.HasErrors() {
				t.Errorf("want no error (redis.password_path is set, so the inline password is meant to go); got:\n%s", ps)
			}
		})
	}
}

// The same fleets without the mistake raise none of these problems.
func TestValidateSharedSilentMistakesNotRaisedWhenRight(t *testing.T) {
	cfg := fullFleet()
	cfg.HomeserverYAML = exampleHomeserver + "enable_metrics: true\n"
	cfg.Workers[0].Listeners = []Listener{{Type: "metrics", Port: 9000}}
	cfg.Workers[1].Host = "10.0.0.2"
	for _, p := range ValidateShared(latest, cfg) {
		switch p.Summary {
		case sumMainClient, sumRedisPassword, sumSecondRepl, sumHostCase, sumMetricsDisabled, "Address Already In Use":
			t.Errorf("unexpected: %s", p)
		}
	}
	cfg.HomeserverYAML = exampleHomeserver
	cfg.Workers[0].EnableMetrics = true // the worker's own extra_config sets it
	for _, p := range ValidateShared(latest, cfg) {
		if p.Summary == sumMetricsDisabled {
			t.Errorf("unexpected: %s", p)
		}
	}
}

func TestValidateWorkerSilentMistakes(t *testing.T) {
	base := Worker{Name: "sync1", Roles: []string{"synchrotron"}, Host: "10.0.0.5", HTTPPort: 8083}
	for _, c := range []struct {
		name    string
		mutate  func(w *Worker)
		path    string
		summary string
		substr  string
		warning bool
	}{
		{"database without name", func(w *Worker) { w.ExtraConfig = "database:\n  args:\n    cp_max: 5\n" },
			attrExtraConfig, sumMergeReplaces, "fall back to SQLite", false},
		{"complete database block", func(w *Worker) { w.ExtraConfig = "database:\n  name: psycopg2\n  args:\n    cp_max: 5\n" },
			attrExtraConfig, sumMergeReplaces, "replaces the shared configuration's whole database", true},
		{"caches mapping", func(w *Worker) { w.ExtraConfig = "caches:\n  global_factor: 2\n" },
			attrExtraConfig, sumMergeReplaces, "whole caches", true},
		{"IPv4 look-alike", func(w *Worker) { w.Host = "10.0.0.300" }, attrHost, sumHost, "looks like an IPv4 address", false},
		{"relative config_dir", func(w *Worker) { w.ConfigDir = "etc/matrix-synapse" }, attrConfigDir, sumPath, `e.g. "/etc/matrix-synapse"`, false},
		{"relative log path", func(w *Worker) { w.LogConfigPath = "workers/sync1.log.config" }, attrLogConfigPath, sumPath,
			`e.g. "/etc/matrix-synapse/workers/sync1.log.config"`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := base
			c.mutate(&w)
			ps := ValidateWorker(latest, w)
			found := false
			for _, p := range ps {
				found = found || (p.Path == c.path && p.Summary == c.summary && strings.Contains(p.Detail, c.substr) && p.Warning == c.warning)
			}
			if !found {
				t.Errorf("want %s at %q (%q, warning %v); got:\n%s", c.summary, c.path, c.substr, c.warning, ps)
			}
		})
	}
	// Scalars in extra_config and valid hosts raise nothing new.
	w := base
	w.Host = "worker1.internal"
	w.ExtraConfig = "max_upload_size: 100M\n"
	if ps := ValidateWorker(latest, w); len(ps) > 0 {
		t.Errorf("valid worker: %s", ps)
	}
	for _, h := range []string{"10.0.0.30", "node42", "a1.b2", "fd00::1"} {
		if ps := ValidateHost("host", h); len(ps) > 0 {
			t.Errorf("host %q: %s", h, ps)
		}
	}
}

// main.metrics_port renders a metrics listener after the replication listener, merges into
// homeserver_yaml like it, and is checked like the other main ports.
func TestMainMetricsPort(t *testing.T) {
	cfg := fullFleet()
	cfg.Main.MetricsPort = 9000
	cfg.HomeserverYAML = exampleHomeserver + "enable_metrics: true\n"
	if ps := ValidateShared(latest, cfg); len(ps) > 0 {
		t.Fatalf("valid fleet with main.metrics_port: %s", ps)
	}
	out, err := RenderShared(latest, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for what, doc := range map[string]string{"config_yaml": out.ConfigYAML, "merged_yaml": out.MergedYAML} {
		var m struct {
			Listeners []struct {
				Type          string   `yaml:"type"`
				Port          int      `yaml:"port"`
				BindAddresses []string `yaml:"bind_addresses"`
			} `yaml:"listeners"`
		}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		last := m.Listeners[len(m.Listeners)-1]
		if last.Type != "metrics" || last.Port != 9000 || len(last.BindAddresses) != 1 || last.BindAddresses[0] != "10.0.0.1" {
			t.Errorf("%s: the last listener is %+v, want the metrics listener on 9000 bound to 10.0.0.1", what, last)
		}
	}
	// Merging twice keeps one metrics listener (the file's equivalent one is found).
	again := cfg
	again.HomeserverYAML = out.MergedYAML
	if out2, err := RenderShared(latest, again); err != nil || out2.MergedYAML != out.MergedYAML {
		t.Errorf("merging the merged file again changed it (err %v):\n%s", err, out2.MergedYAML)
	}

	for _, c := range []struct {
		name    string
		mutate  func(c *SharedConfig)
		summary string
		warning bool
	}{
		{"on the http port", func(c *SharedConfig) { c.Main.MetricsPort = 8008 }, "Port Already In Use", false},
		{"out of range", func(c *SharedConfig) { c.Main.MetricsPort = 70000 }, "Invalid Port", false},
		{"without enable_metrics", func(c *SharedConfig) { c.HomeserverYAML = exampleHomeserver }, sumMetricsDisabled, true},
	} {
		bad := cfg
		c.mutate(&bad)
		found := false
		for _, p := range ValidateShared(latest, bad) {
			found = found || (p.Path == "main.metrics_port" && p.Summary == c.summary && p.Warning == c.warning)
		}
		if !found {
			t.Errorf("%s: want %s at main.metrics_port; got:\n%s", c.name, c.summary, ValidateShared(latest, bad))
		}
	}
}
