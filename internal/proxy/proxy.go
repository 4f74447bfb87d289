// Package proxy renders a routing.Table as reverse-proxy configuration for nginx, HAProxy,
// Caddy and Apache. Every renderer reproduces routing.Match: the routes are tried in table
// order, the first whose pattern, methods and query condition hold wins, and requests no route
// takes go to routing.MainPool; the pool's strategy then picks a member.
//
// The package is pure (no framework, no I/O). Nothing from the table reaches a configuration
// file unchecked: Validate rejects every name, upstream or pattern that could break out of its
// quoting, so no table can inject a directive.
package proxy

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// Proxy names a supported reverse proxy.
type Proxy string

// The supported proxies.
const (
	Nginx   Proxy = "nginx"
	HAProxy Proxy = "haproxy"
	Caddy   Proxy = "caddy"
	Apache  Proxy = "apache"
)

// Proxies lists every supported proxy, in documentation order.
var Proxies = []Proxy{Nginx, HAProxy, Caddy, Apache}

// Options are the deployment settings of a rendered configuration. The zero value renders a
// configuration for a typical Debian install listening on 0.0.0.0:8008.
type Options struct {
	// ListenAddress is the address the standalone server binds (default 0.0.0.0).
	ListenAddress string
	// ListenPort is the port the standalone server binds (default 8008).
	ListenPort int
	// ServerName is the virtual host name (default "_" for nginx, none elsewhere).
	ServerName string
	// RuntimeDir holds the pid file, logs, temporary files and locks of a standalone server
	// (default per proxy: /run/nginx, /run/haproxy, /var/lib/caddy, /run/apache2).
	RuntimeDir string
	// User is the account the standalone server's workers run as; empty leaves the proxy's
	// default (nginx, HAProxy) or www-data (Apache, which needs one when started as root).
	User string
	// ModulesDir is where Apache's modules live (default /usr/lib/apache2/modules).
	ModulesDir string
	// CaddyAdmin is the Caddy admin endpoint address; empty turns the admin endpoint off.
	CaddyAdmin string
	// MaxBodyBytes is the largest request body accepted, in bytes (default DefaultMaxBodyBytes);
	// a larger body gets 413. HAProxy checks the
	// Content-Length header (a chunked body is not counted).
	MaxBodyBytes int64
	// FallbackToMain sends a request to the main process when every member of its pool is
	// down (connection refused or no live member), instead of answering 502/503: nginx
	// `error_page 502` to a named location, HAProxy the main process as a `backup` server,
	// Caddy `handle_errors` for 503 (and 502 without a request body), Apache the main process
	// as a BalancerMember of `lbset=1`. Pools the main process is a member of are left as
	// they are.
	FallbackToMain bool
	// AdditionalPorts are more ports the standalone server binds on ListenAddress, with the
	// same routing and the same TLS setting as ListenPort (typically 8448, Matrix federation,
	// next to 443 for clients).
	AdditionalPorts []int
	// TLSCertificatePath and TLSKeyPath, both set or both empty, make every port of the
	// standalone server terminate TLS with this PEM certificate (chain) and PEM private key.
	// They may name the same file (certificate followed by key). HAProxy 2.6 has no keyword
	// for a key file of any name: it reads the key from the certificate file, from
	// "<certificate>.key", or (with ssl-load-extra-del-ext, rendered when it applies) from the
	// certificate's name with its extension replaced by ".key"; any other key path renders
	// with a warning saying how to fix it.
	TLSCertificatePath string
	TLSKeyPath         string
	// ConfigDir is the directory Config.Files is deployed to (default /etc/synapse-proxy): the
	// entry file includes the pool files by absolute path under it.
	ConfigDir string
}

// TLS says whether the standalone server terminates TLS.
func (o Options) TLS() bool { return o.TLSCertificatePath != "" }

// ports lists every port the standalone server binds: ListenPort, then AdditionalPorts.
func (o Options) ports() []int { return append([]int{o.ListenPort}, o.AdditionalPorts...) }

// The listen address and port a zero Options renders (the provider documents the same values).
const (
	DefaultListenAddress = "0.0.0.0"
	DefaultListenPort    = 8008
	DefaultConfigDir     = "/etc/synapse-proxy"
	// DefaultMaxBodyBytes is the body limit a zero Options renders. The provider always passes
	// one (client_max_body_size, max_upload_size, or the catalogue's default max_upload_size);
	// this value only keeps a zero Options valid for the renderer's own tests and tools.
	DefaultMaxBodyBytes = 50 << 20
	// MaxMaxBodyBytes is the largest body limit every proxy can express (Apache's
	// LimitRequestBody stops at 2 GiB - 1).
	MaxMaxBodyBytes = 1<<31 - 1
)

func (o Options) withDefaults(p Proxy) Options {
	if o.ListenAddress == "" {
		o.ListenAddress = DefaultListenAddress
	}
	if o.ListenPort == 0 {
		o.ListenPort = DefaultListenPort
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.RuntimeDir == "" {
		o.RuntimeDir = map[Proxy]string{Nginx: "/run/nginx", HAProxy: "/run/haproxy", Caddy: "/var/lib/caddy", Apache: "/run/apache2"}[p]
	}
	if o.ModulesDir == "" {
		o.ModulesDir = "/usr/lib/apache2/modules"
	}
	if o.ConfigDir == "" {
		o.ConfigDir = DefaultConfigDir
	}
	return o
}

var (
	reHost       = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])$`)
	reOptionPath = regexp.MustCompile(`^/[A-Za-z0-9._/-]*$`)
	reServerName = regexp.MustCompile(`^(?:_|[A-Za-z0-9*](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$`)
	reUser       = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
)

// OptionError is one invalid option: Field names the Options field, Message says what is wrong
// with the value and how to fix it.
type OptionError struct {
	Field   string
	Message string
}

// ValidateOptions checks options (after defaults) and returns every problem: each value must be in
// a charset no proxy's syntax can be broken with, ports in 1-65535 and distinct, and the TLS
// paths absolute and set together.
func ValidateOptions(o Options) []OptionError {
	var errs []OptionError
	add := func(field, format string, a ...any) {
		errs = append(errs, OptionError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if !reHost.MatchString(o.ListenAddress) {
		add("ListenAddress", "listen address %q is not an IP address or host name", o.ListenAddress)
	}
	if o.ListenPort < 1 || o.ListenPort > 65535 {
		add("ListenPort", "listen port %d is outside 1-65535", o.ListenPort)
	}
	seen := map[int]bool{o.ListenPort: true}
	for i, p := range o.AdditionalPorts {
		switch {
		case p < 1 || p > 65535:
			add("AdditionalPorts", "additional port [%d] %d is outside 1-65535", i, p)
		case seen[p]:
			add("AdditionalPorts", "additional port [%d] %d is already listened on; list each port once", i, p)
		}
		seen[p] = true
	}
	if o.ServerName != "" && !reServerName.MatchString(o.ServerName) {
		add("ServerName", "server name %q is not a host name", o.ServerName)
	}
	for _, f := range []struct{ field, value string }{{"RuntimeDir", o.RuntimeDir}, {"ModulesDir", o.ModulesDir}, {"ConfigDir", o.ConfigDir}} {
		if !reOptionPath.MatchString(f.value) {
			add(f.field, "path %q must be absolute and use only letters, digits, '.', '_', '-' and '/'", f.value)
		}
	}
	for _, f := range []struct{ field, name, value string }{
		{"TLSCertificatePath", "TLS certificate path", o.TLSCertificatePath},
		{"TLSKeyPath", "TLS key path", o.TLSKeyPath},
	} {
		if f.value != "" && (!reOptionPath.MatchString(f.value) || strings.HasSuffix(f.value, "/")) {
			add(f.field, "%s %q must be an absolute file path using only letters, digits, '.', '_', '-' and '/'", f.name, f.value)
		}
	}
	switch {
	case o.TLSCertificatePath != "" && o.TLSKeyPath == "":
		add("TLSKeyPath", "a TLS certificate path is set without a key path; set both (the same file if it holds certificate and key) or neither")
	case o.TLSCertificatePath == "" && o.TLSKeyPath != "":
		add("TLSCertificatePath", "a TLS key path is set without a certificate path; set both or neither")
	}
	if o.User != "" && !reUser.MatchString(o.User) {
		add("User", "user %q is not a valid account name", o.User)
	}
	if o.CaddyAdmin != "" && !reUpstreamHostPort.MatchString(o.CaddyAdmin) {
		add("CaddyAdmin", "caddy admin address %q is not host:port", o.CaddyAdmin)
	}
	if o.MaxBodyBytes < 1 || o.MaxBodyBytes > MaxMaxBodyBytes {
		add("MaxBodyBytes", "max body size %d bytes is outside 1-%d (2 GiB - 1, the most Apache's LimitRequestBody takes)", o.MaxBodyBytes, int64(MaxMaxBodyBytes))
	}
	return errs
}

// OptionsWithDefaults returns o with every unset option at its default for proxy p (what
// ValidateOptions and the renderers see).
func OptionsWithDefaults(p Proxy, o Options) Options { return o.withDefaults(p) }

func (o Options) validate() error {
	errs := ValidateOptions(o)
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	return fmt.Errorf("invalid options: %s", strings.Join(msgs, "; "))
}

// Config is a rendered proxy configuration.
type Config struct {
	// Full is a standalone configuration: a runnable server listening on Options' address.
	Full string
	// Snippet is the part to include in an existing server: for nginx a `location /` block for
	// a server{} (it needs HTTPSnippet in the http{} context); the content of a Caddy site
	// block (named matchers and handle blocks; the catch-all `handle` goes to the main pool);
	// the content of an Apache <VirtualHost> (mod_rewrite, mod_proxy, mod_proxy_http,
	// mod_proxy_balancer, mod_lbmethod_byrequests, mod_slotmem_shm and mod_headers loaded;
	// `apache2 -t` prints AH00111 for ${MX_BALANCER}, which is filled in per request); for
	// HAProxy the frontend rules followed by the backend sections, to append after the bind
	// lines of a frontend.
	Snippet string
	// Files is Full split into files keyed by their path relative to Options.ConfigDir, so that
	// a change to one pool changes one small file: EntryFile(p), the configuration to start the
	// proxy on, and PoolFile(p, pool) for each pool (nginx upstream, HAProxy backend, Caddy
	// snippet, Apache balancers), which the entry file includes by absolute path. HAProxy has no
	// include: start it with `-f <ConfigDir>/haproxy.cfg -f <ConfigDir>/pools` (a directory's
	// .cfg files load in lexical order).
	Files map[string]string
	// HTTPSnippet is nginx only: maps and upstream blocks, to include in the http{} context
	// (Snippet refers to them).
	HTTPSnippet string
	// Warnings are things the configuration does that the user should know (e.g. a Caddy
	// 2.6.2 hash spread problem). Empty when there is nothing to say.
	Warnings []string
}

// EntryFile is the key in Config.Files of the file proxy p starts on.
func EntryFile(p Proxy) string {
	return map[Proxy]string{Nginx: "nginx.conf", HAProxy: "haproxy.cfg", Caddy: "Caddyfile", Apache: "apache2.conf"}[p]
}

// PoolsDir is the directory of the pool files in Config.Files, relative to Options.ConfigDir.
const PoolsDir = "pools"

// PoolFile is the key in Config.Files of pool's file for proxy p.
func PoolFile(p Proxy, pool string) string {
	ext := map[Proxy]string{Nginx: ".conf", HAProxy: ".cfg", Caddy: ".caddy", Apache: ".conf"}[p]
	return PoolsDir + "/" + pool + ext
}

// poolPath is the absolute path the entry file includes pool's file from.
func poolPath(p Proxy, o Options, pool string) string {
	return strings.TrimSuffix(o.ConfigDir, "/") + "/" + PoolFile(p, pool)
}

// Supports says whether the proxy can express the strategy; nil means yes.
func Supports(p Proxy, s routing.Strategy) error {
	switch p {
	case Nginx, HAProxy, Caddy, Apache:
	default:
		return fmt.Errorf("unknown proxy %q; supported proxies are %s", p, joinProxies())
	}
	switch s {
	case routing.RoundRobin, routing.ByUser, routing.ByRoom, routing.BySourceIP, routing.Single:
		// Every proxy expresses every strategy: nginx hash ... consistent, HAProxy balance hash
		// / source, Caddy lb_policy header / ip_hash / first, Apache md5 buckets assigned by
		// rendezvous hashing at render time (see apache.go).
		return nil
	}
	return fmt.Errorf("proxy %s cannot express strategy %q; known strategies are %s", p, s, joinStrategies())
}

func joinProxies() string {
	s := make([]string, len(Proxies))
	for i, p := range Proxies {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func joinStrategies() string {
	s := make([]string, len(routing.Strategies))
	for i, p := range routing.Strategies {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

var (
	reName             = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	reUpstreamHostPort = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})$`)
	reUpstreamUnix     = regexp.MustCompile(`^unix:/[A-Za-z0-9._/-]{1,200}$`)
	reMethod           = regexp.MustCompile(`^[A-Z]{1,20}$`)
	reParam            = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	// Pattern characters that are safe inside every proxy's quoting. Whitespace, quotes,
	// braces (nginx blocks, Caddy placeholders, Apache ${}), '#', ';', ',' and backslashes
	// other than the escapes below are rejected.
	rePatternChars = regexp.MustCompile(`^(?:[A-Za-z0-9^$.*+?()\[\]|/_:=!@~%&<>,-]|\\[.\-/?*+()\[\]|^$:!@~%&<>,=_dDwWsS])+$`)
)

// Validate checks that a table can be rendered safely: every pool name, member name, upstream,
// method, query parameter and pattern is in a charset no proxy's syntax can be broken with, the
// patterns compile (RE2, the subset Caddy needs), every route names a pool, and the main pool
// exists. All problems are reported together.
func Validate(t routing.Table) error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	pools := map[string]bool{}
	for i, p := range t.Pools {
		if !reName.MatchString(p.Name) {
			add("pools[%d].name %q must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", i, p.Name)
		}
		if pools[p.Name] {
			add("pools[%d].name %q is used by two pools; pool names must be unique", i, p.Name)
		}
		pools[p.Name] = true
		if !knownStrategy(p.Strategy) {
			add("pools[%d] (%s) has strategy %q; known strategies are %s", i, p.Name, p.Strategy, joinStrategies())
		}
		if len(p.Members) == 0 {
			add("pools[%d] (%s) has no members; give it at least one", i, p.Name)
		}
		members := map[string]bool{}
		for j, m := range p.Members {
			if !reName.MatchString(m.Name) {
				add("pools[%d].members[%d].name %q must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", i, j, m.Name)
			}
			if members[m.Name] {
				add("pools[%d].members[%d].name %q appears twice in pool %s", i, j, m.Name, p.Name)
			}
			members[m.Name] = true
			if err := validUpstream(m.Upstream); err != nil {
				add("pools[%d].members[%d].upstream: %v", i, j, err)
			}
		}
	}
	if !pools[routing.MainPool] {
		add("the table has no %q pool; it is the fallback of every request no route takes", routing.MainPool)
	}
	for i, r := range t.Routes {
		if err := validPattern(r.Pattern); err != nil {
			add("routes[%d].pattern: %v", i, err)
		}
		if !pools[r.Pool] {
			add("routes[%d].pool %q is not a pool of the table", i, r.Pool)
		}
		for j, m := range r.Methods {
			if !reMethod.MatchString(m) {
				add("routes[%d].methods[%d] %q must be an upper-case HTTP method", i, j, m)
			}
		}
		if r.Query != nil && !reParam.MatchString(r.Query.Param) {
			add("routes[%d].query.param %q must be 1-64 letters, digits or '_'", i, r.Query.Param)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("routing table cannot be rendered: %s", strings.Join(errs, "; "))
	}
	return nil
}

func knownStrategy(s routing.Strategy) bool {
	for _, k := range routing.Strategies {
		if k == s {
			return true
		}
	}
	return false
}

func validUpstream(u string) error {
	if reUpstreamUnix.MatchString(u) {
		return nil
	}
	m := reUpstreamHostPort.FindStringSubmatch(u)
	if m == nil {
		return fmt.Errorf("%q must be host:port, [ipv6]:port or unix:/path (letters, digits, '.', '-', '_', '/')", u)
	}
	if port, _ := strconv.Atoi(m[1]); port < 1 || port > 65535 {
		return fmt.Errorf("%q has port %s outside 1-65535", u, m[1])
	}
	return nil
}

// ValidatePattern says why a route pattern cannot be rendered safely by every proxy (nil when
// it can): the charset and length Validate requires of every route.
func ValidatePattern(p string) error { return validPattern(p) }

func validPattern(p string) error {
	if len(p) == 0 || len(p) > 1000 {
		return fmt.Errorf("pattern %q must be 1-1000 characters", p)
	}
	if !rePatternChars.MatchString(p) {
		return fmt.Errorf("pattern %q may only use letters, digits, the regex operators ^$.*+?()[]|, the characters /_:=!@~%%&<>,- and the escapes \\. \\- \\/ \\d \\w \\s (no spaces, quotes, braces, '#' or ';')", p)
	}
	if _, err := regexp.Compile(p); err != nil {
		return fmt.Errorf("pattern %q does not compile: %v", p, err)
	}
	return nil
}

// check validates the table, the options and every pool strategy for proxy p.
func check(p Proxy, t routing.Table, o Options) (Options, error) {
	if err := Validate(t); err != nil {
		return o, err
	}
	o = o.withDefaults(p)
	if err := o.validate(); err != nil {
		return o, err
	}
	for _, pool := range t.Pools {
		if err := Supports(p, pool.Strategy); err != nil {
			return o, fmt.Errorf("pool %s: %w", pool.Name, err)
		}
	}
	return o, nil
}

// queryParams returns the distinct query parameters the routes test, sorted.
func queryParams(t routing.Table) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range t.Routes {
		if r.Query != nil && !seen[r.Query.Param] {
			seen[r.Query.Param] = true
			out = append(out, r.Query.Param)
		}
	}
	sort.Strings(out)
	return out
}

// memberID is a stable identifier for a member derived from its name, so that adding or removing
// another member never changes it (HAProxy places servers on its hash ring by id).
func memberIDs(p routing.Pool) []int {
	used := map[int]bool{}
	ids := make([]int, len(p.Members))
	for i, m := range p.Members {
		sum := sha256.Sum256([]byte(m.Name))
		id := int(binary.BigEndian.Uint32(sum[:4])%999999) + 1
		for used[id] {
			id = id%999999 + 1
		}
		used[id] = true
		ids[i] = id
	}
	return ids
}

// mainMember is the main process: the first member of the main pool (Validate makes sure
// it exists and has members).
func mainMember(t routing.Table) routing.Member {
	for _, p := range t.Pools {
		if p.Name == routing.MainPool && len(p.Members) > 0 {
			return p.Members[0]
		}
	}
	return routing.Member{}
}

// hasMember says whether pool p has a member named name.
func hasMember(p routing.Pool, name string) bool {
	for _, m := range p.Members {
		if m.Name == name {
			return true
		}
	}
	return false
}

// header is the comment every rendered file starts with (all four proxies comment with '#').
func header(what string) string {
	return fmt.Sprintf("# Generated by terraform-provider-synapse (%s). Do not edit: changes are overwritten.\n", what)
}

// Render renders the table for proxy p: RenderNginx, RenderHAProxy, RenderCaddy or RenderApache.
func Render(p Proxy, t routing.Table, o Options) (Config, error) {
	switch p {
	case Nginx:
		return RenderNginx(t, o)
	case HAProxy:
		return RenderHAProxy(t, o)
	case Caddy:
		return RenderCaddy(t, o)
	case Apache:
		return RenderApache(t, o)
	}
	return Config{}, fmt.Errorf("unknown proxy %q; supported proxies are %s", p, joinProxies())
}
