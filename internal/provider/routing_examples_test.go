package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

var requiredProvidersBlock = regexp.MustCompile(`(?s)\Aterraform \{.*?\n\}\n`)

// TestRoutingExamples applies the synapse_routing_table, match_route and upgrade_changes documentation
// examples, then plans them again expecting no change; the last step has no resources because
// the post-test destroy cannot handle for_each resources.
func TestRoutingExamples(t *testing.T) {
	for _, file := range []string{
		filepath.Join("resources", "synapse_routing_table", "resource.tf"),
		filepath.Join("functions", "match_route", "function.tf"),
		filepath.Join("functions", "worker_log_config", "function.tf"),
		filepath.Join("functions", "upgrade_changes", "function.tf"),
	} {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "examples", file))
			if err != nil {
				t.Fatal(err)
			}
			// The function example declares its provider source so it runs on its own; the
			// test harness declares the provider itself.
			src := requiredProvidersBlock.ReplaceAllString(string(raw), "")
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{Config: src},
					{Config: src, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
					{Config: "# no resources: the post-test destroy cannot handle for_each resources"},
				},
			})
		})
	}
}
