package routing

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden is what a golden file holds: the compiled table and its problems.
type golden struct {
	Table    Table    `json:"table"`
	Problems []string `json:"problems"`
}

// TestCompileGolden compiles every test fleet for every catalogue version, checks that the
// table is portable and clean under Analyze, and compares it with testdata/<version>/<fleet>.json.
func TestCompileGolden(t *testing.T) {
	for _, v := range testVersions() {
		c := catalog.MustFor(v)
		for _, f := range append(testFleets(), everyStreamFleet(c)) {
			t.Run(v+"/"+f.name, func(t *testing.T) {
				tab, probs := Compile(c, mainProc, f.workers, f.writers, f.overrides)
				if probs.HasErrors() {
					t.Fatalf("unexpected errors:\n%s", probs.Errors())
				}
				if a := Analyze(tab); len(a) > 0 {
					t.Fatalf("Analyze found problems in a compiled table:\n%s", a)
				}
				for i, r := range tab.Routes {
					if err := PortableRegex(r.Pattern); err != nil {
						t.Errorf("route %d: %v", i, err)
					}
				}
				g := golden{Table: tab, Problems: []string{}}
				for _, p := range probs {
					g.Problems = append(g.Problems, p.String())
				}
				got, err := json.MarshalIndent(g, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				file := filepath.Join("testdata", v, f.name+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if string(got) != string(want) {
					t.Errorf("table differs from %s; review the change and run go test ./internal/routing -update", file)
				}
				again, _ := Compile(c, mainProc, f.workers, f.writers, f.overrides)
				if b, _ := json.Marshal(again); string(b) != string(mustJSON(t, tab)) {
					t.Error("Compile is not deterministic")
				}
			})
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fleetByName(t *testing.T, name string) testFleet {
	t.Helper()
	for _, f := range testFleets() {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("no fleet %q", name)
	return testFleet{}
}

func compileFleet(t *testing.T, version, name string) Table {
	t.Helper()
	f := fleetByName(t, name)
	tab, probs := Compile(catalog.MustFor(version), mainProc, f.workers, f.writers, f.overrides)
	if probs.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", probs)
	}
	return tab
}

func pool(t *testing.T, tab Table, name string) Pool {
	t.Helper()
	for _, p := range tab.Pools {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pool %q; pools: %v", name, poolNames(tab))
	return Pool{}
}

func poolNames(tab Table) []string {
	var out []string
	for _, p := range tab.Pools {
		out = append(out, p.Name)
	}
	return out
}

func memberNames(p Pool) []string {
	var out []string
	for _, m := range p.Members {
		out = append(out, m.Name)
	}
	return out
}

// req builds a request from a raw path (%-decoded here, as a proxy does) and query.
func req(method, rawPath, rawQuery string, headers map[string]string) Request {
	p, err := pathUnescape(rawPath)
	if err != nil {
		panic(err)
	}
	return Request{Method: method, Path: p, RawQuery: rawQuery, Headers: headers, SourceIP: "192.0.2.7"}
}

// TestCompilePools checks, fleet by fleet, where representative requests land.
func TestCompilePools(t *testing.T) {
	type probe struct {
		method, path, query string
		pool                string
	}
	cases := []struct {
		version, fleet string
		probes         []probe
		pools          map[string][]string // pool -> members
		strategies     map[string]Strategy
		absent         []string // pools that must not exist
	}{
		{version: "1.157", fleet: "empty", probes: []probe{
			{"GET", "/_matrix/client/v3/sync", "", MainPool},
			{"PUT", "/_matrix/client/v3/rooms/!a:b/send/m.room.message/1", "", MainPool},
		}, pools: map[string][]string{MainPool: {"main"}}},
		{version: "1.157", fleet: "one_per_role", probes: []probe{
			{"GET", "/_matrix/client/v3/sync", "", "initial_synchrotron"},
			{"GET", "/_matrix/client/v3/sync", "since=", "initial_synchrotron"},
			{"GET", "/_matrix/client/v3/sync", "since=s72594_4483_1934", "synchrotron"},
			{"GET", "/_matrix/client/r0/sync", "timeout=30000&since=abc", "synchrotron"},
			{"GET", "/_matrix/client/v3/events", "", "synchrotron"},
			// The docs give /initialSync to the initial-sync workers (issue 12 item 13).
			{"GET", "/_matrix/client/v3/initialSync", "", "initial_synchrotron"},
			{"GET", "/_matrix/client/v3/rooms/!r:hs/initialSync", "", "initial_synchrotron"},
			// Sliding sync (not in the docs, served by workers since 1.110) goes to the sync pool.
			{"POST", "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync", "pos=1", "synchrotron"},
			{"POST", "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync", "", "synchrotron"},
			{"PUT", "/_matrix/federation/v1/send/1234", "", "federation_inbound"},
			{"GET", "/_matrix/federation/v1/event/$e", "", "federation_reader"},
			{"GET", "/_matrix/key/v2/query", "", "federation_reader"},
			{"POST", "/_matrix/client/v3/createRoom", "", "client_reader"},
			{"GET", "/_matrix/client/v3/rooms/!r:hs/messages", "", "client_reader_room"},
			{"PUT", "/_matrix/client/v3/rooms/!r:hs/send/m.room.message/t1", "", "event_creator"},
			{"PUT", "/_matrix/client/v3/profile/@u:hs/displayname", "", "event_creator_round_robin"},
			{"POST", "/_matrix/client/v3/user_directory/search", "", "user_dir"},
			{"GET", "/_matrix/client/v3/login/sso/redirect", "", "sso"},
			{"GET", "/_synapse/client/oidc/callback", "", "sso"},
			{"GET", "/_matrix/media/v3/download/hs/abc", "", "media_repository"},
			{"GET", "/_matrix/client/v1/media/thumbnail/hs/abc", "", "media_repository"},
			{"GET", "/_matrix/client/v3/pushrules/", "", "client_reader"},
			{"HEAD", "/_matrix/client/v3/pushrules/", "", "client_reader"},
			{"PUT", "/_matrix/client/v3/pushrules/global/override/x", "", MainPool},
			{"GET", "/_matrix/client/v3/user/@u:hs/account_data/m.direct", "", "client_reader"},
			{"PUT", "/_matrix/client/v3/user/@u:hs/account_data/m.direct", "", MainPool},
			{"GET", "/_matrix/client/v3/devices", "", "client_reader"},
			{"PUT", "/_matrix/client/v3/rooms/!r:hs/typing/@u:hs", "", MainPool},
			{"GET", "/_synapse/admin/v1/register", "", MainPool},
			{"GET", "/", "", MainPool},
		}, strategies: map[string]Strategy{
			"synchrotron": ByUser, "initial_synchrotron": ByUser, "federation_inbound": BySourceIP,
			"event_creator": ByRoom, "event_creator_round_robin": RoundRobin, "client_reader_room": ByRoom,
			"sso": Single, "client_reader": RoundRobin, MainPool: Single,
		}, absent: []string{"generic", "generic_user"}},
		{version: "1.146", fleet: "pools", probes: []probe{
			{"GET", "/_matrix/client/v3/sync", "", "initial_synchrotron"},
			{"GET", "/_matrix/client/v3/sync", "since=x", "synchrotron"},
			{"PUT", "/_matrix/federation/v1/send/1", "", "federation_inbound"},
		}, pools: map[string][]string{
			"synchrotron":         {"sync1", "sync2", "sync3"},
			"initial_synchrotron": {"isync1", "isync2"},
			"federation_inbound":  {"fed1", "fed2"},
			"federation_reader":   {"fed1", "fed2"},
		}},
		{version: "1.157", fleet: "stream_writers", probes: []probe{
			{"GET", "/_matrix/client/v3/pushrules/", "", "push_rules_writers"},
			{"PUT", "/_matrix/client/v3/pushrules/global/override/x", "", "push_rules_writers"},
			{"GET", "/_matrix/client/v3/user/@u:hs/account_data/m.direct", "", "account_data_writers"},
			{"GET", "/_matrix/client/v3/rooms/!r:hs/tags", "", "account_data_writers"},
			{"PUT", "/_matrix/client/v3/rooms/!r:hs/typing/@u:hs", "", "typing_writers"},
			{"PUT", "/_matrix/client/v3/sendToDevice/m.x/1", "", "to_device_writers"},
			{"POST", "/_matrix/client/v3/rooms/!r:hs/receipt/m.read/$e", "", "receipts_writers"},
			{"GET", "/_matrix/client/v3/presence/@u:hs/status", "", "presence_writers"},
			{"POST", "/_matrix/client/v3/keys/upload", "", "device_lists_writers"},
			{"GET", "/_matrix/client/v3/devices", "", "device_lists_writers"},
			{"PUT", "/_matrix/client/unstable/io.element.msc4306/rooms/!r:hs/thread/$e/subscription", "", "thread_subscriptions_writers"},
			{"GET", "/_matrix/client/v3/sync", "", "generic_user"},
			{"POST", "/_matrix/client/v3/keys/query", "", "client_reader"},
			{"GET", "/_synapse/admin/v1/media/hs/abc", "", "media_repository"},
		}, pools: map[string][]string{
			"receipts_writers":     {"rcpt1", "rcpt2"},
			"device_lists_writers": {"dev1", "dev2"},
			"typing_writers":       {"typing1"},
			"media_repository":     {"media1", "media2"},
		}, absent: []string{"events_writers", "initial_synchrotron"}},
		{version: "1.157", fleet: "multi_writer_with_main", probes: []probe{
			{"GET", "/_matrix/client/v3/pushrules/", "", "client_reader"},
			{"PUT", "/_matrix/client/v3/pushrules/global/override/x", "", MainPool},
			{"PUT", "/_matrix/client/v3/user/@u:hs/account_data/m.direct", "", MainPool},
			{"POST", "/_matrix/client/v3/rooms/!r:hs/receipt/m.read/$e", "", "receipts_writers"},
			{"POST", "/_matrix/client/v3/keys/upload", "", "device_lists_writers"},
		}, pools: map[string][]string{
			"receipts_writers":     {"main", "rcpt1"},
			"device_lists_writers": {"dev1", "main", "dev2"},
		}, absent: []string{"push_rules_writers", "account_data_writers"}},
		{version: "1.157", fleet: "main_writes_all", probes: []probe{
			{"GET", "/_matrix/client/v3/pushrules/", "", "client_reader"},
			{"DELETE", "/_matrix/client/v3/pushrules/global/override/x", "", MainPool},
			{"GET", "/_matrix/client/v3/devices", "", "client_reader"},
			{"PUT", "/_matrix/client/v3/rooms/!r:hs/typing/@u:hs", "", MainPool},
		}, pools: map[string][]string{MainPool: {"main"}, "client_reader": {"reader1"}, "client_reader_room": {"reader1"}}},
		{version: "1.157", fleet: "generic_and_specialists", probes: []probe{
			{"GET", "/_matrix/client/v3/sync", "", "synchrotron"},
			{"POST", "/_matrix/client/v3/createRoom", "", "client_reader"},
			{"PUT", "/_matrix/federation/v1/send/1", "", "federation_inbound"},
			{"GET", "/_matrix/federation/v1/state/!r:hs", "", "generic"},
			{"PUT", "/_matrix/client/v3/rooms/!r:hs/send/m.room.message/1", "", "generic_room"},
		}, pools: map[string][]string{"generic": {"generic1", "generic2"}, "client_reader": {"mixed1"}, "federation_inbound": {"mixed1"}},
			strategies: map[string]Strategy{"generic": ByUser, "synchrotron": RoundRobin, "generic_room": ByRoom}},
		{version: "1.157", fleet: "only_initial_synchrotron", probes: []probe{
			{"GET", "/_matrix/client/v3/sync", "", "initial_synchrotron"},
			{"GET", "/_matrix/client/v3/sync", "since=1", "initial_synchrotron"},
		}, absent: []string{"synchrotron"}},
	}
	for _, tc := range cases {
		t.Run(tc.version+"/"+tc.fleet, func(t *testing.T) {
			tab := compileFleet(t, tc.version, tc.fleet)
			for _, p := range tc.probes {
				if got := Match(tab, req(p.method, p.path, p.query, nil)); got.Pool != p.pool {
					t.Errorf("%s %s?%s: pool %q (route %d), want %q", p.method, p.path, p.query, got.Pool, got.Route, p.pool)
				}
			}
			for name, members := range tc.pools {
				if got := memberNames(pool(t, tab, name)); !slices.Equal(got, members) {
					t.Errorf("pool %q members %v, want %v", name, got, members)
				}
			}
			for name, s := range tc.strategies {
				if got := pool(t, tab, name).Strategy; got != s {
					t.Errorf("pool %q strategy %q, want %q", name, got, s)
				}
			}
			for _, name := range tc.absent {
				if slices.Contains(poolNames(tab), name) {
					t.Errorf("pool %q should not exist", name)
				}
			}
		})
	}
}

// TestCompileVersions: 1.157 adds room_summary and the quarantine stream; 1.146 lacks both.
func TestCompileVersions(t *testing.T) {
	qm := []fleet.StreamAssignment{sa("quarantined_media_changes", "media1")}
	workers := []fleet.WorkerRef{w("generic1", 8110, clientFed, "generic"), w("media1", 8107, []string{"client", "media"}, "media_repository")}
	newer, probs := Compile(catalog.MustFor("1.157"), mainProc, workers, qm, nil)
	if len(probs) > 0 {
		t.Fatalf("1.157: %s", probs)
	}
	older, probs := Compile(catalog.MustFor("1.146"), mainProc, workers, qm, nil)
	if !hasProblem(probs, "stream_writers[0].stream", "Unknown Stream") {
		t.Errorf("1.146 should not know quarantined_media_changes: %s", probs)
	}
	summary := req("GET", "/_matrix/client/v1/room_summary/!r:hs", "", nil)
	if got := Match(newer, summary).Pool; got != "generic" {
		t.Errorf("1.157 room_summary -> %q, want generic", got)
	}
	if got := Match(older, summary).Pool; got != MainPool {
		t.Errorf("1.146 room_summary -> %q, want main", got)
	}
	quarantine := req("POST", "/_synapse/admin/v1/quarantine_media/hs/abc", "", nil)
	if got := Match(newer, quarantine).Pool; got != "quarantined_media_changes_writers" {
		t.Errorf("1.157 quarantine -> %q, want the stream's writers", got)
	}
	if got := Match(newer, req("POST", "/_synapse/admin/v1/media/hs/abc/quarantine", "", nil)).Pool; got != "media_repository" {
		t.Errorf("1.157 media admin -> %q, want media_repository", got)
	}
	if got := Match(older, quarantine).Pool; got != "media_repository" {
		t.Errorf("1.146 quarantine -> %q, want media_repository", got)
	}
}

// TestCompileQuarantineMainWriter: Synapse 1.152-1.157 need the main process among the
// quarantined_media_changes writers, but once a worker holds the media repository the main
// process has no media servlets, so the quarantine admin API goes to the worker writers alone.
// Without a media worker the main process serves media and stays in the pool.
func TestCompileQuarantineMainWriter(t *testing.T) {
	c := catalog.MustFor("1.157")
	quarantine := req("POST", "/_synapse/admin/v1/quarantine_media/hs/abc", "", nil)
	withMedia := []fleet.WorkerRef{w("generic1", 8110, clientFed, "generic"), w("media1", 8107, []string{"client", "media"}, "media_repository")}
	tab, probs := Compile(c, mainProc, withMedia, []fleet.StreamAssignment{sa("quarantined_media_changes", "main", "media1")}, nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got := Match(tab, quarantine)
	if got.Pool != "quarantined_media_changes_writers" || !slices.Equal(memberNames(pool(t, tab, got.Pool)), []string{"media1"}) {
		t.Errorf("with a media worker: quarantine -> %q %v, want the writers without main", got.Pool, memberNames(pool(t, tab, got.Pool)))
	}
	noMedia := []fleet.WorkerRef{w("generic1", 8110, []string{"client", "federation", "media"}, "generic")}
	tab, probs = Compile(c, mainProc, noMedia, []fleet.StreamAssignment{sa("quarantined_media_changes", "main", "generic1")}, nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got = Match(tab, quarantine)
	if !slices.Equal(memberNames(pool(t, tab, got.Pool)), []string{MainPool, "generic1"}) {
		t.Errorf("without a media worker: quarantine -> %q %v, want main and generic1", got.Pool, memberNames(pool(t, tab, got.Pool)))
	}
}

// TestCompileRequiresStreamSubset: only the media workers that write the stream get the
// endpoints that need a writer.
func TestCompileRequiresStreamSubset(t *testing.T) {
	// media2 serves only the media resource: the quarantine admin API is a media endpoint
	// there, so it may write the stream whose endpoint is a client one on other workers.
	workers := []fleet.WorkerRef{w("media1", 8107, []string{"client", "media"}, "media_repository"), w("media2", 8108, media, "media_repository")}
	tab, probs := Compile(catalog.MustFor("1.157"), mainProc, workers, []fleet.StreamAssignment{sa("quarantined_media_changes", "media2")}, nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got := Match(tab, req("POST", "/_synapse/admin/v1/room/!r:hs/media/quarantine", "", nil))
	if got.Pool != "media_repository_quarantined_media_changes" || !slices.Equal(memberNames(pool(t, tab, got.Pool)), []string{"media2"}) {
		t.Errorf("room media quarantine -> %q %v", got.Pool, memberNames(pool(t, tab, got.Pool)))
	}
	if got := Match(tab, req("GET", "/_matrix/media/v3/download/hs/x", "", nil)).Pool; got != "media_repository" {
		t.Errorf("download -> %q", got)
	}
	// Without the assignment: a warning naming the workers, and the media workers keep the routes.
	tab, probs = Compile(catalog.MustFor("1.157"), mainProc, workers, nil, nil)
	if probs.HasErrors() || len(probs) != 1 || probs[0].Summary != "Endpoint Needs Stream Writer" || probs[0].Path != "workers[0]" {
		t.Fatalf("want one warning on workers[0], got:\n%s", probs)
	}
	if got := Match(tab, req("POST", "/_synapse/admin/v1/media/hs/x/quarantine", "", nil)).Pool; got != "media_repository" {
		t.Errorf("media admin -> %q", got)
	}
}

func hasProblem(ps fleet.Problems, path, summary string) bool {
	for _, p := range ps {
		if p.Path == path && p.Summary == summary {
			return true
		}
	}
	return false
}

func TestCompileProblems(t *testing.T) {
	c := catalog.MustFor("1.157")
	type want struct{ path, summary, detail string }
	cases := []struct {
		name      string
		main      Member
		workers   []fleet.WorkerRef
		writers   []fleet.StreamAssignment
		overrides map[string]Strategy
		want      []want
	}{
		{name: "writer not in fleet", workers: []fleet.WorkerRef{w("a", 1, clientFed, "generic")},
			writers: []fleet.StreamAssignment{sa("typing", "ghost")},
			want:    []want{{"stream_writers[0].writers[0]", "Unknown Stream Writer", `"ghost"`}}},
		{name: "writer lacks client resource", workers: []fleet.WorkerRef{w("fed", 1, fed, "federation_reader")},
			writers: []fleet.StreamAssignment{sa("events", "fed"), sa("typing", "main", "fed")},
			want:    []want{{"stream_writers[1].writers[1]", "Stream Writer Lacks HTTP Resource", `worker "fed"`}}},
		{name: "writer without listener", workers: []fleet.WorkerRef{{Name: "bare", Host: "h"}},
			writers: []fleet.StreamAssignment{sa("to_device", "bare")},
			want:    []want{{"stream_writers[0].writers[0]", "Stream Writer Lacks HTTP Resource", `"bare"`}}},
		{name: "federation role on client listener", workers: []fleet.WorkerRef{w("ok", 1, clientFed, "generic"), w("fr", 2, client, "federation_reader")},
			want: []want{{"workers[1]", "Worker Listener Lacks Resources", `"federation"`}}},
		{name: "role worker without listener", workers: []fleet.WorkerRef{{Name: "s", Host: "h", Roles: []string{"synchrotron"}}},
			want: []want{{"workers[0]", "Worker Without HTTP Listener", `"s"`}}},
		{name: "unknown stream, duplicate stream", workers: []fleet.WorkerRef{w("a", 1, client)},
			writers: []fleet.StreamAssignment{sa("nope", "a"), sa("typing", "a"), sa("typing", "a")},
			want: []want{{"stream_writers[0].stream", "Unknown Stream", `"nope"`},
				{"stream_writers[2].stream", "Duplicate Stream Assignment", `"typing"`}}},
		{name: "unknown role, duplicate and reserved names", workers: []fleet.WorkerRef{w("a", 1, client, "wizard"), w("a", 2, client), w("master", 3, client)},
			want: []want{{"workers[0].roles", "Unknown Worker Role", `"wizard"`},
				{"workers[1].name", "Duplicate Worker Name", `"a"`},
				{"workers[2].name", "Reserved Worker Name", `"master"`}}},
		{name: "overrides", workers: []fleet.WorkerRef{w("a", 1, clientFed, "generic")},
			overrides: map[string]Strategy{"x": ByUser, "generic": "sticky"},
			want: []want{{`strategies["generic"]`, "Invalid Strategy", `"sticky"`},
				{`strategies["x"]`, "Unknown Pool", "generic_user"}}},
		{name: "main without upstream", main: Member{Name: "main"},
			want: []want{{"main", "Missing Main Upstream", "main.host"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.main
			if m == (Member{}) {
				m = mainProc
			}
			_, probs := Compile(c, m, tc.workers, tc.writers, tc.overrides)
			errs := probs.Errors()
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(errs), len(tc.want), errs)
			}
			for i, wnt := range tc.want {
				if errs[i].Path != wnt.path || errs[i].Summary != wnt.summary || !strings.Contains(errs[i].Detail, wnt.detail) {
					t.Errorf("problem %d = %s; want %s %s containing %s", i, errs[i], wnt.path, wnt.summary, wnt.detail)
				}
			}
		})
	}
}

// TestCompileCleanForManyFleets compiles every combination of roles (one worker per chosen
// role, sometimes several) with several writer layouts and checks Analyze finds nothing.
func TestCompileCleanForManyFleets(t *testing.T) {
	for _, v := range testVersions() {
		c := catalog.MustFor(v)
		var roles []string
		for _, r := range c.RoleNames() {
			if len(c.EndpointsForRoles([]string{r})) > 0 {
				roles = append(roles, r)
			}
		}
		layouts := [][]fleet.StreamAssignment{nil}
		var all, withMain []fleet.StreamAssignment
		for _, s := range c.Streams {
			all = append(all, sa(s.Key, "wr1"))
			ws := []string{"main"}
			if s.MultiWriter {
				ws = []string{"wr1", "main", "wr2"}
			}
			withMain = append(withMain, sa(s.Key, ws...))
		}
		layouts = append(layouts, all, withMain)
		n := 0
		for mask := 0; mask < 1<<len(roles); mask += 7 { // a spread of subsets, not all 2^10
			var ws []fleet.WorkerRef
			for i, r := range roles {
				if mask&(1<<i) != 0 {
					ws = append(ws, w(r+"1", 9000+i, []string{"client", "federation", "media"}, r))
					if i%2 == 0 {
						ws = append(ws, w(r+"2", 9100+i, []string{"client", "federation", "media"}, r, "generic"))
					}
				}
			}
			// Writers of every stream: quarantined_media_changes needs the media resource.
			ws = append(ws, w("wr1", 9500, []string{"client", "media"}), w("wr2", 9501, []string{"client", "media"}))
			for li, l := range layouts {
				_, probs := Compile(c, mainProc, ws, l, nil) // Compile runs Analyze on its table
				if probs.HasErrors() {
					t.Fatalf("%s mask %b layout %d: %s", v, mask, li, probs.Errors())
				}
				n++
			}
		}
		t.Logf("%s: %d fleets compiled clean", v, n)
	}
}

// TestCompileEveryRelease compiles the one-worker-per-role fleet for every release the
// catalogue holds: the table has no errors, Analyze finds nothing, and the version-dependent
// routes appear exactly in their releases (sliding sync from 1.110 to the sync pool; account
// data writes on client readers before 1.122, GET-only after).
func TestCompileEveryRelease(t *testing.T) {
	sliding := req("POST", "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync", "", nil)
	putTags := req("PUT", "/_matrix/client/v3/user/@u:hs/rooms/!r:hs/tags/t", "", nil)
	for _, v := range catalog.Versions() {
		tab := compileFleet(t, v, "one_per_role")
		if a := Analyze(tab); len(a) > 0 {
			t.Errorf("%s: Analyze found problems:\n%s", v, a)
		}
		old := compareMinor(v, "1.110") < 0
		if got := Match(tab, sliding).Pool; (got == "synchrotron") == old {
			t.Errorf("%s: sliding sync goes to pool %q", v, got)
		}
		getOnly := compareMinor(v, "1.122") >= 0
		if got := Match(tab, putTags).Pool; (got == MainPool) != getOnly {
			t.Errorf("%s: PUT tags goes to pool %q", v, got)
		}
	}
}

func compareMinor(a, b string) int {
	var x, y int
	_, _ = fmt.Sscanf(strings.TrimPrefix(a, "1."), "%d", &x)
	_, _ = fmt.Sscanf(strings.TrimPrefix(b, "1."), "%d", &y)
	return x - y
}
