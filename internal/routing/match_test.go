package routing

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// TestMatchEveryCatalogueEndpoint: for every catalogue endpoint and every fleet, a sample path
// of the endpoint lands on the pool of the first route (in table order) whose pattern, method
// and query take it, and every route of the table is reached by at least one sample.
func TestMatchEveryCatalogueEndpoint(t *testing.T) {
	for _, v := range testVersions() {
		c := catalog.MustFor(v)
		for _, f := range append(testFleets(), everyStreamFleet(c)) {
			tab, _ := Compile(c, mainProc, f.workers, f.writers, f.overrides)
			res := make([]*regexp.Regexp, len(tab.Routes))
			for i, r := range tab.Routes {
				res[i] = regexp.MustCompile(r.Pattern) // independent of Match's cache
			}
			reached := make([]bool, len(tab.Routes))
			for _, e := range c.Endpoints {
				ws := Witnesses(e.Pattern)
				if len(ws) == 0 {
					t.Fatalf("%s: no sample path for %s", v, e.Pattern)
				}
				methods := e.Methods
				if len(methods) == 0 {
					methods = []string{"GET", "POST", "PUT", "DELETE"}
				}
				for _, path := range ws {
					for _, m := range methods {
						for _, q := range []string{"", "since=s1"} {
							got := Match(tab, Request{Method: m, Path: path, RawQuery: q})
							want := MainPool
							idx := -1
							for i, r := range tab.Routes {
								if res[i].MatchString(path) && (len(r.Methods) == 0 || contains(r.Methods, m)) &&
									(r.Query == nil || r.Query.Present == (q != "")) {
									want, idx = r.Pool, i
									break
								}
							}
							if got.Pool != want || got.Route != idx {
								t.Errorf("%s %s: %s %s?%s -> %s (route %d), want %s (route %d)", v, f.name, m, path, q, got.Pool, got.Route, want, idx)
							}
							if idx >= 0 {
								reached[idx] = true
							}
						}
					}
				}
			}
			for i, ok := range reached {
				if !ok {
					t.Errorf("%s %s: route %d (%s) is reached by no catalogue sample", v, f.name, i, describe(tab.Routes[i]))
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestMatchEndpointLandsOnItsRoute: in the one-per-role fleet, the first sample of every
// role endpoint is routed by the route compiled from that endpoint (same pattern).
func TestMatchEndpointLandsOnItsRoute(t *testing.T) {
	for _, v := range testVersions() {
		c := catalog.MustFor(v)
		tab := compileFleet(t, v, "one_per_role")
		for _, e := range c.Endpoints {
			if e.Stream != "" {
				continue
			}
			m := "POST"
			if len(e.Methods) > 0 {
				m = e.Methods[0]
			}
			path := Witnesses(e.Pattern)[0]
			got := Match(tab, Request{Method: m, Path: path, RawQuery: "since=1"})
			if got.Route < 0 {
				t.Errorf("%s: %s %s (%s) fell back to main", v, m, path, e.Pattern)
				continue
			}
			if r := tab.Routes[got.Route]; r.Pattern != e.Pattern {
				// Overlapping catalogue patterns: accept an earlier endpoint's route only if it
				// goes to the same pool kind.
				t.Logf("%s: %s %s taken by %s (endpoint %s)", v, m, path, describe(r), e.Pattern)
			}
		}
	}
}

func TestMatchKeys(t *testing.T) {
	tab := compileFleet(t, "1.157", "one_per_role")
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	cases := []struct {
		name string
		r    Request
		pool string
		key  string
	}{
		{"syt header", req("GET", "/_matrix/client/v3/sync", "since=1", bearer("Bearer syt_YWxpY2U_JvXHXLHbiUYuJoHCRfvS_1AXKAl")), "synchrotron", "YWxpY2U"},
		{"syt header lower-case scheme", req("GET", "/_matrix/client/v3/sync", "since=1", bearer("bearer   syt_YWxpY2U_abc_1")), "synchrotron", "YWxpY2U"},
		{"header name any case", req("GET", "/_matrix/client/v3/sync", "since=1", map[string]string{"authorization": "BEARER syt_Ym9i_x_y"}), "synchrotron", "Ym9i"},
		{"syt query", req("GET", "/_matrix/client/v3/sync", "since=1&access_token=syt_YWxpY2U_JvXHXLHbiUYuJoHCRfvS_1AXKAl", nil), "synchrotron", "YWxpY2U"},
		{"header wins over query", req("GET", "/_matrix/client/v3/sync", "access_token=syt_Ym9i_x_y&since=1", bearer("Bearer syt_YWxpY2U_a_b")), "synchrotron", "YWxpY2U"},
		{"legacy localpart + in header", req("GET", "/_matrix/client/v3/sync", "", bearer("Bearer syt_cT9+_abc_1")), "initial_synchrotron", "cT9"},
		{"legacy localpart %2B in query", req("GET", "/_matrix/client/v3/sync", "access_token=syt_cT9%2B_abc_1", nil), "initial_synchrotron", "cT9"},
		{"mat header", req("GET", "/_matrix/client/v3/sync", "since=1", bearer("Bearer mat_abcDEF123_xyz")), "synchrotron", "mat_abcDEF123_xyz"},
		{"mat query", req("GET", "/_matrix/client/v3/sync", "since=1&access_token=mat_abcDEF123_xyz", nil), "synchrotron", "mat_abcDEF123_xyz"},
		{"basic auth falls to query", req("GET", "/_matrix/client/v3/sync", "since=1&access_token=syt_Ym9i_x", bearer("Basic dXNlcjpwYXNz")), "synchrotron", "Ym9i"},
		{"no token", req("GET", "/_matrix/client/v3/sync", "since=1", nil), "synchrotron", ""},
		{"empty bearer", req("GET", "/_matrix/client/v3/sync", "since=1&access_token=mat_q", bearer("Bearer ")), "synchrotron", "mat_q"},
		{"room key encoded", req("PUT", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/t1", "", nil), "event_creator", "!abc:example.org"},
		{"room key plain", req("PUT", "/_matrix/client/r0/rooms/!abc:example.org/state/m.room.name/", "", nil), "event_creator", "!abc:example.org"},
		{"join alias", req("POST", "/_matrix/client/v3/join/%23room%3Ahs", "", nil), "event_creator", "#room:hs"},
		{"knock", req("POST", "/_matrix/client/v3/knock/!r:hs", "", nil), "event_creator", "!r:hs"},
		{"pagination", req("GET", "/_matrix/client/v3/rooms/%21r%3Ahs/messages", "dir=b", nil), "client_reader_room", "!r:hs"},
		{"source ip", req("PUT", "/_matrix/federation/v1/send/123", "", nil), "federation_inbound", "192.0.2.7"},
		{"round robin no key", req("POST", "/_matrix/client/v3/createRoom", "", bearer("Bearer syt_YWxpY2U_a_b")), "client_reader", ""},
		{"single no key", req("GET", "/_synapse/client/pick_idp", "", nil), "sso", ""},
		{"main fallback", req("GET", "/_synapse/admin/v1/server_version", "", nil), MainPool, ""},
		{"first since wins", req("GET", "/_matrix/client/v3/sync", "since=&since=x", nil), "initial_synchrotron", ""},
		{"since encoded", req("GET", "/_matrix/client/v3/sync", "since=%73", nil), "synchrotron", ""},
		{"semicolon query", req("GET", "/_matrix/client/v3/sync", "a=1;b=2&since=x", nil), "synchrotron", ""},
		{"case-sensitive path", req("GET", "/_matrix/client/v3/SYNC", "", nil), MainPool, ""},
		{"method case-sensitive", req("get", "/_matrix/client/v3/pushrules/", "", nil), MainPool, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Match(tab, tc.r)
			if got.Pool != tc.pool || got.Key != tc.key {
				t.Errorf("got pool %q key %q (route %d, %s), want pool %q key %q", got.Pool, got.Key, got.Route, got.Strategy, tc.pool, tc.key)
			}
			if got.Pool == MainPool && got.Route != -1 {
				t.Errorf("fallback must report route -1, got %d", got.Route)
			}
		})
	}
}

// TestMatchMethodSplit: GET-only routes take GET and HEAD (listed), never other methods.
func TestMatchMethodSplit(t *testing.T) {
	tab := compileFleet(t, "1.157", "one_per_role")
	for _, path := range []string{"/_matrix/client/v3/pushrules/global/", "/_matrix/client/v3/presence/@u:hs/status", "/_matrix/client/v3/user/@u:hs/rooms/!r:hs/tags", "/_synapse/admin/v2/users/@u:hs"} {
		for m, want := range map[string]string{"GET": "client_reader", "HEAD": "client_reader", "PUT": MainPool, "POST": MainPool, "DELETE": MainPool, "OPTIONS": MainPool} {
			if got := Match(tab, req(m, path, "", nil)).Pool; got != want {
				t.Errorf("%s %s -> %q, want %q", m, path, got, want)
			}
		}
	}
}

func TestConstantsPortableAndConsistent(t *testing.T) {
	for _, p := range []string{UserTokenPattern, BearerPattern, RoomKeyPattern} {
		if err := PortableRegex(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, v := range testVersions() {
		c := catalog.MustFor(v)
		n := 0
		for _, e := range c.Endpoints {
			if e.InitialSplit != nil {
				n++
				if e.InitialSplit.Param != SinceParam || c.Role(e.InitialSplit.Role) == nil {
					t.Errorf("%s: initial_split %+v: param must be %q and the role must exist", v, e.InitialSplit, SinceParam)
				}
			}
			// Every room-sticky endpoint has samples whose room key is the sample room ID.
			if e.Sticky == catalog.StickyRoom {
				keyed := 0
				for _, w := range Witnesses(e.Pattern) {
					if RoomKey(w) == "!room:example.org" {
						keyed++
					}
				}
				if keyed == 0 {
					t.Errorf("%s: room-sticky %s has no sample keyed by its room ID", v, e.Pattern)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d endpoints with initial_split, want 1 (/sync)", v, n)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	f := testFleets()[4] // stream_writers: the longest table
	tab, _ := Compile(catalog.MustFor("1.157"), mainProc, f.workers, f.writers, nil)
	reqs := []Request{
		req("GET", "/_matrix/client/v3/sync", "since=s1", map[string]string{"Authorization": "Bearer syt_YWxpY2U_a_b"}),
		req("PUT", "/_matrix/client/v3/rooms/!r:hs/send/m.room.message/1", "", nil),
		req("GET", "/_matrix/media/v3/download/hs/x", "", nil),
		req("GET", "/_synapse/admin/v1/server_version", "", nil), // falls through every route
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Match(tab, reqs[i%len(reqs)])
	}
}

func TestRouteKeys(t *testing.T) {
	routes := []Route{
		{Pattern: "^/sync$", Methods: []string{"GET", "HEAD"}, Query: &QueryCondition{Param: "since", Present: true}, Pool: "synchrotron"},
		{Pattern: "^/sync$", Methods: []string{"GET", "HEAD"}, Query: &QueryCondition{Param: "since"}, Pool: "initial_synchrotron"},
		{Pattern: "^/a$", Pool: "p"},
		{Pattern: "^/a$", Pool: "q"},
		{Pattern: "^/a$", Pool: "r"},
	}
	want := []string{"GET,HEAD ^/sync$ ?since", "GET,HEAD ^/sync$ !?since", "* ^/a$", "* ^/a$ #2", "* ^/a$ #3"}
	if got := RouteKeys(routes); !reflect.DeepEqual(got, want) {
		t.Errorf("RouteKeys = %q, want %q", got, want)
	}
	// A key does not depend on the route's position or pool.
	if a, b := RouteKeys(routes[2:3])[0], (Route{Pattern: "^/a$", Pool: "other"}).Key(); a != b {
		t.Errorf("key of the same route differs: %q vs %q", a, b)
	}
}
