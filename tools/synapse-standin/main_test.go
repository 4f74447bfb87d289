package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadFailsLoudly: each broken input is refused with a message naming the file or key.
func TestLoadFailsLoudly(t *testing.T) {
	dir := t.TempDir()
	shared := write(t, dir, "shared.yaml", "instance_map:\n  main: {host: main, port: 9093}\nredis: {enabled: true, host: redis}\n")
	logc := write(t, dir, "w.log.config", "version: 1\n")
	good := write(t, dir, "w.yaml", "worker_name: w1\nworker_log_config: "+logc+"\nworker_listeners:\n  - {type: http, port: 8083, resources: [{names: [client]}]}\n")
	inv := invocation{app: "synapse.app.generic_worker", configs: []string{shared, good}}
	pr, err := load(inv)
	if err != nil {
		t.Fatal(err)
	}
	if pr.name != "w1" || len(pr.listeners) != 1 || pr.listeners[0].port != 8083 || pr.redis != "redis:6379" {
		t.Errorf("loaded %+v", pr)
	}
	for _, tc := range []struct{ name, worker, want string }{
		{"missing file", "", "no such file"},
		{"invalid YAML", "worker_name: [\n", "is not valid YAML"},
		{"not a mapping", "- a\n", "not valid YAML"},
		{"no worker_name", "worker_listeners: [{type: http, port: 1}]\n", "worker_name is missing"},
		{"missing log config", "worker_name: w\nworker_log_config: /nonexistent/log.yaml\nworker_listeners: [{type: http, port: 1}]\n", "worker_log_config /nonexistent/log.yaml"},
		{"no listeners", "worker_name: w\n", "worker_listeners is missing"},
		{"bad port", "worker_name: w\nworker_listeners: [{type: http, port: 0}]\n", "not a port"},
	} {
		p := filepath.Join(dir, "absent.yaml")
		if tc.worker != "" {
			p = write(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml", tc.worker)
		}
		_, err := load(invocation{app: "synapse.app.generic_worker", configs: []string{shared, p}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := load(invocation{app: "synapse.app.generic_worker", configs: []string{good}}); err == nil || !strings.Contains(err.Error(), "instance_map.main") {
		t.Errorf("a worker without instance_map.main: %v", err)
	}
	for _, args := range [][]string{{"-m", "synapse.app.other", "--config-path", "x"}, {"-m", "synapse.app.homeserver"}, {"--config-path"}, {"-x"}} {
		if _, err := parseArgs(args); err == nil {
			t.Errorf("parseArgs(%q) accepted", args)
		}
	}
}
