package proxy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderers maps each proxy to its renderer.
var renderers = map[Proxy]func(routing.Table, Options) (Config, error){
	Nginx: RenderNginx, HAProxy: RenderHAProxy, Caddy: RenderCaddy, Apache: RenderApache,
}

// sampleTable exercises every strategy, a GET-only split that falls through to a later route,
// the initial-sync query split and a single pool with a standby.
func sampleTable() routing.Table {
	return routing.Table{
		Routes: []routing.Route{
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Query: &routing.QueryCondition{Param: "since", Present: true}, Pool: "synchrotron", Group: "Sync requests"},
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Pool: "initial_synchrotron", Group: "Sync requests"},
			{Pattern: `^/_matrix/federation/v1/send/`, Pool: "federation_inbound", Group: "Inbound federation transaction request"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send`, Pool: "event_creator", Group: "Event sending requests"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Methods: []string{"GET", "HEAD"}, Pool: "client_reader", Group: "Push rules requests"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Pool: "stream_push_rules", Group: "The push_rules stream"},
			{Pattern: `^/_matrix/client/v1/register/m\.login\.registration_token/validity$`, Pool: "client_reader", Group: "Registration/login requests"},
			{Pattern: `^/_synapse/client/pick_idp$`, Pool: "sso", Group: "SSO requests"},
		},
		Pools: []routing.Pool{
			{Name: "synchrotron", Strategy: routing.ByUser, Members: []routing.Member{{Name: "sync1", Upstream: "10.0.0.11:8083"}, {Name: "sync2", Upstream: "10.0.0.12:8083"}}},
			{Name: "initial_synchrotron", Strategy: routing.ByUser, Members: []routing.Member{{Name: "isync1", Upstream: "10.0.0.13:8083"}}},
			{Name: "federation_inbound", Strategy: routing.BySourceIP, Members: []routing.Member{{Name: "fed1", Upstream: "10.0.0.21:8083"}, {Name: "fed2", Upstream: "10.0.0.22:8083"}}},
			{Name: "event_creator", Strategy: routing.ByRoom, Members: []routing.Member{{Name: "ev1", Upstream: "10.0.0.31:8083"}, {Name: "ev2", Upstream: "10.0.0.32:8083"}, {Name: "ev3", Upstream: "10.0.0.33:8083"}}},
			{Name: "client_reader", Strategy: routing.RoundRobin, Members: []routing.Member{{Name: "cr1", Upstream: "10.0.0.41:8083"}, {Name: "cr2", Upstream: "10.0.0.42:8083"}}},
			{Name: "stream_push_rules", Strategy: routing.Single, Members: []routing.Member{{Name: "push1", Upstream: "10.0.0.51:8083"}}},
			{Name: "sso", Strategy: routing.Single, Members: []routing.Member{{Name: "sso1", Upstream: "10.0.0.61:8083"}, {Name: "sso2", Upstream: "unix:/run/synapse/sso2.sock"}}},
			{Name: routing.MainPool, Strategy: routing.Single, Members: []routing.Member{{Name: "main", Upstream: "10.0.0.1:8008"}}},
		},
	}
}

// compiledTable is a realistic table from routing.Compile: several workers per pool and stream
// writers.
func compiledTable(t testing.TB) routing.Table {
	t.Helper()
	w := func(name, host string, res []string, roles ...string) fleet.WorkerRef {
		return fleet.WorkerRef{Name: name, Roles: roles, Host: host, Upstream: host + ":8083", HTTPResources: res}
	}
	client, fed := []string{"client"}, []string{"federation"}
	workers := []fleet.WorkerRef{
		w("sync1", "10.0.1.1", client, "synchrotron"), w("sync2", "10.0.1.2", client, "synchrotron"),
		w("isync1", "10.0.1.3", client, "initial_synchrotron"),
		w("reader1", "10.0.1.4", client, "client_reader"), w("reader2", "10.0.1.5", client, "client_reader"),
		w("creator1", "10.0.1.6", client, "event_creator"), w("creator2", "10.0.1.7", client, "event_creator"),
		w("fed1", "10.0.1.8", fed, "federation_inbound", "federation_reader"), w("fed2", "10.0.1.9", fed, "federation_inbound"),
		w("media1", "10.0.1.10", []string{"media"}, "media_repository"), w("sso1", "10.0.1.11", client, "sso"),
		w("push1", "10.0.1.12", client), w("rcpt1", "10.0.1.13", client), w("rcpt2", "10.0.1.14", client),
	}
	writers := []fleet.StreamAssignment{{Stream: "push_rules", Writers: []string{"push1"}}, {Stream: "receipts", Writers: []string{"rcpt1", "rcpt2"}}}
	table, probs := routing.Compile(catalog.MustFor(catalog.Latest()), routing.Member{Name: routing.MainPool, Upstream: "10.0.0.1:8008"}, workers, writers, nil)
	if probs.HasErrors() {
		t.Fatalf("compile: %v", probs)
	}
	return table
}

var goldenOptions = Options{ListenAddress: "127.0.0.1", ListenPort: 8448, ServerName: "matrix.example.org", RuntimeDir: "/run/synapse-proxy"}

// tlsOptions terminate TLS on the Matrix ports: 443 for clients, 8448 for federation.
var tlsOptions = Options{ListenAddress: "0.0.0.0", ListenPort: 443, AdditionalPorts: []int{8448}, ServerName: "matrix.example.org",
	RuntimeDir: "/run/synapse-proxy", TLSCertificatePath: "/etc/ssl/matrix/fullchain.pem", TLSKeyPath: "/etc/ssl/matrix/fullchain.pem.key"}

func TestGolden(t *testing.T) {
	cases := map[string]struct {
		table routing.Table
		opts  Options
	}{
		"sample":   {sampleTable(), goldenOptions},
		"compiled": {compiledTable(t), goldenOptions},
		// Only the standalone files differ from sample: the snippets go inside the user's own
		// (TLS) server.
		"tls": {sampleTable(), tlsOptions},
		// The main process answers when a pool's members are all down; a 100M body limit.
		"fallback": {sampleTable(), fallbackOptions()},
	}
	for tname, c := range cases {
		table := c.table
		for _, p := range Proxies {
			t.Run(tname+"/"+string(p), func(t *testing.T) {
				cfg, err := renderers[p](table, c.opts)
				if err != nil {
					t.Fatal(err)
				}
				files := map[string]string{"full.conf": cfg.Full, "snippet.conf": cfg.Snippet}
				if cfg.HTTPSnippet != "" {
					files["http.conf"] = cfg.HTTPSnippet
				}
				if len(cfg.Warnings) > 0 {
					files["warnings.txt"] = strings.Join(cfg.Warnings, "\n") + "\n"
				}
				if tname == "sample" { // the split of the standalone configuration into files
					for k, v := range cfg.Files {
						files["files/"+k] = v
					}
				}
				for name, got := range files {
					path := filepath.Join("testdata", tname, string(p)+"."+name)
					if *update {
						if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run go test -update)", err)
					}
					if !bytes.Equal(want, []byte(got)) {
						t.Errorf("%s differs from the rendered output; review the change and run go test ./internal/proxy -update", path)
					}
				}
			})
		}
	}
}

func fallbackOptions() Options {
	o := goldenOptions
	o.FallbackToMain = true
	o.MaxBodyBytes = 100 << 20
	return o
}

func TestDeterministic(t *testing.T) {
	table := compiledTable(t)
	for _, p := range Proxies {
		first, err := renderers[p](table, goldenOptions)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			again, _ := renderers[p](table, goldenOptions)
			if again.Full != first.Full || fmt.Sprint(again.Files) != fmt.Sprint(first.Files) || again.Snippet != first.Snippet || again.HTTPSnippet != first.HTTPSnippet || fmt.Sprint(again.Warnings) != fmt.Sprint(first.Warnings) {
				t.Fatalf("%s: two renders of the same table differ", p)
			}
		}
	}
}

// TestFilesSplit checks the layout of Config.Files: the entry file includes every pool file by
// its absolute path under ConfigDir (HAProxy loads the pools directory instead), and adding a
// member to one pool changes that pool's file alone.
func TestFilesSplit(t *testing.T) {
	opts := goldenOptions
	opts.ConfigDir = "/srv/proxy"
	for _, p := range Proxies {
		table := compiledTable(t)
		before, err := renderers[p](table, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(before.Files) != len(table.Pools)+1 {
			t.Errorf("%s: %d files for %d pools; want the entry file and one per pool", p, len(before.Files), len(table.Pools))
		}
		entry, ok := before.Files[EntryFile(p)]
		if !ok {
			t.Fatalf("%s: no entry file %s", p, EntryFile(p))
		}
		for _, pool := range table.Pools {
			if _, ok := before.Files[PoolFile(p, pool.Name)]; !ok {
				t.Errorf("%s: no file for pool %s", p, pool.Name)
			}
			if p != HAProxy && !strings.Contains(entry, "/srv/proxy/"+PoolFile(p, pool.Name)) {
				t.Errorf("%s: the entry file does not include pool %s", p, pool.Name)
			}
		}
		grown := table
		grown.Pools = slices.Clone(table.Pools)
		i := slices.IndexFunc(grown.Pools, func(pl routing.Pool) bool { return pl.Name == "synchrotron" })
		grown.Pools[i].Members = append(slices.Clone(grown.Pools[i].Members), routing.Member{Name: "sync3", Upstream: "10.0.1.99:8083"})
		after, err := renderers[p](grown, opts)
		if err != nil {
			t.Fatal(err)
		}
		var changed []string
		for k, v := range after.Files {
			if before.Files[k] != v {
				changed = append(changed, k)
			}
		}
		if want := []string{PoolFile(p, "synchrotron")}; !slices.Equal(changed, want) {
			t.Errorf("%s: adding a synchrotron changes %v; want only %v", p, changed, want)
		}
	}
}

func TestFullContainsSnippet(t *testing.T) {
	for _, p := range Proxies {
		cfg, err := renderers[p](sampleTable(), goldenOptions)
		if err != nil {
			t.Fatal(err)
		}
		body := strings.SplitN(cfg.Snippet, "\n", 2)[1] // without the header comment
		flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
		if !strings.Contains(flat(cfg.Full), flat(body)) {
			t.Errorf("%s: the standalone config does not contain the snippet", p)
		}
		if !strings.Contains(cfg.Full, "8448") || !strings.Contains(cfg.Full, "/run/synapse-proxy") {
			t.Errorf("%s: the standalone config ignores the listen port or runtime dir", p)
		}
	}
}

func TestSupports(t *testing.T) {
	for _, p := range Proxies {
		for _, s := range routing.Strategies {
			if err := Supports(p, s); err != nil {
				t.Errorf("Supports(%s, %s) = %v", p, s, err)
			}
		}
		if err := Supports(p, "least_conn"); err == nil || !strings.Contains(err.Error(), "least_conn") {
			t.Errorf("Supports(%s, least_conn) = %v, want an error naming it", p, err)
		}
	}
	if err := Supports("traefik", routing.ByUser); err == nil {
		t.Error("Supports(traefik) accepted an unknown proxy")
	}
}

// mutate returns the sample table changed by f.
func mutate(f func(*routing.Table)) routing.Table {
	t := sampleTable()
	f(&t)
	return t
}

func TestRejectsUnsafeTables(t *testing.T) {
	cases := map[string]struct {
		table routing.Table
		want  string
	}{
		"pattern quote":         {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `^/a"; include /etc/passwd; #` }), `include`},
		"pattern single quote":  {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `^/a' }` }), `^/a'`},
		"pattern newline":       {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/a\nroot /" }), `root`},
		"pattern space":         {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/a b" }), `^/a b`},
		"pattern brace":         {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/a{2}" }), `^/a{2}`},
		"pattern placeholder":   {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/${MX_BALANCER}" }), `MX_BALANCER`},
		"pattern hash":          {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/a#b" }), `^/a#b`},
		"pattern semicolon":     {mutate(func(t *routing.Table) { t.Routes[0].Pattern = "^/a;b" }), `^/a;b`},
		"pattern backslash":     {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `^/a\` }), `^/a\`},
		"pattern escape letter": {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `^/a\n` }), `may only use`},
		"pattern invalid":       {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `^/a(` }), `does not compile`},
		"pattern empty":         {mutate(func(t *routing.Table) { t.Routes[0].Pattern = `` }), `1-1000`},
		"pool name":             {mutate(func(t *routing.Table) { t.Pools[0].Name = "sync; }"; t.Routes[0].Pool = "sync; }" }), `sync; }`},
		"pool name newline":     {mutate(func(t *routing.Table) { t.Pools[0].Name = "a\nb" }), `a\nb`},
		"member name":           {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Name = "s1 backup" }), `s1 backup`},
		"upstream directive":    {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Upstream = "10.0.0.1:80; return 200" }), `return 200`},
		"upstream no port":      {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Upstream = "10.0.0.1" }), `host:port`},
		"upstream bad port":     {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Upstream = "10.0.0.1:70000" }), `70000`},
		"upstream url":          {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Upstream = "http://10.0.0.1:80" }), `http://`},
		"upstream unix space":   {mutate(func(t *routing.Table) { t.Pools[0].Members[0].Upstream = "unix:/a b" }), `unix:/a b`},
		"method":                {mutate(func(t *routing.Table) { t.Routes[4].Methods = []string{"GET;"} }), `GET;`},
		"method lower":          {mutate(func(t *routing.Table) { t.Routes[4].Methods = []string{"get"} }), `get`},
		"query param":           {mutate(func(t *routing.Table) { t.Routes[0].Query.Param = "since&x" }), `since&x`},
		"unknown pool":          {mutate(func(t *routing.Table) { t.Routes[0].Pool = "nope" }), `nope`},
		"no main pool":          {mutate(func(t *routing.Table) { t.Pools = t.Pools[:len(t.Pools)-1] }), `"main" pool`},
		"duplicate pool":        {mutate(func(t *routing.Table) { t.Pools[1].Name = t.Pools[0].Name }), `unique`},
		"duplicate member":      {mutate(func(t *routing.Table) { t.Pools[0].Members[1].Name = t.Pools[0].Members[0].Name }), `twice`},
		"no members":            {mutate(func(t *routing.Table) { t.Pools[0].Members = nil }), `no members`},
		"unknown strategy":      {mutate(func(t *routing.Table) { t.Pools[0].Strategy = "least_conn" }), `least_conn`},
	}
	for name, c := range cases {
		for _, p := range Proxies {
			cfg, err := renderers[p](c.table, Options{})
			if err == nil {
				t.Errorf("%s/%s: rendered an unsafe table:\n%s", name, p, cfg.Full)
				continue
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s/%s: error %q does not name %q", name, p, err, c.want)
			}
		}
	}
}

func TestRejectsUnsafeOptions(t *testing.T) {
	cases := map[string]Options{
		"address":     {ListenAddress: "0.0.0.0; include /etc/passwd"},
		"port":        {ListenPort: 70000},
		"server name": {ServerName: "a b"},
		"runtime dir": {RuntimeDir: "run/x"},
		"dir quote":   {RuntimeDir: `/run/"x`},
		"modules dir": {ModulesDir: "/usr/lib/apache2/modules\nUser root"},
		"user":        {User: "root;"},
		"admin":       {CaddyAdmin: "localhost:2019 {"},
		"body size":   {MaxBodyBytes: -1},
		"tls cert":    {TLSCertificatePath: "/etc/ssl/a.pem;\n  include /etc/passwd", TLSKeyPath: "/etc/ssl/a.key"},
		"tls key":     {TLSCertificatePath: "/etc/ssl/a.pem", TLSKeyPath: `/etc/ssl/a.key" }`},
		"tls half":    {TLSCertificatePath: "/etc/ssl/a.pem"},
		"extra port":  {AdditionalPorts: []int{0}},
	}
	for name, o := range cases {
		for _, p := range Proxies {
			if _, err := renderers[p](sampleTable(), o); err == nil {
				t.Errorf("%s/%s: accepted unsafe options %+v", name, p, o)
			}
		}
	}
}

func TestCaddySpreadWarning(t *testing.T) {
	pool := func(ports ...int) routing.Table {
		tb := sampleTable()
		tb.Pools[0].Members = nil
		for i, port := range ports {
			tb.Pools[0].Members = append(tb.Pools[0].Members, routing.Member{Name: fmt.Sprintf("s%d", i), Upstream: fmt.Sprintf("127.0.0.1:%d", port)})
		}
		return tb
	}
	// Ports from the recipes: 18101-18103 measured 282/163/155 on Caddy 2.6.2, 18101/18222/18343
	// measured 201/194/205.
	bad, err := RenderCaddy(pool(18101, 18102, 18103), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad.Warnings) == 0 || !strings.Contains(bad.Warnings[0], "pool synchrotron") {
		t.Errorf("no spread warning for members 18101-18103: %v", bad.Warnings)
	}
	good, _ := RenderCaddy(pool(18101, 18222, 18343), Options{})
	for _, w := range good.Warnings {
		if strings.Contains(w, "pool synchrotron") {
			t.Errorf("spread warning for well-spread members: %s", w)
		}
	}
	for _, p := range []Proxy{Nginx, HAProxy, Apache} {
		cfg, _ := renderers[p](pool(18101, 18102, 18103), Options{})
		if len(cfg.Warnings) != 0 {
			t.Errorf("%s warns: %v", p, cfg.Warnings)
		}
	}
}

func TestApacheBucketsAreConsistent(t *testing.T) {
	members := func(names ...string) routing.Pool {
		p := routing.Pool{Name: "p", Strategy: routing.ByUser}
		for _, n := range names {
			p.Members = append(p.Members, routing.Member{Name: n, Upstream: "10.0.0.1:80"})
		}
		return p
	}
	three := rendezvousBuckets(members("a", "b", "c"))
	two := rendezvousBuckets(members("a", "c"))
	counts := map[int]int{}
	for b := range three {
		counts[three[b]]++
		name3 := []string{"a", "b", "c"}[three[b]]
		name2 := []string{"a", "c"}[two[b]]
		if name3 != "b" && name3 != name2 {
			t.Errorf("bucket %02x moved from %s to %s when b was removed", b, name3, name2)
		}
	}
	for i := 0; i < 3; i++ {
		if counts[i] < apacheBuckets/6 {
			t.Errorf("member %d owns only %d of %d buckets", i, counts[i], apacheBuckets)
		}
	}
	// The per-member regexes partition the 256 prefixes.
	for b := 0; b < apacheBuckets; b++ {
		prefix := fmt.Sprintf("%02x", b)
		owners := 0
		for mi := 0; mi < 3; mi++ {
			for _, alt := range strings.Split(bucketRegex(three, mi), "|") {
				if alt[0] == prefix[0] && (alt[1] == '.' || strings.ContainsRune(alt[1:], rune(prefix[1]))) {
					owners++
				}
			}
		}
		if owners != 1 {
			t.Errorf("prefix %s has %d owners", prefix, owners)
		}
	}
}

func TestHAProxyServerIDsAreStable(t *testing.T) {
	p := routing.Pool{Name: "p", Members: []routing.Member{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
	ids := memberIDs(p)
	p.Members = []routing.Member{{Name: "a"}, {Name: "c"}}
	after := memberIDs(p)
	if ids[0] != after[0] || ids[2] != after[1] {
		t.Errorf("removing b renumbered the others: %v -> %v", ids, after)
	}
}

// FuzzRender puts arbitrary strings where a table carries user-influenced text. A renderer must
// never panic; when it accepts the table, the value must land exactly where a harmless value
// lands (so it cannot have opened a new directive, block or quoted string).
func FuzzRender(f *testing.F) {
	for _, s := range []string{`^/_matrix/client/(r0|v3)/sync$`, `^/a"; include x; #`, "^/a\nb", `^/a'}`, `^/${X}`, `%{ENV:X}`, `^/a\.b`, `!x`, `^/a\`, "sync", "a b", "10.0.0.1:80", "unix:/run/x.sock", "GET"} {
		f.Add(s)
	}
	const marker = "^/zzMARKERzz"
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range Proxies {
			render := renderers[p]
			// As a pattern.
			withPattern := mutate(func(t *routing.Table) { t.Routes[7].Pattern = s })
			if got, err := render(withPattern, goldenOptions); err == nil {
				withMarker := mutate(func(t *routing.Table) { t.Routes[7].Pattern = marker })
				base, err := render(withMarker, goldenOptions)
				if err != nil {
					t.Fatal(err)
				}
				want := s
				if p == Apache {
					want = apacheRulePattern(s)
				}
				expected := strings.ReplaceAll(base.Full, marker, want)
				if p == Caddy {
					// The route's matcher is named after its identity, which holds the pattern.
					expected = strings.ReplaceAll(expected, caddyMatcherNames(withMarker.Routes)[7], caddyMatcherNames(withPattern.Routes)[7])
				}
				if expected != got.Full {
					t.Fatalf("%s: pattern %q changed the configuration beyond its own place", p, s)
				}
			}
			// As a pool name, member name, upstream, method and query parameter: no panic, and
			// an accepted value passes Validate's charset.
			for _, tb := range []routing.Table{
				mutate(func(t *routing.Table) { t.Pools[6].Name = s; t.Routes[7].Pool = s }),
				mutate(func(t *routing.Table) { t.Pools[6].Members[0].Name = s }),
				mutate(func(t *routing.Table) { t.Pools[6].Members[0].Upstream = s }),
				mutate(func(t *routing.Table) { t.Routes[4].Methods = []string{s} }),
				mutate(func(t *routing.Table) { t.Routes[0].Query.Param = s }),
			} {
				if cfg, err := render(tb, goldenOptions); err == nil && strings.ContainsAny(s, "\n\r\"'{}; #") {
					t.Fatalf("%s accepted %q:\n%s", p, s, cfg.Full)
				}
			}
		}
	})
}

func TestValidateOptions(t *testing.T) {
	valid := OptionsWithDefaults(Nginx, tlsOptions)
	if errs := ValidateOptions(valid); len(errs) != 0 {
		t.Fatalf("the TLS golden options are invalid: %v", errs)
	}
	with := func(f func(*Options)) Options {
		o := valid
		o.AdditionalPorts = slices.Clone(o.AdditionalPorts)
		f(&o)
		return o
	}
	cases := map[string]struct {
		opts        Options
		field, want string
	}{
		"certificate without key": {with(func(o *Options) { o.TLSKeyPath = "" }), "TLSKeyPath", "without a key path"},
		"key without certificate": {with(func(o *Options) { o.TLSCertificatePath = "" }), "TLSCertificatePath", "without a certificate path"},
		"relative certificate":    {with(func(o *Options) { o.TLSCertificatePath = "ssl/cert.pem" }), "TLSCertificatePath", `"ssl/cert.pem" must be an absolute`},
		"relative key":            {with(func(o *Options) { o.TLSKeyPath = "./key.pem" }), "TLSKeyPath", `"./key.pem" must be an absolute`},
		"directory key":           {with(func(o *Options) { o.TLSKeyPath = "/etc/ssl/" }), "TLSKeyPath", `"/etc/ssl/"`},
		"certificate semicolon":   {with(func(o *Options) { o.TLSCertificatePath = "/a.pem; ssl_verify_client off" }), "TLSCertificatePath", "ssl_verify_client"},
		"certificate newline":     {with(func(o *Options) { o.TLSCertificatePath = "/a.pem\nSSLEngine off" }), "TLSCertificatePath", "SSLEngine"},
		"certificate space":       {with(func(o *Options) { o.TLSCertificatePath = "/a.pem crt /b.pem" }), "TLSCertificatePath", "crt /b.pem"},
		"key quote":               {with(func(o *Options) { o.TLSKeyPath = `/a.key"` }), "TLSKeyPath", `/a.key\"`},
		"key brace":               {with(func(o *Options) { o.TLSKeyPath = "/a.key}" }), "TLSKeyPath", "/a.key}"},
		"key placeholder":         {with(func(o *Options) { o.TLSKeyPath = "/${HOME}/a.key" }), "TLSKeyPath", "HOME"},
		"key hash":                {with(func(o *Options) { o.TLSKeyPath = "/a.key#x" }), "TLSKeyPath", "/a.key#x"},
		"additional port range":   {with(func(o *Options) { o.AdditionalPorts = []int{70000} }), "AdditionalPorts", "70000 is outside"},
		"additional port twice":   {with(func(o *Options) { o.AdditionalPorts = []int{8448, 8448} }), "AdditionalPorts", "8448 is already listened on"},
		"additional = listen":     {with(func(o *Options) { o.AdditionalPorts = []int{443} }), "AdditionalPorts", "443 is already listened on"},
	}
	for name, c := range cases {
		errs := ValidateOptions(c.opts)
		if len(errs) != 1 || errs[0].Field != c.field || !strings.Contains(errs[0].Message, c.want) {
			t.Errorf("%s: got %+v, want one error on %s containing %q", name, errs, c.field, c.want)
		}
	}
	// Certificate and key in one file is valid.
	if errs := ValidateOptions(with(func(o *Options) { o.TLSKeyPath = o.TLSCertificatePath })); len(errs) != 0 {
		t.Errorf("one combined PEM file: %v", errs)
	}
}

func TestHAProxyKeyLookup(t *testing.T) {
	cases := []struct {
		cert, key      string
		delExt, warned bool
	}{
		{"/etc/ssl/combined.pem", "/etc/ssl/combined.pem", false, false},
		{"/etc/ssl/cert.pem", "/etc/ssl/cert.pem.key", false, false},
		{"/etc/ssl/matrix.crt", "/etc/ssl/matrix.key", true, false},
		{"/etc/letsencrypt/live/m/fullchain.pem", "/etc/letsencrypt/live/m/privkey.pem", false, true},
		{"/etc/ssl/cert", "/etc/ssl/key", false, true},
	}
	for _, c := range cases {
		cfg, err := RenderHAProxy(sampleTable(), Options{ListenPort: 443, AdditionalPorts: []int{8448}, TLSCertificatePath: c.cert, TLSKeyPath: c.key})
		if err != nil {
			t.Fatal(err)
		}
		for _, port := range []string{"443", "8448"} {
			if want := "    bind 0.0.0.0:" + port + " ssl crt " + c.cert + "\n"; !strings.Contains(cfg.Full, want) {
				t.Errorf("%s/%s: no line %q in\n%s", c.cert, c.key, want, cfg.Full)
			}
		}
		if got := strings.Contains(cfg.Full, "\n    ssl-load-extra-del-ext\n"); got != c.delExt {
			t.Errorf("%s/%s: ssl-load-extra-del-ext rendered = %v, want %v", c.cert, c.key, got, c.delExt)
		}
		if got := len(cfg.Warnings) == 1 && strings.Contains(cfg.Warnings[0], c.key) && strings.Contains(cfg.Warnings[0], "concatenate"); got != c.warned || (!c.warned && len(cfg.Warnings) > 0) {
			t.Errorf("%s/%s: warnings %q, want a key warning: %v", c.cert, c.key, cfg.Warnings, c.warned)
		}
	}
}

// TestCaddyConventionalPorts: Caddy rejects http:// on its https_port (443) and https:// on its
// http_port (80); the renderer moves that option away instead.
func TestCaddyConventionalPorts(t *testing.T) {
	cases := []struct {
		opts       Options
		site, line string
	}{
		{Options{ListenPort: 443, AdditionalPorts: []int{8448}}, "http://:443, http://:8448 {", "\thttps_port 65535\n"},
		{Options{ListenPort: 65535, AdditionalPorts: []int{443}}, "http://:65535, http://:443 {", "\thttps_port 65534\n"},
		{Options{ListenPort: 80, TLSCertificatePath: "/c.pem", TLSKeyPath: "/c.pem"}, "https://:80 {", "\thttp_port 65535\n"},
		{Options{ListenPort: 443, TLSCertificatePath: "/c.pem", TLSKeyPath: "/k.pem"}, "https://:443 {", ""},
		{Options{ListenPort: 8008}, "http://:8008 {", ""},
	}
	for _, c := range cases {
		cfg, err := RenderCaddy(sampleTable(), c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(cfg.Full, "\n"+c.site+"\n") {
			t.Errorf("%+v: no site line %q in\n%s", c.opts, c.site, cfg.Full)
		}
		moved := strings.Contains(cfg.Full, "\thttps_port ") || strings.Contains(cfg.Full, "\thttp_port ")
		if c.line == "" && moved || c.line != "" && !strings.Contains(cfg.Full, c.line) {
			t.Errorf("%+v: want global option %q, got\n%s", c.opts, c.line, cfg.Full)
		}
	}
}

// FuzzTLSOptions puts arbitrary strings in the TLS paths: no panic, and an accepted path lands
// exactly where a harmless one does.
func FuzzTLSOptions(f *testing.F) {
	for _, s := range []string{"/etc/ssl/a.pem", "/a.pem; include x", "/a\nb", `/a"`, "/a}", "relative.pem", "/${X}", "/%{ENV:X}", ""} {
		f.Add(s)
	}
	const marker = "/zzMARKERzz"
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range Proxies {
			for _, key := range []bool{false, true} {
				opts := func(v string) Options {
					o := tlsOptions
					if key {
						o.TLSKeyPath = v
					} else {
						o.TLSCertificatePath, o.TLSKeyPath = v, v+".key"
					}
					return o
				}
				got, err := renderers[p](sampleTable(), opts(s))
				if err != nil {
					continue
				}
				if _, delExt, _ := haproxyCertificate(opts(s)); p == HAProxy && delExt {
					continue // a key named like the certificate adds one global line (TestHAProxyKeyLookup)
				}
				base, err := renderers[p](sampleTable(), opts(marker))
				if err != nil {
					t.Fatal(err)
				}
				if strings.ReplaceAll(base.Full, marker, s) != got.Full {
					t.Fatalf("%s: TLS path %q changed the configuration beyond its own place", p, s)
				}
			}
		}
	})
}

// FuzzBodyLimit: any body limit is refused by ValidateOptions or rendered, as its exact byte
// count, by every proxy (with the fallback on too); never a panic.
func FuzzBodyLimit(f *testing.F) {
	for _, n := range []int64{1, 50 << 20, 100<<20 + 1, MaxMaxBodyBytes, MaxMaxBodyBytes + 1, -1, 0} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		o := fallbackOptions()
		o.MaxBodyBytes = n
		for _, p := range Proxies {
			cfg, err := renderers[p](sampleTable(), o)
			valid := n >= 1 && n <= MaxMaxBodyBytes || n == 0
			if (err == nil) != valid {
				t.Fatalf("%s: limit %d: err %v, want valid=%v", p, n, err, valid)
			}
			if err != nil || n == 0 {
				continue
			}
			want := strconv.FormatInt(n, 10)
			if p == Nginx {
				want = nginxSize(n)
			}
			if !strings.Contains(cfg.Snippet, want) {
				t.Fatalf("%s: limit %d (%s) not in the snippet", p, n, want)
			}
		}
	})
}
