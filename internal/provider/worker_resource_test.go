package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"gopkg.in/yaml.v3"
)

// expectErr matches a diagnostic summary followed (anywhere later, across Terraform's line
// wrapping) by a fragment of the detail without spaces.
func expectErr(summary, detailFragment string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(summary) + `(?s:.*)` + regexp.QuoteMeta(detailFragment))
}

// workerHCL is a synapse_worker "w" with the given attribute lines.
func workerHCL(body string) string {
	return fmt.Sprintf("resource \"synapse_worker\" \"w\" {\n%s\n}\n", body)
}

const validWorker = `
  name             = "sync1"
  roles            = ["synchrotron"]
  host             = "10.0.0.5"
  http_port        = 8083
`

// workerFile is the part of a worker file the tests read back.
type workerFile struct {
	WorkerApp       string `yaml:"worker_app"`
	WorkerName      string `yaml:"worker_name"`
	WorkerLogConfig string `yaml:"worker_log_config"`
	EnableMediaRepo *bool  `yaml:"enable_media_repo"`
	MaxUploadSize   string `yaml:"max_upload_size"`
	WorkerListeners []struct {
		Type       string `yaml:"type"`
		Port       int    `yaml:"port"`
		Path       string `yaml:"path"`
		XForwarded *bool  `yaml:"x_forwarded"`
		Resources  []struct {
			Names    []string `yaml:"names"`
			Compress *bool    `yaml:"compress"`
		} `yaml:"resources"`
	} `yaml:"worker_listeners"`
}

// workerYAML parses config_yaml and runs check on it.
func workerYAML(check func(f workerFile) error) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		var f workerFile
		if err := yaml.Unmarshal([]byte(v), &f); err != nil {
			return fmt.Errorf("config_yaml does not parse: %w\n%s", err, v)
		}
		if f.WorkerApp != "synapse.app.generic_worker" {
			return fmt.Errorf("worker_app = %q", f.WorkerApp)
		}
		return check(f)
	})
}

func TestWorkerResource(t *testing.T) {
	errorCases := []struct {
		body     string
		summary  string
		fragment string
	}{
		{`name = "master"` + "\n" + `host = "h"` + "\n" + `replication_port = 9093`, "Invalid Worker Name", "reserved"},
		{`name = "sync 1"` + "\n" + `host = "h"` + "\n" + `replication_port = 9093`, "Invalid Worker Name", `"sync_1"`},
		{`name = "w1"` + "\n" + `roles = ["frontend_proxy"]` + "\n" + `host = "h"` + "\n" + `http_port = 8080`, "Unknown Worker Role", `"client_reader"`},
		{`name = "w1"` + "\n" + `host = "h:8080"` + "\n" + `replication_port = 9093`, "Invalid Worker Host", `"h:8080"`},
		{`name = "w1"` + "\n" + `host = "h\nworker_name: x"` + "\n" + `replication_port = 9093`, "Invalid Worker Host", "hostname"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `replication_port = 70000`, "Invalid Port", "70000"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `replication_port = 0`, "Invalid Port", "unset"},
		{`name = "w1"` + "\n" + `roles = ["synchrotron"]` + "\n" + `host = "h"`, "Missing HTTP Port", "http_port"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `http_port = 8080` + "\n" + `metrics_port = 8080`, "Duplicate Listener Port", "8080"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `http_port = 8080` + "\n" + `bind_addresses = ["localhost"]`, "Invalid Bind Address", "bind_addresses[0]"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `http_port = 8080` + "\n" + `listeners = [{ type = "http", port = 8081, resources = ["client"] }]`,
			"Conflicting Listener Settings", "listeners"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "replication", port = 9093 }]`, "Invalid Listener", "listeners[0].type"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 9093, path = "/run/w1.sock", resources = ["replication"] }]`,
			"Invalid Listener", "listeners[0]"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", resources = ["replication"] }]`, "Invalid Listener", "neither"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 0, resources = ["replication"] }]`, "Invalid Port", "listeners[0].port"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "metrics", path = "/run/m.sock" }]`, "Invalid Listener", "listeners[0]"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", path = "/run/w.sock", tls = true, resources = ["replication"] }]`,
			"Invalid Listener", "silently"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 9093, resources = ["replicaton"] }]`, "Invalid Listener", `"replicaton"`},
		{`name = "w1"` + "\n" + `roles = ["federation_reader"]` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 8080, resources = ["client"] }]`,
			"Role Resources Not Served", "404"},
		{`name = "w1"` + "\n" + `host = "h"` + "\n" + `listeners = [{ type = "http", port = 8080, resources = ["client"] }, { type = "metrics", port = 8080 }]`,
			"Duplicate Listener Port", "listeners[1].port"},
		{validWorker + `extra_config = "- a"`, "Invalid Extra Config", "mapping"},
		{validWorker + `extra_config = yamlencode({ worker_name = "x" })`, "Extra Config Sets A Managed Option", "`name`"},
		{validWorker + `extra_config = yamlencode({ worker_replication_host = "10.0.0.1" })`, "Deprecated Worker Option", "instance_map.main"},
		{validWorker + `extra_config = yamlencode({ stream_writers = { events = ["p1"] } })`, "Shared Option In Worker Config", "synapse_shared_config"},
		{validWorker + `log_level = "verbose"`, "Invalid Log Level", `"CRITICAL"`},
		{validWorker + `config_dir = "etc/synapse"`, "Invalid Path", "relative"},
		{validWorker + `log_config_path = "/var/log/a\nb"`, "Invalid Path", "newline"},
	}
	var steps []resource.TestStep
	for _, ec := range errorCases {
		steps = append(steps, resource.TestStep{Config: workerHCL(ec.body), ExpectError: expectErr(ec.summary, ec.fragment)})
	}
	// each.key is unknown while Terraform validates: the plan (ModifyPlan) reports the error.
	steps = append(steps, resource.TestStep{
		Config: `
resource "synapse_worker" "fe" {
  for_each         = toset(["master"])
  name             = each.key
  host             = "h"
  replication_port = 9093
}
`,
		ExpectError: expectErr("Invalid Worker Name", "reserved"),
	})

	media := `
  name             = "media1"
  roles            = ["media_repository"]
  host             = "10.0.0.7"
  http_port        = %d
  replication_port = 9095
  extra_config     = yamlencode({ max_upload_size = "100M" })
`
	addr := "synapse_worker.w"
	steps = append(steps,
		resource.TestStep{
			Config: workerHCL(fmt.Sprintf(media, 8085)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				// Rendered at plan time: the plan shows the file, other resources see it.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), workerYAML(func(f workerFile) error {
					if f.WorkerName != "media1" || f.EnableMediaRepo == nil || !*f.EnableMediaRepo || f.MaxUploadSize != "100M" {
						return fmt.Errorf("unexpected worker file %+v", f)
					}
					if len(f.WorkerListeners) != 2 || f.WorkerListeners[0].Port != 8085 ||
						strings.Join(f.WorkerListeners[0].Resources[0].Names, ",") != "media" ||
						f.WorkerListeners[0].XForwarded == nil || !*f.WorkerListeners[0].XForwarded ||
						strings.Join(f.WorkerListeners[1].Resources[0].Names, ",") != "replication" {
						return fmt.Errorf("unexpected listeners %+v", f.WorkerListeners)
					}
					if f.WorkerLogConfig != "/etc/matrix-synapse/workers/media1.log.config" {
						return fmt.Errorf("worker_log_config = %q", f.WorkerLogConfig)
					}
					return nil
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("upstream"), knownvalue.StringExact("10.0.0.7:8085")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("log_config_path"), knownvalue.StringExact("/etc/matrix-synapse/workers/media1.log.config")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("media1")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_path"), knownvalue.StringExact("/etc/matrix-synapse/workers/media1.yaml")),
				// Defaults are not stored as values: null means the default, which command shows.
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("shared_config_path"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_dir"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("log_level"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("command"), knownvalue.StringExact(
					"python -m synapse.app.generic_worker --config-path /etc/matrix-synapse/homeserver.yaml --config-path /etc/matrix-synapse/workers/media1.yaml")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_map_entry"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"host": knownvalue.StringExact("10.0.0.7"), "port": knownvalue.Int64Exact(9095),
					"path": knownvalue.Null(), "tls": knownvalue.Bool(false),
				})),
				// Catalogue defaults stay null: `media` is what media_repository needs, and the
				// replication listener binds Synapse's default. TestWorkerResourcePublishesNonDefaults
				// covers the values that are published.
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("http_resources"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("replication_bind_addresses"), knownvalue.Null()),
			},
		},
		resource.TestStep{
			Config:           workerHCL(fmt.Sprintf(media, 8085)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: workerHCL(fmt.Sprintf(media, 8086)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), workerYAML(func(f workerFile) error {
					if f.WorkerListeners[0].Port != 8086 {
						return fmt.Errorf("http listener port %d, want 8086", f.WorkerListeners[0].Port)
					}
					return nil
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("upstream"), knownvalue.StringExact("10.0.0.7:8086")),
			}},
		},
		// Removing an optional+computed path from the config brings back its default.
		resource.TestStep{
			Config: workerHCL(fmt.Sprintf(media, 8086) + `log_config_path = "/var/log/synapse/media1.yaml"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("log_config_path"), knownvalue.StringExact("/var/log/synapse/media1.yaml")),
			}},
		},
		resource.TestStep{
			Config: workerHCL(fmt.Sprintf(media, 8086)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("log_config_path"), knownvalue.StringExact("/etc/matrix-synapse/workers/media1.log.config")),
			}},
		},
	)
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}

// TestWorkerResourcePublishesNonDefaults: http_resources and replication_bind_addresses are
// published when they differ from the catalogue's defaults (null otherwise, see
// TestWorkerResource), and the fleet-wide resources read the defaults of a null.
func TestWorkerResourcePublishesNonDefaults(t *testing.T) {
	addr := "synapse_worker.w"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: workerHCL(`
  name  = "fed1"
  roles = ["federation_reader"]
  host  = "10.0.0.12"
  listeners = [
    { type = "http", port = 8083, resources = ["client", "federation"] },
    { type = "http", port = 9093, bind_addresses = ["10.0.0.12"], resources = ["replication"] },
  ]
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("http_resources"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("client"), knownvalue.StringExact("federation")})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("replication_bind_addresses"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("10.0.0.12")})),
			}},
		}},
	})
}

// TestWorkerResourceListenerOverride covers a unix-socket worker and the object outputs.
func TestWorkerResourceListenerOverride(t *testing.T) {
	addr := "synapse_worker.w"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: workerHCL(`
  name  = "client1"
  roles = ["client_reader", "event_creator"]
  host  = "10.0.0.11"
  listeners = [
    { type = "http", path = "/run/synapse/client1.sock", resources = ["client"] },
    { type = "http", path = "/run/synapse/client1-replication.sock", resources = ["replication"] },
    { type = "metrics", port = 9104, bind_addresses = ["127.0.0.1"] },
  ]
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), workerYAML(func(f workerFile) error {
					if len(f.WorkerListeners) != 3 || f.WorkerListeners[0].Path != "/run/synapse/client1.sock" || f.WorkerListeners[2].Type != "metrics" {
						return fmt.Errorf("listeners %+v", f.WorkerListeners)
					}
					return nil
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("upstream"), knownvalue.StringExact("unix:/run/synapse/client1.sock")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("instance_map_entry"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"host": knownvalue.Null(), "port": knownvalue.Null(),
					"path": knownvalue.StringExact("/run/synapse/client1-replication.sock"), "tls": knownvalue.Bool(false),
				})),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("replication_bind_addresses"), knownvalue.Null()),
				// An override serving what the roles need publishes no http_resources either.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("http_resources"), knownvalue.Null()),
			}},
		}},
	})
}

// TestWorkerResourceUnknownAtPlan renders in apply when an input is only known then.
func TestWorkerResourceUnknownAtPlan(t *testing.T) {
	addr := "synapse_worker.w"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "host" {
  input = "10.0.0.20"
}
resource "synapse_worker" "w" {
  name             = "p1"
  host             = terraform_data.host.output
  replication_port = 9093
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("config_yaml")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("instance_map_entry")),
				// What does not depend on the host is known already.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_path"), knownvalue.StringExact("/etc/matrix-synapse/workers/p1.yaml")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("p1")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_map_entry").AtMapKey("host"), knownvalue.StringExact("10.0.0.20")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("upstream"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), workerYAML(func(f workerFile) error {
					if f.WorkerName != "p1" || len(f.WorkerListeners) != 1 {
						return fmt.Errorf("worker file %+v", f)
					}
					return nil
				})),
			},
		}},
	})
}

func TestProviderUnsupportedSynapseVersion(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: `
provider "synapse" {
  synapse_version = "1.83.2"
}
` + workerHCL(validWorker),
			ExpectError: regexp.MustCompile(`Unsupported Synapse Version(?s:.*)1\.83\.2(?s:.*)1\.84 to 1\.157`),
		}},
	})
}

// TestSchemaDescriptions checks the house rule: every attribute of these resources has a
// MarkdownDescription ending in a full stop.
func TestSchemaDescriptions(t *testing.T) {
	for name, s := range map[string]schema.Schema{"synapse_worker": workerSchemaV1(), "synapse_stream_writer": streamWriterSchemaV1()} {
		if !strings.HasSuffix(strings.TrimSpace(s.MarkdownDescription), ".") && !strings.HasSuffix(strings.TrimSpace(s.MarkdownDescription), "|") {
			t.Errorf("%s: resource description does not end in a full stop (or a table)", name)
		}
		checkDescriptions(t, name, s.Attributes)
	}
}

func checkDescriptions(t *testing.T, prefix string, attrs map[string]schema.Attribute) {
	t.Helper()
	for n, a := range attrs {
		d := a.GetMarkdownDescription()
		if d == "" || !strings.HasSuffix(d, ".") {
			t.Errorf("%s.%s: MarkdownDescription %q does not end in a full stop", prefix, n, d)
		}
		if list, ok := a.(schema.ListNestedAttribute); ok {
			checkDescriptions(t, prefix+"."+n, list.NestedObject.Attributes)
		}
		if m, ok := a.(schema.MapNestedAttribute); ok {
			checkDescriptions(t, prefix+"."+n, m.NestedObject.Attributes)
		}
		if single, ok := a.(schema.SingleNestedAttribute); ok {
			checkDescriptions(t, prefix+"."+n, single.Attributes)
		}
	}
}
