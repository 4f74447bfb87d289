package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"gopkg.in/yaml.v3"
)

func streamHCL(stream, writers string) string {
	return fmt.Sprintf("resource \"synapse_stream_writer\" \"s\" {\n  stream  = %q\n  writers = %s\n}\n", stream, writers)
}

// persisters are two workers whose names the stream writer reads (known at plan time).
const persisters = `
resource "synapse_worker" "p" {
  count            = 3
  name             = "persister${count.index + 1}"
  host             = "10.0.1.${count.index + 1}"
  replication_port = 9093
}
`

// streamYAML parses config_yaml and compares the single entry with want.
func streamYAML(stream string, want ...string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		var m map[string][]string
		if err := yaml.Unmarshal([]byte(v), &m); err != nil {
			return fmt.Errorf("config_yaml does not parse: %w", err)
		}
		if len(m) != 1 || strings.Join(m[stream], ",") != strings.Join(want, ",") {
			return fmt.Errorf("config_yaml = %q, want %s: %v", v, stream, want)
		}
		return nil
	})
}

func TestStreamWriterResource(t *testing.T) {
	addr := "synapse_stream_writer.s"
	errorCases := []struct {
		config, summary, fragment string
	}{
		{streamHCL("federation", `["w1"]`), "Unknown Stream", `"quarantined_media_changes"`},
		{streamHCL("push", `["w1"]`), "Unknown Stream", `"push_rules"`},
		{streamHCL("quarantined_media", `["w1"]`), "Unknown Stream", `"quarantined_media_changes";`},
		{streamHCL("events", `[]`), "Invalid Stream Writers", "empty"},
		{streamHCL("typing", `["a", "b"]`), "Invalid Stream Writers", "exactly"},
		{streamHCL("events", `["a", "a"]`), "Invalid Stream Writers", "writers[1]"},
		{streamHCL("events", `["master"]`), "Invalid Stream Writer Name", `"main"`},
		{streamHCL("events", `["p 1"]`), "Invalid Stream Writer Name", "writers[0]"},
		// Synapse 1.152-1.157: the main process must stay a quarantined_media_changes writer.
		{streamHCL("quarantined_media_changes", `["m1"]`), "Main Process Must Write Stream", `/sync stuck`},
		// Known only at plan time (a reference): caught by ModifyPlan rather than validation.
		{persisters + streamHCL("typing", `synapse_worker.p[*].name`), "Invalid Stream Writers", "exactly"},
		// The provider's synapse_version selects the catalogue.
		{"provider \"synapse\" {\n  synapse_version = \"1.146\"\n}\n" + streamHCL("quarantined_media_changes", `["m1"]`),
			"Unknown Stream", "1.146"},
	}
	var steps []resource.TestStep
	for _, ec := range errorCases {
		steps = append(steps, resource.TestStep{Config: ec.config, ExpectError: expectErr(ec.summary, ec.fragment)})
	}
	steps = append(steps,
		resource.TestStep{
			Config: persisters + streamHCL("events", `[synapse_worker.p[0].name, synapse_worker.p[1].name]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), streamYAML("events", "persister1", "persister2")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("events")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), knownvalue.StringExact("events:\n  - persister1\n  - persister2\n")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_names"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("persister1"), knownvalue.StringExact("persister2")})),
			},
		},
		resource.TestStep{
			Config:           persisters + streamHCL("events", `[synapse_worker.p[0].name, synapse_worker.p[1].name]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: persisters + streamHCL("events", `["main", synapse_worker.p[0].name, synapse_worker.p[1].name, synapse_worker.p[2].name]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), streamYAML("events", "master", "persister1", "persister2", "persister3")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("instance_names"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("master"), knownvalue.StringExact("persister1"),
					knownvalue.StringExact("persister2"), knownvalue.StringExact("persister3"),
				})),
			}},
		},
		// A stream whose endpoints the routing table sends to its writer: typing on the main
		// process. The writer carries no copy of the catalogue's endpoints (issue #9).
		resource.TestStep{
			Config: streamHCL("typing", `["main"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("config_yaml"), streamYAML("typing", "master")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("instance_names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("master")})),
			}},
		},
	)
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testProviders, Steps: steps})
}
