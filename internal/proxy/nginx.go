package proxy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// RenderNginx renders the table for nginx (tested with 1.22).
//
// Route selection is one chain of maps, evaluated lazily per request: the request is put in a
// condition class (its method category × whether each tested query parameter is non-empty), and
// the class's map tries, in table order, the patterns of the routes whose conditions that class
// satisfies. That is exactly routing.Match's first-match rule, including the fall-through of a
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

// methodCategories partitions HTTP methods by which routes name them: methods in one category are
// accepted by exactly the same routes. Category 0 is every method no route names.
func methodCategories(t routing.Table) [][]string {
	sig := map[string]string{}
	for i, r := range t.Routes {
		for _, m := range r.Methods {
			sig[m] += fmt.Sprintf("%d,", i)
		}
	}
	bySig := map[string][]string{}
	for m, s := range sig {
		bySig[s] = append(bySig[s], m)
	}
	cats := [][]string{nil}
	for _, ms := range bySig {
		sort.Strings(ms)
		cats = append(cats, ms)
	}
	sort.Slice(cats[1:], func(i, j int) bool { return cats[1+i][0] < cats[1+j][0] })
	return cats
}

// accepts says whether a request of method category cat with the query flags (one per param of
// params, true = non-empty) satisfies route r's conditions.
func accepts(r routing.Route, cat []string, params []string, flags []bool) bool {
	if len(r.Methods) > 0 {
		if len(cat) == 0 || !contains(r.Methods, cat[0]) {
			return false
		}
	}
	if r.Query != nil {
		for i, p := range params {
			if p == r.Query.Param && flags[i] != r.Query.Present {
				return false
			}
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeNginxSelection(h *strings.Builder, t routing.Table) {
	cats := methodCategories(t)
	params := queryParams(t)
	h.WriteString("\n# Route selection: condition class (method category, query flags) -> ordered pattern map.\n")
	var classParts []string
	if len(cats) > 1 {
		h.WriteString("map $request_method $mx_m {\n")
		for i, c := range cats[1:] {
			for _, m := range c {
				// Regex keys: plain map keys compare case-insensitively, methods do not.
				fmt.Fprintf(h, "    \"~^%s$\" m%d;\n", m, i+1)
			}
		}
		h.WriteString("    default m0;\n}\n")
		classParts = append(classParts, "$mx_m")
	}
	for _, p := range params {
		fmt.Fprintf(h, "map $arg_%s $mx_q_%s {\n    \"\" 0;\n    default 1;\n}\n", p, p)
		classParts = append(classParts, "$mx_q_"+p)
	}
	type class struct {
		key    string
		routes []int
	}
	var classes []class
	for ci, c := range cats {
		for bits := 0; bits < 1<<len(params); bits++ {
			flags := make([]bool, len(params))
			parts := []string{}
			if len(cats) > 1 {
				parts = append(parts, fmt.Sprintf("m%d", ci))
			}
			for i := range params {
				flags[i] = bits&(1<<i) != 0
				if flags[i] {
					parts = append(parts, "1")
				} else {
					parts = append(parts, "0")
				}
			}
			var routes []int
			for ri, r := range t.Routes {
				if accepts(r, c, params, flags) {
					routes = append(routes, ri)
				}
			}
			classes = append(classes, class{strings.Join(parts, ":"), routes})
		}
	}
	// Classes with the same effective route list share one pattern map.
	mapOf := map[string]string{}
	var mapOrder []string
	routesOf := map[string][]int{}
	classMap := make([]string, len(classes))
	for i, c := range classes {
		sig := fmt.Sprint(c.routes)
		name, ok := mapOf[sig]
		if !ok {
			name = fmt.Sprintf("$mx_pool_%d", len(mapOrder))
			mapOf[sig] = name
			mapOrder = append(mapOrder, name)
			routesOf[name] = c.routes
		}
		classMap[i] = name
	}
	if len(mapOrder) == 1 {
		mapOrder[0] = "$mx_pool"
		routesOf["$mx_pool"] = routesOf[classMap[0]]
	} else {
		fmt.Fprintf(h, "map \"%s\" $mx_pool {\n", strings.Join(classParts, ":"))
		for i, c := range classes {
			fmt.Fprintf(h, "    %s %s;\n", c.key, classMap[i])
		}
		h.WriteString("}\n")
	}
	for _, name := range mapOrder {
		fmt.Fprintf(h, "map $uri %s {\n", name)
		for _, ri := range routesOf[name] {
			r := t.Routes[ri]
			fmt.Fprintf(h, "    \"~%s\" %s; # %s\n", r.Pattern, nginxUpstream(r.Pool), commentSafe(r.Group))
		}
		fmt.Fprintf(h, "    default %s;\n}\n", nginxUpstream(routing.MainPool))
	}
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
