package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// RenderCaddy renders the table for Caddy (tested with 2.6.2).
//
// Each route is a named matcher (path_regexp on the decoded path, method, and a CEL expression
// for the query condition) with a `handle` block; Caddy keeps handle blocks with named matchers
// in written order and takes the first match, and the catch-all `handle` goes to the main pool.
// Strategies: user and room `lb_policy header` on a request header the snippet sets from the
// computed key (and strips before proxying), source_ip `lb_policy ip_hash`, round_robin
// `round_robin`, single `first`.
//
// Caddy 2.6.2 hashes key+address with 32-bit FNV-1a for its rendezvous choice; member addresses
// that differ only in their last characters spread keys very unevenly (fixed upstream after
// 2.6.2). The renderer simulates that hash for every hashed pool and returns a warning when the
// predicted spread is skewed.
func RenderCaddy(t routing.Table, o Options) (Config, error) {
	o, err := check(Caddy, t, o)
	if err != nil {
		return Config{}, err
	}
	pools := map[string]routing.Pool{}
	for _, p := range t.Pools {
		pools[p.Name] = p
	}
	// site is the site block content; proxyTo writes the handle body of a pool.
	site := func(proxyTo func(s *strings.Builder, p routing.Pool)) string {
		var s strings.Builder
		// Caddy 2.6's reverse_proxy answers 502 when request_body cuts a body off, so a body
		// announced too large by Content-Length gets 413 first; request_body still caps
		// chunked ones.
		fmt.Fprintf(&s, `# Request bodies over %[1]d bytes get 413.
request_body {
	max_size %[1]d
}
@mx_too_large expression `+"`"+`{http.request.header.Content-Length}.matches("^[0-9]{19,}$") || ({http.request.header.Content-Length}.matches("^[0-9]{1,18}$") && int({http.request.header.Content-Length}) > %[1]d)`+"`"+`
handle @mx_too_large {
	respond 413
}
`, o.MaxBodyBytes)
		fmt.Fprintf(&s, `# User key: the Bearer token, else ?%[1]s= (decoded), then the localpart of a syt_ token.
# The query placeholder joins repeated parameters with ","; keep the first, as routing.Match does.
map {http.request.uri.query.%[1]s} {mx_query_token} {
	~^([^,]*) ${1}
}
map {http.request.header.Authorization} {mx_token} {
	"~%[4]s" ${1}
	default {mx_query_token}
}
map {mx_token} {mx_user} {
	~%[2]s ${1}
	default {mx_token}
}
# Room key: capture 1 of the room pattern on the decoded path.
map {http.request.uri.path} {mx_room} {
	~%[3]s ${1}
	default ""
}
request_header X-Mx-User {mx_user}
request_header X-Mx-Room {mx_room}

# Routes, first match wins (named matchers keep their written order).
`, accessTokenParam, userTokenPattern, roomKeyPattern, bearerPattern)
		names := caddyMatcherNames(t.Routes)
		for i, r := range t.Routes {
			fmt.Fprintf(&s, "# %s\n@%s {\n\tpath_regexp %s\n", commentSafe(r.Group), names[i], r.Pattern)
			if len(r.Methods) > 0 {
				fmt.Fprintf(&s, "\tmethod %s\n", strings.Join(r.Methods, " "))
			}
			if r.Query != nil {
				// The placeholder joins every occurrence with ","; routing.Match reads the first
				// one, which is empty exactly when the joined value is empty or starts with ",".
				v := "{http.request.uri.query." + r.Query.Param + "}"
				if r.Query.Present {
					fmt.Fprintf(&s, "\texpression `%[1]s != \"\" && !%[1]s.startsWith(\",\")`\n", v)
				} else {
					fmt.Fprintf(&s, "\texpression `%[1]s == \"\" || %[1]s.startsWith(\",\")`\n", v)
				}
			}
			fmt.Fprintf(&s, "}\nhandle @%s {\n", names[i])
			proxyTo(&s, pools[r.Pool])
			s.WriteString("}\n")
		}
		s.WriteString("handle {\n")
		proxyTo(&s, pools[routing.MainPool])
		s.WriteString("}\n")
		if o.FallbackToMain {
			// A pool whose members are all marked down by the passive health check fails
			// with 503 before touching the request: the main process answers instead. A dial
			// error (502) has already closed the request body, so only a request without one
			// is replayed.
			s.WriteString("# Every member of the request's pool is down: the main process answers.\nhandle_errors {\n")
			s.WriteString("\t@mx_unreachable expression `{http.error.status_code} == 503 || ({http.error.status_code} == 502 && {http.request.header.Content-Length} in [\"\", \"0\"] && {http.request.header.Transfer-Encoding} == \"\")`\n\thandle @mx_unreachable {\n")
			var fb strings.Builder
			proxyTo(&fb, pools[routing.MainPool])
			s.WriteString(indent(fb.String(), "\t"))
			s.WriteString("\t}\n}\n")
		}
		return s.String()
	}

	inline := header("Caddy site block content") + site(func(s *strings.Builder, p routing.Pool) { writeCaddyProxy(s, p, "\t") })
	imported := header("Caddy site block content") + site(func(s *strings.Builder, p routing.Pool) { fmt.Fprintf(s, "\timport %s\n", caddySnippet(p.Name)) })
	files := map[string]string{}
	var imports strings.Builder
	imports.WriteString("# One file per pool: the snippet the routes of the pool import.\n")
	for _, p := range t.Pools {
		var b strings.Builder
		fmt.Fprintf(&b, "(%s) {\n", caddySnippet(p.Name))
		writeCaddyProxy(&b, p, "\t")
		b.WriteString("}\n")
		files[PoolFile(Caddy, p.Name)] = header(fmt.Sprintf("Caddy pool %s, imported by %s", p.Name, EntryFile(Caddy))) + b.String()
		fmt.Fprintf(&imports, "import %s\n", poolPath(Caddy, o, p.Name))
	}

	full := func(pools, content string) string {
		var f strings.Builder
		f.WriteString(header("standalone Caddyfile"))
		f.WriteString("{\n")
		if o.CaddyAdmin == "" {
			f.WriteString("\tadmin off\n")
		} else {
			fmt.Fprintf(&f, "\tadmin %s\n", o.CaddyAdmin)
		}
		f.WriteString("\tauto_https off\n")
		// Caddy ties port 80 to http:// and 443 to https:// ("scheme and port violate convention")
		// and serves TLS on whatever port its https_port names. Plain HTTP on 443 (or TLS on 80)
		// is still a valid choice (e.g. behind a TLS-terminating load balancer), so move the
		// conventional port out of the way: with auto_https off Caddy listens on neither.
		scheme, conventional, option := "http", 443, "https_port"
		if o.TLS() {
			scheme, conventional, option = "https", 80, "http_port"
		}
		if slices.Contains(o.ports(), conventional) {
			fmt.Fprintf(&f, "\t%s %d\n", option, unusedPort(o.ports()))
		}
		fmt.Fprintf(&f, "\tstorage file_system {\n\t\troot %s\n\t}\n}\n\n", o.RuntimeDir)
		if pools != "" {
			f.WriteString(pools + "\n")
		}
		siteHost := o.ServerName
		if siteHost == "_" { // nginx's "any name"
			siteHost = ""
		}
		addrs := make([]string, 0, len(o.ports()))
		for _, p := range o.ports() {
			addrs = append(addrs, fmt.Sprintf("%s://%s:%d", scheme, siteHost, p))
		}
		fmt.Fprintf(&f, "%s {\n\tbind %s\n", strings.Join(addrs, ", "), o.ListenAddress)
		if o.TLS() {
			fmt.Fprintf(&f, "\ttls %s %s\n", o.TLSCertificatePath, o.TLSKeyPath)
		}
		f.WriteString(indent(content, "\t"))
		f.WriteString("}\n")
		return f.String()
	}
	files[EntryFile(Caddy)] = full(imports.String(), imported)
	return Config{Full: full("", inline), Snippet: inline, Files: files, Warnings: caddySpreadWarnings(t)}, nil
}

// unusedPort is the highest port none of ports uses.
func unusedPort(ports []int) int {
	p := 65535
	for slices.Contains(ports, p) {
		p--
	}
	return p
}

// caddySnippet is the name of the snippet of pool's reverse_proxy in Config.Files.
func caddySnippet(pool string) string { return "mx_pool_" + pool }

func writeCaddyProxy(s *strings.Builder, p routing.Pool, in string) {
	addrs := make([]string, len(p.Members))
	for i, m := range p.Members {
		addrs[i] = m.Upstream
		if strings.HasPrefix(m.Upstream, "unix:") {
			addrs[i] = "unix/" + strings.TrimPrefix(m.Upstream, "unix:")
		}
	}
	policy := map[routing.Strategy]string{
		routing.ByUser:     "header X-Mx-User",
		routing.ByRoom:     "header X-Mx-Room",
		routing.BySourceIP: "ip_hash",
		routing.RoundRobin: "round_robin",
		routing.Single:     "first",
	}[p.Strategy]
	fmt.Fprintf(s, "%sreverse_proxy %s {\n", in, strings.Join(addrs, " "))
	fmt.Fprintf(s, "%s\t# pool %s: %s\n", in, p.Name, memberNames(p))
	fmt.Fprintf(s, "%s\tlb_policy %s\n", in, policy)
	// Passive health checks: a member that fails is skipped for a while, so `first` fails
	// over and the hash policies move only that member's keys.
	fmt.Fprintf(s, "%s\tfail_duration 10s\n", in)
	fmt.Fprintf(s, "%s\theader_up -X-Mx-User\n%s\theader_up -X-Mx-Room\n", in, in)
	fmt.Fprintf(s, "%s}\n", in)
}

func memberNames(p routing.Pool) string {
	n := make([]string, len(p.Members))
	for i, m := range p.Members {
		n[i] = m.Name
	}
	return strings.Join(n, " ")
}

// caddySpreadSamples is how many synthetic keys the spread simulation hashes.
const caddySpreadSamples = 2000

// caddySpreadWarnings predicts Caddy 2.6.2's rendezvous choice (highest FNV-1a-32 of
// key+dial address) for synthetic user keys, room ids or client addresses, and warns about every
// hashed pool where a member would get over 1.25 times or under 0.75 times its fair share.
func caddySpreadWarnings(t routing.Table) []string {
	var out []string
	for _, p := range t.Pools {
		if len(p.Members) < 2 || (p.Strategy != routing.ByUser && p.Strategy != routing.ByRoom && p.Strategy != routing.BySourceIP) {
			continue
		}
		counts := make([]int, len(p.Members))
		for k := 0; k < caddySpreadSamples; k++ {
			var key string
			switch p.Strategy {
			case routing.ByUser:
				key = fmt.Sprintf("dXNlcj%04x", k*7919)
			case routing.ByRoom:
				key = fmt.Sprintf("!r%05dXq:example.org", k*7919%100000)
			default:
				key = fmt.Sprintf("10.%d.%d.%d", k%7, (k/7)%256, (k*31)%254+1)
			}
			best, pick := uint32(0), -1
			for i, m := range p.Members {
				h := fnv.New32a()
				_, _ = h.Write([]byte(key + m.Upstream))
				if v := h.Sum32(); pick < 0 || v > best {
					best, pick = v, i
				}
			}
			counts[pick]++
		}
		fair := float64(caddySpreadSamples) / float64(len(p.Members))
		skewed := false
		for _, c := range counts {
			if float64(c) > 1.25*fair || float64(c) < 0.75*fair {
				skewed = true
			}
		}
		if skewed {
			parts := make([]string, len(p.Members))
			for i, m := range p.Members {
				parts[i] = fmt.Sprintf("%s=%d", m.Name, counts[i])
			}
			sort.Strings(parts)
			out = append(out, fmt.Sprintf("pool %s (%s): Caddy 2.6.2 would spread %d keys unevenly over its members (%s) because their addresses differ only in their last characters; give the members ports whose endings differ more (e.g. 8101, 8222, 8343) or use Caddy 2.7 or later", p.Name, p.Strategy, caddySpreadSamples, strings.Join(parts, ", ")))
		}
	}
	return out
}

// caddyMatcherNames names each route's matcher after its identity (routing.RouteKeys), not its
// position, so adding a route leaves every other matcher's lines alone. Twelve hex digits of
// SHA-256: a clash among a table's hundred-odd keys would need a 2^-48 coincidence, and it
// still renders correctly (the later one gets its index appended).
func caddyMatcherNames(routes []routing.Route) []string {
	keys := routing.RouteKeys(routes)
	out := make([]string, len(keys))
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k))
		n := "mx_" + hex.EncodeToString(sum[:6])
		if seen[n] {
			n += "_" + strconv.Itoa(i)
		}
		seen[n] = true
		out[i] = n
	}
	return out
}
