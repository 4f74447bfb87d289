package routing

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// ExtraRoute is a route the operator adds to a compiled table: an endpoint the catalogue does
// not know (a Synapse module's resource, an appservice's path, an MSC newer than the
// catalogue). Exactly one of Pool, Role and Worker names its target.
type ExtraRoute struct {
	// Name identifies the route (the key of `extra_routes`); its pool, when it gets one, is
	// ExtraPoolPrefix + Name.
	Name string
	// Order places the route among the extra routes (lower first; ties by Name). Every extra
	// route comes before the catalogue's routes.
	Order int64
	// Pattern is a regular expression on the %-decoded path (PortableRegex's subset).
	Pattern string
	// Methods restricts the route (upper-case tokens); empty means every method.
	Methods []string
	// Pool is an existing pool of the table (`main`, `synchrotron`, ...).
	Pool string
	// Role sends the route to the workers holding this role.
	Role string
	// Worker sends the route to this one worker.
	Worker string
	// Strategy picks the member; empty means the target pool's strategy (Pool), round_robin
	// (Role) or single (Worker).
	Strategy Strategy
}

// ExtraPoolPrefix starts the name of the pool an extra route gets when it does not reuse an
// existing pool; no catalogue role or stream pool starts with it.
const ExtraPoolPrefix = "extra_"

// ExtraGroupPrefix starts the Group of an extra route (followed by its name).
const ExtraGroupPrefix = "extra route "

var reExtraName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,56}$`)

// reExtraMethod is an HTTP method token as every proxy's method matcher reads it.
var reExtraMethod = regexp.MustCompile(`^[A-Z]{1,20}$`)

// ExtraPath is the problem path of an attribute of extra route name, e.g.
// `extra_routes["modules"].pattern`.
func ExtraPath(name, attr string) string {
	p := fmt.Sprintf("extra_routes[%q]", name)
	if attr != "" {
		p += "." + attr
	}
	return p
}

// AddExtraRoutes places extra routes ahead of a table Compile built, in (Order, Name) order,
// and returns the new table and every problem:
//
//   - a name outside `[a-z0-9][a-z0-9_-]{0,56}`, a pattern outside PortableRegex's subset, a
//     method that is not an upper-case token, a strategy that is unknown, a target that is not
//     exactly one of pool, role and worker, or one the fleet lacks (an unknown pool, a role no
//     worker holds, a worker that is not passed or has no HTTP listener);
//   - an extra route shadowed by earlier extra routes, and a catalogue route an extra route
//     shadows (the extra route takes every request Synapse's docs send to that pool): errors
//     on the extra route at fault;
//   - an extra route that takes only some of a catalogue route's requests: a warning.
//
// An extra route to a pool without a strategy, or with the pool's own, routes to that pool;
// any other gets its own pool `extra_<name>` (the target's members, the strategy).
func AddExtraRoutes(t Table, workers []fleet.WorkerRef, extras []ExtraRoute) (Table, fleet.Problems) {
	var probs fleet.Problems
	if len(extras) == 0 {
		return t, nil
	}
	sorted := slices.Clone(extras)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Order != sorted[j].Order {
			return sorted[i].Order < sorted[j].Order
		}
		return sorted[i].Name < sorted[j].Name
	})
	pools := map[string]Pool{}
	var poolNames []string
	for _, p := range t.Pools {
		pools[p.Name] = p
		poolNames = append(poolNames, p.Name)
	}
	var routes []Route
	var newPools []Pool
	var placed []ExtraRoute
	for _, e := range sorted {
		r, pool, ok := extraRoute(e, pools, poolNames, workers, &probs)
		if !ok {
			continue
		}
		if pool != nil {
			newPools = append(newPools, *pool)
		}
		routes = append(routes, r)
		placed = append(placed, e)
	}
	if probs.HasErrors() {
		return t, probs
	}
	out := Table{Routes: append(routes, t.Routes...), Pools: append(slices.Clone(t.Pools), newPools...)}
	probs = append(probs, extraShadows(out, placed)...)
	return out, probs
}

// extraRoute checks one extra route and builds its route (and its own pool, if any).
func extraRoute(e ExtraRoute, pools map[string]Pool, poolNames []string, workers []fleet.WorkerRef, probs *fleet.Problems) (Route, *Pool, bool) {
	at := func(attr string) string { return ExtraPath(e.Name, attr) }
	ok := true
	if !reExtraName.MatchString(e.Name) {
		probs.Add(at(""), "Invalid Extra Route Name",
			"extra_routes key %q must be 1-57 lowercase letters, digits, '_' or '-', starting with a letter or digit (it names the route's pool, %s<name>).", e.Name, ExtraPoolPrefix)
		ok = false
	}
	if err := PortableRegex(e.Pattern); err != nil {
		probs.Add(at("pattern"), "Invalid Extra Route Pattern",
			"extra_routes[%q].pattern %q is not a pattern every proxy reads the same way: %s. Write a regular expression on the decoded path, e.g. \"^/_synapse/client/my_module/\".", e.Name, e.Pattern, err)
		ok = false
	} else if len(Witnesses(e.Pattern)) == 0 {
		probs.Add(at("pattern"), "Extra Route Never Matches",
			"extra_routes[%q].pattern %q matches no path; correct the pattern.", e.Name, e.Pattern)
		ok = false
	}
	seen := map[string]bool{}
	for i, m := range e.Methods {
		switch {
		case !reExtraMethod.MatchString(m):
			probs.Add(fleet.Index(at("methods"), i), "Invalid Extra Route Method",
				"extra_routes[%q].methods[%d] is %q; write an upper-case HTTP method such as \"GET\", \"HEAD\", \"POST\" or \"PUT\".", e.Name, i, m)
			ok = false
		case seen[m]:
			probs.Add(fleet.Index(at("methods"), i), "Invalid Extra Route Method",
				"extra_routes[%q].methods lists %q twice; list each method once.", e.Name, m)
			ok = false
		}
		seen[m] = true
	}
	if e.Strategy != "" && !IsStrategy(e.Strategy) {
		probs.Add(at("strategy"), "Invalid Strategy",
			"extra_routes[%q].strategy is %q; use one of: %s.", e.Name, e.Strategy, strategyList())
		ok = false
	}
	set := 0
	for _, v := range []string{e.Pool, e.Role, e.Worker} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		probs.Add(at(""), "Invalid Extra Route Target",
			"extra_routes[%q] sets %d of pool, role and worker; set exactly one: the pool, the role whose workers, or the worker that serves the route.", e.Name, set)
		return Route{}, nil, false
	}
	var members []Member
	strategy := e.Strategy
	switch {
	case e.Pool != "":
		p, found := pools[e.Pool]
		if !found {
			probs.Add(at("pool"), "Unknown Pool",
				"extra_routes[%q].pool is %q, which this fleet's routing table does not have; its pools are: %s. Or target a role or a worker.", e.Name, e.Pool, strings.Join(poolNames, ", "))
			return Route{}, nil, false
		}
		if strategy == "" || strategy == p.Strategy {
			return Route{Pattern: e.Pattern, Methods: e.Methods, Pool: p.Name, Group: ExtraGroupPrefix + e.Name}, nil, ok
		}
		members = p.Members
	case e.Role != "":
		for _, w := range workers {
			if slices.Contains(w.Roles, e.Role) && w.Upstream != "" {
				members = appendMember(members, Member{Name: w.Name, Upstream: w.Upstream})
			}
		}
		if len(members) == 0 {
			probs.Add(at("role"), "No Worker For Extra Route",
				"extra_routes[%q].role is %q, but no worker in `workers` with an HTTP listener has that role; give a worker that role, or target a pool or a worker.", e.Name, e.Role)
			return Route{}, nil, false
		}
		if strategy == "" {
			strategy = RoundRobin
		}
	default:
		var w *fleet.WorkerRef
		for i := range workers {
			if workers[i].Name == e.Worker {
				w = &workers[i]
			}
		}
		switch {
		case e.Worker == MainPool && len(pools[MainPool].Members) > 0:
			members = pools[MainPool].Members[:1]
		case w == nil:
			names := make([]string, 0, len(workers))
			for _, x := range workers {
				names = append(names, x.Name)
			}
			probs.Add(at("worker"), "Unknown Worker",
				"extra_routes[%q].worker is %q, which is not one of the workers passed in `workers` (%s); add that synapse_worker to `workers`, or write \"main\" for the main process.", e.Name, e.Worker, strings.Join(names, ", "))
			return Route{}, nil, false
		case w.Upstream == "":
			probs.Add(at("worker"), "Worker Without HTTP Listener",
				"extra_routes[%q].worker is %q, which has no HTTP listener to send the route to; give it an http_port or an http listener.", e.Name, e.Worker)
			return Route{}, nil, false
		default:
			members = []Member{{Name: w.Name, Upstream: w.Upstream}}
		}
		if strategy == "" {
			strategy = Single
		}
	}
	if !ok {
		return Route{}, nil, false
	}
	name := ExtraPoolPrefix + e.Name
	return Route{Pattern: e.Pattern, Methods: e.Methods, Pool: name, Group: ExtraGroupPrefix + e.Name},
		&Pool{Name: name, Strategy: strategy, Members: slices.Clone(members)}, true
}

// extraShadows reports, for a table whose first len(placed) routes are the extra routes in
// order, the extra routes that earlier extra routes shadow and the catalogue routes extra
// routes shadow (errors) or partly take (warnings).
func extraShadows(t Table, placed []ExtraRoute) fleet.Problems {
	var probs fleet.Problems
	methods, params := tableDimensions(t)
	queries := queryStates(params)
	n := len(placed)
	partial := map[int][]string{} // extra route -> catalogue routes it partly takes
	for j := range t.Routes {
		reqs, by, reach := takers(t, j, methods, queries, j >= n)
		var extraTakers []int // the extra routes taking some of j's requests
		for _, k := range sortedKeys(by) {
			if k < n {
				extraTakers = append(extraTakers, k)
			}
		}
		if reqs == 0 || len(extraTakers) == 0 {
			continue
		}
		if j < n {
			if reach > 0 {
				continue // partial overlap among extra routes: first match decides, by order
			}
			e := placed[j]
			probs.Add(ExtraPath(e.Name, "pattern"), "Shadowed Extra Route",
				"extra_routes[%q] (%s) never receives a request: every request it would match is taken first by %s. Give it an order lower than theirs (order = %d), or narrow their patterns or methods.",
				e.Name, describeExtra(e), extraList(placed, extraTakers), placed[extraTakers[0]].Order-1)
			continue
		}
		rt := t.Routes[j]
		k := extraTakers[0]
		e := placed[k]
		if reach == 0 && len(extraTakers) == len(by) {
			probs.Add(ExtraPath(e.Name, "pattern"), "Extra Route Shadows Catalogue Route",
				"extra_routes[%q] (%s) takes every request of the catalogue route %s (%s, pool %q), which then never receives a request. Narrow the pattern or methods so it only matches the endpoints the catalogue does not know; to change how the pool %q picks a member, use strategies instead.",
				e.Name, describeExtra(e), rt.Pattern, rt.Group, rt.Pool, rt.Pool)
			continue
		}
		partial[k] = append(partial[k], fmt.Sprintf("%s (%s, pool %q)", rt.Pattern, rt.Group, rt.Pool))
	}
	for k, e := range placed {
		taken := partial[k]
		if len(taken) == 0 {
			continue
		}
		if len(taken) > 5 {
			taken = append(taken[:5:5], fmt.Sprintf("%d more", len(partial[k])-5))
		}
		probs.Warn(ExtraPath(e.Name, "pattern"), "Extra Route Overlaps Catalogue Route",
			"extra_routes[%q] (%s) comes first and takes some requests of the catalogue routes %s, so those go to pool %q instead. If that is not meant, narrow the pattern or methods.",
			e.Name, describeExtra(e), strings.Join(taken, ", "), t.Routes[k].Pool)
	}
	return probs
}

func describeExtra(e ExtraRoute) string {
	s := "pattern " + fmt.Sprintf("%q", e.Pattern)
	if len(e.Methods) > 0 {
		s += ", methods " + strings.Join(e.Methods, ",")
	}
	return s + fmt.Sprintf(", order %d", e.Order)
}

func extraList(placed []ExtraRoute, idx []int) string {
	parts := make([]string, len(idx))
	for i, k := range idx {
		parts[i] = fmt.Sprintf("extra_routes[%q] (%s)", placed[k].Name, describeExtra(placed[k]))
	}
	return strings.Join(parts, " and ")
}
