package routing

import (
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

func TestAnalyze(t *testing.T) {
	pools := []Pool{{Name: MainPool, Strategy: Single, Members: []Member{{Name: "main", Upstream: "h:1"}}}, {Name: "a", Strategy: RoundRobin}, {Name: "b", Strategy: RoundRobin}}
	get := []string{"GET", "HEAD"}
	absent := &QueryCondition{Param: "since", Present: false}
	type want struct {
		route   string
		summary string
		detail  []string
	}
	cases := []struct {
		name   string
		routes []Route
		want   []want
	}{
		{name: "clean", routes: []Route{
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Query: absent, Pool: "a"},
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Pool: "b"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Methods: get, Pool: "a"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Pool: "b"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send`, Pool: "a"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing`, Pool: "b"},
		}},
		{name: "identical pattern", routes: []Route{
			{Pattern: `^/_matrix/federation/v1/send/`, Pool: "a"},
			{Pattern: `^/_matrix/federation/v1/send/`, Pool: "b"},
		}, want: []want{{"routes[1]", "Shadowed Route", []string{"route 1 (^/_matrix/federation/v1/send/ -> b)", "route 0 (^/_matrix/federation/v1/send/ -> a)"}}}},
		{name: "broader prefix first", routes: []Route{
			{Pattern: `^/_matrix/media/`, Pool: "a"},
			{Pattern: `^/_matrix/media/v3/(download|thumbnail)/[^/]+/[^/]+$`, Pool: "b"},
		}, want: []want{{"routes[1]", "Shadowed Route", []string{"route 0"}}}},
		{name: "shadowed by two earlier routes together", routes: []Route{
			{Pattern: `^/x/(a|b)$`, Pool: "a"},
			{Pattern: `^/x/c$`, Pool: "a"},
			{Pattern: `^/x/(b|c)$`, Pool: "b"},
		}, want: []want{{"routes[2]", "Shadowed Route", []string{"route 0", "route 1"}}}},
		{name: "method split covered by two routes", routes: []Route{
			{Pattern: `^/p/`, Methods: get, Pool: "a"},
			{Pattern: `^/p/`, Methods: []string{"PUT", "POST", "DELETE"}, Pool: "b"},
			{Pattern: `^/p/`, Methods: []string{"PUT"}, Pool: "a"},
		}, want: []want{{"routes[2]", "Shadowed Route", []string{"route 1"}}}},
		{name: "GET route behind all-methods route", routes: []Route{
			{Pattern: `^/p/`, Pool: "b"},
			{Pattern: `^/p/`, Methods: get, Pool: "a"},
		}, want: []want{{"routes[1]", "Shadowed Route", []string{"route 0"}}}},
		{name: "initial-sync route after the sync route", routes: []Route{
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Pool: "b"},
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Query: absent, Pool: "a"},
		}, want: []want{{"routes[1]", "Shadowed Route", []string{"if since unset"}}}},
		{name: "partial overlap is not shadowing", routes: []Route{
			{Pattern: `^/_matrix/client/(r0|v3)/.*/tags`, Pool: "a"},
			{Pattern: `^/_matrix/client/(r0|v3)/rooms/.*/state`, Pool: "b"},
		}},
		{name: "never matching", routes: []Route{
			{Pattern: `^/a$b`, Pool: "a"},
			{Pattern: `^/x[^\x00-\x{10FFFF}]`, Pool: "a"},
			{Pattern: `^/(`, Pool: "a"},
			{Pattern: `^/ok`, Methods: []string{"get"}, Pool: "a"},
			{Pattern: `^/ok2`, Query: &QueryCondition{}, Pool: "a"},
			{Pattern: `^/ok3`, Pool: "nowhere"},
		}, want: []want{
			{"routes[0]", "Route Never Matches", []string{"^/a$b"}},
			{"routes[1]", "Route Never Matches", []string{"no path matches"}},
			{"routes[2]", "Invalid Route Pattern", []string{"^/("}},
			{"routes[3]", "Invalid Route Method", []string{`"get"`}},
			{"routes[4]", "Invalid Route Query", nil},
			{"routes[5]", "Route To Unknown Pool", []string{`"nowhere"`}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Analyze(Table{Routes: tc.routes, Pools: pools})
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				p := got[i]
				if p.Path != w.route || p.Summary != w.summary {
					t.Errorf("problem %d: %s; want %s %s", i, p, w.route, w.summary)
				}
				for _, d := range w.detail {
					if !strings.Contains(p.Detail, d) {
						t.Errorf("problem %d detail %q lacks %q", i, p.Detail, d)
					}
				}
			}
		})
	}
}

// TestAnalyzeCatchesMistakesInCompiledTables: the net works on real tables. Swapping the
// initial-sync route behind the sync route, or repeating a route at the end, is flagged.
func TestAnalyzeCatchesMistakesInCompiledTables(t *testing.T) {
	tab := compileFleet(t, "1.157", "one_per_role")
	if tab.Routes[0].Query == nil {
		t.Fatal("expected the initial-sync route first")
	}
	swapped := Table{Pools: tab.Pools, Routes: append([]Route{tab.Routes[1], tab.Routes[0]}, tab.Routes[2:]...)}
	ps := Analyze(swapped)
	if len(ps) != 1 || ps[0].Path != "routes[1]" || ps[0].Summary != "Shadowed Route" {
		t.Errorf("swapped sync routes: got\n%s", ps)
	}
	last := len(tab.Routes)
	repeated := Table{Pools: tab.Pools, Routes: append(append([]Route{}, tab.Routes...), tab.Routes[40])}
	ps = Analyze(repeated)
	if len(ps) != 1 || ps[0].Path != fleet.Index("routes", last) || !strings.Contains(ps[0].Detail, "route 40 (") {
		t.Errorf("repeated route: got\n%s", ps)
	}
}

func BenchmarkCompile(b *testing.B) {
	f := testFleets()[4] // stream_writers: the longest table
	c := catalog.MustFor("1.157")
	for i := 0; i < b.N; i++ {
		Compile(c, mainProc, f.workers, f.writers, nil) // includes Analyze
	}
}
