package routing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// StrategyFor is the default strategy of an endpoint's stickiness need.
func StrategyFor(s catalog.Stickiness) Strategy {
	switch s {
	case catalog.StickyUser:
		return ByUser
	case catalog.StickyRoom:
		return ByRoom
	case catalog.StickySourceIP:
		return BySourceIP
	case catalog.StickySingle:
		return Single
	default:
		return RoundRobin
	}
}

// IsStrategy reports whether s is one of Strategies.
func IsStrategy(s Strategy) bool { return slices.Contains(Strategies, s) }

// Compile builds the routing table of a fleet.
//
// The table is ordered, first match wins, and every request no route matches goes to MainPool
// (the main process, the table's first pool). Routes come in this order:
//
//  1. Stream writer endpoints, in catalogue order, for every stream assigned to at least one
//     worker: a route taking every method to the pool `<stream>_writers` (members: the stream's
//     writers, in the assignment's order; "main" among them is the main process, left out where
//     it cannot serve the endpoint: media endpoints once a worker holds the media repository).
//     A stream whose only writer is "main", or that is not assigned, gets no route: its
//     endpoints fall back to the main process.
//  2. Every other catalogue endpoint, in catalogue order, that some worker serves: a route to
//     the pool of the workers holding the endpoint's most specialised role present in the
//     fleet. "Most specialised" is data, not a list of names: the role serving the fewest
//     catalogue endpoints wins (ties: the endpoint's role order), so `synchrotron` beats
//     `generic` for /sync and `client_reader` beats `generic` for /createRoom. Methods are the
//     catalogue's (GET-only endpoints route only GET and HEAD; other methods fall through to a
//     stream writer route, which comes first, or to the main process). A route whose pattern,
//     methods and query an earlier route with the same pattern already covers is dropped (a
//     GET-only reader route behind its stream's writer route).
//  3. An endpoint with an initial split (/sync: catalogue `initial_split`) gets, when workers
//     hold the split role (`initial_synchrotron`), a route with Query{Param: "since", Present:
//     false} to that role's pool just before its usual route, whose pool is then chosen
//     without the split role.
//  4. An endpoint with `requires_stream` (the media admin APIs that may quarantine) routes only
//     to the pool's members that write that stream; if none does, it routes to all of them
//     (they hold the media repository, which the main process then lacks) and a warning says
//     that the requests needing a writer will fail.
//
// Pool names are deterministic: the role (or `<stream>_writers`) when the endpoint's
// stickiness is the most common one among that role's endpoints, else the role and the
// strategy (`client_reader_room` for pagination, `generic_user` for sync on generic workers);
// a requires_stream subset appends the stream (`media_repository_quarantined_media_changes`).
// The default strategy comes from the catalogue's `sticky` (see StrategyFor); overrides, keyed
// by pool name, replace it. A pool with one member keeps its strategy.
//
// Compile reports every problem at once: unknown roles, streams or writers, duplicate
// names, listeners lacking the resources the routes need, unknown override pools or
// strategies. It finally runs PortableRegex and Analyze on its own table: a problem from
// those is a provider bug.
func Compile(c *catalog.Catalog, main Member, workers []fleet.WorkerRef, writers []fleet.StreamAssignment, overrides map[string]Strategy) (Table, fleet.Problems) {
	b := newBuilder(c, main, workers, writers)
	b.checkMain()
	b.checkWorkers()
	b.checkWriters()
	b.streamRoutes()
	b.roleRoutes()
	b.warnNeedWriter()
	b.applyOverrides(overrides)
	t := b.table()
	for i, r := range t.Routes {
		if err := PortableRegex(r.Pattern); err != nil {
			b.probs.Add(fleet.Index("routes", i), "Unportable Route Pattern",
				"route %d pattern %q is outside the regex subset every proxy shares: %s. This is a provider bug: please report it.", i, r.Pattern, err)
		}
	}
	for _, p := range Analyze(t) {
		p.Detail += " This is a provider bug: please report it."
		b.probs = append(b.probs, p)
	}
	return t, b.probs
}

type builder struct {
	c       *catalog.Catalog
	main    Member
	workers []fleet.WorkerRef
	writers []fleet.StreamAssignment

	// writerIdx maps a stream key to its (first) assignment index.
	writerIdx map[string]int
	// roleSize is how many catalogue endpoints each role serves (smaller = more specialised).
	roleSize map[string]int
	// roleDefault is the most common strategy among a role's (or "<stream>_writers") endpoints.
	roleDefault map[string]Strategy

	// needWriter lists endpoints routed to workers that do not write their RequiresStream.
	needWriter []catalog.Endpoint

	routes    []Route
	pools     map[string]*Pool
	poolOrder []string
	probs     fleet.Problems
}

func newBuilder(c *catalog.Catalog, main Member, workers []fleet.WorkerRef, writers []fleet.StreamAssignment) *builder {
	if main.Name == "" {
		main.Name = MainPool
	}
	// References carry catalogue defaults as nil (WorkerRef.Compact); read them filled in.
	filled := make([]fleet.WorkerRef, len(workers))
	for i, w := range workers {
		filled[i] = w.WithCatalogDefaults(c)
	}
	b := &builder{
		c: c, main: main, workers: filled, writers: writers,
		writerIdx:   map[string]int{},
		roleSize:    map[string]int{},
		roleDefault: map[string]Strategy{},
		pools:       map[string]*Pool{},
	}
	counts := map[string]map[Strategy]int{}
	count := func(base string, s Strategy) {
		if counts[base] == nil {
			counts[base] = map[Strategy]int{}
		}
		counts[base][s]++
	}
	for _, e := range c.Endpoints {
		s := StrategyFor(e.Sticky)
		for _, r := range e.Roles {
			b.roleSize[r]++
			count(r, s)
		}
		if e.Stream != "" {
			count(writerPoolName(e.Stream), s)
		}
	}
	for base, m := range counts {
		best, bestN := RoundRobin, -1
		for _, s := range Strategies { // documentation order breaks ties
			if m[s] > bestN {
				best, bestN = s, m[s]
			}
		}
		b.roleDefault[base] = best
	}
	b.addPool(MainPool, Single, []Member{main})
	return b
}

func writerPoolName(stream string) string { return stream + "_writers" }

// poolName is the deterministic name of a pool serving endpoints of the given stickiness.
func (b *builder) poolName(base string, s Strategy) string {
	if d, ok := b.roleDefault[base]; ok && d == s {
		return base
	}
	return base + "_" + string(s)
}

func (b *builder) addPool(name string, s Strategy, members []Member) string {
	if _, ok := b.pools[name]; !ok {
		b.pools[name] = &Pool{Name: name, Strategy: s, Members: members}
		b.poolOrder = append(b.poolOrder, name)
	}
	return name
}

func (b *builder) table() Table {
	t := Table{Routes: b.routes}
	if t.Routes == nil {
		t.Routes = []Route{}
	}
	for _, n := range b.poolOrder {
		t.Pools = append(t.Pools, *b.pools[n])
	}
	return t
}

func (b *builder) checkMain() {
	if b.main.Upstream == "" {
		b.probs.Add("main", "Missing Main Upstream",
			"the main process has no upstream address; set main.host and main.port so requests no worker serves can reach it.")
	}
}

// neededResources returns the listener resources the roles' endpoints need.
func (b *builder) neededResources(roles []string) []string {
	return catalog.ResourcesFor(b.c.EndpointsForRoles(roles))
}

func (b *builder) checkWorkers() {
	seen := map[string]int{}
	for i, w := range b.workers {
		if j, dup := seen[w.Name]; dup && w.Name != "" {
			b.probs.Add(fleet.Index("workers", i, "name"), "Duplicate Worker Name",
				"workers[%d] and workers[%d] are both named %q; pass each synapse_worker once.", j, i, w.Name)
			continue
		}
		seen[w.Name] = i
		if w.Name == MainPool || w.Name == b.c.MainInstanceName {
			b.probs.Add(fleet.Index("workers", i, "name"), "Reserved Worker Name",
				"workers[%d] is named %q, which names the main process; rename the worker.", i, w.Name)
		}
		for _, r := range w.Roles {
			if b.c.Role(r) == nil {
				b.probs.Add(fleet.Index("workers", i, "roles"), "Unknown Worker Role",
					"worker %q has role %q, which Synapse %s does not know; use one of: %s.", w.Name, r, b.c.Version, strings.Join(b.c.RoleNames(), ", "))
			}
		}
		need := b.neededResources(w.Roles)
		if len(need) == 0 {
			continue
		}
		if w.Upstream == "" {
			b.probs.Add(fleet.Index("workers", i), "Worker Without HTTP Listener",
				"worker %q has roles %s that serve HTTP endpoints (resources %s) but no HTTP listener (its upstream is empty); give it an http_port or an http listener with those resources.",
				w.Name, quoteList(w.Roles), quoteList(need))
			continue
		}
		if missing := minus(need, w.HTTPResources); len(missing) > 0 {
			b.probs.Add(fleet.Index("workers", i), "Worker Listener Lacks Resources",
				"worker %q has roles %s whose endpoints need the listener resources %s, but its HTTP listener %s serves only %s; add %s to that listener's resources or drop the roles.",
				w.Name, quoteList(w.Roles), quoteList(need), w.Upstream, quoteList(w.HTTPResources), quoteList(missing))
		}
	}
}

func (b *builder) worker(name string) (int, *fleet.WorkerRef) {
	for i := range b.workers {
		if b.workers[i].Name == name {
			return i, &b.workers[i]
		}
	}
	return -1, nil
}

// acceptedResources maps a pattern to every resource a catalogue endpoint with that pattern is
// served under (the quarantine admin API is a client endpoint on writers and a media endpoint
// on media workers).
func (b *builder) acceptedResources(pattern string) []string {
	var out []string
	for _, e := range b.c.Endpoints {
		if e.Pattern == pattern && !slices.Contains(out, e.Resource) {
			out = append(out, e.Resource)
		}
	}
	return out
}

func (b *builder) checkWriters() {
	for i, a := range b.writers {
		sp := fleet.Index("stream_writers", i, "stream")
		st := b.c.Stream(a.Stream)
		if st == nil {
			b.probs.Add(sp, "Unknown Stream",
				"stream_writers[%d].stream is %q, which Synapse %s does not know; use one of: %s.", i, a.Stream, b.c.Version, strings.Join(b.c.StreamKeys(), ", "))
			continue
		}
		if j, dup := b.writerIdx[a.Stream]; dup {
			b.probs.Add(sp, "Duplicate Stream Assignment",
				"stream_writers[%d] and stream_writers[%d] both assign stream %q; pass one synapse_stream_writer per stream.", j, i, a.Stream)
			continue
		}
		b.writerIdx[a.Stream] = i
		eps := b.c.EndpointsForStream(a.Stream)
		for j, name := range a.Writers {
			wp := fleet.Index("stream_writers", i, fmt.Sprintf("writers[%d]", j))
			if name == MainPool || name == b.c.MainInstanceName {
				continue
			}
			wi, w := b.worker(name)
			if w == nil {
				b.probs.Add(wp, "Unknown Stream Writer",
					"stream %q names writer %q, which is not one of the workers passed in `workers`; add that synapse_worker to `workers` or write \"main\" for the main process.", a.Stream, name)
				continue
			}
			for _, e := range eps {
				ok := b.acceptedResources(e.Pattern)
				if w.Upstream == "" || !overlaps(ok, w.HTTPResources) {
					b.probs.Add(wp, "Stream Writer Lacks HTTP Resource",
						"worker %q (workers[%d]) writes stream %q, whose endpoint %s must be routed to its writers, but it has no HTTP listener serving %s (upstream %q, resources %s); give it an http listener with the %q resource.",
						name, wi, a.Stream, e.Pattern, quoteList(ok), w.Upstream, quoteList(w.HTTPResources), e.Resource)
					break
				}
			}
		}
	}
}

// writerMembers returns the members writing a stream; ok is false when the stream is not
// assigned (the main process writes it then).
func (b *builder) writerMembers(stream string) (members []Member, ok bool) {
	i, ok := b.writerIdx[stream]
	if !ok {
		return nil, false
	}
	for _, name := range b.writers[i].Writers {
		if name == MainPool || name == b.c.MainInstanceName {
			members = appendMember(members, b.main)
			continue
		}
		if _, w := b.worker(name); w != nil {
			members = appendMember(members, Member{Name: w.Name, Upstream: w.Upstream})
		}
	}
	return members, true
}

func appendMember(ms []Member, m Member) []Member {
	for _, x := range ms {
		if x.Name == m.Name {
			return ms
		}
	}
	return append(ms, m)
}

// onlyMain reports whether members is empty or just the main process.
func (b *builder) onlyMain(ms []Member) bool {
	return len(ms) == 0 || (len(ms) == 1 && ms[0].Name == b.main.Name)
}

func (b *builder) streamRoutes() {
	for _, e := range b.c.Endpoints {
		if e.Stream == "" {
			continue
		}
		members, _ := b.writerMembers(e.Stream)
		if b.onlyMain(members) {
			continue // main writes it: the fallback already reaches it
		}
		if !b.mainServes(e) {
			// main writes the stream (some releases need it to) but cannot serve these
			// requests: the writers that can take them all.
			members = slices.DeleteFunc(members, func(m Member) bool { return m.Name == b.main.Name })
		}
		s := StrategyFor(e.Sticky)
		b.addRoute(Route{Pattern: e.Pattern, Group: e.Group}, b.poolName(writerPoolName(e.Stream), s), s, members)
	}
}

// mainServes reports whether the main process serves an endpoint. It lacks only the media
// resource, and only once a worker holds a media role: the shared config then sets
// enable_media_repo: false, and Synapse registers no media servlets (the quarantine admin APIs
// among them) on a process that cannot load the media repository.
func (b *builder) mainServes(e catalog.Endpoint) bool {
	if e.Resource != catalog.MediaResource {
		return true
	}
	for _, w := range b.workers {
		for _, r := range w.Roles {
			if rr := b.c.Role(r); rr != nil && rr.EnableMediaRepo {
				return false
			}
		}
	}
	return true
}

// roleMembers lists, in input order, the workers holding a role.
func (b *builder) roleMembers(role string) []Member {
	var out []Member
	for _, w := range b.workers {
		if slices.Contains(w.Roles, role) {
			out = appendMember(out, Member{Name: w.Name, Upstream: w.Upstream})
		}
	}
	return out
}

// servingRole picks the most specialised of roles that some worker holds (fewest catalogue
// endpoints; ties keep the catalogue's role order), skipping `except`.
func (b *builder) servingRole(roles []string, except string) string {
	best := ""
	for _, r := range roles {
		if r == except || len(b.roleMembers(r)) == 0 {
			continue
		}
		if best == "" || b.roleSize[r] < b.roleSize[best] {
			best = r
		}
	}
	return best
}

func (b *builder) roleRoutes() {
	for _, e := range b.c.Endpoints {
		if e.Stream != "" || len(e.Roles) == 0 {
			continue
		}
		s := StrategyFor(e.Sticky)
		except := ""
		if sp := e.InitialSplit; sp != nil && len(b.roleMembers(sp.Role)) > 0 {
			if other := b.servingRole(e.Roles, sp.Role); other != "" {
				except = sp.Role
				b.addRoute(Route{Pattern: e.Pattern, Methods: e.Methods, Query: &QueryCondition{Param: sp.Param, Present: false}, Group: e.Group},
					b.poolName(sp.Role, s), s, b.roleMembers(sp.Role))
			}
		}
		role := b.servingRole(e.Roles, except)
		if role == "" {
			continue
		}
		members := b.roleMembers(role)
		name := b.poolName(role, s)
		if e.RequiresStream != "" {
			members, name = b.restrictToWriters(e, members, name)
			if len(members) == 0 {
				continue
			}
		}
		b.addRoute(Route{Pattern: e.Pattern, Methods: e.Methods, Group: e.Group}, name, s, members)
	}
}

// restrictToWriters keeps the members that write e.RequiresStream. When none of them does,
// all stay (they hold the role's data, e.g. the media repository, which the main process
// usually lacks), and a warning is recorded: the requests that need a writer fail there.
func (b *builder) restrictToWriters(e catalog.Endpoint, members []Member, name string) ([]Member, string) {
	ws, assigned := b.writerMembers(e.RequiresStream)
	var kept []Member
	for _, m := range members {
		if assigned && slices.ContainsFunc(ws, func(w Member) bool { return w.Name == m.Name }) {
			kept = append(kept, m)
		}
	}
	switch len(kept) {
	case len(members):
		return members, name
	case 0:
		b.needWriter = append(b.needWriter, e)
		return members, name
	default:
		return kept, name + "_" + e.RequiresStream
	}
}

// warnNeedWriter reports, once per stream, the endpoints routed to workers that do not write
// the stream those endpoints need.
func (b *builder) warnNeedWriter() {
	byStream := map[string][]string{}
	var streams []string
	for _, e := range b.needWriter {
		if byStream[e.RequiresStream] == nil {
			streams = append(streams, e.RequiresStream)
		}
		byStream[e.RequiresStream] = append(byStream[e.RequiresStream], e.Pattern)
	}
	for _, st := range streams {
		path := ""
		if i, ok := b.writerIdx[st]; ok {
			path = fleet.Index("stream_writers", i, "writers")
		}
		var names []string
		for _, e := range b.c.Endpoints {
			if e.RequiresStream == st {
				for _, r := range e.Roles {
					for _, m := range b.roleMembers(r) {
						if !slices.Contains(names, m.Name) {
							names = append(names, m.Name)
						}
					}
				}
			}
		}
		if path == "" && len(names) > 0 {
			if i, _ := b.worker(names[0]); i >= 0 {
				path = fleet.Index("workers", i)
			}
		}
		b.probs.Warn(path, "Endpoint Needs Stream Writer",
			"workers %s serve %s, where some requests (e.g. quarantining media) only work on a writer of stream %q, and none of them writes it; those requests will fail. Make them writers of %q with a synapse_stream_writer.",
			quoteList(names), strings.Join(byStream[st], ", "), st, st)
	}
}

// addRoute appends r, served by the pool (created on first use), unless an earlier route with
// the same pattern already takes every request r would take.
func (b *builder) addRoute(r Route, pool string, s Strategy, members []Member) {
	for _, x := range b.routes {
		if x.Pattern == r.Pattern && methodsCover(x.Methods, r.Methods) && queryCovers(x.Query, r.Query) {
			return
		}
	}
	r.Pool = b.addPool(pool, s, members)
	b.routes = append(b.routes, r)
}

func (b *builder) applyOverrides(overrides map[string]Strategy) {
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := overrides[k]
		path := fmt.Sprintf("strategies[%q]", k)
		if !IsStrategy(s) {
			b.probs.Add(path, "Invalid Strategy",
				"strategies[%q] is %q; use one of: %s.", k, s, strategyList())
			continue
		}
		p, ok := b.pools[k]
		if !ok {
			b.probs.Add(path, "Unknown Pool",
				"strategies names pool %q, which this fleet's routing table does not have; its pools are: %s.", k, strings.Join(b.poolOrder, ", "))
			continue
		}
		if why, sticky := stickyReason[p.Strategy]; sticky && s != p.Strategy {
			b.probs.Warn(path, "Stickiness Dropped",
				"strategies[%q] is %q, but pool %q is %q by default because %s; %q drops that. Remove the override, or set it to %q.",
				k, s, k, p.Strategy, why, s, p.Strategy)
		}
		p.Strategy = s
	}
}

// stickyReason says why Synapse's load-balancing advice keeps a pool's requests together.
var stickyReason = map[Strategy]string{
	ByUser:     "Synapse's workers documentation says /sync and /initialSync are more efficient when all requests of a user reach one instance (its caches stay warm)",
	ByRoom:     "sending events of one room through one worker avoids contention on the room's event stream",
	BySourceIP: "inbound federation transactions from one server are handled in order only when they reach the same worker",
}

func strategyList() string {
	s := make([]string, len(Strategies))
	for i, x := range Strategies {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// methodsCover reports whether every method of inner is in outer (empty = every method).
func methodsCover(outer, inner []string) bool {
	if len(outer) == 0 {
		return true
	}
	if len(inner) == 0 {
		return false
	}
	for _, m := range inner {
		if !slices.Contains(outer, m) {
			return false
		}
	}
	return true
}

// queryCovers reports whether every request satisfying inner satisfies outer.
func queryCovers(outer, inner *QueryCondition) bool {
	return outer == nil || (inner != nil && *outer == *inner)
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func quoteList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
