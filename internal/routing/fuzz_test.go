package routing

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// FuzzCompile builds a fleet from a compact description ("name:role+role:res+res;..." and
// "stream=w1,w2;...") and checks Compile never panics, reports its own table clean whenever
// the inputs are valid, and is deterministic.
func FuzzCompile(f *testing.F) {
	f.Add("1.157", "g:generic:client+federation;s:synchrotron:client;i:initial_synchrotron:client", "typing=s;events=main,g", "generic=user")
	f.Add("1.146", "m:media_repository:media;c:client_reader+event_creator:client", "receipts=c,main;device_lists=main", "")
	f.Add("1.157", "a::client;b:sso:client", "quarantined_media_changes=a;push_rules=b", "sso=single;nope=room")
	f.Add("1.157", "x:wizard:;x:generic:", "ghost=y;typing=", "main=bogus")
	f.Add("9.9", "", "", "")
	f.Fuzz(func(t *testing.T, version, workers, writers, overrides string) {
		c, err := catalog.For(version)
		if err != nil {
			c = catalog.MustFor(catalog.Latest())
		}
		var ws []fleet.WorkerRef
		for i, spec := range strings.Split(workers, ";") {
			if spec == "" {
				continue
			}
			parts := strings.SplitN(spec, ":", 3)
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			ws = append(ws, fleet.WorkerRef{Name: parts[0], Roles: splitNonEmpty(parts[1], "+"), Host: "h",
				Upstream: fmt.Sprintf("10.0.0.1:%d", 8000+i), HTTPResources: splitNonEmpty(parts[2], "+")})
		}
		var sas []fleet.StreamAssignment
		for _, spec := range splitNonEmpty(writers, ";") {
			k, v, _ := strings.Cut(spec, "=")
			sas = append(sas, fleet.StreamAssignment{Stream: k, Writers: splitNonEmpty(v, ",")})
		}
		ov := map[string]Strategy{}
		for _, spec := range splitNonEmpty(overrides, ";") {
			k, v, _ := strings.Cut(spec, "=")
			ov[k] = Strategy(v)
		}
		tab, probs := Compile(c, mainProc, ws, sas, ov)
		for _, p := range probs {
			if strings.Contains(p.Detail, "provider bug") {
				t.Fatalf("Compile produced a broken table: %s", p)
			}
		}
		again, _ := Compile(c, mainProc, ws, sas, ov)
		if a, b := mustJSON(t, tab), mustJSON(t, again); string(a) != string(b) {
			t.Fatal("Compile is not deterministic")
		}
		_ = Match(tab, Request{Method: "GET", Path: "/_matrix/client/v3/sync"})
	})
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// FuzzMatch checks Match never panics on any request, and agrees with a direct first-match
// scan of the table.
func FuzzMatch(f *testing.F) {
	f.Add("GET", "/_matrix/client/v3/sync", "since=s1&access_token=syt_YWxpY2U_a_b", "Bearer mat_xyz", "10.1.1.1")
	f.Add("PUT", "/_matrix/client/v3/rooms/!r:hs/send/m.room.message/1", "", "", "")
	f.Add("HEAD", "/_matrix/client/v3/pushrules/", "since=&since=x", "bearer\tsyt_cT9+_x", "::1")
	f.Add("get", "/", "%zz=%&;;=&access_token=%41", "Basic", "")
	f.Add("POST", "/_matrix/client/v3/join/#a:hs", "access_token=syt_", "Bearer  ", "")
	f.Add("GET", "/\xff\x00/_matrix/media/", "a=\x00", "Bearer \xff", "")
	tab := compileFuzzTable()
	f.Fuzz(func(t *testing.T, method, path, rawQuery, auth, ip string) {
		r := Request{Method: method, Path: path, RawQuery: rawQuery, Headers: map[string]string{"Authorization": auth}, SourceIP: ip}
		got := Match(tab, r)
		want := -1
		for i, rt := range tab.Routes {
			if routeMatches(rt, method, path, parseQuery(rawQuery)) {
				want = i
				break
			}
		}
		if got.Route != want {
			t.Fatalf("route %d, want %d", got.Route, want)
		}
		if got.Strategy == BySourceIP && got.Key != ip {
			t.Fatalf("source_ip key %q, want %q", got.Key, ip)
		}
		if got.Strategy == ByUser && strings.HasPrefix(got.Key, "syt_") && regexp.MustCompile(UserTokenPattern).MatchString(got.Key) {
			t.Fatalf("user key %q still carries the syt_ prefix", got.Key)
		}
	})
}

func compileFuzzTable() Table {
	f := testFleets()[2] // one_per_role
	tab, _ := Compile(catalog.MustFor(catalog.Latest()), mainProc, f.workers, f.writers, nil)
	return tab
}

// FuzzAnalyze checks PortableRegex, Witnesses and Analyze never panic, and that every witness
// matches its pattern.
func FuzzAnalyze(f *testing.F) {
	f.Add(`^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send`, `^/_matrix/client/(r0|v3)/sync$`, "GET")
	f.Add(`^/a$b`, `(?i)x`, "")
	f.Add(`^/x{2,5}[[:alpha:]]+\d*`, `^/(a|b|c|d|e|f|g|h)(a|b|c|d|e|f|g|h)(a|b|c|d|e|f|g|h)`, "PUT")
	f.Add(`(((((a*)*)*)*)*)`, `[^\x00-\x{10FFFF}]`, "get")
	f.Fuzz(func(t *testing.T, p1, p2, method string) {
		_ = PortableRegex(p1)
		for _, w := range Witnesses(p1) {
			if re := compile(p1); re == nil || !re.MatchString(w) {
				t.Fatalf("witness %q does not match %q", w, p1)
			}
		}
		var ms []string
		if method != "" {
			ms = []string{method}
		}
		_ = Analyze(Table{Routes: []Route{
			{Pattern: p1, Pool: "a"},
			{Pattern: p2, Methods: ms, Query: &QueryCondition{Param: "since"}, Pool: "a"},
			{Pattern: p2, Pool: MainPool},
		}, Pools: []Pool{{Name: "a"}}})
	})
}
