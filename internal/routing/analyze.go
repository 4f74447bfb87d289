package routing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// otherMethod stands for every HTTP method no route of the table names.
const otherMethod = "OTHER-METHOD"

// Analyze checks a table statically and returns a problem (path `routes[i]`) for every route
//
//   - whose pattern does not compile, whose query condition names no parameter, or whose
//     methods are not upper-case HTTP method tokens;
//   - that can never match: no path matches its pattern (`a^b`, an empty class);
//   - that is shadowed: every request it would match is taken by earlier routes;
//   - whose pool the table does not define.
//
// Approach to containment (regex inclusion is not decidable cheaply for PCRE, and exact
// automaton inclusion would not cover the method and query dimensions): each route's pattern
// yields a set of witness paths (Witnesses: every alternative of every alternation, wildcards
// instantiated with empty text, words, room/user/alias/event IDs and several components, plus
// a suffix when the pattern is unanchored at the end). Each witness is crossed with every
// method the table names plus one standing for all others, and with both states (present,
// absent) of every query parameter the table tests, keeping the requests the route itself
// would take. The route is shadowed when every such request is taken by an earlier route
// under Match's first-match semantics; the problem names those earlier routes.
//
// Limit: witnesses are a sample. A route can be reported shadowed although some request
// outside the sample still reaches it (an earlier pattern that catches every sample path but
// not every path), and an overlap that steals only some of a route's requests is not reported
// (first-match tables overlap by design). Routes produced by Compile are tested clean for
// every catalogue version over a range of fleets.
func Analyze(t Table) fleet.Problems {
	var probs fleet.Problems
	pools := map[string]bool{}
	for _, p := range t.Pools {
		pools[p.Name] = true
	}
	methods, params := tableDimensions(t)
	queries := queryStates(params)
	for j, rt := range t.Routes {
		at := fleet.Index("routes", j)
		if !pools[rt.Pool] && rt.Pool != MainPool {
			probs.Add(at, "Route To Unknown Pool",
				"route %d (%s) sends requests to pool %q, which the table does not define.", j, describe(rt), rt.Pool)
		}
		if bad := invalidMethods(rt.Methods); len(bad) > 0 {
			probs.Add(at, "Invalid Route Method",
				"route %d (%s) lists methods %s that are not upper-case HTTP method tokens, so it never matches them.", j, describe(rt), quoteList(bad))
		}
		if rt.Query != nil && rt.Query.Param == "" {
			probs.Add(at, "Invalid Route Query",
				"route %d (%s) has a query condition without a parameter name.", j, describe(rt))
			continue
		}
		if compile(rt.Pattern) == nil {
			probs.Add(at, "Invalid Route Pattern",
				"route %d pattern %q does not compile as a regular expression.", j, rt.Pattern)
			continue
		}
		if len(Witnesses(rt.Pattern)) == 0 {
			probs.Add(at, "Route Never Matches",
				"route %d (%s) can never match: no path matches its pattern %q.", j, describe(rt), rt.Pattern)
			continue
		}
		reqs, by, reach := takers(t, j, methods, queries, false)
		if reqs == 0 {
			probs.Add(at, "Route Never Matches",
				"route %d (%s) can never match: its methods or query condition exclude every request.", j, describe(rt))
			continue
		}
		shadowed := reach == 0
		if shadowed {
			var names []string
			for _, k := range sortedKeys(by) {
				names = append(names, fmt.Sprintf("route %d (%s)", k, describe(t.Routes[k])))
			}
			probs.Add(at, "Shadowed Route",
				"route %d (%s) never receives a request: every request it would match is taken first by %s. Remove it or move it before them.",
				j, describe(rt), strings.Join(names, " and "))
		}
	}
	return probs
}

// takers samples the requests route j of t would take on its own (its witnesses crossed with
// the table's methods and query states, see Analyze) and runs them through the earlier routes
// under first-match: reqs is how many there are, by counts how many each earlier route takes
// first (by index), reach how many are left for route j. Unless full, it stops at the first
// request that reaches route j (enough to know the route is not shadowed).
func takers(t Table, j int, methods []string, queries []query, full bool) (reqs int, by map[int]int, reach int) {
	rt := t.Routes[j]
	by = map[int]int{}
	// pathHits[w][k] caches whether earlier route k's pattern matches witness w
	// (0 unknown, 1 yes, 2 no): the pattern is the costly part of a match.
	pathHits := map[string][]uint8{}
	earlierTakes := func(path, method string, q query) int {
		hits := pathHits[path]
		if hits == nil {
			hits = make([]uint8, j)
			pathHits[path] = hits
		}
		for k, x := range t.Routes[:j] {
			if !takesMethodQuery(x, method, q) {
				continue
			}
			if hits[k] == 0 {
				hits[k] = 2
				if re := compile(x.Pattern); re != nil && re.MatchString(path) {
					hits[k] = 1
				}
			}
			if hits[k] == 1 {
				return k
			}
		}
		return -1
	}
	for _, w := range Witnesses(rt.Pattern) { // every witness matches rt.Pattern
		for _, m := range methods {
			for _, q := range queries {
				if !takesMethodQuery(rt, m, q) {
					continue
				}
				reqs++
				if k := earlierTakes(w, m, q); k >= 0 {
					by[k]++
				} else {
					reach++
					if !full {
						return reqs, by, reach
					}
				}
			}
		}
	}
	return reqs, by, reach
}

// describe names a route in a problem.
func describe(r Route) string {
	s := fmt.Sprintf("%s -> %s", r.Pattern, r.Pool)
	if len(r.Methods) > 0 {
		s = strings.Join(r.Methods, ",") + " " + s
	}
	if r.Query != nil {
		if r.Query.Present {
			s += fmt.Sprintf(" if %s set", r.Query.Param)
		} else {
			s += fmt.Sprintf(" if %s unset", r.Query.Param)
		}
	}
	return s
}

// tableDimensions lists the methods the table names plus otherMethod, and the query
// parameters it tests.
func tableDimensions(t Table) (methods, params []string) {
	for _, r := range t.Routes {
		for _, m := range r.Methods {
			if !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
		if r.Query != nil && r.Query.Param != "" && !slices.Contains(params, r.Query.Param) {
			params = append(params, r.Query.Param)
		}
	}
	sort.Strings(methods)
	sort.Strings(params)
	return append(methods, otherMethod), params
}

// queryStates is every combination of present/absent of the parameters.
func queryStates(params []string) []query {
	states := []query{{}}
	for _, p := range params {
		var next []query
		for _, s := range states {
			with := query{p: "1"}
			for k, v := range s {
				with[k] = v
			}
			next = append(next, s, with)
		}
		states = next
	}
	return states
}

func invalidMethods(ms []string) []string {
	var bad []string
	for _, m := range ms {
		ok := m != ""
		for _, c := range m {
			if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
				ok = false
			}
		}
		if !ok {
			bad = append(bad, m)
		}
	}
	return bad
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
