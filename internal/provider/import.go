package provider

// Import of every resource from an existing fleet's files (`terraform import` and `import {}`
// blocks). The import ID names a file on the machine running Terraform, optionally followed by
// `?key=value&...` options:
//
//	synapse_worker         <worker.yaml>[?host=H&roles=r1,r2&shared_config_path=P&log_level=L]
//	                       (every form also takes synapse_version=V: default the provider's)
//	synapse_stream_writer  <homeserver.yaml>?stream=<stream>
//	synapse_shared_config  <homeserver.yaml>[?workers=DIR&shared_config_path=P&worker_types=T&default_host=H&host.<worker>=H&roles.<worker>=r1,r2]
//	synapse_routing_table  the same as synapse_shared_config
//
// The files are parsed by internal/fleet (ImportWorker, ParseHomeserver, Adopt), which also
// checks that what the resource renders equals the original after YAML parsing; a difference
// or an inferred value is a warning, anything that cannot be carried over is an error naming
// the key. The state is then rendered by the same code as Create, so the next plan is empty
// when the configuration holds the imported values (`terraform plan -generate-config-out`).

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/adopt"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var (
	_ resource.ResourceWithImportState = (*workerResource)(nil)
	_ resource.ResourceWithImportState = (*streamWriterResource)(nil)
	_ resource.ResourceWithImportState = (*sharedConfigResource)(nil)
	_ resource.ResourceWithImportState = (*routingTableResource)(nil)
)

// importID is a parsed import ID: a file path and its options.
type importID struct {
	path string
	opts url.Values
}

// parseImportID splits `PATH?k=v&...`, refusing options the resource does not take (prefix
// options such as "host." match any key starting with them).
func parseImportID(id, form string, allowed ...string) (importID, error) {
	p, q, _ := strings.Cut(id, "?")
	if p == "" {
		return importID{}, fmt.Errorf("the import ID %q names no file; the form is %s", id, form)
	}
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(p)
		if err == nil {
			p = abs
		}
	}
	opts, err := url.ParseQuery(q)
	if err != nil {
		return importID{}, fmt.Errorf("the options after '?' in %q do not parse (%v); the form is %s", id, err, form)
	}
	for k := range opts {
		ok := false
		for _, a := range allowed {
			if k == a || strings.HasSuffix(a, ".") && strings.HasPrefix(k, a) && len(k) > len(a) {
				ok = true
			}
		}
		if !ok {
			return importID{}, fmt.Errorf("the import ID option %q is not one of %s; the form is %s", k, strings.Join(allowed, ", "), form)
		}
	}
	return importID{path: p, opts: opts}, nil
}

// list reads a comma-separated option; present is false when it is absent.
func (i importID) list(key string) (vals []string, present bool) {
	if _, ok := i.opts[key]; !ok {
		return nil, false
	}
	vals = []string{}
	for _, v := range strings.Split(i.opts.Get(key), ",") {
		if v = strings.TrimSpace(v); v != "" {
			vals = append(vals, v)
		}
	}
	return vals, true
}

// addImportProblems reports fleet problems found while importing: the import ID (not an
// attribute) is at fault, so they are resource-level diagnostics.
func addImportProblems(diags *diag.Diagnostics, ps fleet.Problems) {
	for _, p := range ps {
		if p.Warning {
			diags.AddWarning(p.Summary, p.Detail)
		} else {
			diags.AddError(p.Summary, p.Detail)
		}
	}
}

// importCatalog is the release an import reads the files for: the ID's synapse_version option,
// else the provider's; the resource's synapse_version is set to it.
func importCatalog(w *withCatalog, id importID, diags *diag.Diagnostics) (*catalog.Catalog, types.String) {
	v := id.opts.Get("synapse_version")
	if v == "" {
		v = w.providerVersion()
	}
	version := types.StringValue(v)
	return w.catalogOf(version, diags), version
}

// openImport parses an import ID of the given form (check, when set, refuses what the
// options alone cannot), reads the file it names and selects the release to read it for.
func openImport(w *withCatalog, rawID, form string, check func(importID) error, diags *diag.Diagnostics, allowed ...string) (
	id importID, src string, c *catalog.Catalog, version types.String, ok bool,
) {
	id, err := parseImportID(rawID, form, allowed...)
	if err == nil && check != nil {
		err = check(id)
	}
	if err != nil {
		diags.AddError("Invalid Import ID", err.Error()+".")
		return id, "", nil, version, false
	}
	if src, ok = readImportFile(id.path, diags); !ok {
		return id, "", nil, version, false
	}
	c, version = importCatalog(w, id, diags)
	return id, src, c, version, c != nil
}

func readImportFile(p string, diags *diag.Diagnostics) (string, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		diags.AddError("Cannot Read Import File", fmt.Sprintf("The import ID names %s, which cannot be read: %v. Give the path of the existing file on the machine running Terraform.", p, err))
		return "", false
	}
	return string(b), true
}

const workerImportForm = "<path of the worker's YAML file>[?host=<host>&roles=<role>,<role>&shared_config_path=<path>&log_level=<level>]"

// ImportState reads an existing worker file.
func (r *workerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, src, c, version, ok := openImport(&r.withCatalog, req.ID, workerImportForm, nil, &resp.Diagnostics,
		"host", "roles", "shared_config_path", "log_level", "synapse_version")
	if !ok {
		return
	}
	opt := fleet.WorkerImport{Host: id.opts.Get("host"), SharedConfigPath: id.opts.Get("shared_config_path"), LogLevel: id.opts.Get("log_level")}
	if roles, ok := id.list("roles"); ok {
		opt.Roles = roles
	}
	// The shared config the worker loads, when readable, tells its host (instance_map) and duties.
	shared := opt.SharedConfigPath
	if shared == "" {
		if wf, _ := fleet.ParseWorkerFile(c, id.path, src); wf.ConfigDir != "" {
			shared = filepath.Join(wf.ConfigDir, "homeserver.yaml")
		}
	}
	if b, err := os.ReadFile(shared); shared != "" && err == nil {
		if hs, ps := fleet.ParseHomeserver(c, shared, string(b)); !ps.HasErrors() {
			opt.Homeserver = &hs
		}
	}
	w, ps := fleet.ImportWorker(c, id.path, src, opt)
	addImportProblems(&resp.Diagnostics, ps)
	if resp.Diagnostics.HasError() {
		return
	}
	m := workerModelOf(ctx, w, &resp.Diagnostics)
	m.SynapseVersion = version
	r.render(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// workerModelOf is a worker's inputs as the resource's model (computed attributes unset).
// config_dir, shared_config_path and log_level are null unless the file or the ID set them
// (null means the default), as `adopt` writes them.
func workerModelOf(ctx context.Context, w fleet.Worker, diags *diag.Diagnostics) workerModel {
	m := workerModel{
		Name:             types.StringValue(w.Name),
		Roles:            types.SetNull(types.StringType),
		Host:             types.StringValue(w.Host),
		HTTPPort:         optionalPort(w.HTTPPort),
		ReplicationPort:  optionalPort(w.ReplicationPort),
		MetricsPort:      optionalPort(w.MetricsPort),
		BindAddresses:    optionalStrings(ctx, w.BindAddresses, diags),
		Listeners:        types.ListNull(listenersElemType()),
		ConfigDir:        optionalString(w.ConfigDir),
		SharedConfigPath: optionalString(w.SharedConfigPath),
		LogConfigPath:    types.StringValue(w.WithDefaults().LogConfigPath),
		LogLevel:         optionalString(w.LogLevel),
		ExtraConfig:      types.StringNull(),
	}
	if len(w.Roles) > 0 {
		v, d := types.SetValueFrom(ctx, types.StringType, w.Roles)
		diags.Append(d...)
		m.Roles = v
	}
	if w.ExtraConfig != "" {
		m.ExtraConfig = types.StringValue(w.ExtraConfig)
	}
	if len(w.Listeners) > 0 {
		ls := make([]listenerModel, len(w.Listeners))
		for i, l := range w.Listeners {
			ls[i] = listenerModel{
				Type: types.StringValue(l.Type), Port: optionalPort(l.Port), Path: types.StringNull(),
				BindAddresses: optionalStrings(ctx, l.BindAddresses, diags), Resources: optionalStrings(ctx, l.Resources, diags),
				XForwarded: types.BoolNull(), TLS: types.BoolNull(),
			}
			if l.Path != "" {
				ls[i].Path = types.StringValue(l.Path)
			}
			if l.XForwarded != nil {
				ls[i].XForwarded = types.BoolValue(*l.XForwarded)
			}
			if l.TLS {
				ls[i].TLS = types.BoolValue(true)
			}
		}
		v, d := types.ListValueFrom(ctx, listenersElemType(), ls)
		diags.Append(d...)
		m.Listeners = v
	}
	return m
}

// listenersElemType is the object type of synapse_worker.listeners, from the schema.
func listenersElemType() attr.Type {
	return objectTypeOf(workerSchemaV1().Attributes["listeners"].GetType())
}

// withNulls fills the attributes of attrTypes that vals lacks with nulls, so an object built by
// import stays valid when the schema gains an attribute the import does not set.
func withNulls(attrTypes map[string]attr.Type, vals map[string]attr.Value) map[string]attr.Value {
	for k, t := range attrTypes {
		if _, ok := vals[k]; ok {
			continue
		}
		switch x := t.(type) {
		case types.ListType:
			vals[k] = types.ListNull(x.ElemType)
		case types.SetType:
			vals[k] = types.SetNull(x.ElemType)
		case types.MapType:
			vals[k] = types.MapNull(x.ElemType)
		case types.ObjectType:
			vals[k] = types.ObjectNull(x.AttrTypes)
		case basetypes.NumberType:
			vals[k] = types.NumberNull()
		case basetypes.BoolType:
			vals[k] = types.BoolNull()
		case basetypes.Int64Type:
			vals[k] = types.Int64Null()
		default:
			vals[k] = types.StringNull()
		}
	}
	return vals
}

// objectTypeOf is the object type of a single, list or map nested attribute's type.
func objectTypeOf(t attr.Type) types.ObjectType {
	switch x := t.(type) {
	case types.ListType:
		return objectTypeOf(x.ElemType)
	case types.MapType:
		return objectTypeOf(x.ElemType)
	case types.ObjectType:
		return x
	}
	return types.ObjectType{AttrTypes: map[string]attr.Type{}} // not reached: only nested attributes are passed
}

func optionalPort(p int) types.Number {
	if p == 0 {
		return types.NumberNull()
	}
	return numberOf(p)
}

func optionalStrings(ctx context.Context, s []string, diags *diag.Diagnostics) types.List {
	if len(s) == 0 {
		return types.ListNull(types.StringType)
	}
	return stringList(ctx, s, diags)
}

const streamWriterImportForm = "<path of homeserver.yaml>?stream=<stream>"

// ImportState reads one stream_writers entry of an existing homeserver.yaml.
func (r *streamWriterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	needStream := func(id importID) error {
		if id.opts.Get("stream") == "" {
			return fmt.Errorf("the import ID %q names no stream; the form is %s", req.ID, streamWriterImportForm)
		}
		return nil
	}
	id, src, c, version, ok := openImport(&r.withCatalog, req.ID, streamWriterImportForm, needStream, &resp.Diagnostics, "stream", "synapse_version")
	if !ok {
		return
	}
	hs, ps := fleet.ParseHomeserver(c, id.path, src)
	addImportProblems(&resp.Diagnostics, ps.Errors())
	if resp.Diagnostics.HasError() {
		return
	}
	stream := id.opts.Get("stream")
	var writers []string
	for _, s := range hs.StreamWriters {
		if s.Stream == stream {
			writers = s.Writers
		}
	}
	if writers == nil {
		resp.Diagnostics.AddError("Stream Not In Stream Writers", fmt.Sprintf("%s has no stream_writers entry for %q (it has %s), so the main process writes it; "+
			"import a stream the file assigns, or create a synapse_stream_writer for it.", id.path, stream, streamList(hs)))
		return
	}
	m := streamWriterModel{Stream: types.StringValue(stream), Writers: stringList(ctx, writers, &resp.Diagnostics), SynapseVersion: version}
	r.render(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func streamList(hs fleet.Homeserver) string {
	var keys []string
	for _, s := range hs.StreamWriters {
		keys = append(keys, fmt.Sprintf("%q", s.Stream))
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

const fleetImportForm = "<path of homeserver.yaml>[?workers=<directory of worker files>&shared_config_path=<path>&worker_types=<SYNAPSE_WORKER_TYPES>&default_host=<host>&host.<worker>=<host>&roles.<worker>=<role>,<role>]"

// adoptFromID reads a whole fleet for the fleet-wide resources.
func adoptFromID(r *withCatalog, id string, diags *diag.Diagnostics) (fleet.Adopted, types.String, bool) {
	iid, err := parseImportID(id, fleetImportForm, "workers", "shared_config_path", "worker_types", "default_host", "host.", "roles.", "synapse_version")
	if err != nil {
		diags.AddError("Invalid Import ID", err.Error()+".")
		return fleet.Adopted{}, types.String{}, false
	}
	c, version := importCatalog(r, iid, diags)
	if c == nil {
		return fleet.Adopted{}, version, false
	}
	in, err := adopt.ReadFleetFiles(iid.path, iid.opts.Get("workers"))
	if err != nil {
		diags.AddError("Cannot Read Import File", err.Error()+".")
		return fleet.Adopted{}, version, false
	}
	in.SharedConfigPath = iid.opts.Get("shared_config_path")
	in.DefaultHost = iid.opts.Get("default_host")
	in.Hosts, in.Roles = map[string]string{}, map[string][]string{}
	if t := iid.opts.Get("worker_types"); t != "" {
		wt, err := fleet.ParseWorkerTypes(t)
		if err != nil {
			diags.AddError("Invalid Import ID", fmt.Sprintf("worker_types: %v.", err))
			return fleet.Adopted{}, version, false
		}
		for name, ts := range wt {
			roles, unknown := fleet.RolesFromTypes(c, ts)
			if len(unknown) > 0 {
				diags.AddWarning("Unknown Worker Type", fmt.Sprintf("worker_types gives %s the types %s, which are neither roles nor streams of Synapse %s; they are ignored.", name, strings.Join(unknown, ", "), c.Version))
			}
			in.Roles[name] = roles
		}
	}
	for k := range iid.opts {
		if name, ok := strings.CutPrefix(k, "host."); ok {
			in.Hosts[name] = iid.opts.Get(k)
		}
		if name, ok := strings.CutPrefix(k, "roles."); ok {
			in.Roles[name], _ = iid.list(k)
		}
	}
	a, ps := fleet.Adopt(c, in)
	addImportProblems(diags, ps)
	return a, version, !diags.HasError()
}

// workerRefsValue is the `workers` input (of the element type elem, which differs per resource)
// keyed by worker name, holding the adopted workers' computed facts, and their listener facts
// and config digest where elem has them.
func workerRefsValue(ctx context.Context, a fleet.Adopted, elem types.ObjectType, version types.String, diags *diag.Diagnostics) types.Map {
	vals := map[string]attr.Value{}
	for _, w := range a.Workers {
		ref := a.Artifacts[w.Name].Ref(w).Compact(a.Catalog)
		roles := types.SetNull(types.StringType)
		if len(ref.Roles) > 0 {
			v, d := types.SetValueFrom(ctx, types.StringType, ref.Roles)
			diags.Append(d...)
			roles = v
		}
		im := types.ObjectNull(instanceMapEntryAttrTypes)
		if ref.InstanceMap != nil {
			im = instanceMapEntryValue(ref.InstanceMap, diags)
		}
		v := map[string]attr.Value{
			"name": types.StringValue(ref.Name), "roles": roles, "host": types.StringValue(ref.Host),
			// Empty lists are null, as synapse_worker has them.
			"upstream": types.StringValue(ref.Upstream), "http_resources": optionalStrings(ctx, ref.HTTPResources, diags),
			"instance_map_entry": im, "replication_bind_addresses": optionalStrings(ctx, ref.ReplicationBindAddresses, diags),
		}
		if _, ok := elem.AttrTypes["synapse_version"]; ok {
			v["synapse_version"] = version
		}
		if _, ok := elem.AttrTypes["metrics_port"]; ok {
			v["metrics_port"] = optionalPort(w.MetricsPort)
		}
		if _, ok := elem.AttrTypes["extra_config"]; ok {
			v["extra_config"] = optionalString(w.ExtraConfig)
		}
		if _, ok := elem.AttrTypes["config_digest"]; ok {
			v["config_digest"] = types.StringValue(a.Artifacts[w.Name].Digest)
		}
		if lt, ok := elem.AttrTypes["listeners"]; ok {
			lot := objectTypeOf(lt)
			ls := types.ListNull(lot)
			if len(w.Listeners) > 0 {
				var elems []attr.Value
				for _, l := range w.Listeners {
					elems = append(elems, objectValue(lot.AttrTypes, map[string]attr.Value{
						"type": types.StringValue(l.Type), "port": optionalPort(l.Port), "path": optionalString(l.Path),
					}, diags))
				}
				ls = listValue(lot.AttrTypes, elems, diags)
			}
			v["listeners"] = ls
		}
		for k := range v {
			if _, ok := elem.AttrTypes[k]; !ok {
				delete(v, k) // a fact this resource's references do not take
			}
		}
		vals[w.Name] = objectValue(elem.AttrTypes, withNulls(elem.AttrTypes, v), diags)
	}
	m, d := types.MapValue(elem, vals)
	diags.Append(d...)
	return m
}

// streamWriterRefsValue is the `stream_writers` input holding the adopted assignments, keyed by stream.
func streamWriterRefsValue(ctx context.Context, ss []fleet.StreamAssignment, version types.String, diags *diag.Diagnostics) types.Map {
	elem := objectTypeOf(streamWriterRefsAttribute("").GetType())
	vals := map[string]attr.Value{}
	for _, s := range ss {
		vals[s.Stream] = objectValue(elem.AttrTypes, withNulls(elem.AttrTypes, map[string]attr.Value{
			"stream": types.StringValue(s.Stream), "writers": stringList(ctx, s.Writers, diags), "synapse_version": version,
		}), diags)
	}
	m, d := types.MapValue(elem, vals)
	diags.Append(d...)
	return m
}

// ImportState reads an existing homeserver.yaml and its workers.
func (r *sharedConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	a, version, ok := adoptFromID(&r.withCatalog, req.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	m := sharedConfigModelOf(ctx, a, version, &resp.Diagnostics)
	r.apply(ctx, &m, nil, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The fleet is running already: its rollout is "nothing to do" (a plan from the imported
	// state to itself), not the first deployment apply assumes without a prior state.
	c := r.catalogOf(m.SynapseVersion, &resp.Diagnostics)
	if c == nil {
		return
	}
	cfg, _, _ := r.toDomain(ctx, m, &resp.Diagnostics)
	self := m
	self.Rollout = types.ObjectUnknown(rolloutAttrTypes)
	r.planRollout(ctx, c, cfg, &m, &self, false, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sharedConfigModelOf is an adopted fleet's shared config as the resource's model, computed
// attributes unknown (rendered by apply).
func sharedConfigModelOf(ctx context.Context, a fleet.Adopted, version types.String, diags *diag.Diagnostics) sharedConfigModel {
	s := a.Shared
	schemaAttrs := sharedConfigSchemaV1().Attributes
	mainType := objectTypeOf(schemaAttrs["main"].GetType())
	mainVals := map[string]attr.Value{
		"host": types.StringNull(), "replication_port": optionalPort(s.Main.ReplicationPort), "replication_path": types.StringNull(),
		"http_port": optionalPort(s.Main.HTTPPort), "bind_addresses": optionalStrings(ctx, s.Main.BindAddresses, diags),
	}
	if s.Main.Host != "" {
		mainVals["host"] = types.StringValue(s.Main.Host)
	}
	if s.Main.ReplicationPath != "" {
		mainVals["replication_path"] = types.StringValue(s.Main.ReplicationPath)
	}
	m := sharedConfigModel{
		Main:                           objectValue(mainType.AttrTypes, withNulls(mainType.AttrTypes, mainVals), diags),
		SynapseVersion:                 version,
		Workers:                        workerRefsValue(ctx, a, objectTypeOf(schemaAttrs["workers"].GetType()), version, diags),
		StreamWriters:                  streamWriterRefsValue(ctx, a.Streams, version, diags),
		Redis:                          types.ObjectNull(objectTypeOf(schemaAttrs["redis"].GetType()).AttrTypes),
		ReplicationSecretPath:          optionalString(s.ReplicationSecretPath),
		ReplicationSecret:              types.StringNull(),
		OutboundFederationRestrictedTo: optionalStrings(ctx, s.OutboundFederationRestrictedTo, diags),
		DatabaseEngine:                 optionalString(s.DatabaseEngine),
		HomeserverYAML:                 types.StringValue(s.HomeserverYAML),
		ConfigYAML:                     types.StringUnknown(),
		MergedYAML:                     types.StringUnknown(),
		InstanceMap:                    types.MapUnknown(types.ObjectType{AttrTypes: instanceMapEntryAttrTypes}),
		SecretConfigYAML:               types.StringUnknown(),
		SecretConfigKeys:               types.ListUnknown(types.StringType),
		MainLogConfigPath:              types.StringUnknown(),
		Rollout:                        types.ObjectUnknown(objectTypeOf(schemaAttrs["rollout"].GetType()).AttrTypes),
		ProxyConfigDigest:              types.StringNull(),
	}
	if rd := s.Redis; rd != nil {
		vals := map[string]attr.Value{
			"host": optionalString(rd.Host), "port": optionalPort(rd.Port), "path": optionalString(rd.Path),
			"dbid": types.NumberNull(), "use_tls": types.BoolNull(), "password_path": optionalString(rd.PasswordPath),
		}
		if rd.DBID != nil {
			vals["dbid"] = numberOf(*rd.DBID)
		}
		if rd.UseTLS {
			vals["use_tls"] = types.BoolValue(true)
		}
		m.Redis = objectValue(m.Redis.AttributeTypes(ctx), withNulls(m.Redis.AttributeTypes(ctx), vals), diags)
	}
	duties := map[string]*types.String{
		"run_background_tasks_on": &m.RunBackgroundTasksOn, "update_user_directory_from_worker": &m.UpdateUserDirectoryFromWorker,
		"notify_appservices_from_worker": &m.NotifyAppservicesFromWorker, "media_instance_running_background_jobs": &m.MediaInstanceRunningBackgroundJobs,
	}
	lists := map[string]*types.List{"pusher_instances": &m.PusherInstances, "federation_sender_instances": &m.FederationSenderInstances}
	for _, k := range sortedStringKeys(s.Duties) {
		t := s.Duties[k]
		switch {
		case duties[k] != nil && len(t) > 0:
			*duties[k] = types.StringValue(t[0])
		case lists[k] != nil:
			*lists[k] = stringList(ctx, t, diags)
		}
	}
	for _, p := range lists {
		if p.ElementType(ctx) == nil {
			*p = types.ListNull(types.StringType)
		}
	}
	return m
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// ImportState builds the routing table of an existing fleet (its proxy configuration is not
// read: the table is computed from the workers, as for a new fleet).
func (r *routingTableResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	a, version, ok := adoptFromID(&r.withCatalog, req.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	hs := a.Homeserver
	if hs.Main.HTTPPort == 0 || hs.MainHTTPHost == "" {
		resp.Diagnostics.AddError("Main Listener Not Found", "The homeserver.yaml of the import ID has no client listener with a port, or no instance_map.main host, "+
			"so the main process's address is unknown; import synapse_shared_config and write synapse_routing_table by hand, with main = { host, port }.")
		return
	}
	schemaAttrs := routingTableSchemaV1().Attributes
	m := routingTableModel{
		Main: objectValue(objectTypeOf(schemaAttrs["main"].GetType()).AttrTypes, map[string]attr.Value{
			"host": types.StringValue(hs.MainHTTPHost), "port": numberOf(hs.Main.HTTPPort),
		}, &resp.Diagnostics),
		SynapseVersion: version,
		Workers:        workerRefsValue(ctx, a, objectTypeOf(schemaAttrs["workers"].GetType()), version, &resp.Diagnostics),
		StreamWriters:  streamWriterRefsValue(ctx, a.Streams, version, &resp.Diagnostics),
		Strategies:     types.MapNull(types.StringType),
		Listen:         types.ObjectNull(objectTypeOf(schemaAttrs["listen"].GetType()).AttrTypes),
		Proxies:        types.SetNull(types.StringType),
		Forms:          types.SetNull(types.StringType),
		ExtraRoutes:    types.MapNull(objectTypeOf(schemaAttrs["extra_routes"].GetType())),
	}
	r.renderOnly(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
