package routing

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// The request keys the proxy renderers use, so that nothing Match decides is re-derived
// elsewhere. The Matrix facts among them (token format, room path, token parameter) live in the
// catalogue; every pattern here is in the subset PortableRegex accepts.
var (
	// UserTokenPattern extracts the user key from an access token: group 1 for Synapse's own
	// `syt_` tokens; any other token (MAS `mat_...`) does not match and is keyed whole.
	UserTokenPattern = catalog.Keys().UserTokenPattern
	// RoomKeyPattern extracts the room key from the decoded path (group 1).
	RoomKeyPattern = catalog.Keys().RoomKeyPattern
	// AccessTokenParam is the query parameter carrying the access token when the request has
	// no Bearer Authorization header.
	AccessTokenParam = catalog.Keys().AccessTokenParam
)

// HTTP-level constants of the key extraction.
const (
	// BearerPattern extracts the token (group 1) from an Authorization header. The scheme is
	// matched case-insensitively; a header not matching it (another scheme, no token) is
	// ignored and the access_token query parameter is used instead.
	BearerPattern = `^[Bb][Ee][Aa][Rr][Ee][Rr]\s+(\S+)\s*$`
	// SinceParam is the query parameter whose absence marks an initial sync (the Query of the
	// initial-sync route names it, from the catalogue's initial_split: renderers read
	// Route.Query, this is for documentation and tests).
	SinceParam = "since"
	// AuthorizationHeader is the header carrying `Bearer <token>`.
	AuthorizationHeader = "Authorization"
	// ForwardedForHeader is where the match_route function reads the client address from.
	ForwardedForHeader = "X-Forwarded-For"
)

var (
	userTokenRE = regexp.MustCompile(UserTokenPattern)
	bearerRE    = regexp.MustCompile(BearerPattern)
	roomKeyRE   = regexp.MustCompile(RoomKeyPattern)
	compiled    sync.Map // pattern -> *regexp.Regexp (or error)
)

// compile returns the compiled pattern, cached; nil when it does not compile (such a route
// never matches; Analyze reports it).
func compile(pattern string) *regexp.Regexp {
	if v, ok := compiled.Load(pattern); ok {
		re, _ := v.(*regexp.Regexp)
		return re
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		compiled.Store(pattern, err)
		return nil
	}
	compiled.Store(pattern, re)
	return re
}

// Match is the reference semantics of a routing table; every proxy renderer reproduces it.
//
//   - Routes are tried in order; the first whose pattern matches r.Path (the %-decoded path,
//     unanchored unless the pattern anchors it, case-sensitive), whose Methods contain
//     r.Method (exact, case-sensitive comparison; empty Methods means every method; HEAD is
//     NOT implied by GET: the catalogue lists HEAD wherever it lists GET, so renderers emit
//     exactly the listed methods) and whose Query holds wins.
//   - Query{Param, Present: true} holds when the first occurrence of Param in the query string
//     has a non-empty value; Present: false holds otherwise (absent, `since=` or `since`).
//   - No match: MainPool (Route -1).
//
// The key depends on the pool's strategy (see UserKey, RoomKey); round_robin and single have
// none. An empty key under user, room or source_ip means the proxy falls back to round robin
// among the pool's members (nginx and HAProxy do so for an empty hash key; renderers must do
// the same elsewhere).
func Match(t Table, r Request) Result {
	idx := -1
	pool := MainPool
	q := parseQuery(r.RawQuery)
	for i, rt := range t.Routes {
		if routeMatches(rt, r.Method, r.Path, q) {
			idx, pool = i, rt.Pool
			break
		}
	}
	res := Result{Route: idx, Pool: pool, Strategy: Single}
	for _, p := range t.Pools {
		if p.Name == pool {
			res.Strategy = p.Strategy
			break
		}
	}
	res.Key = Key(res.Strategy, r)
	return res
}

// query is the parsed query string: the first value of each parameter, decoded.
type query map[string]string

func routeMatches(rt Route, method, path string, q query) bool {
	if !takesMethodQuery(rt, method, q) {
		return false
	}
	re := compile(rt.Pattern)
	return re != nil && re.MatchString(path)
}

// takesMethodQuery is the method and query part of a route match.
func takesMethodQuery(rt Route, method string, q query) bool {
	if len(rt.Methods) > 0 && !slices.Contains(rt.Methods, method) {
		return false
	}
	return rt.Query == nil || (q[rt.Query.Param] != "") == rt.Query.Present
}

// parseQuery keeps the first value of each parameter, %-decoded (`+` as space, as
// application/x-www-form-urlencoded); an undecodable value is kept raw. Unlike url.ParseQuery
// it never rejects a query (`;` is an ordinary character).
func parseQuery(raw string) query {
	q := query{}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = unescape(k)
		if _, seen := q[k]; !seen {
			q[k] = unescape(v)
		}
	}
	return q
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// Key is the member-selection key of a request under a strategy.
func Key(s Strategy, r Request) string {
	switch s {
	case ByUser:
		return UserKey(r)
	case ByRoom:
		return RoomKey(r.Path)
	case BySourceIP:
		return r.SourceIP
	default:
		return ""
	}
}

// UserKey is the user key of a request: the access token from `Authorization: Bearer <t>`
// (BearerPattern), else the first `access_token` query parameter, %-decoded; then, if the
// token matches UserTokenPattern, its group 1 (the base64 localpart of a `syt_` token), else
// the whole token (MAS tokens). No token gives "".
func UserKey(r Request) string {
	tok := ""
	if m := bearerRE.FindStringSubmatch(header(r.Headers, AuthorizationHeader)); m != nil {
		tok = m[1]
	}
	if tok == "" {
		tok = parseQuery(r.RawQuery)[AccessTokenParam]
	}
	if m := userTokenRE.FindStringSubmatch(tok); m != nil {
		return m[1]
	}
	return tok
}

// RoomKey is group 1 of RoomKeyPattern on the decoded path, or "".
func RoomKey(path string) string {
	if m := roomKeyRE.FindStringSubmatch(path); m != nil {
		return m[1]
	}
	return ""
}

// header looks a header up case-insensitively; the exact spelling wins, then the smallest
// key that matches (so the result never depends on map order).
func header(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	best, found := "", ""
	for k, v := range h {
		if strings.EqualFold(k, name) && (found == "" || k < found) {
			best, found = v, k
		}
	}
	return best
}
