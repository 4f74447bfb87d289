package catalog

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPatternsCompileInRE2 proves every endpoint pattern is valid Go RE2 (and so loads in Caddy;
// the proxy tests check PCRE2).
func TestPatternsCompileInRE2(t *testing.T) {
	for _, v := range Versions() {
		for _, e := range MustFor(v).Endpoints {
			if _, err := regexp.Compile(e.Pattern); err != nil {
				t.Errorf("%s: pattern %q does not compile in RE2: %v", v, e.Pattern, err)
			}
		}
	}
}

// docsPatterns is testdata/docs_workers_md_patterns_v1.157.1.json: every routable pattern of
// docs/workers.md at v1.157.1, as extracted by the reference research.
type docsPatterns struct {
	Source   string `json:"source"`
	Patterns []struct {
		Section string  `json:"section"`
		Group   *string `json:"group"`
		Pattern string  `json:"pattern"`
	} `json:"patterns"`
}

// TestDocsPatternsInCatalogue proves the 1.157 catalogue routes every pattern Synapse's docs
// list. The docs give the media repository's URL prefixes without '^' ("all endpoints
// starting with"); the catalogue holds them anchored.
func TestDocsPatternsInCatalogue(t *testing.T) {
	raw, err := os.ReadFile("testdata/docs_workers_md_patterns_v1.157.1.json")
	if err != nil {
		t.Fatal(err)
	}
	var docs docsPatterns
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs.Patterns) < 100 {
		t.Fatalf("the docs fixture holds %d patterns; expected the full list (114)", len(docs.Patterns))
	}
	c := MustFor("1.157.1")
	have := map[string]bool{}
	for _, e := range c.Endpoints {
		have[e.Pattern] = true
	}
	for _, p := range docs.Patterns {
		want := p.Pattern
		if !strings.HasPrefix(want, "^") {
			want = "^" + want
		}
		if !have[want] {
			t.Errorf("docs pattern %q (section %s) is not in the 1.157 catalogue", p.Pattern, p.Section)
		}
	}
}

func TestEveryEndpointHasARoleOrAStream(t *testing.T) {
	for _, v := range Versions() {
		c := MustFor(v)
		for _, e := range c.Endpoints {
			switch {
			case len(e.Roles) == 0 && e.Stream == "":
				t.Errorf("%s: endpoint %q has neither roles nor a stream", v, e.Pattern)
			case len(e.Roles) > 0 && e.Stream != "":
				t.Errorf("%s: endpoint %q has both roles and a stream", v, e.Pattern)
			}
		}
	}
}

func TestReferencesExist(t *testing.T) {
	for _, v := range Versions() {
		c := MustFor(v)
		for _, e := range c.Endpoints {
			for _, r := range e.Roles {
				if c.Role(r) == nil {
					t.Errorf("%s: endpoint %q names unknown role %q", v, e.Pattern, r)
				}
			}
			if e.Stream != "" && c.Stream(e.Stream) == nil {
				t.Errorf("%s: endpoint %q names unknown stream %q", v, e.Pattern, e.Stream)
			}
			if e.RequiresStream != "" && c.Stream(e.RequiresStream) == nil {
				t.Errorf("%s: endpoint %q requires unknown stream %q", v, e.Pattern, e.RequiresStream)
			}
			if !c.IsListenerResource(e.Resource) {
				t.Errorf("%s: endpoint %q has unknown listener resource %q", v, e.Pattern, e.Resource)
			}
			valid := false
			for _, s := range Stickinesses {
				valid = valid || e.Sticky == s
			}
			if !valid {
				t.Errorf("%s: endpoint %q has unknown stickiness %q", v, e.Pattern, e.Sticky)
			}
		}
		for _, r := range c.Roles {
			if r.Duty != "" && r.DutyKind != "single" && r.DutyKind != "list" {
				t.Errorf("%s: role %q has duty %q with duty_kind %q; want single or list", v, r.Name, r.Duty, r.DutyKind)
			}
		}
		if !c.IsWorkerApp(GenericWorkerApp) {
			t.Errorf("%s: %s is not among the worker apps", v, GenericWorkerApp)
		}
		for _, lt := range c.UnixSocketListenerTypes {
			if !c.IsListenerType(lt) {
				t.Errorf("%s: unix socket listener type %q is not a listener type", v, lt)
			}
		}
		for _, lt := range c.ListenerTypes {
			if len(c.DefaultBindAddresses(lt)) == 0 {
				t.Errorf("%s: listener type %q has no default bind addresses", v, lt)
			}
		}
		if strings.Join(c.RequiredConfigKeys, ",") != "server_name,report_stats" {
			t.Errorf("%s: required config keys %v; read_config_files needs server_name and report_stats", v, c.RequiredConfigKeys)
		}
		if !c.IsLogLevel("INFO") || c.IsLogLevel("info") {
			t.Errorf("%s: log levels %v should hold INFO (upper case only)", v, c.LogLevels)
		}
	}
}

func TestVersionSelection(t *testing.T) {
	old, latest := MustFor("1.146"), MustFor("1.157")
	if old.Stream("quarantined_media_changes") != nil {
		t.Error("1.146 has the quarantined_media_changes stream; it arrived in 1.152")
	}
	if latest.Stream("quarantined_media_changes") == nil {
		t.Error("1.157 lacks the quarantined_media_changes stream")
	}
	hasSummary := func(c *Catalog) bool {
		for _, e := range c.Endpoints {
			if strings.Contains(e.Pattern, "/room_summary/") {
				return true
			}
		}
		return false
	}
	if hasSummary(old) {
		t.Error("1.146 has the room_summary endpoint; it arrived in 1.156")
	}
	if !hasSummary(latest) {
		t.Error("1.157 lacks the room_summary endpoint")
	}
	for _, e := range old.Endpoints {
		if e.RequiresStream == "quarantined_media_changes" {
			t.Errorf("1.146 endpoint %q requires a stream that version lacks", e.Pattern)
		}
	}
	if got := MustFor("1.157.1").Version; got != "1.157" {
		t.Errorf("For(1.157.1).Version = %q, want 1.157", got)
	}
	if Latest() != "1.157" {
		t.Errorf("Latest() = %q", Latest())
	}
}

func TestUnknownVersionListsVersions(t *testing.T) {
	for _, bad := range []string{"1.83", "1.158.0", "2.0", "latest"} {
		_, err := For(bad)
		if err == nil {
			t.Fatalf("For(%s) succeeded", bad)
		}
		if want := Versions()[0] + " to " + Latest(); !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name the supported range %s", err, want)
		}
	}
	for _, good := range []string{"1.84", "1.84.0", "1.99.5", "1.122.0", "1.157.1"} {
		if _, err := For(good); err != nil {
			t.Errorf("For(%s): %v", good, err)
		}
	}
}

func TestHelpers(t *testing.T) {
	c := MustFor("1.157")
	if c.StreamHint("push") != "push_rules" {
		t.Errorf("StreamHint(push) = %q", c.StreamHint("push"))
	}
	if c.StreamHint("quarantined_media") != "quarantined_media_changes" {
		t.Errorf("StreamHint(quarantined_media) = %q", c.StreamHint("quarantined_media"))
	}
	if c.StreamHint("events") != "" {
		t.Errorf("StreamHint(events) = %q, want none (it is a key)", c.StreamHint("events"))
	}
	for _, k := range []string{"instance_map", "stream_writers", "redis", "pusher_instances", "federation_sender_instances", "run_background_tasks_on"} {
		if !c.IsSharedOnlyOption(k) {
			t.Errorf("IsSharedOnlyOption(%q) = false", k)
		}
	}
	if c.IsSharedOnlyOption("max_upload_size") {
		t.Error("max_upload_size is not shared-only")
	}
	if c.DeprecatedWorkerOption("worker_replication_host") == nil || c.DeprecatedWorkerOption("worker_name") != nil {
		t.Error("DeprecatedWorkerOption is wrong")
	}
	if got := ResourcesFor(c.EndpointsForRoles([]string{"media_repository", "synchrotron"})); strings.Join(got, ",") != "client,media" {
		t.Errorf("ResourcesFor(media_repository+synchrotron) = %v", got)
	}
}

// TestEndpointResourceFollowsWorkerListener checks each endpoint's listener resource against
// which resource registers the servlet on a generic worker in Synapse 1.157.1
// (synapse/app/generic_worker.py GenericWorkerServer._listen_http):
//   - client: ClientRestResource under /_matrix/client, build_synapse_client_resource_tree
//     (/_synapse/client/...), and of the admin API only what synapse/rest/admin/__init__.py
//     register_servlets registers on workers (RoomRestServlet, UserRestServletV2Get);
//   - federation: TransportLayerServer under /_matrix/federation, and KeyResource (/_matrix/key);
//   - media: the media repository (/_matrix/media), the media-only client and federation
//     servlet groups (/_matrix/client/v1/media, /_matrix/federation/v1/media), and every other
//     admin API a worker serves (synapse/rest/admin/media.py register_servlets_for_media_repo).
func TestEndpointResourceFollowsWorkerListener(t *testing.T) {
	workerClientAdmin := map[string]bool{`^/_synapse/admin/v1/rooms/[^/]+$`: true, `^/_synapse/admin/v2/users/[^/]+$`: true}
	want := func(pattern string) string {
		switch {
		case strings.HasPrefix(pattern, "^/_matrix/client/v1/media/"),
			strings.HasPrefix(pattern, "^/_matrix/federation/v1/media/"),
			strings.HasPrefix(pattern, "^/_matrix/media/"):
			return "media"
		case strings.HasPrefix(pattern, "^/_matrix/client/"), strings.HasPrefix(pattern, "^/_synapse/client/"),
			strings.HasPrefix(pattern, "^/_synapse/mas/"):
			return "client"
		case strings.HasPrefix(pattern, "^/_matrix/federation/"), strings.HasPrefix(pattern, "^/_matrix/key/"):
			return "federation"
		case strings.HasPrefix(pattern, "^/_synapse/admin/"):
			if workerClientAdmin[pattern] {
				return "client"
			}
			return "media"
		}
		return ""
	}
	for _, v := range Versions() {
		for _, e := range MustFor(v).Endpoints {
			if w := want(e.Pattern); e.Resource != w {
				t.Errorf("%s: endpoint %q (group %q) is on resource %q; a generic worker serves it on %q", v, e.Pattern, e.Group, e.Resource, w)
			}
		}
	}
}

// TestMediaResourceIsAListenerResource: the constant the media rules key on names a listener
// resource of every release, and the resource of the media roles' endpoints.
func TestMediaResourceIsAListenerResource(t *testing.T) {
	for _, v := range Versions() {
		c := MustFor(v)
		if !slices.Contains(c.ListenerResources, MediaResource) {
			t.Errorf("%s: MediaResource %q is not among the listener resources %v", v, MediaResource, c.ListenerResources)
		}
		found := false
		for _, r := range c.Roles {
			if !r.EnableMediaRepo {
				continue
			}
			for _, e := range c.EndpointsForRoles([]string{r.Name}) {
				found = found || e.Resource == MediaResource
			}
		}
		if !found {
			t.Errorf("%s: no endpoint of a media role is on the %q resource", v, MediaResource)
		}
	}
}
