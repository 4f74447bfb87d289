package provider

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// TestCatalogDataSource reads the catalogue for both supported releases: the version-dependent
// facts (the quarantined_media_changes stream arrived in 1.152) must follow synapse_version,
// and the counts must equal the catalogue's own.
func TestCatalogDataSource(t *testing.T) {
	old, latest := catalog.MustFor("1.146"), catalog.MustFor("1.157")
	addr := "data.synapse_catalog.this"
	step := func(version string, c *catalog.Catalog, hasQuarantine bool) resource.TestStep {
		return resource.TestStep{
			Config: "provider \"synapse\" {\n  synapse_version = \"" + version + "\"\n}\ndata \"synapse_catalog\" \"this\" {}\n" +
				"output \"quarantine\" {\n  value = contains(data.synapse_catalog.this.stream_keys, \"quarantined_media_changes\")\n}\n",
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("synapse_version"), knownvalue.StringExact(c.Version)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported_versions"), knownvalue.ListSizeExact(len(catalog.Versions()))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported_versions").AtSliceIndex(0), knownvalue.StringExact("1.84")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("roles"), knownvalue.ListSizeExact(len(c.Roles))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("streams"), knownvalue.ListSizeExact(len(c.Streams))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoints"), knownvalue.ListSizeExact(len(c.Endpoints))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("streams").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"key": knownvalue.StringExact("events"), "multi_writer": knownvalue.Bool(true),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("roles").AtSliceIndex(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name": knownvalue.StringExact("synchrotron"), "resources": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("client")}),
				})),
				statecheck.ExpectKnownOutputValue("quarantine", knownvalue.Bool(hasQuarantine)),
			},
		}
	}
	if len(old.Streams) == len(latest.Streams) {
		t.Fatal("the test needs two releases with different streams")
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{step("1.84.1", catalog.MustFor("1.84"), false), step("1.146", old, false),
			step("1.157", latest, true),
			// details = false: the stream names only.
			{
				Config: "data \"synapse_catalog\" \"this\" {\n  synapse_version = \"1.146\"\n  details = false\n}\n",
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.146")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("stream_keys"), knownvalue.ListSizeExact(len(old.Streams))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("roles"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("streams"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoints"), knownvalue.Null()),
				},
			}},
	})
}

// TestCatalogDataSourceExample runs the documentation example.
func TestCatalogDataSourceExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "data-sources", "synapse_catalog", "data-source.tf"))
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: string(raw),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("has_quarantine_stream", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("single_writer_streams", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("typing"), knownvalue.StringExact("to_device"), knownvalue.StringExact("account_data"),
					knownvalue.StringExact("presence"), knownvalue.StringExact("push_rules"),
				})),
			},
		}},
	})
}
