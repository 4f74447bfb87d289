package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// TestUpgradeChangesFunction reads the upgrade view through real terraform: 1.135 -> 1.157
// adds the quarantined_media_changes stream with its worker upgrade note; 1.87 -> 1.88 refuses
// the worker_replication_* options; a bad release is an argument error naming the range.
func TestUpgradeChangesFunction(t *testing.T) {
	u := catalog.Diff(catalog.MustFor("1.135"), catalog.MustFor("1.157"))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:      `output "bad" { value = provider::synapse::upgrade_changes("1.135", "1.158") }`,
				ExpectError: expectErr("Invalid function argument", "1.84 to 1.157"),
			},
			{
				Config: `
output "u" { value = provider::synapse::upgrade_changes("1.135.0", "1.157.1") }
output "legacy" { value = provider::synapse::upgrade_changes("1.87", "1.88").now_refused }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("u", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"from":            knownvalue.StringExact("1.135"),
						"to":              knownvalue.StringExact("1.157"),
						"streams_added":   knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("quarantined_media_changes")}),
						"streams_removed": knownvalue.ListSizeExact(0),
						"endpoints_added": knownvalue.ListSizeExact(len(u.EndpointsAdded)),
						"notes":           knownvalue.ListSizeExact(len(u.Notes)),
					})),
					statecheck.ExpectKnownOutputValue("legacy", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("worker_replication_host"), knownvalue.StringExact("worker_replication_http_port"),
						knownvalue.StringExact("worker_replication_http_tls"),
					})),
				},
			},
		},
	})
}
