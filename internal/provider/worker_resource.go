package provider

import (
	"context"
	"fmt"
	pathpkg "path"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var (
	_ resource.Resource                   = (*workerResource)(nil)
	_ resource.ResourceWithConfigure      = (*workerResource)(nil)
	_ resource.ResourceWithValidateConfig = (*workerResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*workerResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*workerResource)(nil)
)

// NewWorkerResource is the synapse_worker resource factory.
func NewWorkerResource() resource.Resource { return &workerResource{} }

type workerResource struct {
	withCatalog
}

type workerModel struct {
	ID                       types.String `tfsdk:"id"`
	SynapseVersion           types.String `tfsdk:"synapse_version"`
	Name                     types.String `tfsdk:"name"`
	Roles                    types.Set    `tfsdk:"roles"`
	Host                     types.String `tfsdk:"host"`
	HTTPPort                 types.Number `tfsdk:"http_port"`
	ReplicationPort          types.Number `tfsdk:"replication_port"`
	MetricsPort              types.Number `tfsdk:"metrics_port"`
	BindAddresses            types.List   `tfsdk:"bind_addresses"`
	Listeners                types.List   `tfsdk:"listeners"`
	ConfigDir                types.String `tfsdk:"config_dir"`
	SharedConfigPath         types.String `tfsdk:"shared_config_path"`
	SecretConfigPath         types.String `tfsdk:"secret_config_path"`
	ConfigDigest             types.String `tfsdk:"config_digest"`
	LogConfigPath            types.String `tfsdk:"log_config_path"`
	LogLevel                 types.String `tfsdk:"log_level"`
	ExtraConfig              types.String `tfsdk:"extra_config"`
	ConfigYAML               types.String `tfsdk:"config_yaml"`
	ConfigPath               types.String `tfsdk:"config_path"`
	InstanceMapEntry         types.Object `tfsdk:"instance_map_entry"`
	Upstream                 types.String `tfsdk:"upstream"`
	HTTPResources            types.List   `tfsdk:"http_resources"`
	ReplicationBindAddresses types.List   `tfsdk:"replication_bind_addresses"`
	Command                  types.String `tfsdk:"command"`
}

// listenerModel is one element of synapse_worker.listeners.
type listenerModel struct {
	Type          types.String `tfsdk:"type"`
	Port          types.Number `tfsdk:"port"`
	Path          types.String `tfsdk:"path"`
	BindAddresses types.List   `tfsdk:"bind_addresses"`
	Resources     types.List   `tfsdk:"resources"`
	XForwarded    types.Bool   `tfsdk:"x_forwarded"`
	TLS           types.Bool   `tfsdk:"tls"`
}

func (r *workerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_worker"
}

func (r *workerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = workerSchemaV1()
}

// UpgradeState upgrades version-0 state (provider 0.1.x) to version 1.
func (r *workerResource) UpgradeState(_ context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(r.setSynapseVersion, fillWorkerV1, r.compactWorkerLists)
}

// workerSchemaV1 is version 1 of the synapse_worker schema (release 0.2.0: ports are Number
// attributes; `synapse_version`; 0.1.0's `endpoints`, a copy of catalogue facts now in
// data.synapse_catalog, and `log_config_yaml`, one template now
// provider::synapse::worker_log_config, are gone, so a worker carries what is its own).
// Descriptions are written from the newest catalogue, the same lists the validation uses.
func workerSchemaV1() schema.Schema {
	c := catalog.MustFor(catalog.Latest())
	return schema.Schema{
		Version: 1,
		MarkdownDescription: "One Synapse worker process: validates its roles and listeners and renders its worker " +
			"file and start command, known at plan time. Logical: nothing is contacted; deploy the " +
			"rendered files with your own tooling or the project's modules.\n\n" +
			"Every worker runs `" + catalog.GenericWorkerApp + "`. Its roles decide which endpoints the reverse proxy " +
			"sends to it (`data.synapse_catalog` lists each role's endpoints), the resources of its HTTP listener, and whether it loads the media repository. " +
			"A worker with no roles is a pure stream writer or duty worker: assign streams with `synapse_stream_writer` " +
			"and duties in `synapse_shared_config`.\n\n" +
			"Roles in Synapse " + c.Version + ":\n\n" + roleTable(c),
		Attributes: map[string]schema.Attribute{
			"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "The worker name."},
			"synapse_version": synapseVersionAttribute("the worker"),
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: fmt.Sprintf("The worker name (`worker_name`): letters, digits, `_` and `-`, at most %d characters; "+
					"not `main` or `master`, which name the main process. Changing it replaces the resource.", fleet.MaxWorkerNameLength),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"roles": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The roles this worker takes: " + backticked(c.RoleNames()) + " (see the table above; " +
					"`synapse_version` selects the valid set). Several roles combine their endpoints. Empty means a " +
					"pure stream writer or duty worker."},
			"host": schema.StringAttribute{Required: true,
				MarkdownDescription: "Hostname or IP address where the reverse proxy and the other Synapse processes reach the worker " +
					"(no port, no brackets around IPv6)."},
			"http_port": schema.NumberAttribute{Optional: true,
				MarkdownDescription: "Port of the generated HTTP listener serving the roles' resources (with `x_forwarded: true`, since " +
					"the reverse proxy sits in front). Required when the roles serve endpoints, unless `listeners` is set; for a " +
					"worker whose roles serve none, it adds a `client` listener for its streams' endpoints."},
			"replication_port": schema.NumberAttribute{Optional: true,
				MarkdownDescription: "Port of a generated HTTP listener with the `replication` resource. Stream writers and the " +
					"processes other workers call need one; it becomes `instance_map_entry`."},
			"metrics_port": schema.NumberAttribute{Optional: true,
				MarkdownDescription: "Port of a generated `metrics` listener (Synapse serves it only with `enable_metrics: true`)."},
			"bind_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "IP addresses the generated listeners bind to. Unset means Synapse's defaults " +
					"(`" + strings.Join(c.DefaultBindAddresses("http"), "`, `") + "` for HTTP, `" +
					strings.Join(c.DefaultBindAddresses("metrics"), "`, `") + "` for metrics)."},
			"listeners": schema.ListNestedAttribute{Optional: true,
				MarkdownDescription: "A full override of `worker_listeners`: when set, no listener is generated and `http_port`, " +
					"`replication_port`, `metrics_port` and `bind_addresses` must be unset. The roles' resources must be served " +
					"together by one `http` listener.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{Required: true,
						MarkdownDescription: "Listener type: " + backticked(c.ListenerTypes) + "."},
					"port": schema.NumberAttribute{Optional: true,
						MarkdownDescription: "TCP port. Set exactly one of `port` and `path`."},
					"path": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Absolute path of a unix socket (only for " + backticked(c.UnixSocketListenerTypes) +
							" listeners). Set exactly one of `port` and `path`."},
					"bind_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "IP addresses a TCP listener binds to."},
					"resources": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Resources an `http` listener serves: " + backticked(c.ListenerResources) + "."},
					"x_forwarded": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Trust `X-Forwarded-For` from the reverse proxy. Unset means Synapse's default (true for " +
							"unix sockets, false for TCP)."},
					"tls": schema.BoolAttribute{Optional: true,
						MarkdownDescription: "Terminate TLS in Synapse (needs a certificate in the shared config). Not allowed on unix sockets, where Synapse ignores it."},
				}}},
			"config_dir": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Absolute directory holding the shared config and the `workers/` directory. Unset (null) means `" + fleet.DefaultConfigDir + "`."},
			"shared_config_path": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Absolute path of the shared `homeserver.yaml` the worker loads first. Unset (null) means `<config_dir>/homeserver.yaml` " +
					"(what `command` reads)."},
			"secret_config_path": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Absolute path of the secret config file (`synapse_shared_config`'s sensitive `secret_config_yaml`), " +
					"loaded after the shared file when set: `command` then reads `--config-path <shared_config_path> --config-path <secret_config_path> --config-path <config_path>`. " +
					"Set it when `secret_config_keys` is not empty."},
			"config_digest": schema.StringAttribute{Computed: true,
				MarkdownDescription: "SHA-256 of `config_yaml`, `log_config_yaml` and `command` together: it changes exactly when this worker must restart " +
					"to read its own files. `synapse_shared_config` reads it from `workers` for its rollout plan."},
			"log_config_path": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Absolute path of the worker's log config (`worker_log_config`). Defaults to `<config_dir>/workers/<name>.log.config`. " +
					"Write `provider::synapse::worker_log_config(name, log_level)` there."},
			"log_level": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Root log level of the worker's log config (`provider::synapse::worker_log_config(name, log_level)`): " +
					backticked(c.LogLevels) + ". Unset (null) means `" + fleet.DefaultLogLevel + "`, which the function also takes for null."},
			"extra_config": schema.StringAttribute{Optional: true,
				MarkdownDescription: "More options for the worker file, as a YAML mapping (write `yamlencode({...})`); keys are " +
					"appended in sorted order. It may not set what the provider writes (`worker_app`, `worker_name`, " +
					"`worker_listeners`, `worker_log_config`, `enable_media_repo` for a media worker), the removed " +
					"`worker_replication_*` and `worker_main_http_uri` options, or options every process must share " +
					"(`instance_map`, `stream_writers`, `redis`, `*_instances`, duty options...), which belong in `synapse_shared_config`."},
			"config_yaml": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The worker file, to be written at `config_path`. Keys: `worker_app`, `worker_name`, `worker_listeners`, " +
					"`worker_log_config`, `enable_media_repo` (media workers), then `extra_config` sorted."},
			"config_path": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Where `config_yaml` belongs: `<config_dir>/workers/<name>.yaml`."},
			"instance_map_entry": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "How other processes reach the worker's replication listener (for `instance_map`); null without one.",
				Attributes: map[string]schema.Attribute{
					"host": schema.StringAttribute{Computed: true, MarkdownDescription: "The worker's host; null for a unix socket."},
					"port": schema.NumberAttribute{Computed: true, MarkdownDescription: "The replication port; null for a unix socket."},
					"path": schema.StringAttribute{Computed: true, MarkdownDescription: "The replication unix socket; null for TCP."},
					"tls":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the replication listener terminates TLS."},
				}},
			"upstream": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`host:port` (or `unix:<path>`) of the HTTP listener serving the roles, for the reverse proxy; empty if none."},
			"http_resources": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The resources served by the `upstream` listener when they differ from the default for the worker's `roles` " +
					"(what the roles' endpoints need, or `client` for a worker whose roles serve none; `data.synapse_catalog` lists each endpoint's resource). " +
					"Null for that default, which the fleet-wide resources fill in themselves, and without an `upstream`."},
			"replication_bind_addresses": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Bind addresses of the replication listener when they differ from Synapse's default (`" +
					strings.Join(c.DefaultBindAddresses("http"), "`, `") + "`, all interfaces). Null for that default, for a unix socket, and without one."},
			"command": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The command that starts the worker: `python -m " + catalog.GenericWorkerApp +
					" --config-path <shared_config_path> [--config-path <secret_config_path>] --config-path <config_path>`."},
		},
	}
}

func stickinessNames() []string {
	out := make([]string, len(catalog.Stickinesses))
	for i, s := range catalog.Stickinesses {
		out[i] = string(s)
	}
	return out
}

// roleTable documents each role: what it serves and its duty, from the catalogue.
func roleTable(c *catalog.Catalog) string {
	var b strings.Builder
	b.WriteString("| Role | Description | Endpoint groups (patterns) | Listener resources | Duty option |\n|---|---|---|---|---|\n")
	for _, r := range c.Roles {
		eps := c.EndpointsForRoles([]string{r.Name})
		var groups []string
		count := map[string]int{}
		for _, e := range eps {
			if count[e.Group] == 0 {
				groups = append(groups, e.Group)
			}
			count[e.Group]++
		}
		serves := make([]string, len(groups))
		for i, g := range groups {
			serves[i] = fmt.Sprintf("%s (%d)", g, count[g])
		}
		servesText := strings.Join(serves, "; ")
		if servesText == "" {
			servesText = "none"
		}
		duty := ""
		if r.Duty != "" {
			duty = "`" + r.Duty + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Name, strings.ReplaceAll(r.Description, "|", `\|`),
			servesText, backticked(catalog.ResourcesFor(eps)), duty)
	}
	return b.String()
}

func (r *workerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	m, err := workerFromTerraform(ctx, req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Read Configuration", fmt.Sprintf("%s. This is a provider bug: please report it.", err))
		return
	}
	checkZeroPorts(ctx, m, &resp.Diagnostics)
	cats := r.validationCatalogs(m.SynapseVersion, &resp.Diagnostics)
	// A port that is not a whole number is reported by toWorker and read as unknown, so the
	// checks of everything else still run.
	w, unknown := m.toWorker(ctx, &resp.Diagnostics)
	addProblems(&resp.Diagnostics, problemsFor(cats, func(c *catalog.Catalog) fleet.Problems {
		return fleet.ValidateWorkerPartial(c, w, unknown)
	}), problemOptions{})
}

// checkZeroPorts reports an explicit port 0: the domain reads 0 as "not set", a distinction
// only Terraform's null makes.
func checkZeroPorts(ctx context.Context, m workerModel, diags *diag.Diagnostics) {
	for _, p := range []struct {
		name string
		v    types.Number
	}{{"http_port", m.HTTPPort}, {"replication_port", m.ReplicationPort}, {"metrics_port", m.MetricsPort}} {
		if n, ok := wholeNumber(p.v); ok && n == 0 && !p.v.IsNull() && !p.v.IsUnknown() {
			diags.AddAttributeError(path.Root(p.name), "Invalid Port",
				fmt.Sprintf("%s is 0; a TCP port is between 1 and 65535. Leave %s unset (null) for no such listener.", p.name, p.name))
		}
	}
	if m.Listeners.IsNull() || m.Listeners.IsUnknown() {
		return
	}
	var ls []listenerModel
	if d := m.Listeners.ElementsAs(ctx, &ls, true); d.HasError() {
		return
	}
	for i, l := range ls {
		if n, ok := wholeNumber(l.Port); ok && n == 0 && !l.Port.IsNull() && !l.Port.IsUnknown() {
			diags.AddAttributeError(path.Root("listeners").AtListIndex(i).AtName("port"), "Invalid Port",
				fmt.Sprintf("listeners[%d].port is 0; a TCP port is between 1 and 65535. Leave port unset for a unix socket listener.", i))
		}
	}
}

// toWorker converts the model to the domain value, naming the attributes still unknown.
func (m workerModel) toWorker(ctx context.Context, diags *diag.Diagnostics) (fleet.Worker, fleet.Unknown) {
	unknown := fleet.Unknown{}
	str := func(name string, v types.String) string {
		if v.IsUnknown() {
			unknown[name] = true
		}
		return v.ValueString()
	}
	port := func(name string, v types.Number) int {
		n, known := portValue(v, path.Root(name), name, diags)
		if !known {
			unknown[name] = true
		}
		return n
	}
	list := func(name string, v attr.Value) []string {
		if v.IsUnknown() || hasUnknownElement(v) {
			unknown[name] = true
			return nil
		}
		return stringsOf(ctx, v, diags)
	}
	w := fleet.Worker{
		Name:             str("name", m.Name),
		Roles:            list("roles", m.Roles),
		Host:             str("host", m.Host),
		HTTPPort:         port("http_port", m.HTTPPort),
		ReplicationPort:  port("replication_port", m.ReplicationPort),
		MetricsPort:      port("metrics_port", m.MetricsPort),
		BindAddresses:    list("bind_addresses", m.BindAddresses),
		ConfigDir:        str("config_dir", m.ConfigDir),
		SharedConfigPath: str("shared_config_path", m.SharedConfigPath),
		SecretConfigPath: str("secret_config_path", m.SecretConfigPath),
		LogConfigPath:    str("log_config_path", m.LogConfigPath),
		LogLevel:         str("log_level", m.LogLevel),
		ExtraConfig:      str("extra_config", m.ExtraConfig),
	}
	switch {
	case m.Listeners.IsUnknown():
		unknown["listeners"] = true
	case !m.Listeners.IsNull():
		for i, el := range m.Listeners.Elements() {
			obj, ok := el.(types.Object)
			if !ok || obj.IsUnknown() || hasUnknownElement(obj) {
				unknown["listeners"] = true
				break
			}
			var lm listenerModel
			diags.Append(obj.As(ctx, &lm, objectAsOptions)...)
			lport, known := portValue(lm.Port, path.Root("listeners").AtListIndex(i).AtName("port"), fleet.Index("listeners", i, "port"), diags)
			if !known {
				unknown["listeners"] = true
			}
			l := fleet.Listener{
				Type:          lm.Type.ValueString(),
				Port:          lport,
				Path:          lm.Path.ValueString(),
				BindAddresses: stringsOf(ctx, lm.BindAddresses, diags),
				Resources:     stringsOf(ctx, lm.Resources, diags),
				TLS:           lm.TLS.ValueBool(),
			}
			if !lm.XForwarded.IsNull() {
				xf := lm.XForwarded.ValueBool()
				l.XForwarded = &xf
			}
			w.Listeners = append(w.Listeners, l)
		}
	}
	return w, unknown
}

// hasUnknownElement reports whether a collection or object holds an unknown value at any depth.
func hasUnknownElement(v attr.Value) bool {
	if v == nil || v.IsUnknown() {
		return v != nil
	}
	switch c := v.(type) {
	case types.List:
		for _, e := range c.Elements() {
			if hasUnknownElement(e) {
				return true
			}
		}
	case types.Set:
		for _, e := range c.Elements() {
			if hasUnknownElement(e) {
				return true
			}
		}
	case types.Object:
		for _, e := range c.Attributes() {
			if hasUnknownElement(e) {
				return true
			}
		}
	}
	return false
}

func (r *workerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to render
	}
	// Read and written without reflection (see worker_values.go): this runs for every worker.
	plan, err := workerFromTerraform(ctx, req.Plan.Raw)
	var config workerModel
	if err == nil {
		config, err = workerFromTerraform(ctx, req.Config.Raw)
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable To Read Plan", fmt.Sprintf("%s. This is a provider bug: please report it.", err))
		return
	}
	// An optional+computed path follows the config: removing it from the config must bring
	// back the default, which the prior state would otherwise keep.
	plan.LogConfigPath = config.LogConfigPath
	plan.SynapseVersion = r.effectiveVersion(config.SynapseVersion)
	r.render(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	out, err := plan.toTerraform(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Set Plan", fmt.Sprintf("%s. This is a provider bug: please report it.", err))
		return
	}
	resp.Plan.Raw = out
}

// render fills the computed attributes: rendered when every input is known, unknown otherwise.
func (r *workerResource) render(ctx context.Context, m *workerModel, diags *diag.Diagnostics) {
	w, unknown := m.toWorker(ctx, diags)
	if diags.HasError() {
		return
	}
	if m.SynapseVersion.IsUnknown() {
		unknown["synapse_version"] = true
	}
	if len(unknown) > 0 {
		m.setUnknown(w, unknown)
		return
	}
	c := r.catalogOf(m.SynapseVersion, diags)
	if c == nil {
		return
	}
	a, ps := fleet.RenderWorker(c, w)
	// Warnings were reported by ValidateConfig.
	addProblems(diags, ps, problemOptions{skipWarnings: true})
	if ps.HasErrors() {
		return
	}
	w = w.WithDefaults()
	m.ID = types.StringValue(w.Name)
	m.LogConfigPath = types.StringValue(a.LogConfigPath)
	m.ConfigYAML = types.StringValue(a.ConfigYAML)
	m.ConfigPath = types.StringValue(a.ConfigPath)
	m.InstanceMapEntry = instanceMapEntryValue(a.InstanceMap, diags)
	m.Upstream = types.StringValue(a.Upstream)
	// Catalogue defaults stay null: the fleet-wide resources restore them (WithCatalogDefaults).
	ref := a.Ref(w).Compact(c)
	m.HTTPResources = stringListOrNull(ref.HTTPResources)
	m.ReplicationBindAddresses = stringListOrNull(ref.ReplicationBindAddresses)
	m.Command = types.StringValue(a.Command)
	m.ConfigDigest = types.StringValue(a.Digest)
}

// setUnknown marks what depends on unknown inputs as unknown (everything rendered does).
func (m *workerModel) setUnknown(w fleet.Worker, unknown fleet.Unknown) {
	if unknown["name"] {
		m.ID = types.StringUnknown()
	} else {
		m.ID = types.StringValue(w.Name)
	}
	if m.LogConfigPath.IsNull() {
		if unknown["config_dir"] || unknown["name"] {
			m.LogConfigPath = types.StringUnknown()
		} else {
			m.LogConfigPath = types.StringValue(w.WithDefaults().LogConfigPath)
		}
	}
	m.ConfigYAML = types.StringUnknown()
	m.ConfigPath = types.StringUnknown()
	if !unknown["config_dir"] && !unknown["name"] {
		m.ConfigPath = types.StringValue(w.ConfigPath())
	}
	m.InstanceMapEntry = types.ObjectUnknown(instanceMapEntryAttrTypes)
	m.Upstream = types.StringUnknown()
	m.HTTPResources = types.ListUnknown(types.StringType)
	m.ReplicationBindAddresses = types.ListUnknown(types.StringType)
	m.Command = types.StringUnknown()
	m.ConfigDigest = types.StringUnknown()
}

func (r *workerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.render)
}

// Read keeps the state: the resource is logical, there is nothing remote to refresh.
func (r *workerResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {}

func (r *workerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.render)
}

// Delete does nothing: the resource is logical, and the framework drops it from the state.
func (r *workerResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

func instanceMapEntryValue(e *fleet.InstanceMapEntry, diags *diag.Diagnostics) types.Object {
	if e == nil {
		return types.ObjectNull(instanceMapEntryAttrTypes)
	}
	v := map[string]attr.Value{"host": types.StringNull(), "port": types.NumberNull(), "path": types.StringNull(), "tls": types.BoolValue(e.TLS)}
	if e.Path != "" {
		v["path"] = types.StringValue(e.Path)
	} else {
		v["host"] = types.StringValue(e.Host)
		v["port"] = numberOf(e.Port)
	}
	return objectValue(instanceMapEntryAttrTypes, v, diags)
}

// stringList is a known list of strings (empty, never null, for nil).
func stringList(ctx context.Context, s []string, diags *diag.Diagnostics) types.List {
	if s == nil {
		s = []string{}
	}
	v, d := types.ListValueFrom(ctx, types.StringType, s)
	diags.Append(d...)
	return v
}

// fillWorkerV1 computes config_digest from the files a 0.1.0 state holds (the same digest the
// next plan renders, so an unchanged worker plans no change), and nulls what version 1 leaves
// null: config_dir, log_level and shared_config_path when 0.1.0 stored their defaults (version
// 1 does not compute them). compactWorkerLists nulls http_resources and replication_bind_addresses.
func fillWorkerV1(state map[string]any) error {
	state["config_digest"] = fleet.Digest(stateString(state, "config_yaml"), stateString(state, "log_config_yaml"), stateString(state, "command"))
	dir := stateString(state, "config_dir")
	if dir == "" {
		dir = fleet.DefaultConfigDir
	}
	if stateString(state, "shared_config_path") == pathpkg.Join(dir, "homeserver.yaml") {
		state["shared_config_path"] = nil
	}
	if dir == fleet.DefaultConfigDir {
		state["config_dir"] = nil
	}
	if stateString(state, "log_level") == fleet.DefaultLogLevel {
		state["log_level"] = nil
	}
	return nil
}
