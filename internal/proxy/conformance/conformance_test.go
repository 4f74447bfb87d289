// Package conformance starts the real proxies on loopback with configurations rendered from
// compiled routing tables, sends a corpus of requests through them to stub upstreams, and checks
// that each proxy picks a member of the pool routing.Match names, that this pool is the one
// Synapse's docs expect, and that hashing strategies are sticky and spread.
//
// It needs nginx, haproxy, caddy and apache2 on PATH (or in /usr/sbin): a missing binary FAILS
// the test; install them (`apt-get install nginx haproxy caddy apache2`, as .ci/run does).
package conformance

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// summary collects "proxy fleet passed/total" lines for the final report.
var (
	summaryMu sync.Mutex
	summary   []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	sort.Strings(summary)
	for _, s := range summary {
		fmt.Println("conformance:", s)
	}
	os.Exit(code)
}

// binaries finds the proxy binaries; a missing one fails the test.
func binaries(t *testing.T) map[proxy.Proxy]string {
	t.Helper()
	names := map[proxy.Proxy]string{proxy.Nginx: "nginx", proxy.HAProxy: "haproxy", proxy.Caddy: "caddy", proxy.Apache: "apache2"}
	out := map[proxy.Proxy]string{}
	for p, n := range names {
		path, err := exec.LookPath(n)
		if err != nil {
			for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin"} {
				if _, statErr := os.Stat(filepath.Join(dir, n)); statErr == nil {
					path, err = filepath.Join(dir, n), nil
					break
				}
			}
		}
		if err != nil {
			t.Errorf("%s is not installed: the conformance suite needs nginx, haproxy, caddy and apache2 (make test installs them through scripts/setup.sh; or run bash scripts/setup.sh)", n)
			continue
		}
		out[p] = path
	}
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// stubs starts one HTTP server per process name on 127.0.0.1 answering `X-Upstream: <name>`
// and echoing what the proxy sent (X-Seen-URI, X-Seen-Forwarded-For, X-Seen-Forwarded-Proto).
func stubs(t *testing.T, procNames []string) map[string]string {
	addrs, _ := startStubs(t, procNames)
	return addrs
}

// startStubs is stubs with a stop function per process (to take a pool down).
func startStubs(t *testing.T, procNames []string) (map[string]string, map[string]func()) {
	t.Helper()
	addrs, stops := map[string]string{}, map[string]func(){}
	for _, n := range procNames {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		name := n
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Upstream", name)
			w.Header().Set("X-Seen-URI", r.RequestURI)
			w.Header().Set("X-Seen-Forwarded-For", r.Header.Get("X-Forwarded-For"))
			w.Header().Set("X-Seen-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"))
			_, _ = io.WriteString(w, "{}")
		}), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		addrs[n] = ln.Addr().String()
		stops[n] = func() { _ = srv.Close() }
	}
	return addrs, stops
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("listener address %v is not TCP", ln.Addr())
	}
	port := addr.Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// compileFleet builds the fleet's table with routing.Compile, upstreams on the stubs.
func compileFleet(t *testing.T, f fleetSpec, addrs map[string]string) routing.Table {
	t.Helper()
	var refs []fleet.WorkerRef
	for _, w := range f.workers {
		refs = append(refs, fleet.WorkerRef{Name: w.name, Roles: w.roles, Host: "127.0.0.1", Upstream: addrs[w.name], HTTPResources: w.resources})
	}
	cat, err := catalog.For(catalog.Latest())
	if err != nil {
		t.Fatal(err)
	}
	table, probs := routing.Compile(cat, routing.Member{Name: routing.MainPool, Upstream: addrs[routing.MainPool]}, refs, f.writers, nil)
	for _, p := range probs {
		if !p.Warning {
			t.Fatalf("fleet %s does not compile: %s: %s: %s", f.name, p.Path, p.Summary, p.Detail)
		}
	}
	return table
}

func TestConformance(t *testing.T) {
	bins := binaries(t)
	reqs := corpus()
	for _, f := range fleets() {
		procs := []string{routing.MainPool}
		for _, w := range f.workers {
			procs = append(procs, w.name)
		}
		addrs := stubs(t, procs)
		table := compileFleet(t, f, addrs)
		checkExpectationsComplete(t, f, reqs)
		for _, p := range proxy.Proxies {
			t.Run(f.name+"/"+string(p), func(t *testing.T) {
				tg := startProxy(t, p, bins[p], table, nil, true)
				passed, total := runCorpus(t, p, tg, table, f, reqs)
				summaryMu.Lock()
				summary = append(summary, fmt.Sprintf("%-7s %-15s %d/%d", p, f.name, passed, total))
				summaryMu.Unlock()
				t.Logf("%s %s: %d/%d requests conform", p, f.name, passed, total)
			})
		}
	}
}

// TestConformanceTLS runs the "pools" fleet's corpus (several members per pool) through each
// proxy terminating TLS with a certificate made for the test, on two ports (like 443 and 8448),
// requests alternating between them: every request must reach a member of the pool
// routing.Match chooses, keys must stick across the two ports, and the upstream must be told
// X-Forwarded-Proto https.
func TestConformanceTLS(t *testing.T) {
	bins := binaries(t)
	reqs := corpus()
	var f fleetSpec
	for _, fs := range fleets() {
		if fs.name == "pools" {
			f = fs
		}
	}
	if f.name == "" {
		t.Fatal(`no fleet named "pools"`)
	}
	procs := []string{routing.MainPool}
	for _, w := range f.workers {
		procs = append(procs, w.name)
	}
	addrs := stubs(t, procs)
	table := compileFleet(t, f, addrs)
	cert := newTestCert(t, t.TempDir(), "tls.pem", "tls.pem.key")
	for _, p := range proxy.Proxies {
		t.Run(f.name+"/"+string(p), func(t *testing.T) {
			tg := startProxy(t, p, bins[p], table, &cert, false)
			passed, total := runCorpus(t, p, tg, table, f, reqs)
			summaryMu.Lock()
			summary = append(summary, fmt.Sprintf("%-7s %-15s %d/%d", p, f.name+"+tls", passed, total))
			summaryMu.Unlock()
			t.Logf("%s %s over TLS on ports %v: %d/%d requests conform", p, f.name, tg.ports, passed, total)
		})
	}
}

// checkExpectationsComplete makes sure every corpus category has an expectation for the fleet.
func checkExpectationsComplete(t *testing.T, f fleetSpec, reqs []request) {
	t.Helper()
	for _, r := range reqs {
		if _, ok := f.expect[r.category]; !ok {
			t.Fatalf("fleet %s has no expectation for category %q", f.name, r.category)
		}
	}
}

// TestCorpusCoversCatalogue fails when a catalogue endpoint has no request in the corpus.
func TestCorpusCoversCatalogue(t *testing.T) {
	cat, err := catalog.For(catalog.Latest())
	if err != nil {
		t.Fatal(err)
	}
	reqs := corpus()
	for _, e := range cat.Endpoints {
		re := e.Compiled()
		hit := false
		for _, r := range reqs {
			p, _ := url.PathUnescape(r.path)
			if re.MatchString(p) && (e.AllMethods() || slices.Contains(e.Methods, r.method)) {
				hit = true
				break
			}
		}
		if !hit {
			t.Errorf("no corpus request for catalogue endpoint %s %v", e.Pattern, e.Methods)
		}
	}
}

// target is where a started proxy listens and how a client reaches it.
type target struct {
	ports  []int       // ListenPort, then AdditionalPorts
	scheme string      // "http" or "https"
	tls    *tls.Config // trusts the test certificate; nil for http
	dir    string      // the runtime directory (logs: run.log, and nginx's and Apache's error.log)
}

// startProxy renders the table for p, runs the proxy's checker, starts it on a free loopback
// port and waits until it answers. With a certificate it terminates TLS on two free ports.
// startProxy starts proxy p on the table's rendered configuration: with split, the files of
// Config.Files in a directory (what the deploy modules write), else the one-file Full.
func startProxy(t *testing.T, p proxy.Proxy, bin string, table routing.Table, cert *testCert, split bool) target {
	t.Helper()
	return startProxyWith(t, p, bin, table, cert, split, proxy.Options{})
}

// startProxyWith is startProxy with more options (fallback, body size): the listen address,
// ports and directories and the TLS files are the test's.
func startProxyWith(t *testing.T, p proxy.Proxy, bin string, table routing.Table, cert *testCert, split bool, more proxy.Options) target {
	t.Helper()
	dir := t.TempDir()
	// The proxies' workers (nobody, www-data) write request bodies under it.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	confDir := filepath.Join(dir, "conf")
	opts := more
	opts.ListenAddress, opts.ListenPort, opts.RuntimeDir, opts.ConfigDir = "127.0.0.1", port, dir, confDir
	tg := target{ports: []int{port}, scheme: "http", dir: dir}
	if cert != nil {
		extra := freePort(t)
		opts.AdditionalPorts = []int{extra}
		opts.TLSCertificatePath, opts.TLSKeyPath = cert.certFile, cert.keyFile
		tg = target{ports: []int{port, extra}, scheme: "https", tls: cert.clientConfig(), dir: dir}
	}
	render := map[proxy.Proxy]func(routing.Table, proxy.Options) (proxy.Config, error){
		proxy.Nginx: proxy.RenderNginx, proxy.HAProxy: proxy.RenderHAProxy, proxy.Caddy: proxy.RenderCaddy, proxy.Apache: proxy.RenderApache,
	}[p]
	cfg, err := render(table, opts)
	if err != nil {
		t.Fatalf("render %s: %v", p, err)
	}
	for _, w := range cfg.Warnings {
		t.Logf("warning: %s", w)
	}
	file, shown := filepath.Join(dir, string(p)+".conf"), cfg.Full
	files := map[string]string{file: cfg.Full}
	if split {
		file, files, shown = filepath.Join(confDir, proxy.EntryFile(p)), map[string]string{}, ""
		for k, v := range cfg.Files {
			files[filepath.Join(confDir, k)] = v
			shown += "--- " + k + " ---\n" + v
		}
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// HAProxy has no include: it loads the pools directory after the entry file.
	haproxyFiles := []string{"-f", file}
	if split {
		haproxyFiles = append(haproxyFiles, "-f", filepath.Join(confDir, proxy.PoolsDir))
	}
	env := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	var checkArgs, runArgs []string
	switch p {
	case proxy.Nginx:
		checkArgs = []string{"-t", "-p", dir, "-e", "stderr", "-c", file}
		runArgs = []string{"-p", dir, "-e", "stderr", "-c", file, "-g", "daemon off;"}
	case proxy.HAProxy:
		checkArgs = append([]string{"-c"}, haproxyFiles...)
		runArgs = append([]string{"-db"}, haproxyFiles...)
	case proxy.Caddy:
		checkArgs = []string{"validate", "--config", file, "--adapter", "caddyfile"}
		runArgs = []string{"run", "--config", file, "--adapter", "caddyfile"}
	case proxy.Apache:
		checkArgs = []string{"-t", "-f", file}
		runArgs = []string{"-X", "-f", file}
	}
	check := exec.Command(bin, checkArgs...)
	check.Env = env
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("%s %s rejects the rendered configuration: %v\n%s\n--- config ---\n%s", bin, strings.Join(checkArgs, " "), err, out, shown)
	}
	cmd := exec.Command(bin, runArgs...)
	cmd.Env = env
	logPath := filepath.Join(dir, "run.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	done := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = logFile.Close()
	})
	client := clientFor("127.0.0.1", tg)
	deadline := time.Now().Add(20 * time.Second)
	for _, port := range tg.ports {
		for {
			select {
			case <-done:
				out, _ := os.ReadFile(logPath)
				t.Fatalf("%s exited before answering: %v\n%s", p, waitErr, out)
			default:
			}
			resp, err := client.Get(fmt.Sprintf("%s://127.0.0.1:%d/_matrix/client/versions", tg.scheme, port))
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.Header.Get("X-Upstream") != "" {
					break
				}
			}
			if time.Now().After(deadline) {
				out, _ := os.ReadFile(logPath)
				t.Fatalf("%s did not answer on %s port %d within 20s (last error %v)\n%s", p, tg.scheme, port, err, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return tg
}

// clientFor returns an HTTP client for the target whose connections come from the given
// loopback address.
func clientFor(src string, tg target) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext:         func(ctx context.Context, n, a string) (net.Conn, error) { return d.DialContext(ctx, n, a) },
			TLSClientConfig:     tg.tls,
			MaxIdleConnsPerHost: 4,
			// Requests with Expect: 100-continue wait for the proxy's go-ahead (or refusal).
			ExpectContinueTimeout: 5 * time.Second,
		},
	}
}

// runCorpus sends every request through the proxy, taking the target's ports in turn, and checks
// it; it returns how many passed.
func runCorpus(t *testing.T, p proxy.Proxy, tg target, table routing.Table, f fleetSpec, reqs []request) (int, int) {
	t.Helper()
	pools := map[string]routing.Pool{}
	for _, pl := range table.Pools {
		pools[pl.Name] = pl
	}
	clients := map[string]*http.Client{}
	sticky := map[string]string{}          // pool|key -> member
	spread := map[string]map[string]bool{} // pool -> members seen for non-empty keys
	passed := 0
	for i, r := range reqs {
		src := r.sourceIP
		if src == "" {
			src = "127.0.0.1"
		}
		if clients[src] == nil {
			clients[src] = clientFor(src, tg)
		}
		member, seen, sent, fwd, err := send(clients[src], tg.scheme, tg.ports[i%len(tg.ports)], r)
		if err != nil {
			t.Errorf("request %d %s %s?%s: %v", i, r.method, r.path, r.query, err)
			continue
		}
		res := routing.Match(table, matchRequest(r, src))
		pool := pools[res.Pool]
		var members []string
		for _, m := range pool.Members {
			members = append(members, m.Name)
		}
		ok := true
		if seen != sent {
			t.Errorf("%s forwarded %s %s as %q: the upstream must get the request URI unchanged", p, r.method, sent, seen)
			ok = false
		}
		if want := src + " " + tg.scheme; fwd != want {
			t.Errorf("%s told the upstream X-Forwarded-For/-Proto %q for %s %s from %s; want %q", p, fwd, r.method, sent, src, want)
			ok = false
		}
		if !slices.Contains(members, member) {
			t.Errorf("%s sent %s %s?%s (%s) to %q, not a member of pool %s %v that routing.Match chose", p, r.method, r.path, r.query, r.category, member, res.Pool, members)
			ok = false
		}
		if want := f.expect[r.category]; !sameSet(want, members) {
			t.Errorf("routing.Match sends %s %s?%s (%s) to pool %s %v; the docs expect %v", r.method, r.path, r.query, r.category, res.Pool, members, want)
			ok = false
		}
		if !recordSticky(t, p, res, member, sticky, spread, r.method+" "+r.path) {
			ok = false
		}
		if ok {
			passed++
		}
	}
	// Hashing pools with several members that saw many keys must use more than one member.
	keys := map[string]int{}
	for k := range sticky {
		pl, _, _ := strings.Cut(k, "|")
		keys[pl]++
	}
	var plNames []string
	for pl := range keys {
		plNames = append(plNames, pl)
	}
	sort.Strings(plNames)
	for _, pl := range plNames {
		n := keys[pl]
		perMember := map[string]int{}
		for k, m := range sticky {
			if strings.HasPrefix(k, pl+"|") {
				perMember[m]++
			}
		}
		t.Logf("%s %s: pool %s (%s): %d keys, each on one member; keys per member %v", p, f.name, pl, pools[pl].Strategy, n, perMember)
		if len(pools[pl].Members) > 1 && n >= 10 && len(spread[pl]) < 2 {
			t.Errorf("%s sent all %d keys of pool %s (%s) to one member %v", p, n, pl, pools[pl].Strategy, spread[pl])
		}
	}
	return passed, len(reqs)
}

// recordSticky remembers which member a hashed key went to (sticky: pool|key -> member;
// spread: pool -> members seen) and reports a key that went to two members; it says whether
// the request was sticky. Round robin and single pools, and empty keys, are not tracked.
func recordSticky(t *testing.T, p proxy.Proxy, res routing.Result, member string, sticky map[string]string, spread map[string]map[string]bool, what string) bool {
	t.Helper()
	if res.Key == "" || res.Strategy == routing.RoundRobin || res.Strategy == routing.Single {
		return true
	}
	k := res.Pool + "|" + res.Key
	prev, seen := sticky[k]
	sticky[k] = member
	if spread[res.Pool] == nil {
		spread[res.Pool] = map[string]bool{}
	}
	spread[res.Pool][member] = true
	if seen && prev != member {
		t.Errorf("%s is not sticky: key %q of pool %s (%s) went to %s and to %s (%s)", p, res.Key, res.Pool, res.Strategy, prev, member, what)
		return false
	}
	return true
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

// matchRequest is what routing.Match sees of a corpus request.
func matchRequest(r request, src string) routing.Request {
	path, err := url.PathUnescape(r.path)
	if err != nil {
		path = r.path
	}
	q := r.query
	h := map[string]string{}
	if r.token != "" {
		if r.inQuery {
			q = joinQuery(q, "access_token="+url.QueryEscape(r.token))
		} else {
			h["Authorization"] = "Bearer " + r.token
		}
	}
	if r.after != "" {
		q = joinQuery(q, r.after)
	}
	return routing.Request{Method: r.method, Path: path, RawQuery: q, Headers: h, SourceIP: src}
}

func joinQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}

// send performs the request and returns the member that answered, the request URI it saw, the
// request URI sent, and the X-Forwarded-For and X-Forwarded-Proto it saw (space-separated).
func send(c *http.Client, scheme string, port int, r request) (member, seen, sent, fwd string, err error) {
	q := r.query
	if r.token != "" && r.inQuery {
		q = joinQuery(q, "access_token="+url.QueryEscape(r.token))
	}
	if r.after != "" {
		q = joinQuery(q, r.after)
	}
	raw := fmt.Sprintf("%s://127.0.0.1:%d%s", scheme, port, r.path)
	if q != "" {
		raw += "?" + q
	}
	req, err := http.NewRequest(r.method, raw, nil)
	if err != nil {
		return "", "", "", "", err
	}
	sent = req.URL.RequestURI()
	if r.method == "PUT" || r.method == "POST" {
		req.Body = io.NopCloser(strings.NewReader("{}"))
		req.ContentLength = 2
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" && !r.inQuery {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", "", sent, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	member = resp.Header.Get("X-Upstream")
	if member == "" {
		return "", "", sent, "", errors.New("no X-Upstream in the answer (status " + resp.Status + "): the proxy did not reach a stub")
	}
	fwd = resp.Header.Get("X-Seen-Forwarded-For") + " " + resp.Header.Get("X-Seen-Forwarded-Proto")
	return member, resp.Header.Get("X-Seen-URI"), sent, fwd, nil
}
