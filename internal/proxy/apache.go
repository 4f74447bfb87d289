package proxy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// apacheBuckets is the number of md5 buckets (the first two hex digits of md5(key)) a hashed
// pool's keys are partitioned into.
const apacheBuckets = 256

// apacheModules are the modules the standalone configuration loads (the snippet needs the
// same in the including server) (mod_unixd, mod_so and
// mod_log_config are built in on Debian).
var apacheModules = []struct{ name, file string }{
	{"mpm_event_module", "mod_mpm_event.so"},
	{"authz_core_module", "mod_authz_core.so"},
	{"headers_module", "mod_headers.so"},
	{"rewrite_module", "mod_rewrite.so"},
	{"slotmem_shm_module", "mod_slotmem_shm.so"},
	{"proxy_module", "mod_proxy.so"},
	{"proxy_http_module", "mod_proxy_http.so"},
	{"proxy_balancer_module", "mod_proxy_balancer.so"},
	{"lbmethod_byrequests_module", "mod_lbmethod_byrequests.so"},
}

// apacheTLSModules are loaded too when the standalone configuration terminates TLS (the
// session cache needs socache_shmcb).
var apacheTLSModules = []struct{ name, file string }{
	{"socache_shmcb_module", "mod_socache_shmcb.so"},
	{"ssl_module", "mod_ssl.so"},
}

// RenderApache renders the table for Apache httpd 2.4 with core modules only.
//
// mod_rewrite only decides, never proxies: the route rules run in table order and the first
// whose pattern (on the decoded path), method and query conditions hold sets MX_POOL; later rules
// see it set and do nothing; the main pool is the fallback. The member is then chosen per
// strategy and stored in MX_BALANCER, and one `ProxyPass / balancer://${MX_BALANCER}/
// interpolate nocanon` forwards the raw request URI.
//
// Apache has no hash balancer, so the hashing strategies (user, room, source_ip) partition the
// keys into 256 buckets by the first two hex digits of md5(key), and the renderer assigns each
// bucket to a member by rendezvous hashing (highest sha256(member name|bucket)). That assignment
// is consistent: removing or adding a member moves only the buckets it loses or gains, so only
// those keys move. Each member of a hashed pool is a one-member balancer; round_robin is a
// byrequests balancer, single a balancer whose other members are hot standbys (status=+H).
func RenderApache(t routing.Table, o Options) (Config, error) {
	o, err := check(Apache, t, o)
	if err != nil {
		return Config{}, err
	}
	var s strings.Builder
	s.WriteString(header("Apache <VirtualHost> content"))
	fmt.Fprintf(&s, `AllowEncodedSlashes NoDecode
ProxyPreserveHost On
RequestHeader set X-Forwarded-Proto "expr=%%{REQUEST_SCHEME}"
ProxyPassInterpolateEnv On
ProxyTimeout 180
LimitRequestBody %[4]d
RewriteEngine On
RewriteMap mx_unescape int:unescape

# User key: the Bearer token, else ?%[1]s= (decoded), then the localpart of a syt_ token.
RewriteCond %%{HTTP:Authorization} "%[5]s"
RewriteRule ^ - [E=MX_TOKEN:%%1]
RewriteCond %%{ENV:MX_TOKEN} ^$
RewriteCond %%{QUERY_STRING} (?:^|&)%[1]s=([^&]+)
RewriteRule ^ - [E=MX_TOKEN:${mx_unescape:%%1}]
RewriteCond %%{ENV:MX_TOKEN} "%[2]s"
RewriteRule ^ - [E=MX_USER:%%1]
RewriteCond %%{ENV:MX_USER} ^$
RewriteRule ^ - [E=MX_USER:%%{ENV:MX_TOKEN}]
# Room key: capture 1 of the room pattern on the decoded path.
RewriteRule "%[3]s" - [E=MX_ROOM:$1]

# Request bodies over %[4]d bytes get 413: LimitRequestBody does not stop a body mod_proxy
# streams, so the Content-Length is checked before any routing.
RewriteCond %%{HTTP:Content-Length} ^[0-9]{19,}$
RewriteRule ^ - [R=413,L]
RewriteCond %%{HTTP:Content-Length} ^[0-9]{1,18}$
RewriteCond expr "%%{HTTP:Content-Length} -gt %[4]d"
RewriteRule ^ - [R=413,L]

# Routes, first match wins: a rule only fires while MX_POOL is unset.
`, accessTokenParam, userTokenPattern, roomKeyPattern, o.MaxBodyBytes, bearerPattern)
	for _, r := range t.Routes {
		fmt.Fprintf(&s, "# %s\nRewriteCond %%{ENV:MX_POOL} ^$\n", commentSafe(r.Group))
		if len(r.Methods) > 0 {
			fmt.Fprintf(&s, "RewriteCond %%{REQUEST_METHOD} ^(?:%s)$\n", strings.Join(r.Methods, "|"))
		}
		if r.Query != nil {
			neg := "!"
			if r.Query.Present {
				neg = ""
			}
			// The first occurrence of the parameter decides, as in routing.Match.
			fmt.Fprintf(&s, "RewriteCond %%{QUERY_STRING} %s^(?:(?!%[2]s(?:=|&|$))[^&]*&)*%[2]s=[^&]\n", neg, r.Query.Param)
		}
		fmt.Fprintf(&s, "RewriteRule \"%s\" - [E=MX_POOL:%s]\n", apacheRulePattern(r.Pattern), r.Pool)
	}
	fmt.Fprintf(&s, "RewriteCond %%{ENV:MX_POOL} ^$\nRewriteRule ^ - [E=MX_POOL:%s]\n\n", routing.MainPool)
	routes := s.String()

	// Each pool: the rules that pick its member (they test MX_POOL, so their order does not
	// matter) and its balancers, named after the pool and member names, not positions.
	files := map[string]string{}
	var rules, balancers, includes strings.Builder
	includes.WriteString("# Members: one file per pool.\n")
	main := mainMember(t)
	for _, p := range t.Pools {
		fallback := routing.Member{}
		if o.FallbackToMain && p.Name != routing.MainPool && !hasMember(p, main.Name) {
			fallback = main
		}
		var r, b strings.Builder
		hashed := p.Strategy == routing.ByUser || p.Strategy == routing.ByRoom || p.Strategy == routing.BySourceIP
		switch {
		case hashed && len(p.Members) > 1:
			key := map[routing.Strategy]string{
				routing.ByUser:     "reqenv('MX_USER')",
				routing.ByRoom:     "reqenv('MX_ROOM')",
				routing.BySourceIP: "%{REMOTE_ADDR}",
			}[p.Strategy]
			owner := rendezvousBuckets(p)
			// An empty key (no token, no room) spreads round robin over the pool, as nginx and
			// HAProxy do; a non-empty key picks its bucket's owner.
			all := apacheBalancer(p.Name)
			fmt.Fprintf(&r, "RewriteCond %%{ENV:MX_POOL} =%s\nRewriteRule ^ - [E=MX_BALANCER:%s]\n", p.Name, all)
			writeApacheBalancer(&b, p, all, false, fallback)
			for mi, m := range p.Members {
				name := apacheBalancer(p.Name + "/" + m.Name)
				re := bucketRegex(owner, mi)
				if re == "" {
					fmt.Fprintf(&r, "# pool %s member %s owns no md5 bucket\n", p.Name, m.Name)
					continue
				}
				fmt.Fprintf(&r, "RewriteCond %%{ENV:MX_POOL} =%s\nRewriteCond expr \"%s != '' && md5(%s) =~ /^(?:%s)/\"\nRewriteRule ^ - [E=MX_BALANCER:%s]\n", p.Name, key, key, re, name)
				fmt.Fprintf(&b, "# pool %s (%s), member %s\n<Proxy \"balancer://%s\">\n    BalancerMember \"%s\"\n%s</Proxy>\n", p.Name, p.Strategy, m.Name, name, apacheMemberURL(m.Upstream), apacheFallback(fallback))
			}
		default:
			name := apacheBalancer(p.Name)
			fmt.Fprintf(&r, "RewriteCond %%{ENV:MX_POOL} =%s\nRewriteRule ^ - [E=MX_BALANCER:%s]\n", p.Name, name)
			writeApacheBalancer(&b, p, name, p.Strategy == routing.Single, fallback)
		}
		rules.WriteString(r.String())
		balancers.WriteString(b.String())
		files[PoolFile(Apache, p.Name)] = header(fmt.Sprintf("Apache pool %s, included in the <VirtualHost> by %s", p.Name, EntryFile(Apache))) +
			r.String() + "\n" + b.String()
		fmt.Fprintf(&includes, "Include \"%s\"\n", poolPath(Apache, o, p.Name))
	}
	const proxyPass = "ProxyPass \"/\" \"balancer://${MX_BALANCER}/\" interpolate nocanon\n"
	s.WriteString("# Members.\n" + rules.String() + "\n" + balancers.String() + proxyPass)

	full := func(content string) string {
		var f strings.Builder
		f.WriteString(header("standalone Apache httpd configuration"))
		user := o.User
		if user == "" {
			user = "www-data"
		}
		serverName := o.ServerName
		if serverName == "" || serverName == "_" {
			serverName = "localhost" // Apache rejects "[::1]", and 0.0.0.0 names nothing
		}
		fmt.Fprintf(&f, "ServerRoot \"%s\"\n", o.RuntimeDir)
		protocol := ""
		if o.TLS() {
			protocol = " https"
		}
		hosts := make([]string, 0, len(o.ports()))
		for _, p := range o.ports() {
			fmt.Fprintf(&f, "Listen %s:%d%s\n", o.ListenAddress, p, protocol)
			hosts = append(hosts, fmt.Sprintf("%s:%d", o.ListenAddress, p))
		}
		fmt.Fprintf(&f, "PidFile \"%[1]s/apache2.pid\"\nErrorLog \"%[1]s/error.log\"\nLogLevel warn\nDefaultRuntimeDir \"%[1]s\"\nMutex file:%[1]s default\nUser %[2]s\nGroup %[2]s\nServerName %[3]s\n", o.RuntimeDir, user, serverName)
		modules := apacheModules
		if o.TLS() {
			modules = append(slices.Clip(modules), apacheTLSModules...)
		}
		for _, m := range modules {
			fmt.Fprintf(&f, "LoadModule %s \"%s/%s\"\n", m.name, o.ModulesDir, m.file)
		}
		if o.TLS() {
			fmt.Fprintf(&f, "SSLSessionCache \"shmcb:%s/ssl_scache(512000)\"\n", o.RuntimeDir)
		}
		fmt.Fprintf(&f, "\n<VirtualHost %s>\n    ServerName %s\n", strings.Join(hosts, " "), serverName)
		if o.TLS() {
			// TLS 1.2 and 1.3 only, as the other three proxies render.
			fmt.Fprintf(&f, "    SSLEngine on\n    SSLProtocol -all +TLSv1.2 +TLSv1.3\n    SSLCertificateFile \"%s\"\n    SSLCertificateKeyFile \"%s\"\n", o.TLSCertificatePath, o.TLSKeyPath)
		}
		f.WriteString(indent(content, "    "))
		f.WriteString("</VirtualHost>\n")
		return f.String()
	}
	files[EntryFile(Apache)] = full(routes + includes.String() + "\n" + proxyPass)
	return Config{Full: full(s.String()), Snippet: s.String(), Files: files}, nil
}

// apacheBalancer names the balancer of a pool (or of "pool/member") after it, not after its
// position, so adding a pool or member renames no other balancer; a hash keeps any name within
// Apache's balancer name limit.
func apacheBalancer(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "mx" + hex.EncodeToString(sum[:6])
}

// apacheRulePattern keeps a pattern that starts with '!' from reading as mod_rewrite's negation.
func apacheRulePattern(p string) string {
	if strings.HasPrefix(p, "!") {
		return "[!]" + p[1:]
	}
	return p
}

func apacheMemberURL(upstream string) string {
	if strings.HasPrefix(upstream, "unix:") {
		return upstream + "|http://localhost"
	}
	return "http://" + upstream
}

// rendezvousBuckets assigns each md5 bucket to the member with the highest sha256(name|bucket).
func rendezvousBuckets(p routing.Pool) []int {
	owner := make([]int, apacheBuckets)
	for b := range owner {
		best := uint64(0)
		for mi, m := range p.Members {
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%02x", m.Name, b)))
			if v := binary.BigEndian.Uint64(sum[:8]); mi == 0 || v > best {
				best, owner[b] = v, mi
			}
		}
	}
	return owner
}

// bucketRegex is an alternation matching the two-hex-digit prefixes member mi owns, grouped by
// first digit: "0[03a]|1.|..".
func bucketRegex(owner []int, mi int) string {
	const hex = "0123456789abcdef"
	var alts []string
	for hi := 0; hi < 16; hi++ {
		var lo []byte
		for li := 0; li < 16; li++ {
			if owner[hi*16+li] == mi {
				lo = append(lo, hex[li])
			}
		}
		switch len(lo) {
		case 0:
		case 16:
			alts = append(alts, string(hex[hi])+".")
		case 1:
			alts = append(alts, string(hex[hi])+string(lo))
		default:
			alts = append(alts, string(hex[hi])+"["+string(lo)+"]")
		}
	}
	return strings.Join(alts, "|")
}

// apacheFallback is the BalancerMember line of the main process as the fallback of a balancer
// (lbset 1: tried only when no member of lbset 0 is usable), or "" without one.
func apacheFallback(main routing.Member) string {
	if main.Upstream == "" {
		return ""
	}
	return fmt.Sprintf("    # %s when every member is down\n    BalancerMember \"%s\" lbset=1\n", main.Name, apacheMemberURL(main.Upstream))
}

// writeApacheBalancer writes a byrequests balancer of the pool's members; with standby, every
// member after the first is a hot standby; a fallback member comes last, in lbset 1.
func writeApacheBalancer(b *strings.Builder, p routing.Pool, name string, standby bool, fallback routing.Member) {
	fmt.Fprintf(b, "# pool %s (%s): %s\n<Proxy \"balancer://%s\">\n", p.Name, p.Strategy, memberNames(p), name)
	for mi, m := range p.Members {
		flag := ""
		if standby && mi > 0 {
			flag = " status=+H"
		}
		fmt.Fprintf(b, "    BalancerMember \"%s\"%s\n", apacheMemberURL(m.Upstream), flag)
	}
	b.WriteString(apacheFallback(fallback))
	b.WriteString("    ProxySet lbmethod=byrequests\n</Proxy>\n")
}
