package provider

// Shared glue for resources that take other resources as inputs (`workers =
// values(synapse_worker.all)`, `stream_writers = [synapse_stream_writer.events]`).
//
// The nested attributes name only what the fleet-wide resources need, and are all Optional:
// with Required nested attributes, the `[synapse_worker.a, synapse_worker.b]` form fails
// validation in framework v1.19, because each element is an unknown object then and its
// children read as null. Presence is checked in ValidateConfig instead, skipping unknown
// elements (see checkWorkerRefs / checkStreamWriterRefs).

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// instanceMapEntryModel mirrors synapse_worker.instance_map_entry.
type instanceMapEntryModel struct {
	Host types.String `tfsdk:"host"`
	Port types.Number `tfsdk:"port"`
	Path types.String `tfsdk:"path"`
	TLS  types.Bool   `tfsdk:"tls"`
}

var instanceMapEntryAttrTypes = map[string]attr.Type{
	"host": types.StringType,
	"port": types.NumberType,
	"path": types.StringType,
	"tls":  types.BoolType,
}

// workerRefModel is one element of a `workers` input.
type workerRefModel struct {
	Name                     types.String `tfsdk:"name"`
	Roles                    types.Set    `tfsdk:"roles"`
	Host                     types.String `tfsdk:"host"`
	Upstream                 types.String `tfsdk:"upstream"`
	HTTPResources            types.List   `tfsdk:"http_resources"`
	InstanceMapEntry         types.Object `tfsdk:"instance_map_entry"`
	ReplicationBindAddresses types.List   `tfsdk:"replication_bind_addresses"`
	SynapseVersion           types.String `tfsdk:"synapse_version"`
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

// withoutAttributes is obj without the named attributes, so that one model reads the `workers`
// elements of resources with and without them.
func withoutAttributes[T any](ctx context.Context, obj types.Object, drop map[string]T) types.Object {
	attrTypes, values := obj.AttributeTypes(ctx), obj.Attributes()
	kt, kv := map[string]attr.Type{}, map[string]attr.Value{}
	for k, t := range attrTypes {
		if _, skip := drop[k]; !skip {
			kt[k] = t
			if v, ok := values[k]; ok {
				kv[k] = v
			}
		}
	}
	if obj.IsNull() || obj.IsUnknown() || len(kv) != len(kt) {
		return obj
	}
	out, d := types.ObjectValue(kt, kv)
	if d.HasError() {
		return obj
	}
	return out
}

// refListenerModel is what a `workers` element reads of the worker's listeners override.
type refListenerModel struct {
	Type types.String `tfsdk:"type"`
	Port types.Number `tfsdk:"port"`
	Path types.String `tfsdk:"path"`
}

// streamWriterRefModel is one element of a `stream_writers` input.
type streamWriterRefModel struct {
	Stream         types.String `tfsdk:"stream"`
	Writers        types.List   `tfsdk:"writers"`
	SynapseVersion types.String `tfsdk:"synapse_version"`
}

// workerRefsAttribute is the `workers` input of the fleet-wide resources, with more
// attributes (listenerFactAttributes) where the resource reads them.
func workerRefsAttribute(purpose string, more map[string]schema.Attribute) schema.ListNestedAttribute {
	a := workerRefsAttributeBase(purpose)
	for k, v := range more {
		a.NestedObject.Attributes[k] = v
	}
	return a
}

func workerRefsAttributeBase(purpose string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: "The fleet's workers: pass the `synapse_worker` resources themselves, e.g. " +
			"`values(synapse_worker.all)`, `synapse_worker.sync` (with `count`) or `[synapse_worker.a, synapse_worker.b]`. " +
			"Only the attributes listed here are read; " + purpose,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Optional: true, MarkdownDescription: "The worker's `name`. Must be set."},
			"roles": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The worker's `roles`."},
			"host": schema.StringAttribute{Optional: true, MarkdownDescription: "The worker's `host`. Must be set."},
			"upstream": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The worker's computed `upstream` (host:port of its HTTP listener)."},
			"http_resources": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The worker's computed `http_resources`."},
			"instance_map_entry": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "The worker's computed `instance_map_entry` (its replication listener).",
				Attributes: map[string]schema.Attribute{
					"host": schema.StringAttribute{Optional: true, MarkdownDescription: "Replication host."},
					"port": schema.NumberAttribute{Optional: true, MarkdownDescription: "Replication port."},
					"path": schema.StringAttribute{Optional: true, MarkdownDescription: "Replication unix socket path."},
					"tls":  schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether replication uses TLS."},
				}},
			"replication_bind_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The worker's computed `replication_bind_addresses`."},
			"synapse_version": refVersionAttribute("worker"),
		}},
	}
}

// configDigestRefAttribute is the worker's `config_digest` in synapse_shared_config's
// references: it reads it to tell which worker's own files changed (the rollout plan). The
// routing table does not take it, so a worker's file change never touches the routing table.
func configDigestRefAttribute() schema.StringAttribute {
	return schema.StringAttribute{Optional: true,
		MarkdownDescription: "The worker's computed `config_digest`, for the rollout plan; without it the plan cannot see changes to that worker's own files."}
}

// streamWriterRefsAttribute is the `stream_writers` input of the fleet-wide resources.
func streamWriterRefsAttribute(purpose string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: "The fleet's stream writer assignments: pass the `synapse_stream_writer` resources " +
			"themselves, e.g. `values(synapse_stream_writer.all)` or `[synapse_stream_writer.events]`. " + purpose,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"stream": schema.StringAttribute{Optional: true, MarkdownDescription: "The assignment's `stream`. Must be set."},
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

// fillRefVersions gives every element of a reference list whose configuration leaves
// synapse_version null the resource's own release (version). Elements are matched by index: a
// list that is not computed plans as configured, apart from computed nested attributes.
func fillRefVersions(ctx context.Context, config, plan types.List, version types.String, diags *diag.Diagnostics) types.List {
	if plan.IsNull() || plan.IsUnknown() || config.IsNull() || config.IsUnknown() {
		return plan
	}
	cfgElems, elems := config.Elements(), plan.Elements()
	if len(cfgElems) != len(elems) {
		return plan
	}
	out := make([]attr.Value, len(elems))
	changed := false
	for i, el := range elems {
		out[i] = el
		obj, ok := el.(types.Object)
		cfgObj, cok := cfgElems[i].(types.Object)
		if !ok || !cok || obj.IsNull() || obj.IsUnknown() || cfgObj.IsNull() || cfgObj.IsUnknown() {
			continue
		}
		v, ok := cfgObj.Attributes()["synapse_version"].(types.String)
		if !ok || !v.IsNull() {
			continue
		}
		attrs := map[string]attr.Value{}
		for k, a := range obj.Attributes() {
			attrs[k] = a
		}
		attrs["synapse_version"] = version
		filled, d := types.ObjectValue(obj.AttributeTypes(ctx), attrs)
		diags.Append(d...)
		out[i] = filled
		changed = true
	}
	if !changed {
		return plan
	}
	l, d := types.ListValue(plan.ElementType(ctx), out)
	diags.Append(d...)
	return l
}

// checkRefVersions reports passed-in resources on another Synapse release than this resource
// (version, known): one fleet runs one release. Releases compare by minor version, as the
// catalogue does ("1.157" and "1.157.1" are the same release for configuration).
func checkRefVersions(resourceType string, version string, workers, writers types.List, diags *diag.Diagnostics) {
	check := func(attrName, what string, list types.List, read func(types.Object) (name string, v types.String)) {
		if list.IsNull() || list.IsUnknown() {
			return
		}
		for i, el := range list.Elements() {
			obj, ok := el.(types.Object)
			if !ok || obj.IsNull() || obj.IsUnknown() {
				continue
			}
			name, v := read(obj)
			if v.IsNull() || v.IsUnknown() || catalog.SameRelease(v.ValueString(), version) {
				continue
			}
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i).AtName("synapse_version"), "Mixed Synapse Versions",
				fmt.Sprintf("%s[%d] (%s %q) is on Synapse %s, but this %s is on %s: one fleet runs one release. "+
					"Set the same synapse_version on every resource of the fleet (or on none of them, to use the provider's).",
					attrName, i, what, name, v.ValueString(), resourceType, version))
		}
	}
	// Read by attribute name: the fleet-wide resources take different subsets of a worker.
	str := func(obj types.Object, name string) types.String {
		v, _ := obj.Attributes()[name].(types.String)
		return v
	}
	check("workers", "worker", workers, func(obj types.Object) (string, types.String) {
		return str(obj, "name").ValueString(), str(obj, "synapse_version")
	})
	check("stream_writers", "stream", writers, func(obj types.Object) (string, types.String) {
		return str(obj, "stream").ValueString(), str(obj, "synapse_version")
	})
}

// workerRefs converts a `workers` input to domain values. ok is false when any element or
// needed value is unknown (render later); missing required values are reported as
// diagnostics on the element (`workers[2].name`).
func workerRefs(ctx context.Context, attrName string, list types.List, diags *diag.Diagnostics) (refs []fleet.WorkerRef, ok bool) {
	ok = eachRef(list, attrName, "Missing Worker", "synapse_worker", diags, func(i int, obj types.Object) bool {
		var m workerRefModel
		drop := listenerFactAttributes()
		drop["config_digest"] = nil // synapse_shared_config's references also carry the digest
		diags.Append(withoutAttributes(ctx, obj, drop).As(ctx, &m, objectAsOptions)...)
		ref := fleet.WorkerRef{}
		if m.Name.IsUnknown() || m.Host.IsUnknown() || m.Upstream.IsUnknown() || m.InstanceMapEntry.IsUnknown() ||
			hasUnknownElement(m.Roles) || hasUnknownElement(m.HTTPResources) || hasUnknownElement(m.ReplicationBindAddresses) {
			return false
		}
		attrs := obj.Attributes()
		metricsPort, _ := attrs["metrics_port"].(types.Number)
		listeners, _ := attrs["listeners"].(types.List)
		extraConfig, _ := attrs["extra_config"].(types.String)
		if metricsPort.IsUnknown() || hasUnknownElement(listeners) || extraConfig.IsUnknown() {
			return false
		}
		if m.Name.IsNull() || m.Name.ValueString() == "" {
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i).AtName("name"), "Missing Worker Name",
				fmt.Sprintf("%s[%d].name is not set; pass a synapse_worker resource, or an object with its name, host and roles.", attrName, i))
		}
		if m.Host.IsNull() || m.Host.ValueString() == "" {
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i).AtName("host"), "Missing Worker Host",
				fmt.Sprintf("%s[%d].host is not set; pass a synapse_worker resource, or an object with its name, host and roles.", attrName, i))
		}
		ref.Name = m.Name.ValueString()
		ref.Host = m.Host.ValueString()
		ref.Upstream = m.Upstream.ValueString()
		ref.Roles = stringsOf(ctx, m.Roles, diags)
		ref.HTTPResources = stringsOf(ctx, m.HTTPResources, diags)
		ref.ReplicationBindAddresses = stringsOf(ctx, m.ReplicationBindAddresses, diags)
		if !m.InstanceMapEntry.IsNull() {
			var e instanceMapEntryModel
			diags.Append(m.InstanceMapEntry.As(ctx, &e, objectAsOptions)...)
			if e.Host.IsUnknown() || e.Port.IsUnknown() || e.Path.IsUnknown() || e.TLS.IsUnknown() {
				return false
			}
			port, whole := portValue(e.Port, path.Root(attrName).AtListIndex(i).AtName("instance_map_entry").AtName("port"),
				fmt.Sprintf("%s[%d].instance_map_entry.port", attrName, i), diags)
			if !whole {
				return false // reported
			}
			ref.InstanceMap = &fleet.InstanceMapEntry{
				Host: e.Host.ValueString(), Port: port, Path: e.Path.ValueString(), TLS: e.TLS.ValueBool(),
			}
		}
		at := path.Root(attrName).AtListIndex(i)
		if mp, whole := portValue(metricsPort, at.AtName("metrics_port"), fmt.Sprintf("%s[%d].metrics_port", attrName, i), diags); mp != 0 {
			ref.Listeners = append(ref.Listeners, fleet.Listener{Type: "metrics", Port: mp})
		} else if !whole {
			return false // reported
		}
		if !listeners.IsNull() && listeners.ElementType(ctx) != nil {
			var ls []refListenerModel
			diags.Append(listeners.ElementsAs(ctx, &ls, false)...)
			for j, l := range ls {
				lp, whole := portValue(l.Port, at.AtName("listeners").AtListIndex(j).AtName("port"),
					fmt.Sprintf("%s[%d].listeners[%d].port", attrName, i, j), diags)
				if !whole {
					return false // reported
				}
				ref.Listeners = append(ref.Listeners, fleet.Listener{Type: l.Type.ValueString(), Port: lp, Path: l.Path.ValueString()})
			}
		}
		ref.EnableMetrics = fleet.EnablesMetrics(extraConfig.ValueString())
		refs = append(refs, ref)
		return true
	})
	return refs, ok
}

// streamWriterRefs converts a `stream_writers` input to domain values, like workerRefs.
func streamWriterRefs(ctx context.Context, attrName string, list types.List, diags *diag.Diagnostics) (out []fleet.StreamAssignment, ok bool) {
	ok = eachRef(list, attrName, "Missing Stream Writer", "synapse_stream_writer", diags, func(i int, obj types.Object) bool {
		var m streamWriterRefModel
		diags.Append(obj.As(ctx, &m, objectAsOptions)...)
		if m.Stream.IsUnknown() || hasUnknownElement(m.Writers) {
			return false
		}
		if m.Stream.IsNull() || m.Stream.ValueString() == "" {
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i).AtName("stream"), "Missing Stream",
				fmt.Sprintf("%s[%d].stream is not set; pass a synapse_stream_writer resource, or an object with stream and writers.", attrName, i))
		}
		if m.Writers.IsNull() {
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i).AtName("writers"), "Missing Stream Writers",
				fmt.Sprintf("%s[%d].writers is not set; pass a synapse_stream_writer resource, or an object with stream and writers.", attrName, i))
		}
		out = append(out, fleet.StreamAssignment{Stream: m.Stream.ValueString(), Writers: stringsOf(ctx, m.Writers, diags)})
		return true
	})
	return out, ok
}

// eachRef walks the elements of a list of resource references. A null list is fine; an
// unknown list or element makes ok false (render later); a null element is an error naming
// the resource type to pass. visit returns false when a value it needs is unknown.
func eachRef(list types.List, attrName, summary, resourceType string, diags *diag.Diagnostics, visit func(i int, obj types.Object) bool) (ok bool) {
	if list.IsUnknown() {
		return false
	}
	ok = true
	for i, el := range list.Elements() {
		obj, isObj := el.(types.Object)
		if !isObj || obj.IsUnknown() {
			ok = false
			continue
		}
		if obj.IsNull() {
			diags.AddAttributeError(path.Root(attrName).AtListIndex(i), summary,
				fmt.Sprintf("%s[%d] is null; pass a %s resource.", attrName, i, resourceType))
			continue
		}
		if !visit(i, obj) {
			ok = false
		}
	}
	return ok
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
// unknown). ok is false when the list or a name is unknown.
func workerDigests(list types.List) (map[string]string, bool) {
	if list.IsUnknown() {
		return nil, false
	}
	out := map[string]string{}
	for _, el := range list.Elements() {
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
		digest, _ := attrs["config_digest"].(types.String)
		if digest.IsUnknown() {
			return nil, false
		}
		out[name.ValueString()] = digest.ValueString()
	}
	return out, true
}
