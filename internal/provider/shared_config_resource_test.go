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

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

const sharedAddr = "synapse_shared_config.this"

// literalWorkers are worker references written as objects: the form that works before any
// synapse_worker exists, and the shape of what synapse_worker computes.
const literalWorkers = `{
    sync1 = { host = "127.0.0.1", roles = ["synchrotron"], upstream = "127.0.0.1:8083" },
    persister1 = { name = "persister1", host = "127.0.0.1", instance_map_entry = { host = "127.0.0.1", port = 9101 },
      replication_bind_addresses = ["127.0.0.1"] },
  }`

func sharedConfig(extra string) string {
	return `
resource "synapse_shared_config" "this" {
  main           = { host = "127.0.0.1", replication_port = 9093, http_port = 8008, bind_addresses = ["127.0.0.1"] }
  workers        = ` + literalWorkers + `
  stream_writers = { events = { writers = ["persister1"] } }
  ` + extra + `
}
`
}

// yamlCheck parses a YAML attribute and hands the mapping to fn.
func yamlCheck(fn func(m map[string]any) error) knownvalue.Check {
	return knownvalue.StringFunc(func(s string) error {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			return fmt.Errorf("does not parse as YAML: %w", err)
		}
		return fn(m)
	})
}

func expectKey(m map[string]any, key string, want string) error {
	if got := fmt.Sprint(m[key]); got != want {
		return fmt.Errorf("%s = %s, want %s", key, got, want)
	}
	return nil
}

func TestSharedConfigResource(t *testing.T) {
	created := yamlCheck(func(m map[string]any) error {
		if err := expectKey(m, "instance_map", "map[main:map[host:127.0.0.1 port:9093] persister1:map[host:127.0.0.1 port:9101]]"); err != nil {
			return err
		}
		if err := expectKey(m, "stream_writers", "map[events:[persister1]]"); err != nil {
			return err
		}
		if err := expectKey(m, "worker_replication_secret_path", "/etc/matrix-synapse/replication.secret"); err != nil {
			return err
		}
		return expectKey(m, "pusher_instances", "[master]")
	})
	updated := yamlCheck(func(m map[string]any) error {
		if err := expectKey(m, "stream_writers", "map[events:[persister1] receipts:[persister1 master]]"); err != nil {
			return err
		}
		return expectKey(m, "run_background_tasks_on", "persister1")
	})
	base := sharedConfig(`redis = { host = "127.0.0.1", port = 6379 }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{Config: sharedConfig(``), ExpectError: regexp.MustCompile(`Missing Redis`)},
			{Config: sharedConfig(`redis = {}
  database_engine = "sqlite3"`), ExpectError: regexp.MustCompile(`Workers Need PostgreSQL`)},
			{Config: strings.Replace(base, `writers = ["persister1"]`, `writers = ["persister9"]`, 1),
				ExpectError: regexp.MustCompile(`stream_writers\["events"\]\.writers\[0\] is "persister9"`)},
			{Config: strings.Replace(base, `name = "persister1", `, `name = "", `, 1),
				ExpectError: regexp.MustCompile(`(?s)Missing Worker Name.*workers\["persister1"\]\.name is empty`)},
			{Config: strings.Replace(base, `replication_secret_path`, `replication_secret = "x"
  replication_secret_path`, 1), ExpectError: regexp.MustCompile(`Conflicting Replication Secret`)},
			// No secret, main's replication listener on every interface, and instance_map sends
			// the workers to main over a network: refused.
			{Config: strings.Replace(strings.Replace(sharedConfig(`redis = {}`), `bind_addresses = ["127.0.0.1"] }`, `}`, 1),
				`main           = { host = "127.0.0.1"`, `main           = { host = "10.0.0.1"`, 1),
				ExpectError: regexp.MustCompile(`(?s)Unprotected Replication Listener.*set\s+replication_secret_path`)},
			// The same listener where every instance_map entry is loopback (one machine or
			// container): replication never crosses a network, so it is only a warning.
			{Config: strings.Replace(sharedConfig(`redis = {}`), `bind_addresses = ["127.0.0.1"] }`, `}`, 1),
				PlanOnly: true, ExpectNonEmptyPlan: true},
			{Config: sharedConfig(`redis = {}
  pusher_instances = ["ghost"]
  replication_secret_path = "/s"`), ExpectError: regexp.MustCompile(`pusher_instances\[0\] names "ghost"`)},
			// create: everything is known at plan time
			{
				Config: base,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sharedAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), created),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("merged_yaml"), created),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("secret_config_yaml"), knownvalue.StringExact("")),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("instance_map"), knownvalue.MapExact(map[string]knownvalue.Check{
						"main": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"host": knownvalue.StringExact("127.0.0.1"), "port": knownvalue.Int64Exact(9093),
							"path": knownvalue.Null(), "tls": knownvalue.Bool(false)}),
						"persister1": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"host": knownvalue.StringExact("127.0.0.1"), "port": knownvalue.Int64Exact(9101),
							"path": knownvalue.Null(), "tls": knownvalue.Bool(false)}),
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), created),
				},
			},
			{
				Config:           base,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// update in place, the new YAML known at plan time
			{
				Config: strings.Replace(base, `stream_writers = { events = { writers = ["persister1"] } }`,
					`stream_writers = { events = { writers = ["persister1"] }, receipts = { writers = ["persister1", "main"] } }
  run_background_tasks_on = "persister1"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sharedAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), updated),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), updated),
				},
			},
			// merge into an existing homeserver.yaml, keeping its comments
			{
				Config: strings.Replace(base, `redis = {`, `homeserver_yaml = "# hand-written\nserver_name: example.org\nlisteners:\n  - port: 8008\n    type: http\n    resources: [{names: [client]}]\nsigning_key_path: /etc/matrix-synapse/example.org.signing.key\n"
  redis = {`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(sharedAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("merged_yaml"), knownvalue.StringFunc(func(s string) error {
						if !strings.HasPrefix(s, "# hand-written\nserver_name: example.org\nlisteners:\n  - port: 8008\n") {
							return fmt.Errorf("merged_yaml lost the user's file head:\n%s", s)
						}
						var m map[string]any
						if err := yaml.Unmarshal([]byte(s), &m); err != nil {
							return err
						}
						if n := len(m["listeners"].([]any)); n != 2 {
							return fmt.Errorf("%d listeners, want the user's and the replication listener", n)
						}
						return nil
					})),
				}},
			},
			// an input unknown at plan time: rendered at apply
			{
				Config: strings.Replace(base, `redis = {`, `homeserver_yaml = "# planned at ${timestamp()}\nserver_name: example.org\nsigning_key_path: /k\nlisteners: [{port: 8008, type: http, resources: [{names: [client]}]}]\n"
  redis = {`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(sharedAddr, tfjsonpath.New("merged_yaml")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("merged_yaml"), knownvalue.StringRegexp(regexp.MustCompile(`(?s)^# planned at .*\nserver_name: example.org\n.*instance_map:`))),
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// workerFleet declares synapse_worker resources in one of the three input forms.
func workerFleet(form string) string {
	common := `
resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = ["persister1"]
}
`
	shared := func(workers string) string {
		return `
# Variables are unknown while terraform validates: the shared config must wait for them.
variable "host" {
  type    = string
  default = "127.0.0.1"
}

resource "synapse_shared_config" "this" {
  main           = { host = var.host, replication_port = 9093, http_port = 8008, bind_addresses = [var.host] }
  workers        = ` + workers + `
  stream_writers = { events = synapse_stream_writer.events }
  redis          = {}
}
`
	}
	switch form {
	case "for_each":
		cfg := common + `
locals {
  workers = {
    sync1      = { roles = ["synchrotron"], http_port = 8083, replication_port = null }
    persister1 = { roles = [], http_port = null, replication_port = 9101 }
  }
}
resource "synapse_worker" "all" {
  for_each         = local.workers
  name             = each.key
  host             = "127.0.0.1"
  roles            = each.value.roles
  http_port        = each.value.http_port
  replication_port = each.value.replication_port
  bind_addresses   = ["127.0.0.1"]
}
` + shared(`synapse_worker.all`)
		// the writer's name is unknown while validating: the shared config must wait for it
		return strings.Replace(cfg, `writers = ["persister1"]`, `writers = [synapse_worker.all["persister1"].name]`, 1)
	case "count":
		cfg := common + `
resource "synapse_worker" "sync" {
  count          = 2
  name           = "sync${count.index + 1}"
  host           = "127.0.0.1"
  roles          = ["synchrotron"]
  http_port      = 8083 + count.index
  bind_addresses = ["127.0.0.1"]
}
resource "synapse_worker" "persister1" {
  name             = "persister1"
  host             = "127.0.0.1"
  replication_port = 9101
  bind_addresses   = ["127.0.0.1"]
}
` + shared(`{ for w in concat(synapse_worker.sync, [synapse_worker.persister1]) : w.name => w }`)
		return cfg
	default:
		return common + `
resource "synapse_worker" "a" {
  name           = "sync1"
  host           = "127.0.0.1"
  roles          = ["synchrotron"]
  http_port      = 8083
  bind_addresses = ["127.0.0.1"]
}
resource "synapse_worker" "b" {
  name             = "persister1"
  host             = "127.0.0.1"
  replication_port = 9101
  bind_addresses   = ["127.0.0.1"]
}
` + shared(`{ sync1 = synapse_worker.a, persister1 = synapse_worker.b }`)
	}
}

func TestSharedConfigResource_WorkerInputForms(t *testing.T) {
	instanceMap := knownvalue.MapExact(map[string]knownvalue.Check{
		"main": knownvalue.ObjectPartial(map[string]knownvalue.Check{"port": knownvalue.Int64Exact(9093)}),
		"persister1": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"host": knownvalue.StringExact("127.0.0.1"), "port": knownvalue.Int64Exact(9101),
			"path": knownvalue.Null(), "tls": knownvalue.Bool(false)}),
	})
	var steps []resource.TestStep
	for _, form := range []string{"for_each", "count", "literal"} {
		steps = append(steps, resource.TestStep{
			Config: workerFleet(form),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// synapse_worker renders at plan time, so the shared config is known at plan time too
				plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("instance_map"), instanceMap),
				plancheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("config_yaml"), yamlCheck(func(m map[string]any) error {
					return expectKey(m, "stream_writers", "map[events:[persister1]]")
				})),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sharedAddr, tfjsonpath.New("instance_map"), instanceMap),
			},
		})
	}
	// A stream writer without a replication listener, through real resources.
	steps = append(steps, resource.TestStep{
		Config:      strings.Replace(workerFleet("literal"), `writers = ["persister1"]`, `writers = ["sync1"]`, 1),
		ExpectError: regexp.MustCompile(`Stream Writer Not In Instance Map`),
	})
	// terraform-plugin-testing v1.16's post-test destroy cannot handle for_each resources in
	// state: end with a step whose config has no resources (see CONVENTIONS.md).
	steps = append([]resource.TestStep{steps[len(steps)-1]}, steps[:len(steps)-1]...)
	steps = append(steps, resource.TestStep{Config: `locals {}`})
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}

// TestSharedConfigSchemaDescriptions applies the house rule (every attribute has a
// MarkdownDescription ending in a full stop) to synapse_shared_config, nested ones included.
func TestSharedConfigSchemaDescriptions(t *testing.T) {
	s := sharedConfigSchemaV1()
	if !strings.HasSuffix(s.MarkdownDescription, ".") {
		t.Errorf("resource description does not end in a full stop")
	}
	checkDescriptions(t, "synapse_shared_config", s.Attributes)
	im := s.Attributes["instance_map"].(schema.MapNestedAttribute)
	checkDescriptions(t, "synapse_shared_config.instance_map", im.NestedObject.Attributes)
	// Every duty option of the catalogue is an attribute, so none can be forgotten.
	for _, r := range catalog.MustFor(catalog.Latest()).Roles {
		if _, ok := s.Attributes[r.Duty]; r.Duty != "" && !ok {
			t.Errorf("duty option %s has no attribute", r.Duty)
		}
	}
	if !s.Attributes["replication_secret"].IsSensitive() || !s.Attributes["secret_config_yaml"].IsSensitive() {
		t.Errorf("replication_secret and secret_config_yaml must be sensitive")
	}
}
