// Package provider is the terraform-plugin-framework glue of the synapse provider: it converts
// Terraform values to the pure domain types of internal/fleet and internal/routing, calls them,
// and maps their problems to attribute diagnostics. No Synapse knowledge lives here.
package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var (
	_ provider.Provider                   = (*synapseProvider)(nil)
	_ provider.ProviderWithFunctions      = (*synapseProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*synapseProvider)(nil)
)

// New returns the provider factory for providerserver.Serve.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &synapseProvider{version: version} }
}

type synapseProvider struct {
	version string
}

type providerModel struct {
	SynapseVersion types.String `tfsdk:"synapse_version"`
}

// providerData is what Configure hands to every resource and function.
type providerData struct {
	Catalog *catalog.Catalog
	// Version is the provider's synapse_version as written ("1.157.1"), or the newest release
	// when unset: the default of every resource's synapse_version.
	Version string
}

func (p *synapseProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "synapse"
	resp.Version = p.version
}

func (p *synapseProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Computes validated Synapse worker-fleet configuration (worker files, the shared " +
			"homeserver.yaml settings, reverse-proxy routing) as computed attributes known at plan time. " +
			"Nothing is contacted: every resource is logical.",
		Attributes: map[string]schema.Attribute{
			"synapse_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The Synapse release the fleet runs (minor version, e.g. `%s`; a patch "+
					"level such as `%s.1` is accepted). It selects the roles, streams and endpoints that are valid. "+
					"Supported: every minor release from `%s` to `%s`, each with the streams, writer counts, options and "+
					"endpoints read from Synapse's own tree at that release's tag. Defaults to `%s`, the newest the catalogue knows. "+
					"It is the default of the `synapse_version` "+
					"of every resource and of `data.synapse_catalog`, which may each set their own (a module that runs its fleet on "+
					"its own release sets it on its resources instead of configuring the provider). `terraform validate` does not "+
					"configure the provider: resources without their own `synapse_version` are then checked only against what every "+
					"supported release refuses, and the release's own rules apply at plan.",
					catalog.Latest(), catalog.Latest(), catalog.Versions()[0], catalog.Latest(), catalog.Latest()),
			},
		},
	}
}

func (p *synapseProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.SynapseVersion.IsNull() || m.SynapseVersion.IsUnknown() {
		return
	}
	if _, err := catalog.For(m.SynapseVersion.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("synapse_version"), "Unsupported Synapse Version", err.Error()+".")
	}
}

func (p *synapseProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v := catalog.Latest()
	if !m.SynapseVersion.IsNull() && !m.SynapseVersion.IsUnknown() {
		v = m.SynapseVersion.ValueString()
	}
	c, err := catalog.For(v)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("synapse_version"), "Unsupported Synapse Version", err.Error()+".")
		return
	}
	data := &providerData{Catalog: c, Version: v}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *synapseProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		// resources register here, one line each
		NewWorkerResource,
		NewStreamWriterResource,
		NewSharedConfigResource,
		NewRoutingTableResource,
	}
}

func (p *synapseProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCatalogDataSource,
	}
}

func (p *synapseProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		// functions register here, one line each
		NewMatchRouteFunction,
		NewWorkerLogConfigFunction,
		NewUpgradeChangesFunction,
	}
}

func backticked(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}
