package provider

// Shared glue for resources that take other resources as inputs (`workers =
// synapse_worker.all`, `stream_writers = synapse_stream_writer.all`).
//
// The nested attributes name only what the fleet-wide resources need, and are all Optional:
// with Required nested attributes, the `[synapse_worker.a, synapse_worker.b]` form fails
// validation in framework v1.19, because each element is an unknown object then and its
// children read as null. Presence is checked in ValidateConfig instead, skipping unknown
// elements (see workerRefs / streamWriterRefs).

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// instanceMapEntryAttrTypes is the shape of synapse_worker.instance_map_entry.
var instanceMapEntryAttrTypes = map[string]attr.Type{
	"host": types.StringType,
	"port": types.NumberType,
	"path": types.StringType,
	"tls":  types.BoolType,
}

// listenerFactAttributes are the `workers` attributes only synapse_shared_config reads (for
// port clashes across workers and enable_metrics); workerRefs reads them by name when present.
func listenerFactAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"metrics_port": schema.NumberAttribute{Optional: true,
			MarkdownDescription: "The worker's `metrics_port`: checked against the other processes' ports and `enable_metrics`."},
		"listeners": schema.ListNestedAttribute{Optional: true,
			MarkdownDescription: "The worker's `listeners` override (only `type`, `port` and `path` are read): checked like `metrics_port`.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{Optional: true, MarkdownDescription: "Listener type."},
				"port": schema.NumberAttribute{Optional: true, MarkdownDescription: "TCP port."},
				"path": schema.StringAttribute{Optional: true, MarkdownDescription: "Unix socket path."},
			}}},
		"extra_config": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The worker's `extra_config`: only read for `enable_metrics`."},
	}
}

// workerRefsAttribute is the `workers` input of the fleet-wide resources: a map keyed by worker
// name, so that adding or removing a worker shows in a plan as that worker alone, whatever its
// position. It names only fields (of workerRefFields), the worker attributes the resource
// reads: Terraform drops the others of a synapse_worker passed whole, so they never reach the
// plan or the state.
func workerRefsAttribute(purpose string, fields ...string) schema.MapNestedAttribute {
	all := workerRefFields()
	attrs := make(map[string]schema.Attribute, len(fields))
	for _, f := range fields {
		attrs[f] = all[f]
	}
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "The fleet's workers, keyed by worker name: pass the `synapse_worker` resources themselves, e.g. " +
			"`synapse_worker.all` (with `for_each` over the names), `{ for w in synapse_worker.sync : w.name => w }` (with " +
			"`count`) or `{ a = synapse_worker.a, b = synapse_worker.b }`. Only the attributes listed here are read; " + purpose,
		NestedObject: schema.NestedAttributeObject{Attributes: attrs},
	}
}

// workerRefFields are the synapse_worker attributes a `workers` input may read.
func workerRefFields() map[string]schema.Attribute {
	f := map[string]schema.Attribute{
		"name": schema.StringAttribute{Optional: true, MarkdownDescription: "The worker's `name`. Defaults to the map key."},
		"roles": schema.SetAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The worker's `roles`."},
		"host": schema.StringAttribute{Optional: true, MarkdownDescription: "The worker's `host`. Must be set."},
		"upstream": schema.StringAttribute{Optional: true, Computed: true,
			MarkdownDescription: "The worker's computed `upstream` (host:port of its HTTP listener). Unset means none (`\"\"`, what a worker without an HTTP listener has): " +
				"`terraform plan -generate-config-out` writes an empty upstream as null."},
		"http_resources": schema.ListAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The worker's computed `http_resources`. Null (as `synapse_worker` publishes it) means the default for its `roles`, when it has an `upstream`."},
		"instance_map_entry": schema.SingleNestedAttribute{Optional: true,
			MarkdownDescription: "The worker's computed `instance_map_entry` (its replication listener).",
			Attributes: map[string]schema.Attribute{
				"host": schema.StringAttribute{Optional: true, MarkdownDescription: "Replication host."},
				"port": schema.NumberAttribute{Optional: true, MarkdownDescription: "Replication port."},
				"path": schema.StringAttribute{Optional: true, MarkdownDescription: "Replication unix socket path."},
				"tls":  schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether replication uses TLS."},
			}},
		"replication_bind_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The worker's computed `replication_bind_addresses`. Null means Synapse's default (all interfaces)."},
		"synapse_version": refVersionAttribute("worker"),
		"config_digest":   configDigestRefAttribute(),
	}
	for k, v := range listenerFactAttributes() {
		f[k] = v
	}
	return f
}

// configDigestRefAttribute is the worker's `config_digest` in synapse_shared_config's
// references: it reads it to tell which worker's own files changed (the rollout plan). The
// routing table does not take it, so a worker's file change never touches the routing table.
func configDigestRefAttribute() schema.StringAttribute {
	return schema.StringAttribute{Optional: true,
		MarkdownDescription: "The worker's computed `config_digest`, for the rollout plan; without it the plan cannot see changes to that worker's own files."}
}

// streamWriterRefsAttribute is the `stream_writers` input of the fleet-wide resources: a map
// keyed by stream, like `workers`, so that adding or removing an assignment shows in a plan as
// that stream alone.
func streamWriterRefsAttribute(purpose string) schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "The fleet's stream writer assignments, keyed by stream: pass the `synapse_stream_writer` resources " +
			"themselves, e.g. `synapse_stream_writer.all` (with `for_each` over the stream names) or `{ events = synapse_stream_writer.events }`. " + purpose,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"stream": schema.StringAttribute{Optional: true, MarkdownDescription: "The assignment's `stream`. Defaults to the map key."},
			"writers": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The assignment's `writers`. Must be set."},
			"synapse_version": refVersionAttribute("assignment"),
		}},
	}
}

// refVersionAttribute is the `synapse_version` of a passed-in resource. It is also computed:
// an element built by hand without it takes this resource's release (fillRefVersions), so both
// ways of passing workers plan the same, and state written before 0.2.0 upgrades to no change.
func refVersionAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true,
		MarkdownDescription: "The " + what + "'s computed `synapse_version`: it must be the release of this resource " +
			"(one fleet runs one release). Unset, it is taken to be this resource's."}
}

// withRefVersion is el with synapse_version set to version, and upstream to "" (no HTTP
// listener), where cfg (its configuration) leaves them null; changed says whether it did.
func withRefVersion(ctx context.Context, cfg, el attr.Value, version types.String, diags *diag.Diagnostics) (attr.Value, bool) {
	obj, ok := el.(types.Object)
	cfgObj, cok := cfg.(types.Object)
	if !ok || !cok || obj.IsNull() || obj.IsUnknown() || cfgObj.IsNull() || cfgObj.IsUnknown() {
		return el, false
	}
	// The computed attributes of a reference and what a null in its configuration means.
	defaults := map[string]types.String{"synapse_version": version, "upstream": types.StringValue("")}
	var attrs map[string]attr.Value
	for name, def := range defaults {
		v, ok := cfgObj.Attributes()[name].(types.String)
		if !ok || !v.IsNull() {
			continue
		}
		if attrs == nil {
			attrs = make(map[string]attr.Value, len(obj.Attributes()))
			for k, a := range obj.Attributes() {
				attrs[k] = a
			}
		}
		attrs[name] = def
	}
	if attrs == nil {
		return el, false
	}
	filled, d := types.ObjectValue(obj.AttributeTypes(ctx), attrs)
	diags.Append(d...)
	return filled, true
}

// fillRefVersionsMap gives every element of a reference map (`workers`, `stream_writers`) whose
// configuration leaves synapse_version null the resource's own release (version). Elements
// match by key: a map that is not computed plans as configured, apart from computed nested
// attributes.
func fillRefVersionsMap(ctx context.Context, config, plan types.Map, version types.String, diags *diag.Diagnostics) types.Map {
	if plan.IsNull() || plan.IsUnknown() || config.IsNull() || config.IsUnknown() {
		return plan
	}
	cfgElems, elems := config.Elements(), plan.Elements()
	out := make(map[string]attr.Value, len(elems))
	changed := false
	for k, el := range elems {
		out[k] = el
		if cfg, ok := cfgElems[k]; ok {
			var c bool
			out[k], c = withRefVersion(ctx, cfg, el, version, diags)
			changed = changed || c
		}
	}
	if !changed {
		return plan
	}
	m, d := types.MapValue(plan.ElementType(ctx), out)
	diags.Append(d...)
	return m
}

// checkRefVersions reports passed-in resources on another Synapse release than this resource
// (version, known): one fleet runs one release. Releases compare by minor version, as the
// catalogue does ("1.157" and "1.157.1" are the same release for configuration).
func checkRefVersions(resourceType string, version string, workers, writers types.Map, diags *diag.Diagnostics) {
	// Read by attribute name: the fleet-wide resources take different subsets of a worker.
	str := func(obj types.Object, name string) types.String {
		v, _ := obj.Attributes()[name].(types.String)
		return v
	}
	check := func(at path.Path, label, what string, el attr.Value, nameAttr string) {
		obj, ok := el.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			return
		}
		v := str(obj, "synapse_version")
		if v.IsNull() || v.IsUnknown() || catalog.SameRelease(v.ValueString(), version) {
			return
		}
		diags.AddAttributeError(at.AtName("synapse_version"), "Mixed Synapse Versions",
			fmt.Sprintf("%s (%s %q) is on Synapse %s, but this %s is on %s: one fleet runs one release. "+
				"Set the same synapse_version on every resource of the fleet (or on none of them, to use the provider's).",
				label, what, str(obj, nameAttr).ValueString(), v.ValueString(), resourceType, version))
	}
	if !workers.IsNull() && !workers.IsUnknown() {
		elems := workers.Elements()
		for _, k := range sortedStringKeys(elems) {
			check(path.Root("workers").AtMapKey(k), fmt.Sprintf("workers[%q]", k), "worker", elems[k], "name")
		}
	}
	if !writers.IsNull() && !writers.IsUnknown() {
		elems := writers.Elements()
		for _, k := range sortedStringKeys(elems) {
			check(path.Root("stream_writers").AtMapKey(k), fmt.Sprintf("stream_writers[%q]", k), "stream", elems[k], "stream")
		}
	}
}

// workerRefs converts a `workers` input (a map) to domain values, in key order. ok is false
// when any element or needed value is unknown (render later); missing required values are
// reported as diagnostics on the element (`workers["sync1"].host`). Attributes the resource's
// schema does not name read as null.
//
// Values are read straight from the objects' attributes: no reflection, which the framework's
// As() does per call (a regexp per struct field), on what runs once per worker per plan.
func workerRefs(ctx context.Context, attrName string, m types.Map, diags *diag.Diagnostics) (refs []fleet.WorkerRef, keys []string, ok bool) {
	ok = eachObject(attrName, "Missing Worker", "a synapse_worker resource", m, diags, func(key string, at path.Path, label string, a map[string]attr.Value) bool {
		ref, known := workerRef(ctx, key, a, at, label, diags)
		if known {
			refs = append(refs, ref)
			keys = append(keys, key)
		}
		return known
	})
	return refs, keys, ok
}

// eachObject walks a map input of objects in key order and calls fn with each known, non-null
// element (its key, attribute path, label for messages and attributes). It returns false when
// the map, an element, or a value fn needs (fn returns false) is unknown: render later. A null
// element is an error on it, naming what to pass.
func eachObject(attrName, missing, pass string, m types.Map, diags *diag.Diagnostics, fn func(key string, at path.Path, label string, a map[string]attr.Value) bool) bool {
	if m.IsUnknown() {
		return false
	}
	ok := true
	elems := m.Elements()
	for _, key := range sortedStringKeys(elems) {
		at := path.Root(attrName).AtMapKey(key)
		label := fmt.Sprintf("%s[%q]", attrName, key)
		obj, isObj := elems[key].(types.Object)
		if !isObj || obj.IsUnknown() {
			ok = false
			continue
		}
		if obj.IsNull() {
			diags.AddAttributeError(at, missing, fmt.Sprintf("%s is null; pass %s.", label, pass))
			continue
		}
		if !fn(key, at, label, obj.Attributes()) {
			ok = false
		}
	}
	return ok
}

// refIndex is "workers[<i>]" or "stream_writers[<i>]" in a problem's path or text.
var refIndex = regexp.MustCompile(`\b(workers|stream_writers)\[(\d+)\]`)

// refKeys are the map keys of the `workers` and `stream_writers` inputs, in the order of the
// domain slices built from them (workerRefs, streamWriterRefs).
type refKeys struct {
	workers, streams []string
}

// rekey rewrites the core's positions in the `workers` and `stream_writers` slices
// ("workers[2]", "stream_writers[0]") as the map keys they came from (`workers["sync1"]`,
// `stream_writers["events"]`), in paths and texts.
func (k refKeys) rekey(ps fleet.Problems) fleet.Problems {
	re := func(s string) string {
		return refIndex.ReplaceAllStringFunc(s, func(m string) string {
			sub := refIndex.FindStringSubmatch(m)
			keys := k.workers
			if sub[1] == "stream_writers" {
				keys = k.streams
			}
			i, err := strconv.Atoi(sub[2])
			if err != nil || i >= len(keys) {
				return m
			}
			return fmt.Sprintf("%s[%q]", sub[1], keys[i])
		})
	}
	out := make(fleet.Problems, len(ps))
	for i, p := range ps {
		p.Path, p.Detail = re(p.Path), re(p.Detail)
		out[i] = p
	}
	return out
}

// workerRef reads one `workers` element; known is false while a value it needs is unknown (or
// not a whole-number port, which is reported).
func workerRef(ctx context.Context, key string, a map[string]attr.Value, at path.Path, label string, diags *diag.Diagnostics) (fleet.WorkerRef, bool) {
	name, host, upstream, extra := stringAttr(a, "name"), stringAttr(a, "host"), stringAttr(a, "upstream"), stringAttr(a, "extra_config")
	ime, _ := a["instance_map_entry"].(types.Object)
	metricsPort, _ := a["metrics_port"].(types.Number)
	listeners, _ := a["listeners"].(types.List)
	if name.IsUnknown() || host.IsUnknown() || upstream.IsUnknown() || ime.IsUnknown() || extra.IsUnknown() || metricsPort.IsUnknown() ||
		hasUnknownElement(a["roles"]) || hasUnknownElement(a["http_resources"]) || hasUnknownElement(a["replication_bind_addresses"]) ||
		hasUnknownElement(listeners) {
		return fleet.WorkerRef{}, false
	}
	ref := fleet.WorkerRef{Name: name.ValueString(), Host: host.ValueString(), Upstream: upstream.ValueString(),
		Roles: stringsOf(ctx, a["roles"], diags), HTTPResources: stringsOf(ctx, a["http_resources"], diags),
		ReplicationBindAddresses: stringsOf(ctx, a["replication_bind_addresses"], diags),
		EnableMetrics:            fleet.EnablesMetrics(extra.ValueString())}
	if name.IsNull() {
		ref.Name = key
	}
	if ref.Name == "" {
		diags.AddAttributeError(at.AtName("name"), "Missing Worker Name",
			fmt.Sprintf("%s.name is empty; pass a synapse_worker resource, or an object with its name, host and roles.", label))
	}
	if _, readsHost := a["host"]; readsHost && ref.Host == "" {
		diags.AddAttributeError(at.AtName("host"), "Missing Worker Host",
			fmt.Sprintf("%s.host is not set; pass a synapse_worker resource, or an object with its name, host and roles.", label))
	}
	if !ime.IsNull() {
		e := ime.Attributes()
		h, pa, tls := stringAttr(e, "host"), stringAttr(e, "path"), boolAttr(e, "tls")
		p, _ := e["port"].(types.Number)
		if h.IsUnknown() || p.IsUnknown() || pa.IsUnknown() || tls.IsUnknown() {
			return ref, false
		}
		port, whole := portValue(p, at.AtName("instance_map_entry").AtName("port"), label+".instance_map_entry.port", diags)
		if !whole {
			return ref, false // reported
		}
		ref.InstanceMap = &fleet.InstanceMapEntry{Host: h.ValueString(), Port: port, Path: pa.ValueString(), TLS: tls.ValueBool()}
	}
	if mp, whole := portValue(metricsPort, at.AtName("metrics_port"), label+".metrics_port", diags); mp != 0 {
		ref.Listeners = append(ref.Listeners, fleet.Listener{Type: "metrics", Port: mp})
	} else if !whole {
		return ref, false // reported
	}
	if !listeners.IsNull() {
		for j, el := range listeners.Elements() {
			l, _ := el.(types.Object)
			la := l.Attributes()
			lport, _ := la["port"].(types.Number)
			lp, whole := portValue(lport, at.AtName("listeners").AtListIndex(j).AtName("port"), fmt.Sprintf("%s.listeners[%d].port", label, j), diags)
			if !whole {
				return ref, false // reported
			}
			ref.Listeners = append(ref.Listeners, fleet.Listener{Type: stringAttr(la, "type").ValueString(), Port: lp, Path: stringAttr(la, "path").ValueString()})
		}
	}
	return ref, true
}

// stringAttr and boolAttr read one attribute of an object's attributes; a missing or mistyped
// attribute reads as null.
func stringAttr(a map[string]attr.Value, name string) types.String {
	if v, ok := a[name].(types.String); ok {
		return v
	}
	return types.StringNull()
}

func boolAttr(a map[string]attr.Value, name string) types.Bool {
	if v, ok := a[name].(types.Bool); ok {
		return v
	}
	return types.BoolNull()
}

// streamWriterRefs converts a `stream_writers` input (a map keyed by stream) to domain
// values in key order, like workerRefs; keys are the map keys of out. An element's stream
// defaults to its key.
func streamWriterRefs(ctx context.Context, attrName string, m types.Map, diags *diag.Diagnostics) (out []fleet.StreamAssignment, keys []string, ok bool) {
	ok = eachObject(attrName, "Missing Stream Writer", "a synapse_stream_writer resource", m, diags, func(key string, at path.Path, label string, a map[string]attr.Value) bool {
		stream, writers := stringAttr(a, "stream"), a["writers"]
		if stream.IsUnknown() || writers == nil || writers.IsUnknown() || hasUnknownElement(writers) {
			return false
		}
		s := stream.ValueString()
		if stream.IsNull() {
			s = key
		}
		if s == "" {
			diags.AddAttributeError(at.AtName("stream"), "Missing Stream",
				fmt.Sprintf("%s.stream is empty; pass a synapse_stream_writer resource, or an object with stream and writers.", label))
		}
		if writers.IsNull() {
			diags.AddAttributeError(at.AtName("writers"), "Missing Stream Writers",
				fmt.Sprintf("%s.writers is not set; pass a synapse_stream_writer resource, or an object with stream and writers.", label))
		}
		out = append(out, fleet.StreamAssignment{Stream: s, Writers: stringsOf(ctx, writers, diags)})
		keys = append(keys, key)
		return true
	})
	return out, keys, ok
}

// stringsOf reads a known list or set of strings; null or empty gives nil. Unknown (or null)
// elements read as "": callers check hasUnknownElement first when that matters.
func stringsOf(_ context.Context, v attr.Value, _ *diag.Diagnostics) []string {
	var elems []attr.Value
	switch c := v.(type) {
	case types.List:
		if c.IsNull() || c.IsUnknown() {
			return nil
		}
		elems = c.Elements()
	case types.Set:
		if c.IsNull() || c.IsUnknown() {
			return nil
		}
		elems = c.Elements()
	}
	if len(elems) == 0 {
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		str, ok := e.(types.String)
		if !ok || str.IsUnknown() || str.IsNull() {
			out = append(out, "")
			continue
		}
		out = append(out, str.ValueString())
	}
	return out
}

// workerDigests reads each worker reference's config_digest: name -> digest ("" when unset or
// unknown). The name is the element's `name`, else its map key. ok is false when the map or a
// name is unknown.
func workerDigests(m types.Map) (map[string]string, bool) {
	if m.IsUnknown() {
		return nil, false
	}
	out := map[string]string{}
	for key, el := range m.Elements() {
		obj, isObj := el.(types.Object)
		if !isObj || obj.IsUnknown() {
			return nil, false
		}
		if obj.IsNull() {
			continue
		}
		attrs := obj.Attributes()
		name, _ := attrs["name"].(types.String)
		if name.IsUnknown() {
			return nil, false
		}
		n := key
		if !name.IsNull() {
			n = name.ValueString()
		}
		digest, _ := attrs["config_digest"].(types.String)
		if digest.IsUnknown() {
			return nil, false
		}
		out[n] = digest.ValueString()
	}
	return out, true
}
