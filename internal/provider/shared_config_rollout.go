package provider

// The rollout plan of synapse_shared_config: the glue between Terraform values and the pure
// internal/rollout package. The shared config sees the whole fleet (instance_map, stream
// writers, duties, redis, the secret, each worker's config_digest, the proxy digest) in both
// the prior state and the plan, so it owns the plan of every change; a stream writer or worker
// resource that is destroyed is still in the prior state's inputs.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/rollout"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

var (
	rolloutChangeAttrTypes = map[string]attr.Type{
		"rule": types.StringType, "level": types.StringType, "detail": types.StringType,
		"why": types.StringType, "source": types.StringType, "processes": types.ListType{ElemType: types.StringType},
	}
	rolloutStepAttrTypes = map[string]attr.Type{
		"action": types.StringType, "processes": types.ListType{ElemType: types.StringType}, "detail": types.StringType,
	}
	rolloutAttrTypes = map[string]attr.Type{
		"level":           types.StringType,
		"summary":         types.StringType,
		"synapse_version": types.StringType,
		"changes":         types.ListType{ElemType: types.ObjectType{AttrTypes: rolloutChangeAttrTypes}},
		"processes":       types.MapType{ElemType: types.StringType},
		"steps":           types.ListType{ElemType: types.ObjectType{AttrTypes: rolloutStepAttrTypes}},
		"upgrade":         types.ListType{ElemType: types.StringType},
	}
)

// rolloutAttribute is the computed `rollout` attribute.
func rolloutAttribute() schema.SingleNestedAttribute {
	levels := make([]string, len(rollout.Levels))
	for i, l := range rollout.Levels {
		levels[i] = string(l)
	}
	return schema.SingleNestedAttribute{Computed: true,
		MarkdownDescription: "What the running fleet needs to take the planned change, computed at plan time from the prior state and the plan " +
			"with the restart rules of Synapse's docs (each change cites its source). It describes the latest change and stays as it is while nothing changes. " +
			"A fleet's first deployment has level `none`. When a change needs more than rolling restarts, the plan shows one warning summarising this. " +
			"See the day-2 operations guide.",
		Attributes: map[string]schema.Attribute{
			"level": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The most disruptive need of the change: " + backticked(levels) + " (nothing; a reverse-proxy reload; " +
					"restarting affected processes one at a time; stopping a group of processes and starting them together)."},
			"summary":         schema.StringAttribute{Computed: true, MarkdownDescription: "The rollout in one sentence."},
			"synapse_version": schema.StringAttribute{Computed: true, MarkdownDescription: "The Synapse release the fleet was rendered for (an upgrade is a coordinated change)."},
			"changes": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Every detected change with the rule that classified it.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"rule":      schema.StringAttribute{Computed: true, MarkdownDescription: "The rule's id in the provider's restart rules."},
					"level":     schema.StringAttribute{Computed: true, MarkdownDescription: "What the change needs."},
					"detail":    schema.StringAttribute{Computed: true, MarkdownDescription: "What changed (never a secret's value)."},
					"why":       schema.StringAttribute{Computed: true, MarkdownDescription: "Why Synapse needs that."},
					"source":    schema.StringAttribute{Computed: true, MarkdownDescription: "The Synapse docs or code the rule comes from."},
					"processes": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The processes the change touches (`main` is the main process)."},
				}},
			},
			"processes": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Process name (`main` for the main process) -> what it needs; processes that need nothing are left out."},
			"steps": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The ordered steps: `stop` (together), `deploy` (write the files), `start`, `restart` (one at a time), `reload_proxy`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"action":    schema.StringAttribute{Computed: true, MarkdownDescription: "stop, deploy, start, restart or reload_proxy."},
					"processes": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The processes of the step, in order."},
					"detail":    schema.StringAttribute{Computed: true, MarkdownDescription: "How."},
				}},
			},
			"upgrade": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "When the change moves the fleet to another Synapse release: what that release changes in this fleet, one line each. " +
					"The routes whose pool changes (the fleet's routing compiled for both releases), then streams added or removed, writer-rule changes, " +
					"options Synapse now refuses (remove them before upgrading), options added or removed, and the worker-related upgrade notes to read. " +
					"Empty when the release stays. The function `upgrade_changes` gives the release-wide view."},
		},
	}
}

// rolloutValue converts a plan to the attribute value.
func rolloutValue(ctx context.Context, p rollout.Plan, version string, diags *diag.Diagnostics) types.Object {
	changes := make([]attr.Value, 0, len(p.Changes))
	for _, c := range p.Changes {
		changes = append(changes, objectValue(rolloutChangeAttrTypes, map[string]attr.Value{
			"rule": types.StringValue(c.Rule), "level": types.StringValue(string(c.Level)), "detail": types.StringValue(c.Detail),
			"why": types.StringValue(c.Why), "source": types.StringValue(c.Source), "processes": stringList(ctx, c.Processes, diags),
		}, diags))
	}
	steps := make([]attr.Value, 0, len(p.Steps))
	for _, s := range p.Steps {
		steps = append(steps, objectValue(rolloutStepAttrTypes, map[string]attr.Value{
			"action": types.StringValue(s.Action), "processes": stringList(ctx, s.Processes, diags), "detail": types.StringValue(s.Detail),
		}, diags))
	}
	procs := map[string]attr.Value{}
	for n, l := range p.Processes {
		procs[n] = types.StringValue(string(l))
	}
	pm, d := types.MapValue(types.StringType, procs)
	diags.Append(d...)
	return objectValue(rolloutAttrTypes, map[string]attr.Value{
		"level": types.StringValue(string(p.Level)), "summary": types.StringValue(p.Summary), "synapse_version": types.StringValue(version),
		"changes": listValue(rolloutChangeAttrTypes, changes, diags), "processes": pm, "steps": listValue(rolloutStepAttrTypes, steps, diags),
		"upgrade": stringList(ctx, p.Upgrade, diags),
	}, diags)
}

// snapshot is the fleet as the rollout sees it: cfg (the inputs) and m's rendered attributes.
func snapshot(c *catalog.Catalog, cfg fleet.SharedConfig, m *sharedConfigModel) rollout.Snapshot {
	f := fleet.SharedFacets(c, cfg)
	s := rollout.Snapshot{
		SynapseVersion:    m.SynapseVersion.ValueString(),
		StreamWriters:     f.StreamWriters,
		Duties:            f.Duties,
		Redis:             f.Redis,
		ReplicationSecret: f.ReplicationSecret,
		SharedFile:        fleet.Digest(m.MergedYAML.ValueString()),
		Proxy:             m.ProxyConfigDigest.ValueString(),
		InstanceMap:       map[string]string{},
	}
	if m.SecretConfigYAML.ValueString() != "" {
		s.SecretFile = fleet.Digest(m.SecretConfigYAML.ValueString())
	}
	s.Workers, _ = workerDigests(m.Workers)
	for k, v := range m.InstanceMap.Elements() {
		obj, ok := v.(types.Object)
		if !ok {
			continue
		}
		a := obj.Attributes()
		host, _ := a["host"].(types.String)
		port, _ := a["port"].(types.Number)
		p, _ := a["path"].(types.String)
		tls, _ := a["tls"].(types.Bool)
		if !p.IsNull() {
			s.InstanceMap[k] = "unix:" + p.ValueString()
		} else {
			n := "?"
			if f := port.ValueBigFloat(); f != nil {
				n = f.Text('f', -1)
			}
			s.InstanceMap[k] = host.ValueString() + ":" + n
		}
		if tls.ValueBool() {
			s.InstanceMap[k] += " (tls)"
		}
	}
	return s
}

// planRollout fills m.Rollout from the prior state (nil on create) and adds the one warning a
// change beyond rolling restarts deserves. m must be rendered.
func (r *sharedConfigResource) planRollout(ctx context.Context, c *catalog.Catalog, cfg fleet.SharedConfig, m, prior *sharedConfigModel, warn bool, diags *diag.Diagnostics) {
	version := m.SynapseVersion.ValueString()
	next := snapshot(c, cfg, m)
	if prior == nil {
		m.Rollout = rolloutValue(ctx, rollout.Initial(next), version, diags)
		return
	}
	var discard diag.Diagnostics
	prevCfg, _, known := r.toDomain(ctx, *prior, &discard)
	if !known || discard.HasError() {
		m.Rollout = types.ObjectUnknown(rolloutAttrTypes)
		return
	}
	p := rollout.Compute(catalog.Rollout(), snapshot(c, prevCfg, prior), next)
	if pv := prior.SynapseVersion.ValueString(); pv != "" && pv != version {
		if pc, err := catalog.For(pv); err == nil {
			p.Upgrade = upgradeLines(pc, c, prevCfg, cfg)
		}
	}
	if len(p.Changes) == 0 {
		// Nothing reaches a running process: the rollout of the latest change stays, so a
		// plan without changes is empty.
		m.Rollout = prior.Rollout
		if m.Rollout.IsUnknown() {
			m.Rollout = rolloutValue(ctx, p, version, diags)
		}
		return
	}
	m.Rollout = rolloutValue(ctx, p, version, diags)
	if warn && p.Level == rollout.Coordinated {
		diags.AddAttributeWarning(path.Root("rollout"), "Coordinated Restart Needed", p.Text())
	}
}

// upgradeLines is what moving the fleet from release from (as it was, prev) to release to (as
// planned, next) changes: the routes of the fleet's table compiled for both, and the
// catalogue's differences. The routing table's own problems are its business, not the
// rollout's, so they are not reported here.
func upgradeLines(from, to *catalog.Catalog, prev, next fleet.SharedConfig) []string {
	main := routing.Member{Name: routing.MainPool, Upstream: "main"}
	before, _ := routing.Compile(from, main, prev.Workers, prev.StreamWriters, nil)
	after, _ := routing.Compile(to, main, next.Workers, next.StreamWriters, nil)
	return rollout.UpgradeLines(catalog.Diff(from, to), routing.Moves(before, after))
}
