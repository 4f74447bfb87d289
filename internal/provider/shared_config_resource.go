package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var (
	_ resource.Resource                   = (*sharedConfigResource)(nil)
	_ resource.ResourceWithConfigure      = (*sharedConfigResource)(nil)
	_ resource.ResourceWithValidateConfig = (*sharedConfigResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*sharedConfigResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*sharedConfigResource)(nil)
)

// NewSharedConfigResource is the synapse_shared_config resource factory.
func NewSharedConfigResource() resource.Resource { return &sharedConfigResource{} }

type sharedConfigResource struct {
	withCatalog
}

type sharedConfigModel struct {
	SynapseVersion                     types.String `tfsdk:"synapse_version"`
	Main                               types.Object `tfsdk:"main"`
	Workers                            types.Map    `tfsdk:"workers"`
	StreamWriters                      types.Map    `tfsdk:"stream_writers"`
	Redis                              types.Object `tfsdk:"redis"`
	ReplicationSecretPath              types.String `tfsdk:"replication_secret_path"`
	ReplicationSecret                  types.String `tfsdk:"replication_secret"`
	PusherInstances                    types.List   `tfsdk:"pusher_instances"`
	FederationSenderInstances          types.List   `tfsdk:"federation_sender_instances"`
	RunBackgroundTasksOn               types.String `tfsdk:"run_background_tasks_on"`
	UpdateUserDirectoryFromWorker      types.String `tfsdk:"update_user_directory_from_worker"`
	NotifyAppservicesFromWorker        types.String `tfsdk:"notify_appservices_from_worker"`
	MediaInstanceRunningBackgroundJobs types.String `tfsdk:"media_instance_running_background_jobs"`
	OutboundFederationRestrictedTo     types.List   `tfsdk:"outbound_federation_restricted_to"`
	DatabaseEngine                     types.String `tfsdk:"database_engine"`
	HomeserverYAML                     types.String `tfsdk:"homeserver_yaml"`
	ProxyConfigDigest                  types.String `tfsdk:"proxy_config_digest"`

	ConfigYAML        types.String `tfsdk:"config_yaml"`
	MergedYAML        types.String `tfsdk:"merged_yaml"`
	InstanceMap       types.Map    `tfsdk:"instance_map"`
	SecretConfigYAML  types.String `tfsdk:"secret_config_yaml"`
	SecretConfigKeys  types.List   `tfsdk:"secret_config_keys"`
	MainLogConfigPath types.String `tfsdk:"main_log_config_path"`
	Rollout           types.Object `tfsdk:"rollout"`
}

type sharedMainModel struct {
	Host            types.String `tfsdk:"host"`
	ReplicationPort types.Number `tfsdk:"replication_port"`
	ReplicationPath types.String `tfsdk:"replication_path"`
	HTTPPort        types.Number `tfsdk:"http_port"`
	MetricsPort     types.Number `tfsdk:"metrics_port"`
	BindAddresses   types.List   `tfsdk:"bind_addresses"`
}

type sharedRedisModel struct {
	Host         types.String `tfsdk:"host"`
	Port         types.Number `tfsdk:"port"`
	Path         types.String `tfsdk:"path"`
	DBID         types.Number `tfsdk:"dbid"`
	UseTLS       types.Bool   `tfsdk:"use_tls"`
	PasswordPath types.String `tfsdk:"password_path"`
}

// sharedDuties pairs each duty attribute with its value in the model. The attribute names are
// the Synapse option names, i.e. the catalogue's Role.Duty values.
func (m *sharedConfigModel) duties() map[string]attr.Value {
	return map[string]attr.Value{
		"pusher_instances":                       m.PusherInstances,
		"federation_sender_instances":            m.FederationSenderInstances,
		"run_background_tasks_on":                m.RunBackgroundTasksOn,
		"update_user_directory_from_worker":      m.UpdateUserDirectoryFromWorker,
		"notify_appservices_from_worker":         m.NotifyAppservicesFromWorker,
		"media_instance_running_background_jobs": m.MediaInstanceRunningBackgroundJobs,
	}
}

func (r *sharedConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_shared_config"
}

func (r *sharedConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = sharedConfigSchemaV1()
}

// UpgradeState upgrades version-0 state (provider 0.1.x) to version 1; `workers` becomes a
// map keyed by name.
func (r *sharedConfigResource) UpgradeState(_ context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(r.setSynapseVersion, r.setRefVersions("workers", "stream_writers"), fillSharedConfigV1, workersByName, r.compactWorkerLists, streamWritersByStream)
}

// sharedConfigSchemaV1 is the schema of synapse_shared_config (version 1, release 0.2.0):
// version 0 with ports and redis.dbid as Number attributes, `synapse_version` (also on the
// `workers` and `stream_writers` elements), `workers` as a map keyed by name, the rollout plan
// and its inputs (`proxy_config_digest`, the workers' `config_digest`), the secret file's keys
// and the main process's log config path, with `homeserver_yaml` sensitive (it may hold
// secrets; `merged_yaml` shows the rest).
func sharedConfigSchemaV1() schema.Schema {
	s := sharedConfigSchemaBase()
	a := s.Attributes
	a["workers"] = workerRefsAttribute("the fleet's duties default from their roles, and stream writers must be among them. "+
		"Each worker's `config_digest` tells the rollout plan when that worker's own files change.",
		"name", "roles", "host", "upstream", "http_resources", "instance_map_entry", "replication_bind_addresses",
		"metrics_port", "listeners", "extra_config", "synapse_version", "config_digest")
	// Both are string attributes of the base schema.
	if hs, ok := a["homeserver_yaml"].(schema.StringAttribute); ok {
		hs.Sensitive = true
		hs.MarkdownDescription += " Sensitive, since the file may hold secrets: the plan shows the change in `merged_yaml`, from which every secret option " +
			"(`macaroon_secret_key`, `registration_shared_secret`, `form_secret`, database and redis passwords, `email.smtp_pass`, `turn_shared_secret`, " +
			"OIDC client secrets and the rest of Synapse's list) is moved to the sensitive `secret_config_yaml`, with a warning naming the `*_path` option to use instead."
		a["homeserver_yaml"] = hs
	}
	if sec, ok := a["secret_config_yaml"].(schema.StringAttribute); ok {
		sec.MarkdownDescription = "Every inline secret, as a config file every process must load as one more `--config-path` after the shared file: " +
			"`worker_replication_secret` when `replication_secret` is set, and the top-level keys of `homeserver_yaml` holding a secret option " +
			"(moved whole: Synapse merges config files shallowly). Empty when there is none. The only output holding a secret; deploy it with mode 0600."
		a["secret_config_yaml"] = sec
	}
	a["secret_config_keys"] = schema.ListAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The top-level keys of `secret_config_yaml`, in order (not secret): empty when there is no secret file to deploy."}
	a["main_log_config_path"] = schema.StringAttribute{Computed: true,
		MarkdownDescription: "`homeserver_yaml`'s `log_config` (null when unset): the log config file the main process opens at startup. Not sensitive, " +
			"so a module can key files by it even when `homeserver_yaml` is passed through `sensitive()`."}
	a["proxy_config_digest"] = schema.StringAttribute{Optional: true,
		MarkdownDescription: "Any string that changes exactly when the deployed reverse-proxy configuration changes, e.g. `sha256(synapse_routing_table.this.nginx_config)` " +
			"for the proxy you render. The rollout plan then reports a routing-only change as a proxy reload; unset, routing changes are not part of it."}
	a["rollout"] = rolloutAttribute()
	return s
}

// sharedConfigSchemaBase is the schema of synapse_shared_config, version 1 (release 0.2.0: ports
// and redis.dbid are Number attributes; `synapse_version`, also on the `workers` and
// `stream_writers` elements), before sharedConfigSchemaV1 adds the rollout and secrets.
func sharedConfigSchemaBase() schema.Schema {
	c := catalog.MustFor(catalog.Latest())
	attrs := map[string]schema.Attribute{
		"synapse_version": synapseVersionAttribute("the shared configuration"),
		"main": schema.SingleNestedAttribute{
			Required: true,
			MarkdownDescription: "The main Synapse process: where workers reach its replication listener. " +
				"Set `replication_port` (with `host`) or `replication_path`; one of them is required once the fleet has workers.",
			Attributes: map[string]schema.Attribute{
				"host": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Host name or address workers use to reach the main process (`instance_map.main.host`)."},
				"replication_port": schema.NumberAttribute{Optional: true,
					MarkdownDescription: "TCP port of the main process's replication listener, rendered into `listeners` and `instance_map.main`."},
				"replication_path": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Unix socket of the main process's replication listener, instead of `replication_port`."},
				"http_port": schema.NumberAttribute{Optional: true,
					MarkdownDescription: "Port of the main process's client/federation listener, the routing table's `main.port`: checked against clashes with the replication listener and the workers, and against the client listener of `homeserver_yaml`, which must be on this port."},
				"metrics_port": schema.NumberAttribute{Optional: true,
					MarkdownDescription: "Port of a `metrics` listener for the main process, rendered into `listeners` after the replication listener " +
						"(bound to `bind_addresses`). Synapse starts it only with `enable_metrics: true` in `homeserver_yaml`, which is a warning otherwise."},
				"bind_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType,
					MarkdownDescription: "Addresses the replication listener (and the metrics listener) binds. Unset means Synapse's default (`::` and `0.0.0.0`, every interface), " +
						"which is an error without a replication secret; bind `127.0.0.1` or `::1` when the workers share the host."},
			},
		},
		"workers": workerRefsAttribute("the fleet's duties default from their roles, and stream writers must be among them.",
			"name", "roles", "host", "upstream", "http_resources", "instance_map_entry", "replication_bind_addresses",
			"metrics_port", "listeners", "extra_config", "synapse_version"),
		"stream_writers": streamWriterRefsAttribute("Every writer must be a worker of `workers` with a replication listener, or `main`; " +
			"each one gets an `instance_map` entry, including the `device_lists`, `thread_subscriptions` and `quarantined_media_changes` writers Synapse does not check."),
		"redis": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Redis, which Synapse workers need for replication (required once the fleet has workers). Rendered as `redis: {enabled: true, ...}`. There is no inline password: use `password_path`.",
			Attributes: map[string]schema.Attribute{
				"host":    schema.StringAttribute{Optional: true, MarkdownDescription: "Redis host; Synapse's default is `localhost`."},
				"port":    schema.NumberAttribute{Optional: true, MarkdownDescription: "Redis port; Synapse's default is `6379`."},
				"path":    schema.StringAttribute{Optional: true, MarkdownDescription: "Redis unix socket, instead of `host` and `port`."},
				"dbid":    schema.NumberAttribute{Optional: true, MarkdownDescription: "Redis database number."},
				"use_tls": schema.BoolAttribute{Optional: true, MarkdownDescription: "Connect to redis over TLS."},
				"password_path": schema.StringAttribute{Optional: true,
					MarkdownDescription: "File holding the redis password (Synapse's `redis.password_path`), so no password reaches the rendered files or Terraform state."},
			},
		},
		"replication_secret_path": schema.StringAttribute{Optional: true,
			MarkdownDescription: "Absolute path of a file holding the replication secret, rendered as `worker_replication_secret_path`. " +
				"Recommended over `replication_secret`: the secret then never passes through Terraform, its plan, its logs or its state."},
		"replication_secret": schema.StringAttribute{Optional: true, Sensitive: true,
			MarkdownDescription: "The replication secret inline. It is rendered only into the sensitive `secret_config_yaml`, never into " +
				"`config_yaml` or `merged_yaml`; load that file as one more `--config-path` (Synapse merges config files shallowly, so a file with " +
				"this one key is safe). Prefer `replication_secret_path`: a secret inside a rendered file must be stored in Terraform state. Conflicts with `replication_secret_path`."},
		"outbound_federation_restricted_to": schema.ListAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Workers (with replication listeners) that outbound federation requests are proxied through. Needs a replication secret; the main process cannot be listed."},
		"database_engine": schema.StringAttribute{Optional: true,
			MarkdownDescription: fmt.Sprintf("The database engine the fleet runs (`database.name`), only checked: workers share the database with the main process, "+
				"so only %s is allowed (`sqlite3` is an error).", backticked(c.WorkerDatabaseEngines))},
		"homeserver_yaml": schema.StringAttribute{Optional: true,
			MarkdownDescription: "An existing homeserver.yaml (e.g. `file(\"homeserver.yaml\")`) to merge the fragment into, giving `merged_yaml`. " +
				"Its comments, key order and other keys are kept; the replication listener is appended to `listeners` unless an equivalent one exists. " +
				"A key the fragment owns set to another value is replaced by the fleet's value with a warning; legacy worker options " +
				"(`worker_replication_host`, `worker_replication_http_port`, `worker_replication_port`, `worker_app`, `start_pushers`/`send_federation` " +
				"while workers do that duty, `update_user_directory`, `notify_appservices`, an sqlite3 database) are errors with the migration in the message."},
		"config_yaml": schema.StringAttribute{Computed: true,
			MarkdownDescription: "The shared fragment, in this key order: `listeners` (the main process's replication listener, then its metrics listener with `main.metrics_port`), `redis`, `instance_map`, " +
				"`stream_writers`, `pusher_instances`, `federation_sender_instances`, the single duty options, `outbound_federation_restricted_to`, " +
				"`enable_media_repo: false` (with a media worker), `worker_replication_secret_path`. The main process is `master` in lists and `main` in `instance_map`. " +
				"Loaded as a separate `--config-path` after homeserver.yaml, its `listeners` would replace the main process's listeners (shallow merge): use `merged_yaml` for the main process."},
		"merged_yaml": schema.StringAttribute{Computed: true,
			MarkdownDescription: "`config_yaml` merged into `homeserver_yaml` (equal to `config_yaml` when `homeserver_yaml` is unset): the shared file every process loads first."},
		"secret_config_yaml": schema.StringAttribute{Computed: true, Sensitive: true,
			MarkdownDescription: "`worker_replication_secret: ...` when `replication_secret` is set, else empty: the only output that holds an inline secret."},
		"instance_map": schema.MapNestedAttribute{Computed: true,
			MarkdownDescription: "The rendered `instance_map`: `main` and every stream writer and outbound federation proxy, for other modules to read.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"host": schema.StringAttribute{Computed: true, MarkdownDescription: "Replication host (null for unix sockets)."},
				"port": schema.NumberAttribute{Computed: true, MarkdownDescription: "Replication port (null for unix sockets)."},
				"path": schema.StringAttribute{Computed: true, MarkdownDescription: "Replication unix socket (null for TCP)."},
				"tls":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether replication uses TLS."},
			}},
		},
	}
	for _, role := range c.Roles {
		if role.Duty == "" {
			continue
		}
		if role.DutyKind == "list" {
			attrs[role.Duty] = schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Ordered list of the processes doing `%s` (the order shards the work, so every process must see the same list). "+
					"Defaults to the workers with the `%s` role in `workers` order, or the main process when there is none. `main` names the main process (rendered `master`). Always rendered as a list.", role.Duty, role.Name)}
		} else {
			attrs[role.Duty] = schema.StringAttribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("The process doing `%s`. Defaults to the first worker with the `%s` role, or the main process when there is none. "+
					"`main` names the main process (rendered `master`). Synapse does not check the name; this resource does.", role.Duty, role.Name)}
		}
	}
	return schema.Schema{
		Version: 1,
		MarkdownDescription: "The shared configuration of a Synapse worker fleet (the settings in the homeserver.yaml every process loads): " +
			"replication listener, redis, `instance_map`, `stream_writers`, duty options and the replication secret, validated across the whole fleet " +
			"and rendered at plan time. Nothing is contacted.",
		Attributes: attrs,
	}
}

func (r *sharedConfigResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m sharedConfigModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cats := r.validationCatalogs(m.SynapseVersion, &resp.Diagnostics)
	cfg, keys, known := r.toDomain(ctx, m, &resp.Diagnostics)
	if !known || resp.Diagnostics.HasError() {
		return // checked again during plan, when the values are known
	}
	addProblems(&resp.Diagnostics, problemsFor(cats, func(c *catalog.Catalog) fleet.Problems {
		return keys.rekey(fleet.ValidateShared(c, cfg))
	}), problemOptions{})
}

func (r *sharedConfigResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var m, config sharedConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.SynapseVersion = r.effectiveVersion(config.SynapseVersion)
	m.Workers = fillRefVersionsMap(ctx, config.Workers, m.Workers, m.SynapseVersion, &resp.Diagnostics)
	m.StreamWriters = fillRefVersionsMap(ctx, config.StreamWriters, m.StreamWriters, m.SynapseVersion, &resp.Diagnostics)
	defer func() {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &m)...)
		}
	}()
	if m.SynapseVersion.IsUnknown() {
		return // rendered in Create/Update once the release is known
	}
	checkRefVersions("synapse_shared_config", m.SynapseVersion.ValueString(), m.Workers, m.StreamWriters, &resp.Diagnostics)
	c := r.catalogOf(m.SynapseVersion, &resp.Diagnostics)
	var prior *sharedConfigModel
	if !req.State.Raw.IsNull() {
		prior = &sharedConfigModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	cfg, keys, known := r.toDomain(ctx, m, &resp.Diagnostics)
	if !known || c == nil || resp.Diagnostics.HasError() {
		return // rendered in Create/Update once every input is known
	}
	// Warnings were reported by ValidateConfig; only errors stop the plan here.
	addProblems(&resp.Diagnostics, keys.rekey(fleet.ValidateShared(c, cfg)), problemOptions{skipWarnings: true})
	if resp.Diagnostics.HasError() {
		return
	}
	secrets := r.render(ctx, c, cfg, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planRollout(ctx, c, cfg, &m, prior, true, &resp.Diagnostics)
	// The secrets warning is worth reading when homeserver_yaml is new or edited, not on every plan.
	if p := fleet.InlineSecretsWarning(secrets); p != nil && (prior == nil || !prior.HomeserverYAML.Equal(m.HomeserverYAML)) {
		addProblems(&resp.Diagnostics, fleet.Problems{*p}, problemOptions{})
	}
}

func (r *sharedConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, func(ctx context.Context, m *sharedConfigModel, diags *diag.Diagnostics) {
		r.apply(ctx, m, nil, diags)
	})
}

// Read is a no-op: the resource is logical, its state is everything there is.
func (r *sharedConfigResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *sharedConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var prior sharedConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, func(ctx context.Context, m *sharedConfigModel, diags *diag.Diagnostics) {
		r.apply(ctx, m, &prior, diags)
	})
}

// Delete is a no-op: nothing exists outside Terraform state.
func (r *sharedConfigResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// apply renders what the plan left unknown (inputs that were unknown at plan time); prior is
// the state before an update (nil on create).
func (r *sharedConfigResource) apply(ctx context.Context, m *sharedConfigModel, prior *sharedConfigModel, diags *diag.Diagnostics) {
	if !m.ConfigYAML.IsUnknown() && !m.MergedYAML.IsUnknown() && !m.InstanceMap.IsUnknown() && !m.SecretConfigYAML.IsUnknown() &&
		!m.SecretConfigKeys.IsUnknown() && !m.MainLogConfigPath.IsUnknown() && !m.Rollout.IsUnknown() {
		return // rendered at plan time
	}
	cfg, keys, known := r.toDomain(ctx, *m, diags)
	if !known || m.SynapseVersion.IsUnknown() {
		diags.AddError("Provider Bug: Unknown Input At Apply", "synapse_shared_config received an unknown input during apply; this is a bug in the provider, please report it.")
		return
	}
	c := r.catalogOf(m.SynapseVersion, diags)
	if c == nil {
		return
	}
	addProblems(diags, keys.rekey(fleet.ValidateShared(c, cfg)), problemOptions{skipWarnings: true})
	if diags.HasError() {
		return
	}
	r.render(ctx, c, cfg, m, diags)
	if diags.HasError() {
		return
	}
	r.planRollout(ctx, c, cfg, m, prior, false, diags)
}

// render fills the rendered attributes and returns the inline secrets found in homeserver_yaml.
func (r *sharedConfigResource) render(ctx context.Context, c *catalog.Catalog, cfg fleet.SharedConfig, m *sharedConfigModel, diags *diag.Diagnostics) []fleet.InlineSecret {
	out, err := fleet.RenderShared(c, cfg)
	if err != nil {
		diags.AddAttributeError(path.Root("homeserver_yaml"), "Invalid Homeserver YAML", fmt.Sprintf("homeserver_yaml could not be merged: %s.", err))
		return nil
	}
	m.ConfigYAML = types.StringValue(out.ConfigYAML)
	m.MergedYAML = types.StringValue(out.MergedYAML)
	m.SecretConfigYAML = types.StringValue(out.SecretConfigYAML)
	m.SecretConfigKeys = stringList(ctx, out.SecretConfigKeys, diags)
	m.MainLogConfigPath = types.StringNull()
	if out.MainLogConfigPath != "" {
		m.MainLogConfigPath = types.StringValue(out.MainLogConfigPath)
	}
	objType := types.ObjectType{AttrTypes: instanceMapEntryAttrTypes}
	elems := map[string]attr.Value{}
	for _, k := range out.InstanceMapKeys {
		e := out.InstanceMap[k]
		v := map[string]attr.Value{
			"host": types.StringNull(), "port": types.NumberNull(), "path": types.StringNull(), "tls": types.BoolValue(e.TLS),
		}
		if e.Path != "" {
			v["path"] = types.StringValue(e.Path)
		} else {
			v["host"] = types.StringValue(e.Host)
			v["port"] = numberOf(e.Port)
		}
		obj, d := types.ObjectValue(instanceMapEntryAttrTypes, v)
		diags.Append(d...)
		elems[k] = obj
	}
	im, d := types.MapValue(objType, elems)
	diags.Append(d...)
	m.InstanceMap = im
	return out.InlineSecrets
}

// toDomain converts the model; known is false while any input is unknown.
// keys are the map keys of cfg.Workers and cfg.StreamWriters, for rekey.
func (r *sharedConfigResource) toDomain(ctx context.Context, m sharedConfigModel, diags *diag.Diagnostics) (cfg fleet.SharedConfig, keys refKeys, known bool) {
	known = true
	if m.Main.IsUnknown() {
		known = false
	} else if !m.Main.IsNull() {
		var mm sharedMainModel
		diags.Append(m.Main.As(ctx, &mm, objectAsOptions)...)
		known = known && isKnown(mm.Host, mm.ReplicationPath, mm.BindAddresses)
		replPort, ok1 := portValue(mm.ReplicationPort, path.Root("main").AtName("replication_port"), "main.replication_port", diags)
		httpPort, ok2 := portValue(mm.HTTPPort, path.Root("main").AtName("http_port"), "main.http_port", diags)
		metricsPort, ok3 := portValue(mm.MetricsPort, path.Root("main").AtName("metrics_port"), "main.metrics_port", diags)
		known = known && ok1 && ok2 && ok3
		cfg.Main = fleet.MainProcess{
			Host:            mm.Host.ValueString(),
			ReplicationPort: replPort,
			ReplicationPath: mm.ReplicationPath.ValueString(),
			HTTPPort:        httpPort,
			MetricsPort:     metricsPort,
			BindAddresses:   stringsOf(ctx, mm.BindAddresses, diags),
		}
	}
	workers, wkeys, ok := workerRefs(ctx, "workers", m.Workers, diags)
	keys.workers = wkeys
	known = known && ok
	cfg.Workers = workers
	writers, skeys, ok := streamWriterRefs(ctx, "stream_writers", m.StreamWriters, diags)
	keys.streams = skeys
	known = known && ok
	cfg.StreamWriters = writers
	if m.Redis.IsUnknown() {
		known = false
	} else if !m.Redis.IsNull() {
		var rm sharedRedisModel
		diags.Append(m.Redis.As(ctx, &rm, objectAsOptions)...)
		known = known && isKnown(rm.Host, rm.Path, rm.UseTLS, rm.PasswordPath)
		port, ok1 := portValue(rm.Port, path.Root("redis").AtName("port"), "redis.port", diags)
		id, ok2 := numberValue(rm.DBID, path.Root("redis").AtName("dbid"), "redis.dbid", "Invalid Redis Database",
			"redis databases are whole numbers from 0", diags)
		known = known && ok1 && ok2
		cfg.Redis = &fleet.Redis{
			Host: rm.Host.ValueString(), Port: port, Path: rm.Path.ValueString(),
			UseTLS: rm.UseTLS.ValueBool(), PasswordPath: rm.PasswordPath.ValueString(),
		}
		if !rm.DBID.IsNull() && ok2 {
			cfg.Redis.DBID = &id
		}
	}
	known = known && isKnown(m.ReplicationSecretPath, m.ReplicationSecret, m.OutboundFederationRestrictedTo, m.DatabaseEngine, m.HomeserverYAML, m.ProxyConfigDigest)
	if _, ok := workerDigests(m.Workers); !ok {
		known = false
	}
	cfg.ReplicationSecretPath = m.ReplicationSecretPath.ValueString()
	cfg.ReplicationSecret = m.ReplicationSecret.ValueString()
	cfg.OutboundFederationRestrictedTo = stringsOf(ctx, m.OutboundFederationRestrictedTo, diags)
	cfg.DatabaseEngine = m.DatabaseEngine.ValueString()
	cfg.HomeserverYAML = m.HomeserverYAML.ValueString()
	cfg.Duties = map[string][]string{}
	for option, v := range m.duties() {
		if v.IsUnknown() {
			known = false
			continue
		}
		if v.IsNull() {
			continue
		}
		switch t := v.(type) {
		case types.String:
			cfg.Duties[option] = []string{t.ValueString()}
		case types.List:
			list := stringsOf(ctx, t, diags)
			if list == nil {
				list = []string{}
			}
			cfg.Duties[option] = list
		}
	}
	return cfg, keys, known
}

// isKnown reports whether every value is known, looking inside lists and sets.
func isKnown(vs ...attr.Value) bool {
	for _, v := range vs {
		if hasUnknownElement(v) {
			return false
		}
	}
	return true
}
