package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// expectErrText is expectErr for a detail fragment with spaces, which Terraform may wrap.
func expectErrText(summary, fragment string) *regexp.Regexp {
	words := strings.Fields(fragment)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(regexp.QuoteMeta(summary) + `(?s:.*)` + strings.Join(words, `\s+`))
}

// quarantineWriterHCL is a media worker writing the quarantined_media_changes stream, which
// exists from Synapse 1.152 on: valid on 1.157, refused on 1.146.
func quarantineWriterHCL(provider, resourceVersion string) string {
	v := ""
	if resourceVersion != "" {
		v = "  synapse_version = \"" + resourceVersion + "\"\n"
	}
	return "provider \"synapse\" {\n" + provider + "\n}\n" + `
resource "synapse_worker" "media" {
  name             = "media1"
  roles            = ["media_repository"]
  host             = "10.0.0.5"
  http_port        = 8085
  replication_port = 9105
` + v + `}

resource "synapse_stream_writer" "quarantine" {
  stream  = "quarantined_media_changes"
  writers = ["main", synapse_worker.media.name]
` + v + `}
`
}

// TestSynapseVersionOverride: the resource's synapse_version overrides the provider's, both
// ways, and the computed value shows the effective release.
func TestSynapseVersionOverride(t *testing.T) {
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []tfresource.TestStep{
			// The provider's 1.157 knows the stream; the resource's 1.146 does not.
			{Config: quarantineWriterHCL("", "1.146"), ExpectError: expectErrText("Unknown Stream", `Synapse 1.146`)},
			// An unsupported release on the resource names the supported ones.
			{Config: quarantineWriterHCL("", "1.83"), ExpectError: expectErrText("Unsupported Synapse Version", `"1.83"`)},
			// The provider's 1.146 alone refuses it...
			{Config: quarantineWriterHCL(`synapse_version = "1.146"`, ""), ExpectError: expectErrText("Unknown Stream", `Synapse 1.146`)},
			// ...and the resource's 1.157 (patch level accepted) overrides it.
			{
				Config: quarantineWriterHCL(`synapse_version = "1.146"`, "1.157.1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("synapse_worker.media", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.157.1")),
					statecheck.ExpectKnownValue("synapse_stream_writer.quarantine", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.157.1")),
					statecheck.ExpectKnownValue("synapse_stream_writer.quarantine", tfjsonpath.New("config_yaml"),
						knownvalue.StringExact("quarantined_media_changes:\n  - master\n  - media1\n")),
				},
			},
			{
				Config:           quarantineWriterHCL(`synapse_version = "1.146"`, "1.157.1"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// Unset on the resource: the provider's release, shown as written.
			{
				Config: quarantineWriterHCL(`synapse_version = "1.157"`, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("synapse_worker.media", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("synapse_worker.media", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.157")),
				}},
			},
			{
				Config:           quarantineWriterHCL(`synapse_version = "1.157"`, ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// mixedFleetHCL passes workers and a stream writer on the provider's release (1.157) to a
// shared config and a routing table on sharedVersion.
func mixedFleetHCL(sharedVersion string) string {
	return `
resource "synapse_worker" "sync" {
  name      = "sync1"
  roles     = ["synchrotron"]
  host      = "127.0.0.1"
  http_port = 8083
}

resource "synapse_worker" "persister" {
  name             = "persister1"
  host             = "127.0.0.1"
  replication_port = 9101
  bind_addresses   = ["127.0.0.1"]
}

resource "synapse_stream_writer" "events" {
  stream  = "events"
  writers = [synapse_worker.persister.name]
}

resource "synapse_shared_config" "fleet" {
  synapse_version = "` + sharedVersion + `"
  main            = { host = "127.0.0.1", replication_port = 9093, bind_addresses = ["127.0.0.1"] }
  workers         = { sync1 = synapse_worker.sync, persister1 = synapse_worker.persister }
  stream_writers  = { events = synapse_stream_writer.events }
  redis           = { host = "127.0.0.1" }
}

resource "synapse_routing_table" "edge" {
  synapse_version = "` + sharedVersion + `"
  main            = { host = "127.0.0.1", port = 8008 }
  listen          = { port = 8080 }
  # Built by hand, without synapse_version: taken to be the table's release.
  workers = { for w in [synapse_worker.sync, synapse_worker.persister] : w.name => {
    name = w.name, roles = w.roles, upstream = w.upstream, http_resources = w.http_resources
  } }
  stream_writers = { events = synapse_stream_writer.events }
}
`
}

// TestSynapseVersionMixedFleet: workers of one release passed to resources of another are a
// plan error naming both values; the same fleet on one release plans, and an element built
// without synapse_version takes the resource's release.
func TestSynapseVersionMixedFleet(t *testing.T) {
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []tfresource.TestStep{
			{Config: mixedFleetHCL("1.146"), ExpectError: expectErrText("Mixed Synapse Versions", `workers["persister1"] (worker "persister1") is on Synapse 1.157`)},
			{Config: mixedFleetHCL("1.146"), ExpectError: expectErrText("Mixed Synapse Versions", `stream_writers["events"] (stream "events") is on Synapse 1.157, but this synapse_shared_config is on 1.146`)},
			{
				Config: mixedFleetHCL("1.157.1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("synapse_shared_config.fleet", tfjsonpath.New("workers").AtMapKey("persister1").AtMapKey("synapse_version"), knownvalue.StringExact("1.157")),
					statecheck.ExpectKnownValue("synapse_routing_table.edge", tfjsonpath.New("workers").AtMapKey("sync1").AtMapKey("synapse_version"), knownvalue.StringExact("1.157.1")),
					statecheck.ExpectKnownValue("synapse_routing_table.edge", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.157.1")),
				},
			},
			{
				Config:           mixedFleetHCL("1.157.1"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestSynapseVersionCatalogDataSource: the data source's own synapse_version overrides the
// provider's.
func TestSynapseVersionCatalogDataSource(t *testing.T) {
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []tfresource.TestStep{
			{Config: `data "synapse_catalog" "x" {
  synapse_version = "1.83"
}`, ExpectError: expectErrText("Unsupported Synapse Version", `"1.83"`)},
			{
				Config: `
data "synapse_catalog" "old" {
  synapse_version = "1.146.2"
}
data "synapse_catalog" "default" {}
output "old_has_quarantine" {
  value = contains(data.synapse_catalog.old.stream_keys, "quarantined_media_changes")
}
output "default_has_quarantine" {
  value = contains(data.synapse_catalog.default.stream_keys, "quarantined_media_changes")
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.synapse_catalog.old", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.146.2")),
					statecheck.ExpectKnownValue("data.synapse_catalog.default", tfjsonpath.New("synapse_version"), knownvalue.StringExact("1.157")),
					statecheck.ExpectKnownOutputValue("old_has_quarantine", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("default_has_quarantine", knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestValidateConfigWithoutRelease calls ValidateConfig as `terraform validate` does: the
// provider is not configured, so a resource without its own synapse_version cannot know the
// release. It must refuse only what every release refuses (an unknown stream) and accept what
// some release accepts (quarantined_media_changes, 1.152+); with synapse_version on the
// resource it checks that release.
func TestValidateConfigWithoutRelease(t *testing.T) {
	ctx := context.Background()
	r := NewStreamWriterResource()
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx)
	validate := func(stream string, version *string) []string {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.(tftypes.Object).AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals["stream"] = tftypes.NewValue(tftypes.String, stream)
		vals["writers"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "w1")})
		if version != nil {
			vals["synapse_version"] = tftypes.NewValue(tftypes.String, *version)
		}
		res := NewStreamWriterResource()
		res.(resource.ResourceWithConfigure).Configure(ctx, resource.ConfigureRequest{}, &resource.ConfigureResponse{})
		var resp resource.ValidateConfigResponse
		res.(resource.ResourceWithValidateConfig).ValidateConfig(ctx, resource.ValidateConfigRequest{
			Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)},
		}, &resp)
		var out []string
		for _, d := range resp.Diagnostics.Errors() {
			out = append(out, d.Summary()+": "+d.Detail())
		}
		return out
	}
	if got := validate("quarantined_media_changes", nil); len(got) != 0 {
		t.Errorf("a stream valid in a supported release is refused before the release is known: %v", got)
	}
	got := validate("no_such_stream", nil)
	if len(got) != 1 || !strings.Contains(got[0], "Unknown Stream") || !strings.Contains(got[0], "every supported release") {
		t.Errorf("an unknown stream must be refused whatever the release, saying so: %v", got)
	}
	old := "1.146"
	if got := validate("quarantined_media_changes", &old); len(got) != 1 || !strings.Contains(got[0], "Synapse 1.146") {
		t.Errorf("with synapse_version = 1.146 on the resource, the stream must be refused: %v", got)
	}
}

// TestProblemsForNoCatalogue: an unsupported synapse_version leaves no catalogue to check
// against; that must check nothing (the version error is reported), not panic.
func TestProblemsForNoCatalogue(t *testing.T) {
	called := false
	if got := problemsFor(nil, func(*catalog.Catalog) fleet.Problems { called = true; return nil }); got != nil || called {
		t.Errorf("problemsFor(nil) = %v, called %v; want nothing checked", got, called)
	}
}
