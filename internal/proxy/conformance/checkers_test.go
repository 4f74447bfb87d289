package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// TestCheckersAcceptOptions runs each proxy's own checker on configurations using the options
// the conformance run leaves at their defaults: a server name, a user, a unix-socket member, a
// single pool with standbys and a method- and query-conditioned route.
func TestCheckersAcceptOptions(t *testing.T) {
	bins := binaries(t)
	table := routing.Table{
		Routes: []routing.Route{
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Query: &routing.QueryCondition{Param: "since", Present: true}, Pool: "sync", Group: "Sync requests"},
			{Pattern: `^/_matrix/client/v1/register/m\.login\.registration_token/validity$`, Methods: []string{"GET", "HEAD"}, Pool: "sso", Group: "Registration"},
			{Pattern: `^/_matrix/federation/v1/send/`, Pool: "fed", Group: "Federation"},
		},
		Pools: []routing.Pool{
			{Name: "sync", Strategy: routing.ByUser, Members: []routing.Member{{Name: "s1", Upstream: "127.0.0.1:18101"}, {Name: "s2", Upstream: "unix:/run/synapse/s2.sock"}}},
			{Name: "sso", Strategy: routing.Single, Members: []routing.Member{{Name: "a", Upstream: "localhost:18201"}, {Name: "b", Upstream: "[::1]:18202"}}},
			{Name: "fed", Strategy: routing.BySourceIP, Members: []routing.Member{{Name: "f1", Upstream: "127.0.0.1:18301"}, {Name: "f2", Upstream: "127.0.0.1:18302"}}},
			{Name: routing.MainPool, Strategy: routing.RoundRobin, Members: []routing.Member{{Name: "main", Upstream: "127.0.0.1:18008"}}},
		},
	}
	for _, p := range proxy.Proxies {
		dir := t.TempDir()
		user := "www-data"
		cfg, err := proxy.Render(p, table, proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 18999, ServerName: "matrix.example.org", RuntimeDir: dir, User: user, CaddyAdmin: "127.0.0.1:18998"})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, string(p)+".conf")
		if err := os.WriteFile(file, []byte(cfg.Full), 0o644); err != nil {
			t.Fatal(err)
		}
		var args []string
		switch p {
		case proxy.Nginx:
			args = []string{"-t", "-p", dir, "-e", "stderr", "-c", file}
		case proxy.HAProxy:
			args = []string{"-c", "-f", file}
		case proxy.Caddy:
			args = []string{"validate", "--config", file, "--adapter", "caddyfile"}
		case proxy.Apache:
			args = []string{"-t", "-f", file}
		}
		cmd := exec.Command(bins[p], args...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s rejects its configuration: %v\n%s\n--- config ---\n%s", p, err, out, cfg.Full)
		}
	}
}
