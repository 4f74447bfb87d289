package proxy

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// RenderHAProxy renders the table for HAProxy (tested with 2.6).
//
// Routes become `use_backend` rules in table order (HAProxy evaluates them in declaration order,
// first match wins), each matching the %-decoded path (`path,url_dec -m reg`, as routing.Match
// does; plain path_reg would see the raw path) plus the route's methods and query condition.
// Strategies: user and room `balance hash var(...)`, source_ip `balance source`, all with
// `hash-type consistent` and explicit server ids derived from member names (the ring is placed
// by id, so removing a member moves only its keys); round_robin `balance roundrobin`; single one
// server with the others `backup`.
//
// The snippet is the frontend rules followed by the backend sections: append it after the
// `bind` lines of your own frontend.
func RenderHAProxy(t routing.Table, o Options) (Config, error) {
	o, err := check(HAProxy, t, o)
	if err != nil {
		return Config{}, err
	}
	var s strings.Builder
	s.WriteString(header("HAProxy frontend rules followed by backends; append after your frontend's bind lines"))
	fmt.Fprintf(&s, `    # User key: the Bearer token, else ?%[1]s= (decoded), then the localpart of a syt_ token.
    http-request set-var(txn.mx_token) 'req.fhdr(authorization),regsub("%[4]s","\1")' if { req.fhdr(authorization) -m reg '%[4]s' }
    http-request set-var(txn.mx_token) url_param(%[1]s),url_dec unless { var(txn.mx_token) -m found }
    http-request set-var(txn.mx_user) 'var(txn.mx_token),regsub("%[2]s.*$","\1")'
    # Room key: capture 1 of the room pattern on the decoded path.
    http-request set-var(txn.mx_room) 'path,url_dec,regsub("%[3]s.*$","\1")' if { path,url_dec -m reg '%[3]s' }
`, accessTokenParam, userTokenPattern, roomKeyPattern, bearerPattern)
	for _, p := range queryParams(t) {
		// set-var keeps the first occurrence, as routing.Match does; an ACL on url_param would
		// match any occurrence.
		fmt.Fprintf(&s, "    http-request set-var(txn.mx_q_%[1]s) url_param(%[1]s)\n    acl mx_q_%[1]s var(txn.mx_q_%[1]s) -m reg .\n", p)
	}
	fmt.Fprintf(&s, "    # Request bodies over %d bytes (by Content-Length) get 413.\n    http-request deny deny_status 413 if { req.hdr_val(content-length) gt %d }\n", o.MaxBodyBytes, o.MaxBodyBytes)
	s.WriteString("    # Routes, first match wins.\n")
	for _, r := range t.Routes {
		cond := fmt.Sprintf("{ path,url_dec -m reg '%s' }", r.Pattern)
		if len(r.Methods) > 0 {
			cond += " { method " + strings.Join(r.Methods, " ") + " }"
		}
		if r.Query != nil {
			neg := "!"
			if r.Query.Present {
				neg = ""
			}
			cond += fmt.Sprintf(" %smx_q_%s", neg, r.Query.Param)
		}
		fmt.Fprintf(&s, "    use_backend %s if %s # %s\n", haproxyBackend(r.Pool), cond, commentSafe(r.Group))
	}
	fmt.Fprintf(&s, "    use_backend %s\n", haproxyBackend(routing.MainPool))

	frontend := s.String()
	var backends strings.Builder
	files := map[string]string{}
	main := mainMember(t)
	for _, p := range t.Pools {
		var be strings.Builder
		fmt.Fprintf(&be, "backend %s\n    option forwardfor\n    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n    http-request set-header X-Forwarded-Proto http unless { ssl_fc }\n", haproxyBackend(p.Name))
		switch p.Strategy {
		case routing.ByUser:
			be.WriteString("    balance hash var(txn.mx_user)\n    hash-type consistent\n")
		case routing.ByRoom:
			be.WriteString("    balance hash var(txn.mx_room)\n    hash-type consistent\n")
		case routing.BySourceIP:
			be.WriteString("    balance source\n    hash-type consistent\n")
		default:
			be.WriteString("    balance roundrobin\n")
		}
		members := p.Members
		if o.FallbackToMain && p.Name != routing.MainPool && !hasMember(p, main.Name) {
			members = append(slices.Clip(members), main)
		}
		ids := memberIDs(routing.Pool{Members: members})
		for i, m := range members {
			backup := ""
			if (p.Strategy == routing.Single && i > 0) || i >= len(p.Members) {
				backup = " backup" // the main process last: used when every member is down
			}
			addr := m.Upstream
			if strings.HasPrefix(addr, "unix:") {
				addr = "unix@" + strings.TrimPrefix(addr, "unix:")
			}
			// check: without health checks a backup server never takes over.
			fmt.Fprintf(&be, "    server %s %s id %d check%s\n", m.Name, addr, ids[i], backup)
		}
		backends.WriteString("\n" + be.String())
		files[PoolFile(HAProxy, p.Name)] = header(fmt.Sprintf("HAProxy pool %s, loaded after %s with -f <dir>/%s", p.Name, EntryFile(HAProxy), PoolsDir)) + be.String()
	}

	var f strings.Builder
	f.WriteString(header("standalone HAProxy configuration"))
	f.WriteString("global\n    maxconn 4096\n")
	if o.User != "" {
		fmt.Fprintf(&f, "    user %s\n", o.User)
	}
	crt, delExt, keyWarning := haproxyCertificate(o)
	if delExt {
		f.WriteString("    # The key is the certificate's name with its extension replaced by .key.\n    ssl-load-extra-del-ext\n")
	}
	fmt.Fprintf(&f, `    pidfile %s/haproxy.pid

defaults
    mode http
    timeout connect 5s
    timeout client 180s
    timeout server 180s
    timeout http-request 30s

frontend mx_synapse
`, o.RuntimeDir)
	for _, p := range o.ports() {
		fmt.Fprintf(&f, "    bind %s:%d%s\n", o.ListenAddress, p, crt)
	}
	if o.ServerName != "" {
		fmt.Fprintf(&f, "    # server name: %s\n", o.ServerName)
	}
	files[EntryFile(HAProxy)] = f.String() + frontend + fmt.Sprintf("    # The backends, one file per pool: %s/*.cfg.\n", PoolsDir)
	f.WriteString(frontend + backends.String())
	var warnings []string
	if keyWarning != "" {
		warnings = append(warnings, keyWarning)
	}
	return Config{Full: f.String(), Snippet: frontend + backends.String(), Files: files, Warnings: warnings}, nil
}

// haproxyCertificate is the bind lines' TLS suffix (" ssl crt <file>", or "" without TLS).
// HAProxy 2.6 has no bind keyword for a separate key file: it loads the key from the
// certificate file itself, else from "<crt>.key", else (global ssl-load-extra-del-ext) from
// the certificate's name with its extension replaced by ".key". delExt says the global line is
// needed; a key path none of these reach gives a warning naming the fix.
func haproxyCertificate(o Options) (suffix string, delExt bool, warning string) {
	if !o.TLS() {
		return "", false, ""
	}
	crt, key := o.TLSCertificatePath, o.TLSKeyPath
	suffix = " ssl crt " + crt
	switch {
	case key == crt, key == crt+".key":
		return suffix, false, ""
	case path.Ext(crt) != "" && key == strings.TrimSuffix(crt, path.Ext(crt))+".key":
		return suffix, true, ""
	}
	names := crt + ".key"
	if ext := path.Ext(crt); ext != "" {
		names += " or " + strings.TrimSuffix(crt, ext) + ".key"
	}
	return suffix, false, fmt.Sprintf("HAProxy 2.6 cannot load the TLS key %s: it reads the key from the certificate file %s itself or from %s; "+
		"concatenate certificate and key into one file and set both paths to it, or store the key under one of those names",
		key, crt, names)
}

// HAProxyTLSKeyProblem says why HAProxy 2.6 cannot load the TLS key of o (and how to fix it),
// or "" when it can or o has no TLS: the standalone configuration then does not start.
func HAProxyTLSKeyProblem(o Options) string {
	_, _, problem := haproxyCertificate(o)
	return problem
}

func haproxyBackend(pool string) string { return "mx_" + pool }
