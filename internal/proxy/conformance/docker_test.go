//go:build dockerengine

package conformance

// The docker-host module for real: scripts/test-docker.sh (part of `make test`) brings up a
// Docker engine, builds the images (scripts/docker-setup.sh: Redis, nginx and the Synapse
// STAND-IN tools/synapse-standin, since Synapse itself cannot be built here) and runs this test
// with the build tag dockerengine. It applies examples/docker-local, a two-host fleet on the
// local engine (one Docker network per host), and checks what the module promises.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

const dockerTestSecret = "docker-test-replication-secret"

// dockerFixture is one applied copy of examples/docker-local.
type dockerFixture struct {
	t    *testing.T
	dir  string
	vars []string
	env  []string
}

func (f *dockerFixture) terraform(args ...string) (string, error) {
	cmd := exec.Command("terraform", args...)
	cmd.Dir = f.dir
	cmd.Env = f.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (f *dockerFixture) must(args ...string) string {
	f.t.Helper()
	out, err := f.terraform(args...)
	if err != nil {
		f.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (f *dockerFixture) output(name string, v any) {
	f.t.Helper()
	if err := json.Unmarshal([]byte(f.must("output", "-json", name)), v); err != nil {
		f.t.Fatalf("output %s: %v", name, err)
	}
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func mustEnv(t *testing.T, k string) string {
	t.Helper()
	v := os.Getenv(k)
	if v == "" {
		t.Fatalf("%s is not set: run this test through scripts/test-docker.sh (it builds the images and the providers)", k)
	}
	return v
}

func TestDockerHostFleet(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	f := &dockerFixture{t: t, dir: t.TempDir()}
	src := filepath.Join(repo, "examples", "docker-local")
	for _, name := range []string{"main.tf", "homeserver.yaml"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte(`"../../modules/`), []byte(`"`+filepath.Join(repo, "modules")+"/"))
		if err := os.WriteFile(filepath.Join(f.dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	f.vars = []string{"-var", "synapse_image=" + mustEnv(t, "SYNAPSE_TEST_STANDIN_IMAGE"), "-var", "redis_image=" + mustEnv(t, "SYNAPSE_TEST_REDIS_IMAGE"),
		"-var", "proxy_image=" + mustEnv(t, "SYNAPSE_TEST_RUNTIME_IMAGE"), "-var", fmt.Sprintf("proxy_port=%d", port)}
	f.env = append(os.Environ(), "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1", "TF_VAR_replication_secret="+dockerTestSecret)
	mustEnv(t, "TF_CLI_CONFIG_FILE")
	volumesBefore := docker(t, "volume", "ls", "-q")

	f.must("init", "-no-color", "-input=false")
	start := time.Now()
	apply := append([]string{"apply", "-no-color", "-auto-approve"}, f.vars...)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			out, err := f.terraform(append([]string{"destroy", "-no-color", "-auto-approve"}, f.vars...)...)
			if err != nil {
				t.Errorf("cleanup destroy: %v\n%s", err, out)
			}
		}
	})
	f.must(apply...)
	t.Logf("apply: %s", time.Since(start).Round(time.Second))

	var containers map[string]map[string]string
	var others map[string]string
	var filesByContainer map[string]map[string][]string
	var filesByHost map[string]map[string]string
	var networks []string
	var secretPath string
	f.output("containers", &containers)
	f.output("other_containers", &others)
	f.output("files_by_container", &filesByContainer)
	f.output("files_by_host", &filesByHost)
	f.output("networks", &networks)
	f.output("replication_secret_path", &secretPath)

	// Every container is running; every Synapse process and Redis passes its healthcheck.
	var all []string
	for _, procs := range containers {
		for _, c := range procs {
			all = append(all, c)
		}
	}
	slices.Sort(all)
	if len(all) < 10 {
		t.Fatalf("only %d Synapse containers: %v", len(all), all)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for _, c := range append(slices.Clone(all), others["redis"], others["proxy"]) {
		want := "running healthy"
		if c == others["proxy"] {
			want = "running " // no healthcheck
		}
		for {
			state := docker(t, "inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", c)
			if state == strings.TrimSpace(want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("container %s is %q, want %q; its log:\n%s", c, state, want, docker(t, "logs", "--tail", "30", c))
			}
			time.Sleep(2 * time.Second)
		}
	}
	t.Logf("%d Synapse containers, Redis and the proxy running and healthy after %s", len(all), time.Since(start).Round(time.Second))

	// Every file is where the process's command line names it, with the fleet's content, owned
	// by run_as (991:991); the secret is mode 0600.
	files := 0
	for host, procs := range filesByContainer {
		for proc, paths := range procs {
			c := containers[host][proc]
			entry := docker(t, "inspect", "-f", "{{json .Config.Entrypoint}}", c)
			for _, m := range regexp.MustCompile(`--config-path","([^"]+)"`).FindAllStringSubmatch(entry, -1) {
				if !slices.Contains(paths, m[1]) {
					t.Errorf("%s: its command loads %s, which is not uploaded (%v)", c, m[1], paths)
				}
			}
			for _, p := range paths {
				want, mode := filesByHost[host][p], "640"
				if p == secretPath {
					want, mode = dockerTestSecret, "600"
				}
				if got := docker(t, "exec", c, "cat", p); got != strings.TrimSpace(want) {
					t.Errorf("%s:%s holds\n%s\nwant\n%s", c, p, got, want)
				}
				if got := docker(t, "exec", c, "stat", "-c", "%a %u:%g", p); got != mode+" 991:991" {
					t.Errorf("%s:%s is %q, want %q", c, p, got, mode+" 991:991")
				}
				files++
			}
			// The process runs as run_as.
			status := docker(t, "exec", c, "cat", "/proc/1/status")
			uid := regexp.MustCompile(`(?m)^Uid:\s+(\d+)`).FindStringSubmatch(status)
			gid := regexp.MustCompile(`(?m)^Gid:\s+(\d+)`).FindStringSubmatch(status)
			if len(uid) < 2 || len(gid) < 2 || uid[1]+":"+gid[1] != "991:991" {
				t.Errorf("%s: pid 1 does not run as 991:991:\n%s", c, status)
			}
		}
	}
	t.Logf("%d uploaded files checked", files)

	// Requests through the proxy's published loopback port land on the workers the routing
	// table names (routing.Match, as in the conformance suite).
	table := tableFromOutputs(t, f)
	pools := map[string][]string{}
	for _, p := range table.Pools {
		for _, m := range p.Members {
			pools[p.Name] = append(pools[p.Name], m.Name)
		}
	}
	reqs := corpus()
	if len(reqs) < 100 {
		t.Fatalf("the corpus has %d requests, want at least 100", len(reqs))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	landed := map[string]int{}
	passed := 0
	for i, r := range reqs {
		got, err := sendToStandin(client, port, r)
		if err != nil {
			t.Errorf("request %d %s %s: %v", i, r.method, r.path, err)
			continue
		}
		res := routing.Match(table, matchRequest(r, "127.0.0.1"))
		if !slices.Contains(pools[res.Pool], got) {
			t.Errorf("%s %s?%s landed on %q, not a member of pool %s %v that routing.Match chose", r.method, r.path, r.query, got, res.Pool, pools[res.Pool])
			continue
		}
		landed[got]++
		passed++
	}
	t.Logf("%d of %d requests landed where routing.Match says; per process: %v", passed, len(reqs), landed)
	if len(landed) < 5 {
		t.Errorf("the corpus reached only %v", landed)
	}

	// Changing one worker's file (sync-2's log config) replaces only that worker's container.
	ids := map[string]string{}
	for _, c := range append(slices.Clone(all), others["redis"], others["proxy"]) {
		ids[c] = docker(t, "inspect", "-f", "{{.Id}}", c)
	}
	f.must(append(slices.Clone(apply), "-var", "sync_log_level=DEBUG")...)
	changed := []string{}
	for c, id := range ids {
		if now := docker(t, "inspect", "-f", "{{.Id}} {{.RestartCount}}", c); now != id+" 0" {
			changed = append(changed, c)
		}
	}
	slices.Sort(changed)
	if !slices.Equal(changed, []string{containers["hs2"]["sync-2"]}) {
		t.Errorf("changing sync-2's log level replaced or restarted %v, want only %s", changed, containers["hs2"]["sync-2"])
	}
	if got := docker(t, "exec", containers["hs2"]["sync-2"], "grep", "-c", "level: DEBUG", "/etc/matrix-synapse/workers/sync-2.log.config"); got != "1" {
		t.Errorf("sync-2's new log config does not say level: DEBUG (%s)", got)
	}

	// The second plan is empty.
	if out, err := f.terraform(append([]string{"plan", "-no-color", "-detailed-exitcode", "-var", "sync_log_level=DEBUG"}, f.vars...)...); err != nil {
		t.Errorf("second plan is not empty: %v\n%s", err, out)
	}

	// Destroy leaves no container, network or volume behind.
	f.must(append([]string{"destroy", "-no-color", "-auto-approve", "-var", "sync_log_level=DEBUG"}, f.vars...)...)
	destroyed = true
	if left := docker(t, "ps", "-a", "-q", "--filter", "name=synapse-local-"); left != "" {
		t.Errorf("containers left after destroy: %s", left)
	}
	for _, n := range networks {
		if left := docker(t, "network", "ls", "-q", "--filter", "name=^"+n+"$"); left != "" {
			t.Errorf("network %s left after destroy", n)
		}
	}
	if after := docker(t, "volume", "ls", "-q"); after != volumesBefore {
		t.Errorf("volumes before apply:\n%s\nafter destroy:\n%s", volumesBefore, after)
	}
	t.Logf("whole run: %s", time.Since(start).Round(time.Second))
}

// tableFromOutputs rebuilds the routing table from the fleet's routes and pools outputs: maps
// keyed by route identity (first-match position in `order`) and by pool name (members keyed by
// worker name).
func tableFromOutputs(t *testing.T, f *dockerFixture) routing.Table {
	t.Helper()
	var routes map[string]struct {
		Order        int      `json:"order"`
		Pattern      string   `json:"pattern"`
		Methods      []string `json:"methods"`
		QueryParam   *string  `json:"query_param"`
		QueryPresent *bool    `json:"query_present"`
		Pool         string   `json:"pool"`
		Group        string   `json:"group"`
	}
	var pools map[string]struct {
		Strategy routing.Strategy  `json:"strategy"`
		Members  map[string]string `json:"members"`
	}
	var table routing.Table
	f.output("routes", &routes)
	f.output("pools", &pools)
	table.Routes = make([]routing.Route, len(routes))
	for key, r := range routes {
		if r.Order < 0 || r.Order >= len(routes) || table.Routes[r.Order].Pattern != "" {
			t.Fatalf("route %q has order %d: not a free position among %d routes", key, r.Order, len(routes))
		}
		rt := routing.Route{Pattern: r.Pattern, Methods: r.Methods, Pool: r.Pool, Group: r.Group}
		if r.QueryParam != nil {
			rt.Query = &routing.QueryCondition{Param: *r.QueryParam, Present: r.QueryPresent != nil && *r.QueryPresent}
		}
		table.Routes[r.Order] = rt
	}
	for _, name := range slices.Sorted(maps.Keys(pools)) {
		p := routing.Pool{Name: name, Strategy: pools[name].Strategy}
		for _, m := range slices.Sorted(maps.Keys(pools[name].Members)) {
			p.Members = append(p.Members, routing.Member{Name: m, Upstream: pools[name].Members[m]})
		}
		table.Pools = append(table.Pools, p)
	}
	if len(table.Routes) == 0 || len(table.Pools) < 2 {
		t.Fatalf("the routing table outputs are empty: %d routes, %d pools", len(table.Routes), len(table.Pools))
	}
	return table
}

// sendToStandin sends a corpus request to the proxy and returns the process that answered.
func sendToStandin(c *http.Client, port int, r request) (string, error) {
	q := r.query
	if r.token != "" && r.inQuery {
		q = joinQuery(q, "access_token="+url.QueryEscape(r.token))
	}
	if r.after != "" {
		q = joinQuery(q, r.after)
	}
	raw := fmt.Sprintf("http://127.0.0.1:%d%s", port, r.path)
	if q != "" {
		raw += "?" + q
	}
	var body io.Reader
	if r.method == "PUT" || r.method == "POST" {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(r.method, raw, body)
	if err != nil {
		return "", err
	}
	if r.token != "" && !r.inQuery {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	w := resp.Header.Get("X-Synapse-Worker")
	if w == "" {
		return "", fmt.Errorf("no X-Synapse-Worker header in the answer (status %s): the proxy did not reach a Synapse container", resp.Status)
	}
	return w, nil
}
