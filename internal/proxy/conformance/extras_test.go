package conformance

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// extrasFleet: two synchrotrons, two client readers, two user directory workers.
var extrasFleet = []worker{
	wk("sync1", client, "synchrotron"), wk("sync2", client, "synchrotron"),
	wk("reader1", client, "client_reader"), wk("reader2", client, "client_reader"),
	wk("mod1", client, "user_dir"), wk("mod2", client, "user_dir"),
}

// extraRoutes are user routes of every kind of target and strategy; "narrow" comes before
// "module" (order -1) and takes part of its paths, "msc_get" before "msc_other" takes GET.
var extraRoutes = []routing.ExtraRoute{
	{Name: "module", Pattern: `^/_synapse/client/my_module/`, Role: "user_dir", Strategy: routing.ByUser},
	{Name: "narrow", Order: -1, Pattern: `^/_synapse/client/my_module/admin/`, Worker: "reader1"},
	{Name: "msc_get", Pattern: `^/_matrix/client/unstable/org\.example\.msc9999/`, Methods: []string{"GET", "HEAD"}, Pool: "client_reader"},
	{Name: "msc_other", Order: 1, Pattern: `^/_matrix/client/unstable/org\.example\.msc9999/`, Worker: "sync2"},
	{Name: "room_mod", Pattern: `^/_matrix/client/unstable/rooms/[^/]+/org\.example\.msc8888$`, Role: "synchrotron", Strategy: routing.ByRoom},
	{Name: "appservice", Pattern: `^/_matrix/app/`, Role: "client_reader", Strategy: routing.BySourceIP},
	// A method no other route names (nginx gives it a condition class of its own).
	{Name: "put_only", Pattern: `^/_synapse/client/put_only/`, Methods: []string{"PUT"}, Worker: "reader2"},
}

// extrasTable compiles extrasFleet on the stubs and adds extraRoutes.
func extrasTable(t *testing.T, addrs map[string]string) routing.Table {
	t.Helper()
	var refs []fleet.WorkerRef
	for _, w := range extrasFleet {
		refs = append(refs, fleet.WorkerRef{Name: w.name, Roles: w.roles, Host: "127.0.0.1", Upstream: addrs[w.name], HTTPResources: w.resources})
	}
	table, probs := routing.Compile(catalog.MustFor(catalog.Latest()), routing.Member{Name: routing.MainPool, Upstream: addrs[routing.MainPool]}, refs, nil, nil)
	if probs.HasErrors() {
		t.Fatalf("fleet does not compile: %s", probs)
	}
	table, probs = routing.AddExtraRoutes(table, refs, extraRoutes)
	if probs.HasErrors() {
		t.Fatalf("extra routes rejected: %s", probs)
	}
	return table
}

func extrasProcs() []string {
	procs := []string{routing.MainPool}
	for _, w := range extrasFleet {
		procs = append(procs, w.name)
	}
	return procs
}

// extraRequest is one request of the user-route corpus and the members Synapse's operator
// meant (written here, independently of AddExtraRoutes).
type extraRequest struct {
	method, path, query, token, src string
	want                            []string
}

func extraCorpus() []extraRequest {
	var reqs []extraRequest
	// Sticky by user: 16 users, each twice, over the module's pool.
	for i := range 16 {
		tok := fmt.Sprintf("syt_%s_x%d_y", b64(fmt.Sprintf("user%d", i)), i)
		for range 2 {
			reqs = append(reqs, extraRequest{method: "POST", path: "/_synapse/client/my_module/do", token: tok, want: names("mod1", "mod2")})
		}
	}
	// The narrow route (order -1) takes its part of the module's paths.
	reqs = append(reqs,
		extraRequest{method: "GET", path: "/_synapse/client/my_module/admin/x", want: names("reader1")},
		extraRequest{method: "POST", path: "/_synapse/client/my_module/admin/", token: "syt_dQ_a_b", want: names("reader1")},
		// Methods: GET and HEAD to the client readers, every other method on to msc_other.
		extraRequest{method: "GET", path: "/_matrix/client/unstable/org.example.msc9999/thing", want: names("reader1", "reader2")},
		extraRequest{method: "HEAD", path: "/_matrix/client/unstable/org.example.msc9999/thing", want: names("reader1", "reader2")},
		extraRequest{method: "PUT", path: "/_matrix/client/unstable/org.example.msc9999/thing", want: names("sync2")},
		extraRequest{method: "POST", path: "/_matrix/client/unstable/org.example.msc9999/", want: names("sync2")},
		extraRequest{method: "DELETE", path: "/_matrix/client/unstable/org.example.msc9999/x", want: names("sync2")},
		// PUT only: every other method falls through to the main process.
		extraRequest{method: "PUT", path: "/_synapse/client/put_only/x", want: names("reader2")},
		extraRequest{method: "GET", path: "/_synapse/client/put_only/x", want: names("main")},
		extraRequest{method: "DELETE", path: "/_synapse/client/put_only/x", want: names("main")},
		// Unknown to the user routes: still the catalogue's.
		extraRequest{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s1", token: "syt_dQ_a_b", want: names("sync1", "sync2")},
		extraRequest{method: "GET", path: "/_synapse/client/other_module/", want: names("main")},
	)
	// Sticky by room and by source address.
	for i := range 12 {
		for range 2 {
			reqs = append(reqs,
				extraRequest{method: "PUT", path: fmt.Sprintf("/_matrix/client/unstable/rooms/!r%dq:example.org/org.example.msc8888", i), want: names("sync1", "sync2")},
				extraRequest{method: "PUT", path: "/_matrix/app/v1/transactions/1", src: fmt.Sprintf("127.0.0.%d", 10+i), want: names("reader1", "reader2")})
		}
	}
	return reqs
}

// TestConformanceExtraRoutes: user routes (each target kind, methods, the user, room and
// source_ip strategies, first-match order among them) reach, on every proxy, a member of the
// pool routing.Match names, which is the pool the operator meant; hashed keys stick and spread.
func TestConformanceExtraRoutes(t *testing.T) {
	bins := binaries(t)
	addrs, _ := startStubs(t, extrasProcs())
	table := extrasTable(t, addrs)
	pools := map[string]routing.Pool{}
	for _, p := range table.Pools {
		pools[p.Name] = p
	}
	reqs := extraCorpus()
	for _, p := range proxy.Proxies {
		t.Run(string(p), func(t *testing.T) {
			tg := startProxy(t, p, bins[p], table, nil, true)
			sticky := map[string]string{}
			spread := map[string]map[string]bool{}
			passed := 0
			for _, r := range reqs {
				src := r.src
				if src == "" {
					src = "127.0.0.1"
				}
				member, status, err := sendExtra(clientFor(src, tg), tg.ports[0], r, nil)
				if err != nil {
					t.Errorf("%s %s: %v", r.method, r.path, err)
					continue
				}
				rq := routing.Request{Method: r.method, Path: r.path, RawQuery: r.query, SourceIP: src, Headers: map[string]string{}}
				if r.token != "" {
					rq.Headers["Authorization"] = "Bearer " + r.token
				}
				res := routing.Match(table, rq)
				var members []string
				for _, m := range pools[res.Pool].Members {
					members = append(members, m.Name)
				}
				ok := true
				if !sameSet(members, r.want) {
					t.Errorf("routing.Match sends %s %s to pool %s %v; the user routes mean %v", r.method, r.path, res.Pool, members, r.want)
					ok = false
				}
				if status != http.StatusOK || !slices.Contains(members, member) {
					t.Errorf("%s sent %s %s to %q (status %d), not a member of pool %s %v", p, r.method, r.path, member, status, res.Pool, members)
					ok = false
				}
				if !recordSticky(t, p, res, member, sticky, spread, r.method+" "+r.path) {
					ok = false
				}
				if ok {
					passed++
				}
			}
			for _, pl := range []string{"extra_module", "extra_room_mod", "extra_appservice"} {
				if len(spread[pl]) < 2 {
					t.Errorf("%s sent every key of pool %s (%s) to one member %v", p, pl, pools[pl].Strategy, spread[pl])
				}
			}
			summaryMu.Lock()
			summary = append(summary, fmt.Sprintf("%-7s %-15s %d/%d", p, "extra_routes", passed, len(reqs)))
			summaryMu.Unlock()
		})
	}
}

// TestConformanceBodySize: with a 1 MiB limit, a body of 1 MiB + 1 byte gets 413 and never
// reaches a member; 1 MiB passes, on every proxy.
func TestConformanceBodySize(t *testing.T) {
	bins := binaries(t)
	addrs, _ := startStubs(t, extrasProcs())
	table := extrasTable(t, addrs)
	const limit = 1 << 20
	for _, p := range proxy.Proxies {
		t.Run(string(p), func(t *testing.T) {
			tg := startProxyWith(t, p, bins[p], table, nil, true, proxy.Options{MaxBodyBytes: limit})
			c := clientFor("127.0.0.1", tg)
			for _, path := range []string{"/_matrix/media/v3/upload", "/_synapse/client/my_module/upload"} {
				r := extraRequest{method: "POST", path: path, token: "syt_dQ_a_b"}
				member, status, err := sendExtra(c, tg.ports[0], r, bytes.Repeat([]byte("x"), limit))
				if err != nil || status != http.StatusOK || member == "" {
					log, _ := os.ReadFile(filepath.Join(tg.dir, "error.log"))
					t.Errorf("%s: a body of exactly %d bytes to %s: member %q status %d err %v; want it passed\n%s", p, limit, path, member, status, err, log)
				}
				member, status, err = sendExtra(c, tg.ports[0], r, bytes.Repeat([]byte("x"), limit+1))
				if err != nil || status != http.StatusRequestEntityTooLarge || member != "" {
					t.Errorf("%s: a body of %d bytes to %s: member %q status %d err %v; want 413 from the proxy", p, limit+1, path, member, status, err)
				}
			}
		})
	}
}

// TestConformanceFallback: with every member of the synchrotron pool and of a user route's
// pool stopped, requests land on the main process with FallbackToMain, and do not without it.
func TestConformanceFallback(t *testing.T) {
	bins := binaries(t)
	sync := extraRequest{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s1", token: "syt_dQ_a_b"}
	module := extraRequest{method: "POST", path: "/_synapse/client/my_module/do", token: "syt_dQ_a_b"}
	for _, p := range proxy.Proxies {
		for _, fallback := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/fallback_%v", p, fallback), func(t *testing.T) {
				addrs, stops := startStubs(t, extrasProcs())
				table := extrasTable(t, addrs)
				tg := startProxyWith(t, p, bins[p], table, nil, true, proxy.Options{FallbackToMain: fallback})
				c := clientFor("127.0.0.1", tg)
				for _, r := range []extraRequest{sync, module} {
					if m, _, err := sendExtra(c, tg.ports[0], r, nil); err != nil || m == routing.MainPool || m == "" {
						t.Fatalf("%s %s before the stop went to %q (%v); want a pool member", r.method, r.path, m, err)
					}
				}
				for _, n := range []string{"sync1", "sync2", "mod1", "mod2"} {
					stops[n]()
				}
				// HAProxy learns a server is down from its health checks (3 x 2 s); the others
				// from the failed connection itself.
				wait := 20 * time.Second
				if !fallback {
					wait = 8 * time.Second // long enough for HAProxy to mark them down
				}
				deadline := time.Now().Add(wait)
				for _, r := range []extraRequest{sync, module} {
					var member string
					var status int
					for {
						member, status, _ = sendExtra(c, tg.ports[0], r, nil)
						if member == routing.MainPool || time.Now().After(deadline) {
							break
						}
						time.Sleep(200 * time.Millisecond)
					}
					switch {
					case fallback && member != routing.MainPool:
						log, _ := os.ReadFile(filepath.Join(tg.dir, "run.log"))
						t.Errorf("%s: %s %s with its pool down went to %q (status %d); want the main process\n%s", p, r.method, r.path, member, status, log)
					case !fallback && member != "":
						t.Errorf("%s without fallback: %s %s with its pool down went to %q (status %d); want an error from the proxy", p, r.method, r.path, member, status)
					case !fallback && status < 500:
						t.Errorf("%s without fallback: %s %s with its pool down answered %d; want 502 or 503", p, r.method, r.path, status)
					}
				}
				// Other pools are unaffected.
				if m, _, err := sendExtra(c, tg.ports[0], extraRequest{method: "GET", path: "/_matrix/client/unstable/org.example.msc9999/x"}, nil); err != nil || !strings.HasPrefix(m, "reader") {
					t.Errorf("%s: a client reader request went to %q (%v)", p, m, err)
				}
			})
		}
	}
}

// sendExtra sends r (with body, if any) and returns the member that answered ("" when the
// proxy answered itself) and the status.
func sendExtra(c *http.Client, port int, r extraRequest, body []byte) (string, int, error) {
	raw := fmt.Sprintf("http://127.0.0.1:%d%s", port, r.path)
	if r.query != "" {
		raw += "?" + r.query
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	} else if r.method == "PUT" || r.method == "POST" {
		rd = strings.NewReader("{}")
	}
	req, err := http.NewRequest(r.method, raw, rd)
	if err != nil {
		return "", 0, err
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if len(body) > 0 {
		// A proxy refusing the body answers before reading it; without 100-continue the
		// client would still be writing into a closed connection.
		req.Header.Set("Expect", "100-continue")
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("X-Upstream"), resp.StatusCode, nil
}
