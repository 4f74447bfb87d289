// Package routing is the pure routing model of a worker fleet: an ordered, first-match table of
// routes {pattern, methods, pool} and pools {members, strategy}, compiled from the workers, the
// stream writers and the catalogue; static analysis of that table; and Match, the reference
// semantics every proxy renderer (internal/proxy) must reproduce.
//
// The contract renderers follow (Match is its executable form):
//
//   - routes are tried in table order and the first whose pattern matches the %-decoded path
//     (case-sensitive, unanchored unless the pattern anchors it), whose Methods contain the
//     request method exactly (empty = every method; HEAD only where listed) and whose Query
//     holds (first occurrence of the parameter non-empty, or not) wins; else MainPool;
//   - the member is picked by the pool's Strategy from the key Key computes: the user key from
//     BearerPattern / AccessTokenParam then UserTokenPattern, the room key from RoomKeyPattern,
//     the client address; an empty key means round robin among the members;
//   - a pool with one member keeps its strategy; pool and member order is the table's.
//
// It never imports terraform-plugin-framework.
package routing

import (
	"strconv"
	"strings"
)

// Strategy is how a pool picks a member for a request.
type Strategy string

// The member-selection strategies.
const (
	RoundRobin Strategy = "round_robin" // any member
	ByUser     Strategy = "user"        // consistent hash of the user key (see UserKey)
	ByRoom     Strategy = "room"        // consistent hash of the room ID in the path (see RoomKeyPattern)
	BySourceIP Strategy = "source_ip"   // consistent hash of the client address
	Single     Strategy = "single"      // always the first member
)

// Strategies lists every strategy, in documentation order.
var Strategies = []Strategy{RoundRobin, ByUser, ByRoom, BySourceIP, Single}

// MainPool is the name of the pool holding the main process; the table's fallback.
const MainPool = "main"

// Member is one upstream process of a pool.
type Member struct {
	// Name is the worker name ("main" for the main process).
	Name string `json:"name"`
	// Upstream is host:port (or unix:/path) of the process's HTTP listener.
	Upstream string `json:"upstream"`
}

// Pool is a named group of members and how one is picked.
type Pool struct {
	Name     string   `json:"name"`
	Strategy Strategy `json:"strategy"`
	Members  []Member `json:"members"`
}

// QueryCondition restricts a route to requests where a query parameter is present (non-empty)
// or absent/empty. It expresses the initial-sync split (`since`).
type QueryCondition struct {
	Param   string `json:"param"`
	Present bool   `json:"present"`
}

// Route is one entry of the ordered, first-match table.
type Route struct {
	// Pattern is a regular expression on the path, in the subset PCRE2 and RE2 share.
	Pattern string `json:"pattern"`
	// Methods restricts the route to these HTTP methods; empty means every method.
	Methods []string `json:"methods,omitempty"`
	// Query, when set, restricts the route further.
	Query *QueryCondition `json:"query,omitempty"`
	// Pool is the name of the pool serving the route.
	Pool string `json:"pool"`
	// Group says where the route comes from (the catalogue's docs group or stream).
	Group string `json:"group"`
}

// Table is the compiled routing of a fleet. Requests no route matches go to MainPool.
type Table struct {
	Routes []Route `json:"routes"`
	Pools  []Pool  `json:"pools"`
}

// Request is what Match looks at.
type Request struct {
	Method string
	// Path is the decoded request path.
	Path string
	// RawQuery is the query string without '?'.
	RawQuery string
	// Headers, keyed case-insensitively by the caller (canonical form: "Authorization").
	Headers map[string]string
	// SourceIP is the client address.
	SourceIP string
}

// Result is the routing decision for a request.
type Result struct {
	// Route is the index of the matching route, or -1 for the fallback to MainPool.
	Route int
	// Pool is the pool name.
	Pool string
	// Strategy is the pool's strategy.
	Strategy Strategy
	// Key is the member-selection key (user key, room ID, source IP); empty for round robin
	// and single.
	Key string
}

// Key is the route's identity, stable when other routes are added or removed: its methods
// ("*" for every method), its pattern and its query condition, e.g.
// `GET,HEAD ^/_matrix/client/(r0|v3)/sync$ ?since` (`!?since` for "absent or empty"). Two
// routes of one table never share a key: RouteKeys makes them unique.
func (r Route) Key() string {
	m := "*"
	if len(r.Methods) > 0 {
		m = strings.Join(r.Methods, ",")
	}
	k := m + " " + r.Pattern
	if r.Query != nil {
		if r.Query.Present {
			k += " ?" + r.Query.Param
		} else {
			k += " !?" + r.Query.Param
		}
	}
	return k
}

// RouteKeys returns every route's Key, in table order; a key a route already took gets the
// suffix " #2", " #3"... in order (a table Compile builds has none: such a route would be
// shadowed).
func RouteKeys(routes []Route) []string {
	out := make([]string, len(routes))
	seen := make(map[string]int, len(routes))
	for i, r := range routes {
		k := r.Key()
		seen[k]++
		if n := seen[k]; n > 1 {
			k += " #" + strconv.Itoa(n)
		}
		out[i] = k
	}
	return out
}
