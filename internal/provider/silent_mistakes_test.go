package provider

// Mistakes Synapse accepts in silence (issue #12): each is a plan-time error or warning on
// the attribute at fault, through the real terraform CLI.

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// hsClientOn is a homeserver.yaml whose client listener is on port.
func hsClientOn(port string) string {
	return `<<-YAML
    server_name: example.org
    report_stats: false
    signing_key_path: /etc/matrix-synapse/example.org.signing.key
    listeners:
      - port: ` + port + `
        type: http
        resources: [{names: [client, federation]}]
    YAML`
}

func TestSilentMistakesAreErrors(t *testing.T) {
	withRedis := `redis = { host = "127.0.0.1" }
  `
	twoWorkers := `
resource "synapse_worker" "a" {
  name      = "sync1"
  roles     = ["synchrotron"]
  host      = "10.0.0.5"
  http_port = 8083
}

resource "synapse_worker" "b" {
  name             = "persister1"
  host             = "10.0.0.5"
  replication_port = 9101
  metrics_port     = 8083
  bind_addresses   = ["10.0.0.5"]
}

resource "synapse_shared_config" "this" {
  main           = { host = "10.0.0.1", replication_port = 9093, http_port = 8008, bind_addresses = ["10.0.0.1"] }
  workers        = { sync1 = synapse_worker.a, persister1 = synapse_worker.b }
  stream_writers = { events = { writers = ["persister1"] } }
  redis          = { host = "10.0.0.7" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
}
`
	steps := []resource.TestStep{
		// 1. main's client listener on another port than main.http_port, or none at all.
		{Config: sharedConfig(withRedis + `homeserver_yaml = ` + hsClientOn("8448")),
			ExpectError: expectErr("Main Client Listener Mismatch", "is on port 8448")},
		{Config: sharedConfig(withRedis + `homeserver_yaml = "server_name: example.org\nsigning_key_path: /k\n"`),
			ExpectError: expectErr("Main Client Listener Mismatch", "closed port")},
		// 2. a worker's metrics_port on another worker's http_port on the same host.
		{Config: twoWorkers, ExpectError: regexp.MustCompile(`(?s)Address Already In Use.*metrics\s+listener\s+of\s+"persister1"`)},
		// 4. database in extra_config without a name.
		{Config: workerHCL(validWorker + `extra_config = yamlencode({ database = { args = { cp_max = 5 } } })`),
			ExpectError: expectErr("Extra Config Replaces A Shared Mapping", "SQLite")},
		// 5. an inline redis password in homeserver_yaml, dropped by the fleet's redis block.
		{Config: sharedConfig(withRedis + `homeserver_yaml = join("\n", [` + "\"listeners: [{port: 8008, type: http, resources: [{names: [client]}]}]\", \"redis: {enabled: true, password: hunter2}\"" + `])`),
			ExpectError: expectErr("Inline Redis Password Dropped", "redis.password_path")},
		// 6. a replication listener already in homeserver_yaml on another port.
		{Config: sharedConfig(withRedis + `homeserver_yaml = "listeners: [{port: 8008, type: http, resources: [{names: [client]}]}, {port: 9095, type: http, resources: [{names: [replication]}]}]"`),
			ExpectError: expectErr("Second Replication Listener", "main.replication_port = 9095")},
		// 7. an IPv4 look-alike host.
		{Config: workerHCL(strings.Replace(validWorker, `"10.0.0.5"`, `"10.0.0.300"`, 1)),
			ExpectError: expectErr("Invalid Worker Host", "looks like an IPv4 address")},
		// 8. the routing table listening on the main process's own address.
		{Config: `
resource "synapse_routing_table" "t" {
  main   = { host = "127.0.0.1", port = 8008 }
  listen = { address = "0.0.0.0", port = 8008 }
}
`, ExpectError: expectErr("Proxy Listens On Main", "main process's own address")},
		// 11. a relative config_dir: the hint is the absolute path meant.
		{Config: workerHCL(validWorker + `config_dir = "etc/matrix-synapse"`),
			ExpectError: regexp.MustCompile(`(?s)Invalid Path.*e\.g\.\s+"/etc/matrix-synapse"\.`)},
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}

// Warnings do not stop the plan; terraform prints them with the attribute at fault.
func TestSilentMistakesAreWarnings(t *testing.T) {
	bin := buildProvider(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), `
terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

resource "synapse_worker" "sync1" {
  name           = "sync1"
  roles          = ["synchrotron"]
  host           = "Node1.internal"
  http_port      = 8083
  metrics_port   = 9083
  bind_addresses = ["10.0.0.5"]
  extra_config   = yamlencode({ caches = { global_factor = 2 } })
}

resource "synapse_worker" "sync2" {
  name      = "sync2"
  roles     = ["synchrotron"]
  host      = "node1.internal"
  http_port = 8084
}

resource "synapse_shared_config" "fleet" {
  main            = { host = "10.0.0.1", replication_port = 9093, http_port = 8008, bind_addresses = ["10.0.0.1"] }
  workers         = { sync1 = synapse_worker.sync1, sync2 = synapse_worker.sync2 }
  redis           = { host = "10.0.0.7" }
  homeserver_yaml = "listeners: [{port: 8008, type: http, resources: [{names: [client, federation]}]}]\n"
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
}

resource "synapse_routing_table" "edge" {
  main       = { host = "10.0.0.1", port = 8008 }
  workers    = { sync1 = synapse_worker.sync1, sync2 = synapse_worker.sync2 }
  strategies = { synchrotron = "room" }
  listen     = { port = 8443 }
}
`)
	out := newTFRunner(t, bin, dir, filepath.Join(dir, "terraform.log")).run("plan", "-no-color")
	// Terraform wraps long lines: compare with runs of white space collapsed.
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		// 3. a metrics listener without enable_metrics.
		`Warning: Metrics Listener Without enable_metrics with synapse_shared_config.fleet`,
		`workers["sync1"] ("sync1") has a metrics listener (port 9083)`,
		// 4. a mapping in extra_config replaces the shared one.
		`Warning: Extra Config Replaces A Shared Mapping with synapse_worker.sync1`,
		// 7. host names that differ only in case.
		`Warning: Hosts Differ Only In Case with synapse_shared_config.fleet`,
		`workers["sync2"].host is "node1.internal" and workers["sync1"].host is "Node1.internal"`,
		// 8. room on the synchrotron pool drops per-user stickiness.
		`Warning: Stickiness Dropped with synapse_routing_table.edge`,
		`strategies["synchrotron"] is "room"`,
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan does not warn %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Error:") {
		t.Errorf("warnings only, yet the plan has errors:\n%s", out)
	}
}

// main.metrics_port is rendered: a metrics listener after the replication listener.
func TestSharedConfigMainMetricsPort(t *testing.T) {
	config := strings.Replace(sharedConfig(`redis = { host = "127.0.0.1" }`), `http_port = 8008,`, `http_port = 8008, metrics_port = 9100,`, 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), yamlCheck(func(m map[string]any) error {
					return expectKey(m, "listeners", "[map[bind_addresses:[127.0.0.1] port:9093 resources:[map[compress:false names:[replication]]] type:http] "+
						"map[bind_addresses:[127.0.0.1] port:9100 type:metrics]]")
				})),
			},
		}},
	})
}
