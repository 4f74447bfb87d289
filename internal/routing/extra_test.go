package routing

import (
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// extraFleet is the "pools" fleet of the table tests compiled for the newest release.
func extraFleet(t *testing.T) (Table, []fleet.WorkerRef) {
	t.Helper()
	f := fleetByName(t, "pools")
	tab, probs := Compile(catalog.MustFor(catalog.Latest()), mainProc, f.workers, f.writers, nil)
	if probs.HasErrors() {
		t.Fatalf("pools fleet: %s", probs)
	}
	return tab, f.workers
}

func TestAddExtraRoutes(t *testing.T) {
	base, workers := extraFleet(t)
	syncPool := Match(base, req("GET", "/_matrix/client/v3/sync", "since=s1", nil)).Pool
	extras := []ExtraRoute{
		{Name: "module", Pattern: `^/_synapse/client/my_module/`, Role: "client_reader", Strategy: ByUser},
		{Name: "msc_get", Order: 1, Pattern: `^/_matrix/client/unstable/org\.example\.msc9999/`, Methods: []string{"GET", "HEAD"}, Pool: syncPool},
		{Name: "msc_put", Order: 2, Pattern: `^/_matrix/client/unstable/org\.example\.msc9999/`, Worker: "main"},
		{Name: "appservice", Order: -1, Pattern: `^/_matrix/app/`, Worker: workers[0].Name},
	}
	tab, probs := AddExtraRoutes(base, workers, extras)
	if probs.HasErrors() {
		t.Fatalf("unexpected problems:\n%s", probs)
	}
	if got, want := len(tab.Routes), len(base.Routes)+4; got != want {
		t.Fatalf("%d routes, want %d", got, want)
	}
	// Order, then name: appservice (-1), module (0), msc_get (1), msc_put (2); then the catalogue.
	for i, name := range []string{"appservice", "module", "msc_get", "msc_put"} {
		if g := tab.Routes[i].Group; g != ExtraGroupPrefix+name {
			t.Errorf("route %d is %q, want extra route %s", i, g, name)
		}
	}
	if !equalRoutes(tab.Routes[4:], base.Routes) {
		t.Errorf("the catalogue routes changed behind the extra routes")
	}
	cases := []struct {
		method, path, query string
		headers             map[string]string
		pool                string
		strategy            Strategy
	}{
		{"POST", "/_synapse/client/my_module/x", "", map[string]string{"Authorization": "Bearer syt_dXNlcg_x_y"}, "extra_module", ByUser},
		{"GET", "/_matrix/client/unstable/org.example.msc9999/thing", "", nil, syncPool, pool(t, base, syncPool).Strategy},
		{"HEAD", "/_matrix/client/unstable/org.example.msc9999/thing", "", nil, syncPool, pool(t, base, syncPool).Strategy},
		{"PUT", "/_matrix/client/unstable/org.example.msc9999/thing", "", nil, "extra_msc_put", Single},
		{"PUT", "/_matrix/app/v1/transactions/1", "", nil, "extra_appservice", Single},
		// Unchanged: the catalogue still routes what no extra route takes.
		{"GET", "/_matrix/client/v3/sync", "since=s1", nil, syncPool, pool(t, base, syncPool).Strategy},
	}
	for _, c := range cases {
		got := Match(tab, req(c.method, c.path, c.query, c.headers))
		if got.Pool != c.pool || got.Strategy != c.strategy {
			t.Errorf("%s %s -> %s (%s), want %s (%s)", c.method, c.path, got.Pool, got.Strategy, c.pool, c.strategy)
		}
	}
	if got := memberNames(pool(t, tab, "extra_module")); strings.Join(got, ",") != strings.Join(memberNames(pool(t, base, "client_reader")), ",") {
		t.Errorf("extra_module members %v, want the client_reader workers", got)
	}
	if got := pool(t, tab, "extra_msc_put").Members; len(got) != 1 || got[0] != mainProc {
		t.Errorf("extra_msc_put members %v, want the main process", got)
	}
	// Same input, same table; Analyze finds nothing wrong with it.
	again, _ := AddExtraRoutes(base, workers, []ExtraRoute{extras[3], extras[2], extras[1], extras[0]})
	if !equalRoutes(again.Routes, tab.Routes) || len(again.Pools) != len(tab.Pools) {
		t.Errorf("input order changed the table")
	}
	if ps := Analyze(tab); len(ps) > 0 {
		t.Errorf("Analyze: %s", ps)
	}
}

func equalRoutes(a, b []Route) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key() != b[i].Key() || a[i].Pool != b[i].Pool {
			return false
		}
	}
	return true
}

func TestAddExtraRoutesProblems(t *testing.T) {
	base, workers := extraFleet(t)
	cases := []struct {
		name    string
		extras  []ExtraRoute
		path    string
		summary string
		detail  []string
		warning bool
	}{
		{"bad name", []ExtraRoute{{Name: "My Route", Pattern: "^/x/", Pool: "main"}},
			`extra_routes["My Route"]`, "Invalid Extra Route Name", []string{`"My Route"`}, false},
		{"directive injection", []ExtraRoute{{Name: "evil", Pattern: "^/x/\"; } location / { return 200", Pool: "main"}},
			`extra_routes["evil"].pattern`, "Invalid Extra Route Pattern", []string{"quote"}, false},
		{"newline", []ExtraRoute{{Name: "evil", Pattern: "^/x/\nuse_backend evil", Pool: "main"}},
			`extra_routes["evil"].pattern`, "Invalid Extra Route Pattern", []string{"printable"}, false},
		{"inline flag", []ExtraRoute{{Name: "flag", Pattern: "(?i)^/x/", Pool: "main"}},
			`extra_routes["flag"].pattern`, "Invalid Extra Route Pattern", []string{"(?i)^/x/"}, false},
		{"never matches", []ExtraRoute{{Name: "never", Pattern: "a^b", Pool: "main"}},
			`extra_routes["never"].pattern`, "Extra Route Never Matches", []string{"a^b"}, false},
		{"lower-case method", []ExtraRoute{{Name: "m", Pattern: "^/x/", Methods: []string{"get"}, Pool: "main"}},
			`extra_routes["m"].methods[0]`, "Invalid Extra Route Method", []string{`"get"`}, false},
		{"method injection", []ExtraRoute{{Name: "m", Pattern: "^/x/", Methods: []string{"GET }"}, Pool: "main"}},
			`extra_routes["m"].methods[0]`, "Invalid Extra Route Method", []string{`"GET }"`}, false},
		{"bad strategy", []ExtraRoute{{Name: "s", Pattern: "^/x/", Pool: "main", Strategy: "sticky"}},
			`extra_routes["s"].strategy`, "Invalid Strategy", []string{`"sticky"`, "round_robin"}, false},
		{"two targets", []ExtraRoute{{Name: "t", Pattern: "^/x/", Pool: "main", Worker: "main"}},
			`extra_routes["t"]`, "Invalid Extra Route Target", []string{"exactly one"}, false},
		{"no target", []ExtraRoute{{Name: "t", Pattern: "^/x/"}},
			`extra_routes["t"]`, "Invalid Extra Route Target", []string{"sets 0"}, false},
		{"unknown pool", []ExtraRoute{{Name: "p", Pattern: "^/x/", Pool: "nope"}},
			`extra_routes["p"].pool`, "Unknown Pool", []string{`"nope"`, "main"}, false},
		{"role nobody holds", []ExtraRoute{{Name: "r", Pattern: "^/x/", Role: "media_repository"}},
			`extra_routes["r"].role`, "No Worker For Extra Route", []string{`"media_repository"`}, false},
		{"unknown worker", []ExtraRoute{{Name: "w", Pattern: "^/x/", Worker: "ghost"}},
			`extra_routes["w"].worker`, "Unknown Worker", []string{`"ghost"`}, false},
		{"shadowed by an earlier extra route", []ExtraRoute{
			{Name: "broad", Pattern: "^/_synapse/client/", Pool: "main"},
			{Name: "narrow", Order: 1, Pattern: "^/_synapse/client/my_module/", Pool: "main"}},
			`extra_routes["narrow"].pattern`, "Shadowed Extra Route", []string{`extra_routes["broad"]`, "order = -1"}, false},
		{"shadows a catalogue route", []ExtraRoute{{Name: "sync", Pattern: "^/_matrix/client/(r0|v3)/sync$", Worker: "main"}},
			`extra_routes["sync"].pattern`, "Extra Route Shadows Catalogue Route", []string{"^/_matrix/client/(r0|v3)/sync$", "strategies"}, false},
		{"takes part of catalogue routes", []ExtraRoute{{Name: "v3", Pattern: "^/_matrix/client/v3/", Methods: []string{"PUT"}, Worker: "main"}},
			`extra_routes["v3"].pattern`, "Extra Route Overlaps Catalogue Route", []string{"some requests", "more"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, probs := AddExtraRoutes(base, workers, c.extras)
			found := false
			for _, p := range probs {
				if p.Path == c.path && p.Summary == c.summary && p.Warning == c.warning {
					found = true
					for _, d := range c.detail {
						if !strings.Contains(p.Detail, d) {
							t.Errorf("detail %q lacks %q", p.Detail, d)
						}
					}
				}
			}
			if !found {
				t.Errorf("no %q at %s (warning %v); got:\n%s", c.summary, c.path, c.warning, probs)
			}
		})
	}
}

// FuzzAddExtraRoutes: any user route either gets a problem or yields a table the proxies'
// contract holds for (portable patterns, Match total); never a panic.
func FuzzAddExtraRoutes(f *testing.F) {
	base := compileFuzzTable()
	workers := []fleet.WorkerRef{w("generic1", 8110, clientFed, "generic")}
	f.Add("m", int64(0), `^/_synapse/client/m/`, "GET", "main", "", "", "user")
	f.Add("x", int64(3), "^/x/\"; return 200", "POST", "", "generic", "", "")
	f.Add("y", int64(-2), `^/_matrix/(a|b)/`, "", "", "", "generic1", "room")
	f.Fuzz(func(t *testing.T, name string, order int64, pattern, method, pool, role, worker, strategy string) {
		var methods []string
		if method != "" {
			methods = []string{method}
		}
		e := ExtraRoute{Name: name, Order: order, Pattern: pattern, Methods: methods, Pool: pool, Role: role, Worker: worker, Strategy: Strategy(strategy)}
		tab, probs := AddExtraRoutes(base, workers, []ExtraRoute{e})
		if probs.HasErrors() {
			return
		}
		for i, r := range tab.Routes {
			if err := PortableRegex(r.Pattern); err != nil {
				t.Fatalf("route %d pattern %q accepted: %v", i, r.Pattern, err)
			}
		}
		_ = Match(tab, Request{Method: "GET", Path: "/_synapse/client/m/x"})
	})
}
