package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// RenderNginx renders the table for nginx (tested with 1.22).
//
// Route selection is one chain of maps, evaluated lazily per request: the request is put in a
// condition class (its method, when a route names it, × whether each tested query parameter is
// non-empty), and the class's map tries, in table order, the patterns of the routes whose
// conditions that class satisfies. That is exactly routing.Match's first-match rule, including the fall-through of a
// GET-only route to a later route for other methods, with the patterns used unchanged. The pool
// name picks an upstream block through `proxy_pass http://$mx_pool;`. Strategies: user and room
// `hash $key consistent` (ketama), source_ip `hash $remote_addr consistent` (ip_hash would only
// hash three octets), round_robin the default, single one server with the others `backup`.
func RenderNginx(t routing.Table, o Options) (Config, error) {
	o, err := check(Nginx, t, o)
	if err != nil {
		return Config{}, err
	}
	var h strings.Builder
	h.WriteString(header("nginx http{} context: maps and upstreams"))
	fmt.Fprintf(&h, "\n# User key: the Bearer token, else ?%s= (raw), then the localpart of a syt_ token.\n", accessTokenParam)
	fmt.Fprintf(&h, "map $http_authorization $mx_hdr_token {\n    \"~%s\" $1;\n    default \"\";\n}\n", bearerPattern)
	fmt.Fprintf(&h, "map $mx_hdr_token $mx_token {\n    \"\" $arg_%s;\n    default $mx_hdr_token;\n}\n", accessTokenParam)
	fmt.Fprintf(&h, "map $mx_token $mx_user_key {\n    \"~%s\" $1;\n    default $mx_token;\n}\n", userTokenPattern)
	fmt.Fprintf(&h, "# Room key: capture 1 of the room pattern on the decoded path.\nmap $uri $mx_room_key {\n    \"~%s\" $1;\n    default \"\";\n}\n", roomKeyPattern)

	writeNginxSelection(&h, t)
	maps := h.String()

	files := map[string]string{}
	var upstreams, includes strings.Builder
	includes.WriteString("\n# One file per pool: its upstream block.\n")
	for _, p := range t.Pools {
		var u strings.Builder
		fmt.Fprintf(&u, "upstream %s {\n", nginxUpstream(p.Name))
		switch p.Strategy {
		case routing.ByUser:
			u.WriteString("    hash $mx_user_key consistent;\n")
		case routing.ByRoom:
			u.WriteString("    hash $mx_room_key consistent;\n")
		case routing.BySourceIP:
			u.WriteString("    hash $remote_addr consistent;\n")
		}
		for i, m := range p.Members {
			backup := ""
			if p.Strategy == routing.Single && i > 0 {
				backup = " backup"
			}
			fmt.Fprintf(&u, "    server %s%s; # %s\n", m.Upstream, backup, m.Name)
		}
		u.WriteString("    keepalive 32;\n}\n")
		upstreams.WriteString("\n" + u.String())
		files[PoolFile(Nginx, p.Name)] = header(fmt.Sprintf("nginx pool %s, included in the http{} context by %s", p.Name, EntryFile(Nginx))) + u.String()
		fmt.Fprintf(&includes, "include %s;\n", poolPath(Nginx, o, p.Name))
	}
	h.WriteString(upstreams.String())

	var s strings.Builder
	s.WriteString(header("nginx server{} context; needs the http{} include"))
	// proxyTo is the body of a location proxying to upstream.
	proxyTo := func(upstream string) string {
		return fmt.Sprintf(`    proxy_pass http://%s;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    client_max_body_size %s;
`, upstream, nginxSize(o.MaxBodyBytes))
	}
	s.WriteString("location / {\n" + proxyTo("$mx_pool"))
	if o.FallbackToMain {
		// Only the 502 nginx makes itself (no member reachable): with proxy_intercept_errors
		// off, a 502 a member answers passes through.
		s.WriteString("    error_page 502 = @mx_fallback;\n")
	}
	s.WriteString("}\n")
	if o.FallbackToMain {
		s.WriteString("# Every member of the request's pool is down: the main process answers.\nlocation @mx_fallback {\n" +
			proxyTo(nginxUpstream(routing.MainPool)) + "}\n")
	}

	full := func(httpContext string) string {
		var f strings.Builder
		f.WriteString(header("standalone nginx configuration"))
		if o.User != "" {
			fmt.Fprintf(&f, "user %s;\n", o.User)
		}
		serverName := o.ServerName
		if serverName == "" {
			serverName = "_"
		}
		fmt.Fprintf(&f, `worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

%[2]s
    server {
%[3]s        server_name %[4]s;

%[5]s    }
}
`, o.RuntimeDir, indent(httpContext, "    "), nginxListen(o), serverName, indent(s.String(), "        "))
		return f.String()
	}
	files[EntryFile(Nginx)] = full(maps + includes.String())
	return Config{Full: full(h.String()), Snippet: s.String(), HTTPSnippet: h.String(), Files: files}, nil
}

func nginxUpstream(pool string) string { return "mx_" + pool }

// nginxSize writes a byte count the way nginx reads sizes (M is 1024*1024).
func nginxSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dM", n>>20)
	}
	return strconv.FormatInt(n, 10)
}

// nginxListen is the server{}'s listen lines, one per port, and its certificate with TLS.
func nginxListen(o Options) string {
	var b strings.Builder
	ssl := ""
	if o.TLS() {
		ssl = " ssl"
	}
	for _, p := range o.ports() {
		fmt.Fprintf(&b, "        listen %s:%d%s;\n", o.ListenAddress, p, ssl)
	}
	if o.TLS() {
		// nginx 1.22 still enables TLSv1 and TLSv1.1 by default; HAProxy 2.6 and Caddy start at 1.2.
		fmt.Fprintf(&b, "        ssl_certificate %s;\n        ssl_certificate_key %s;\n        ssl_protocols TLSv1.2 TLSv1.3;\n", o.TLSCertificatePath, o.TLSKeyPath)
	}
	return b.String()
}

// nginxOtherMethods is the method token of every method no route names. Methods are upper-case
// letters only (Validate), so no method token can equal it, not even in the case-insensitive
// comparison of plain map keys.
const nginxOtherMethods = "*"

// nginxClass is one condition class of a request: its method token (a method some route names,
// or nginxOtherMethods) and the query parameters among those the routes test that are non-empty.
type nginxClass struct {
	method string
	set    []string // sorted, a subset of queryParams
}

// key is the class's value of "$mx_m$mx_q_<param>...": the method token followed by "+<param>"
// for each non-empty parameter. A parameter that is empty adds nothing, so a class keeps its key
// when a route starts testing another parameter.
func (c nginxClass) key() string {
	var b strings.Builder
	b.WriteString(c.method)
	for _, p := range c.set {
		b.WriteString("+" + p)
	}
	return b.String()
}

// accepts says whether a request of class c satisfies route r's method and query conditions.
func (c nginxClass) accepts(r routing.Route) bool {
	if len(r.Methods) > 0 && !contains(r.Methods, c.method) {
		return false
	}
	return r.Query == nil || contains(c.set, r.Query.Param) == r.Query.Present
}

// nginxMethods lists, sorted, every method some route names.
func nginxMethods(t routing.Table) []string {
	var out []string
	for _, r := range t.Routes {
		for _, m := range r.Methods {
			if !contains(out, m) {
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeNginxSelection writes the route selection maps. Every name in them says what it stands
// for, never where it stands, so that a route bringing a new method or query parameter adds
// lines and leaves every other line as it was:
//
//   - $mx_m is the method when a route names it, else "*";
//   - $mx_q_<param> is "+<param>" when the parameter is non-empty, else "";
//   - $mx_pool maps the class key ("GET", "*+since", ...) to the class's pattern map;
//   - a pattern map is named after the conditional routes (those with methods or a query
//     condition) it holds, see nginxPatternMapNames; classes taking the same ones share it.
func writeNginxSelection(h *strings.Builder, t routing.Table) {
	methods := nginxMethods(t)
	params := queryParams(t)
	h.WriteString("\n# Route selection: condition class (method, non-empty query parameters) -> ordered pattern map.\n")
	h.WriteString("map $request_method $mx_m {\n")
	for _, m := range methods {
		// Regex keys: plain map keys compare case-insensitively, methods do not.
		fmt.Fprintf(h, "    \"~^%s$\" %s;\n", m, m)
	}
	fmt.Fprintf(h, "    default \"%s\";\n}\n", nginxOtherMethods)
	source := "$mx_m"
	for _, p := range params {
		fmt.Fprintf(h, "map $arg_%[1]s $mx_q_%[1]s {\n    \"\" \"\";\n    default \"+%[1]s\";\n}\n", p)
		source += "$mx_q_" + p
	}

	var classes []nginxClass
	for _, m := range append([]string{nginxOtherMethods}, methods...) {
		for bits := 0; bits < 1<<len(params); bits++ {
			c := nginxClass{method: m}
			for i, p := range params {
				if bits&(1<<i) != 0 {
					c.set = append(c.set, p)
				}
			}
			classes = append(classes, c)
		}
	}
	sort.Slice(classes, func(i, j int) bool { return classes[i].key() < classes[j].key() })

	// A class's routes are the unconditional routes and the conditional ones it accepts, so the
	// keys of the latter identify its pattern map.
	keys := routing.RouteKeys(t.Routes)
	sigOf := map[string]string{}   // class key -> its conditional route keys
	routesOf := map[string][]int{} // the same -> route indexes, in table order
	for _, c := range classes {
		var routes []int
		var conditional []string
		for ri, r := range t.Routes {
			if c.accepts(r) {
				routes = append(routes, ri)
				if len(r.Methods) > 0 || r.Query != nil {
					conditional = append(conditional, keys[ri])
				}
			}
		}
		sort.Strings(conditional)
		sig := strings.Join(conditional, "\n")
		sigOf[c.key()] = sig
		routesOf[sig] = routes
	}
	names := nginxPatternMapNames(routesOf)

	fmt.Fprintf(h, "map \"%s\" $mx_pool {\n", source)
	for _, c := range classes {
		fmt.Fprintf(h, "    \"%s\" $%s;\n", c.key(), names[sigOf[c.key()]])
	}
	h.WriteString("}\n")
	sigs := make([]string, 0, len(routesOf))
	for sig := range routesOf {
		sigs = append(sigs, sig)
	}
	sort.Slice(sigs, func(i, j int) bool { return names[sigs[i]] < names[sigs[j]] })
	for _, sig := range sigs {
		fmt.Fprintf(h, "map $uri $%s {\n", names[sig])
		for _, ri := range routesOf[sig] {
			r := t.Routes[ri]
			fmt.Fprintf(h, "    \"~%s\" %s; # %s\n", r.Pattern, nginxUpstream(r.Pool), commentSafe(r.Group))
		}
		fmt.Fprintf(h, "    default %s;\n}\n", nginxUpstream(routing.MainPool))
	}
}

// nginxPatternMapNames names each pattern map after the conditional routes it holds (sig, their
// sorted keys): "mx_pool_" and twelve hex digits of their SHA-256. Adding a route without
// conditions renames no map; adding a conditional route renames exactly the maps that take it,
// so only the classes whose routing changed point elsewhere. Names that two route sets share
// (a 2^-48 coincidence) carry the whole hash.
func nginxPatternMapNames(sigs map[string][]int) map[string]string {
	name := func(sig string, n int) string {
		sum := sha256.Sum256([]byte(sig))
		return "mx_pool_" + hex.EncodeToString(sum[:n])
	}
	count := map[string]int{}
	for sig := range sigs {
		count[name(sig, 6)]++
	}
	out := make(map[string]string, len(sigs))
	for sig := range sigs {
		out[sig] = name(sig, 6)
		if count[out[sig]] > 1 {
			out[sig] = name(sig, sha256.Size)
		}
	}
	return out
}

// commentSafe keeps a free-text label (a route's group) on one comment line.
func commentSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		if l != "\n" {
			b.WriteString(prefix)
		}
		b.WriteString(l)
	}
	return b.String()
}
