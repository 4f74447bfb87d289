package gen

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/generated.golden.json")

// The fixture under testdata/synapse is a tiny hand-written tree shaped like Synapse's (no
// Synapse code): 1.83 (ignored, too old), 1.90.0 and 1.90.1 (only the newest patch is read;
// the ignored tags hold no tree, so reading one fails), 1.91.0rc1 (ignored) and 1.91.0, which
// adds the push_rules stream, redis.password_path,
// multi-writer receipts, fixes a docs typo and registers the sliding sync servlet
// unconditionally.
func generateFixture(t *testing.T) *Output {
	t.Helper()
	o, err := Generate(DirSource{Root: "testdata/synapse"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestGenerateFixtureGolden(t *testing.T) {
	b1, err := Marshal(generateFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := Marshal(generateFixture(t))
	if !bytes.Equal(b1, b2) {
		t.Fatal("two runs on the same tree gave different bytes")
	}
	golden := "testdata/generated.golden.json"
	if *update {
		if err := os.WriteFile(golden, b1, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, want) {
		t.Errorf("output differs from %s (run with -update and review the diff):\n%s", golden, b1)
	}
}

func TestGenerateFixtureFacts(t *testing.T) {
	o := generateFixture(t)
	if got := []Release{{"1.90", "v1.90.1"}, {"1.91", "v1.91.0"}}; !reflect.DeepEqual(o.Releases, got) {
		t.Errorf("releases = %+v, want %+v", o.Releases, got)
	}
	stream := func(key string, multi bool) *Stream {
		for i := range o.Streams {
			if o.Streams[i].Key == key && o.Streams[i].MultiWriter == multi {
				return &o.Streams[i]
			}
		}
		return nil
	}
	if s := stream("push_rules", true); s == nil || s.Since != "1.91" || s.Until != "" || s.MinWriters != 0 {
		t.Errorf("push_rules = %+v, want (no writer-count check) since 1.91", s)
	}
	if s := stream("receipts", false); s == nil || s.Until != "1.91" {
		t.Errorf("single-writer receipts = %+v, want until 1.91", s)
	}
	if s := stream("receipts", true); s == nil || s.Since != "1.91" || s.MinWriters != 1 {
		t.Errorf("multi-writer receipts = %+v, want since 1.91 with at least one writer", s)
	}
	if s := stream("typing", false); s == nil || !s.InstanceMapChecked || s.Since != "" {
		t.Errorf("typing = %+v, want instance_map checked in every release", s)
	}
	if s := stream("receipts", true); s == nil || s.InstanceMapChecked {
		t.Errorf("receipts is not in the fixture's instance_map loop: %+v", s)
	}
	opt := func(list []Option, key string) *Option {
		for i := range list {
			if list[i].Key == key {
				return &list[i]
			}
		}
		return nil
	}
	if p := opt(o.Options, "redis.password_path"); p == nil || p.Since != "1.91" {
		t.Errorf("redis.password_path = %+v, want since 1.91", p)
	}
	if p := opt(o.Options, "redis.path"); p == nil || p.Since != "" {
		t.Errorf("redis.path = %+v, want in every release", p)
	}
	for _, k := range []string{"worker_replication_host", "worker_replication_port"} {
		if p := opt(o.RefusedOptions, k); p == nil {
			t.Errorf("%s is not refused", k)
		}
	}
	if p := opt(o.RefusedOptions, "instance_map"); p != nil {
		t.Errorf("instance_map is reported refused: %+v", p)
	}
	if len(o.MainInstanceMap) != 1 || o.MainInstanceMap[0].Rule != "required" {
		t.Errorf("main instance map = %+v", o.MainInstanceMap)
	}

	ep := func(pattern, stream string) *Endpoint {
		for i := range o.Endpoints {
			if o.Endpoints[i].Pattern == pattern && o.Endpoints[i].Stream == stream {
				return &o.Endpoints[i]
			}
		}
		return nil
	}
	if e := ep(`^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, ""); e == nil || !e.GetOnly || e.Group != "GET requests" {
		t.Errorf("pushrules = %+v, want GET-only", e)
	}
	if e := ep(`^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, "push_rules"); e == nil || e.Since != "1.91" {
		t.Errorf("push_rules stream endpoint = %+v, want since 1.91", e)
	}
	if e := ep(`^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/messages$`, ""); e == nil || e.Group != "Pagination requests" {
		t.Errorf("pagination = %+v", e)
	}
	if e := ep(`^/_matrix/media/`, ""); e == nil || e.Section != "synapse.app.media_repository" {
		t.Errorf("media prefix = %+v, want anchored and in the media section", e)
	}
	if e := ep(`^/_matrix/client/(api/v1|r0|v3|unstable/keys/broken$`, ""); e == nil || !e.Invalid || e.Until != "1.91" {
		t.Errorf("the docs typo = %+v, want invalid until 1.91", e)
	}
	if e := ep(`^/_matrix/client/fenced$`, ""); e != nil {
		t.Errorf("a fenced example was read as a pattern: %+v", e)
	}

	code := map[string][]CodeOnly{}
	for _, c := range o.CodeOnly {
		code[c.Pattern] = append(code[c.Pattern], c)
	}
	sliding := code[`^/_matrix/client/unstable/org.example.sliding/sync$`]
	if len(sliding) != 2 || sliding[0].Condition != "hs.config.experimental.sliding_enabled" || sliding[0].Until != "1.91" ||
		sliding[1].Condition != "" || sliding[1].Since != "1.91" || !reflect.DeepEqual(sliding[1].Methods, []string{"POST"}) {
		t.Errorf("sliding sync = %+v, want conditional in 1.90 and unconditional from 1.91", sliding)
	}
	if c := code[`^/_matrix/client/(r0|v3|unstable)/sync$`]; len(c) != 1 || !reflect.DeepEqual(c[0].Uncovered, []string{"/_matrix/client/unstable/sync"}) {
		t.Errorf("sync = %+v, want only the unstable prefix uncovered", c)
	}
	if c := code[`^/_synapse/mas`]; len(c) != 1 || c[0].Condition != "hs.config.mas.enabled" {
		t.Errorf("/_synapse/mas = %+v", c)
	}
	for _, p := range []string{`^/_matrix/client/(r0|v3|unstable)/main_only$`, `^/_matrix/client/(api/v1|r0|v3|unstable)/pushers$`, `^/_synapse/admin/v2/everything$`} {
		if c := code[p]; c != nil {
			t.Errorf("%s is registered on the main process only, yet reported: %+v", p, c)
		}
	}
	if c := code[`^/_synapse/admin/v1/rooms/(?P<room_id>[^/]+)$`]; len(c) != 1 {
		t.Errorf("the admin room servlet a worker registers is not reported: %+v", c)
	}
	if c := code[`^/_synapse/client/pick_idp`]; len(c) != 1 {
		t.Errorf("pick_idp = %+v", c)
	}
	if !strings.Contains(Report(o), "org.example.sliding") {
		t.Error("the report does not list the sliding sync servlet")
	}
}

func TestReleasesPickNewestPatch(t *testing.T) {
	got := Releases([]string{"v1.83.0", "v1.84.0", "v1.84.1", "v1.85.0rc1", "v1.85.10", "v1.85.9", "v2.0.0", "v1.100.0", "junk"})
	want := []Release{{"1.84", "v1.84.1"}, {"1.85", "v1.85.10"}, {"1.100", "v1.100.0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Releases = %+v, want %+v", got, want)
	}
}

// TestGitSourceMatchesDirSource commits the fixture into a throwaway git repository (tags
// named as the fixture's directories) and checks the git reader gives the same output.
func TestGitSourceMatchesDirSource(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required: the generator reads Synapse's tree with it")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	tags, _ := DirSource{Root: "testdata/synapse"}.Tags()
	for _, tag := range tags {
		run("rm", "-rq", "--ignore-unmatch", ".")
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata/synapse", tag))); err != nil {
			t.Fatal(err)
		}
		run("add", "-A")
		run("commit", "-qm", tag, "--allow-empty")
		run("tag", tag)
	}
	g := &GitSource{Dir: dir}
	defer g.Close()
	a, err := Generate(g)
	if err != nil {
		t.Fatal(err)
	}
	b := generateFixture(t)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("git source:\n%s\ndirectory source:\n%s", ja, jb)
	}
	if _, ok, err := g.Read("v1.90.1", "no/such/file"); ok || err != nil {
		t.Errorf("a missing file: ok=%v err=%v", ok, err)
	}
}

func TestUpgradeNotes(t *testing.T) {
	o := generateFixture(t)
	// Only the newest tag's upgrade.md is read; notes for the first release covered (1.90) are
	// about upgrading from releases before the catalogue and are left out; a section that does
	// not concern workers is left out.
	want := []UpgradeNote{{Version: "1.91", Title: "Writers of the push rules stream need a replication listener",
		Link: UpgradeDocsURL + "#writers-of-the-push-rules-stream-need-a-replication-listener"}}
	if !reflect.DeepEqual(o.UpgradeNotes, want) {
		t.Errorf("upgrade notes = %+v, want %+v", o.UpgradeNotes, want)
	}
	if got := slug("Removal of `worker_replication_*` settings"); got != "removal-of-worker_replication_-settings" {
		t.Errorf("slug = %q", got)
	}
}
