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
// the conformance run leaves at their defaults (a server name, a user, a Caddy admin address; then
// an IPv6 listener), with a unix-socket member, an IPv6 member, a single pool with a standby and
// a method- and query-conditioned route; a table with no routes at all; plain HTTP on 443 and
// 8448; and TLS with a certificate made by the test in each key layout HAProxy can load.
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
	onlyMain := routing.Table{Pools: table.Pools[len(table.Pools)-1:]}
	certDir := t.TempDir()
	separate := newTestCert(t, certDir, "tls.pem", "tls.pem.key") // HAProxy finds <crt>.key
	delExt := newTestCert(t, certDir, "matrix.crt", "matrix.key") // HAProxy: ssl-load-extra-del-ext
	combined := newTestCert(t, certDir, "combined.pem", "combined.pem")
	withTLS := func(c testCert, o proxy.Options) proxy.Options {
		o.TLSCertificatePath, o.TLSKeyPath = c.certFile, c.keyFile
		return o
	}
	rounds := []struct {
		name  string
		table routing.Table
		opts  func(dir string) proxy.Options
	}{
		{"every option", table, func(dir string) proxy.Options {
			return proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 18999, ServerName: "matrix.example.org", RuntimeDir: dir, User: "www-data", CaddyAdmin: "127.0.0.1:18998"}
		}},
		{"IPv6 listener, other options at their defaults", table, func(dir string) proxy.Options {
			return proxy.Options{ListenAddress: "[::1]", ListenPort: 18999, RuntimeDir: dir}
		}},
		{"a fleet with no workers (no routes, only the main pool)", onlyMain, func(dir string) proxy.Options {
			return proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 18999, RuntimeDir: dir}
		}},
		// The user report: plain HTTP on the Matrix ports, which Caddy's http:// on 443 broke.
		{"plain HTTP on 443 and 8448", table, func(dir string) proxy.Options {
			return proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 443, AdditionalPorts: []int{8448}, ServerName: "matrix.example.org", RuntimeDir: dir}
		}},
		{"TLS on 443 and 8448, key next to the certificate", table, func(dir string) proxy.Options {
			return withTLS(separate, proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 443, AdditionalPorts: []int{8448}, ServerName: "matrix.example.org", RuntimeDir: dir, User: "www-data"})
		}},
		{"TLS, key named like the certificate, IPv6", table, func(dir string) proxy.Options {
			return withTLS(delExt, proxy.Options{ListenAddress: "[::1]", ListenPort: 18443, RuntimeDir: dir})
		}},
		{"TLS on port 80, certificate and key in one file", onlyMain, func(dir string) proxy.Options {
			return withTLS(combined, proxy.Options{ListenAddress: "127.0.0.1", ListenPort: 80, AdditionalPorts: []int{8448}, RuntimeDir: dir})
		}},
	}
	for _, round := range rounds {
		for _, p := range proxy.Proxies {
			dir := t.TempDir()
			checkRendered(t, bins, p, round.name, round.table, round.opts(dir), dir)
		}
	}
}

// checkRendered renders the table for p and runs the proxy's own checker on the standalone
// configuration.
func checkRendered(t *testing.T, bins map[proxy.Proxy]string, p proxy.Proxy, name string, tb routing.Table, opts proxy.Options, dir string) {
	t.Helper()
	cfg, err := proxy.Render(p, tb, opts)
	if err != nil {
		t.Fatalf("%s, %s: %v", name, p, err)
	}
	if len(cfg.Warnings) > 0 && p != proxy.Caddy {
		t.Errorf("%s, %s: unexpected warnings %v", name, p, cfg.Warnings)
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
		t.Errorf("%s, %s rejects its configuration: %v\n%s\n--- config ---\n%s", name, p, err, out, cfg.Full)
	}
}
