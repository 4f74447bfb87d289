package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var (
	_ datasource.DataSource              = (*catalogDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*catalogDataSource)(nil)
)

// NewCatalogDataSource is the synapse_catalog data source factory.
func NewCatalogDataSource() datasource.DataSource { return &catalogDataSource{} }

// catalogDataSource exposes the catalogue of the provider's synapse_version, so HCL (modules,
// check blocks) reads Synapse's facts from the one place they live instead of restating them.
type catalogDataSource struct {
	data *providerData // nil before the provider is configured
}

type catalogModel struct {
	SynapseVersion    types.String `tfsdk:"synapse_version"`
	SupportedVersions types.List   `tfsdk:"supported_versions"`
	Roles             types.List   `tfsdk:"roles"`
	Streams           types.List   `tfsdk:"streams"`
	StreamKeys        types.List   `tfsdk:"stream_keys"`
	MainWrites        types.List   `tfsdk:"main_writes"`
	Endpoints         types.List   `tfsdk:"endpoints"`
	Details           types.Bool   `tfsdk:"details"`
}

var catalogRoleAttrTypes = map[string]attr.Type{
	"name":        types.StringType,
	"description": types.StringType,
	"duty":        types.StringType,
	"duty_kind":   types.StringType,
	"resources":   types.ListType{ElemType: types.StringType},
	"groups":      types.ListType{ElemType: types.StringType},
}

var catalogStreamAttrTypes = map[string]attr.Type{
	"key":             types.StringType,
	"multi_writer":    types.BoolType,
	"restart":         types.StringType,
	"order_matters":   types.StringType,
	"main_must_write": types.StringType,
	"patterns":        types.ListType{ElemType: types.StringType},
}

var catalogEndpointAttrTypes = map[string]attr.Type{
	"pattern":  types.StringType,
	"methods":  types.ListType{ElemType: types.StringType},
	"group":    types.StringType,
	"resource": types.StringType,
	"sticky":   types.StringType,
	"roles":    types.ListType{ElemType: types.StringType},
	"stream":   types.StringType,
}

func (d *catalogDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_catalog"
}

func (d *catalogDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok && pd != nil {
		d.data = pd
	}
}

func (d *catalogDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "What the provider knows about a Synapse release (this data source's `synapse_version`, else the provider's): worker roles, " +
			"streams and routable endpoints, from the catalogue the resources validate against. Use it in modules and " +
			"`check` blocks instead of restating Synapse facts in HCL (e.g. whether the release has the " +
			"`quarantined_media_changes` stream).",
		Attributes: map[string]schema.Attribute{
			"synapse_version": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: fmt.Sprintf("The Synapse release to describe (e.g. `%s` or `%s.1`; supported: %s). "+
					"Unset, the provider's `synapse_version`, and the computed value is that release as a minor version (`%s`).",
					catalog.Latest(), catalog.Latest(), supportedReleases(), catalog.Latest())},
			"details": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "`false` leaves `roles`, `streams` and `endpoints` null and reads only `synapse_version`, " +
					"`supported_versions`, `stream_keys` and `main_writes`: a few hundred bytes of state instead of about 50 KB, for a module that " +
					"needs only the stream names (as `modules/fleet` does). Defaults to `true`."},
			"supported_versions": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Every Synapse release the catalogue knows, oldest first."},
			"roles": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The worker roles `synapse_worker.roles` accepts.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "The role name."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What the role does."},
					"duty": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The shared-config option naming the process that does this role's duty, or empty."},
					"duty_kind": schema.StringAttribute{Computed: true,
						MarkdownDescription: "`single` (one process) or `list` (an ordered, sharded list), or empty."},
					"resources": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The listener resources the role's endpoints need."},
					"groups": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The docs groups of the endpoints the role serves, in catalogue order."},
				}},
			},
			"streams": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The `stream_writers` streams of the release.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key": schema.StringAttribute{Computed: true, MarkdownDescription: "The `stream_writers` key."},
					"multi_writer": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the stream takes several writers."},
					"restart": schema.StringAttribute{Computed: true,
						MarkdownDescription: "What changing the writers needs (coordinated restart), or empty."},
					"order_matters": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Why the writers' order matters, or empty."},
					"main_must_write": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Why the main process must stay among the writers in this release, or empty."},
					"patterns": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The endpoint patterns that must be routed to the writers."},
				}},
			},
			"stream_keys": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The stream keys alone, for `contains()`."},
			"main_writes": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The streams whose writers must include the main process (`\"main\"`) in this release, for `contains()` " +
					"(`quarantined_media_changes` from 1.152 to 1.157: see `streams[*].main_must_write`)."},
			"endpoints": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Every routable endpoint pattern, in catalogue order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"pattern": schema.StringAttribute{Computed: true, MarkdownDescription: "The path regular expression."},
					"methods": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The HTTP methods workers may serve; empty means every method."},
					"group": schema.StringAttribute{Computed: true, MarkdownDescription: "The docs group."},
					"resource": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The listener resource that serves it."},
					"sticky": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The stickiness need: " + backticked(stickinessNames()) + "."},
					"roles": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The roles that serve it (empty for a stream endpoint)."},
					"stream": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The stream whose writers serve it, or empty."},
				}},
			},
		},
	}
}

func (d *catalogDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg catalogModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	version := catalog.Latest()
	if d.data != nil && d.data.Version != "" {
		version = d.data.Version
	}
	if !cfg.SynapseVersion.IsNull() && !cfg.SynapseVersion.IsUnknown() {
		version = cfg.SynapseVersion.ValueString()
	}
	c, err := catalog.For(version)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("synapse_version"), "Unsupported Synapse Version",
			fmt.Sprintf("synapse_version is %q: %s. Set one of them, or leave synapse_version unset to use the provider's.", version, err))
		return
	}
	diags := &resp.Diagnostics
	m := catalogModel{
		SynapseVersion:    types.StringValue(c.Version),
		SupportedVersions: stringList(ctx, catalog.Versions(), diags),
		StreamKeys:        stringList(ctx, c.StreamKeys(), diags),
		MainWrites:        stringList(ctx, mainWrites(c), diags),
		Details:           cfg.Details,
		Roles:             types.ListNull(types.ObjectType{AttrTypes: catalogRoleAttrTypes}),
		Streams:           types.ListNull(types.ObjectType{AttrTypes: catalogStreamAttrTypes}),
		Endpoints:         types.ListNull(types.ObjectType{AttrTypes: catalogEndpointAttrTypes}),
	}
	if !cfg.Details.IsNull() && !cfg.Details.IsUnknown() && !cfg.Details.ValueBool() {
		if !cfg.SynapseVersion.IsNull() && !cfg.SynapseVersion.IsUnknown() {
			m.SynapseVersion = cfg.SynapseVersion // as written: Terraform keeps a configured value
		}
		diags.Append(resp.State.Set(ctx, &m)...)
		return
	}
	roles := make([]attr.Value, 0, len(c.Roles))
	for _, r := range c.Roles {
		eps := c.EndpointsForRoles([]string{r.Name})
		var groups []string
		for _, e := range eps {
			if !slices.Contains(groups, e.Group) {
				groups = append(groups, e.Group)
			}
		}
		roles = append(roles, objectValue(catalogRoleAttrTypes, map[string]attr.Value{
			"name": types.StringValue(r.Name), "description": types.StringValue(r.Description),
			"duty": types.StringValue(r.Duty), "duty_kind": types.StringValue(r.DutyKind),
			"resources": stringList(ctx, catalog.ResourcesFor(eps), diags), "groups": stringList(ctx, groups, diags),
		}, diags))
	}
	m.Roles = listValue(catalogRoleAttrTypes, roles, diags)
	streams := make([]attr.Value, 0, len(c.Streams))
	for _, s := range c.Streams {
		var patterns []string
		for _, e := range c.EndpointsForStream(s.Key) {
			patterns = append(patterns, e.Pattern)
		}
		streams = append(streams, objectValue(catalogStreamAttrTypes, map[string]attr.Value{
			"key": types.StringValue(s.Key), "multi_writer": types.BoolValue(s.MultiWriter),
			"restart": types.StringValue(s.Restart), "order_matters": types.StringValue(s.OrderMatters),
			"main_must_write": types.StringValue(s.MainMustWrite),
			"patterns":        stringList(ctx, patterns, diags),
		}, diags))
	}
	m.Streams = listValue(catalogStreamAttrTypes, streams, diags)
	endpoints := make([]attr.Value, 0, len(c.Endpoints))
	for _, e := range c.Endpoints {
		endpoints = append(endpoints, objectValue(catalogEndpointAttrTypes, map[string]attr.Value{
			"pattern": types.StringValue(e.Pattern), "methods": stringList(ctx, e.Methods, diags),
			"group": types.StringValue(e.Group), "resource": types.StringValue(e.Resource),
			"sticky": types.StringValue(string(e.Sticky)), "roles": stringList(ctx, e.Roles, diags),
			"stream": types.StringValue(e.Stream),
		}, diags))
	}
	m.Endpoints = listValue(catalogEndpointAttrTypes, endpoints, diags)
	if diags.HasError() {
		return
	}
	if !cfg.SynapseVersion.IsNull() && !cfg.SynapseVersion.IsUnknown() {
		m.SynapseVersion = cfg.SynapseVersion // as written: Terraform keeps a configured value
	}
	diags.Append(resp.State.Set(ctx, &m)...)
}

// mainWrites lists the streams whose writers must include the main process.
func mainWrites(c *catalog.Catalog) []string {
	out := []string{}
	for _, s := range c.Streams {
		if s.MainMustWrite != "" {
			out = append(out, s.Key)
		}
	}
	return out
}
