package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var (
	_ resource.Resource                   = (*streamWriterResource)(nil)
	_ resource.ResourceWithConfigure      = (*streamWriterResource)(nil)
	_ resource.ResourceWithValidateConfig = (*streamWriterResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*streamWriterResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*streamWriterResource)(nil)
)

// NewStreamWriterResource is the synapse_stream_writer resource factory.
func NewStreamWriterResource() resource.Resource { return &streamWriterResource{} }

type streamWriterResource struct {
	withCatalog
}

type streamWriterModel struct {
	ID             types.String `tfsdk:"id"`
	SynapseVersion types.String `tfsdk:"synapse_version"`
	Stream         types.String `tfsdk:"stream"`
	Writers        types.List   `tfsdk:"writers"`
	ConfigYAML     types.String `tfsdk:"config_yaml"`
	InstanceNames  types.List   `tfsdk:"instance_names"`
}

func (r *streamWriterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_stream_writer"
}

func (r *streamWriterResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = streamWriterSchemaV1()
}

// UpgradeState upgrades version-0 state (provider 0.1.x) to version 1.
func (r *streamWriterResource) UpgradeState(_ context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(r.setSynapseVersion)
}

// streamWriterSchemaV1 is version 1 of the synapse_stream_writer schema (release 0.2.0:
// `synapse_version`; 0.1.0's computed `endpoints`, a copy of catalogue facts that
// data.synapse_catalog and the routing table already have, is gone).
func streamWriterSchemaV1() schema.Schema {
	c := catalog.MustFor(catalog.Latest())
	return schema.Schema{
		Version: 1,
		MarkdownDescription: "Assigns one replication stream to its writers (one `stream_writers` entry). Validates the " +
			"stream and the writer count for the Synapse version and renders the entry; the endpoints the reverse proxy must " +
			"send to the writers are in the table below and in `data.synapse_catalog` (`endpoints[*].stream`), and " +
			"`synapse_routing_table` routes them. Logical: nothing is contacted. Pass it to `synapse_shared_config` and " +
			"`synapse_routing_table`; each writer also needs a `replication_port` and an `instance_map` entry.\n\n" +
			"What changing a stream's writers needs from the running processes (usually a coordinated restart) is in " +
			"`synapse_shared_config`'s `rollout`, with one warning per plan.\n\n" +
			"Streams in Synapse " + c.Version + ":\n\n" + streamTable(c),
		Attributes: map[string]schema.Attribute{
			"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "The stream."},
			"synapse_version": synapseVersionAttribute("the assignment"),
			"stream": schema.StringAttribute{Required: true,
				MarkdownDescription: "The `stream_writers` key: " + backticked(c.StreamKeys()) + " (`synapse_version` " +
					"selects the valid set). Changing it replaces the resource.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"writers": schema.ListAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The writers, in order (order decides sharding for some streams): `synapse_worker` names, " +
					"or `main` for the main process (rendered as `" + c.MainInstanceName + "`, the name Synapse uses). " +
					"Single-writer streams take exactly one."},
			"config_yaml": schema.StringAttribute{Computed: true,
				MarkdownDescription: "This stream's `stream_writers` entry, e.g. `events:\\n  - persister1\\n  - persister2\\n` (always a list)."},
			"instance_names": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The writers as Synapse names them (`main` becomes `" + c.MainInstanceName + "`)."},
		},
	}
}

// streamTable documents each stream's writer rules and endpoints, from the catalogue.
func streamTable(c *catalog.Catalog) string {
	var b strings.Builder
	b.WriteString("| Stream | Writers | Endpoints routed to the writers | Changing the writers |\n|---|---|---|---|\n")
	for _, s := range c.Streams {
		writers := "exactly one"
		if s.MultiWriter {
			writers = "one or more"
		}
		if s.OrderMatters != "" {
			writers += "; order matters: " + s.OrderMatters
		}
		var pats []string
		for _, e := range c.EndpointsForStream(s.Key) {
			pats = append(pats, "`"+strings.ReplaceAll(e.Pattern, "|", `\|`)+"`")
		}
		endpoints := strings.Join(pats, "<br>")
		if endpoints == "" {
			endpoints = "none (any worker forwards writes to the writers)"
		}
		since := ""
		if s.Since != "" {
			since = fmt.Sprintf(" (since %s)", s.Since)
		}
		fmt.Fprintf(&b, "| `%s`%s | %s | %s | %s |\n", s.Key, since, strings.ReplaceAll(writers, "|", `\|`), endpoints, s.Restart)
	}
	return b.String()
}

func (r *streamWriterResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m streamWriterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cats := r.validationCatalogs(m.SynapseVersion, &resp.Diagnostics)
	s, streamKnown, writersKnown := m.toAssignment(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Skip checks that read a value still unknown (writers often name other resources).
	ps := problemsFor(cats, func(c *catalog.Catalog) fleet.Problems {
		switch {
		case streamKnown && writersKnown:
			return fleet.ValidateStreamAssignment(c, s)
		case streamKnown:
			return fleet.ValidateStreamKey(c, s.Stream)
		}
		return nil
	})
	addProblems(&resp.Diagnostics, ps, problemOptions{skipWarnings: true})
}

// toAssignment converts the model; the flags say whether stream and writers are known.
func (m streamWriterModel) toAssignment(ctx context.Context, diags *diag.Diagnostics) (fleet.StreamAssignment, bool, bool) {
	writersKnown := !m.Writers.IsUnknown() && !hasUnknownElement(m.Writers)
	s := fleet.StreamAssignment{Stream: m.Stream.ValueString()}
	if writersKnown {
		s.Writers = stringsOf(ctx, m.Writers, diags)
	}
	return s, !m.Stream.IsUnknown(), writersKnown
}

func (r *streamWriterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to render
	}
	var plan, config streamWriterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.SynapseVersion = r.effectiveVersion(config.SynapseVersion)
	// Errors only: what a change of writers needs from the running fleet is the rollout plan of
	// synapse_shared_config, which also sees a writer resource that is destroyed.
	r.render(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// render fills the computed attributes when stream and writers are known; errors go to diags
// (rendering one assignment has no warnings).
func (r *streamWriterResource) render(ctx context.Context, m *streamWriterModel, diags *diag.Diagnostics) {
	s, streamKnown, writersKnown := m.toAssignment(ctx, diags)
	if !streamKnown || !writersKnown || m.SynapseVersion.IsUnknown() {
		m.ID = m.Stream
		m.ConfigYAML = types.StringUnknown()
		m.InstanceNames = types.ListUnknown(types.StringType)
		return
	}
	c := r.catalogOf(m.SynapseVersion, diags)
	if c == nil {
		return
	}
	a, ps := fleet.RenderStreamAssignment(c, s)
	addProblems(diags, ps.Errors(), problemOptions{})
	if ps.HasErrors() {
		return
	}
	m.ID = types.StringValue(s.Stream)
	m.ConfigYAML = types.StringValue(a.ConfigYAML)
	m.InstanceNames = stringList(ctx, a.InstanceNames, diags)
}

func (r *streamWriterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.render)
}

// Read keeps the state: the resource is logical, there is nothing remote to refresh.
func (r *streamWriterResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

func (r *streamWriterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.render)
}

// Delete does nothing: the resource is logical, and the framework drops it from the state.
func (r *streamWriterResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}
