package provider

// synapse_worker's model to and from Terraform values without reflection. ValidateConfig and
// ModifyPlan run once per worker per plan; the framework's Get/Set copy the schema's maps and
// compile a regexp per struct field on every call (about a sixth of the provider's CPU on a
// 500-worker plan, issue #9). Here each attribute converts through its own type.

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// workerTypes are the attribute types of the synapse_worker schema, computed once.
var workerTypes = sync.OnceValues(func() (map[string]attr.Type, tftypes.Object) {
	ot, _ := workerSchemaV1().Type().(types.ObjectType)
	tt, _ := ot.TerraformType(context.Background()).(tftypes.Object)
	return ot.AttrTypes, tt
})

// workerFromTerraform reads a plan or config value of synapse_worker.
func workerFromTerraform(ctx context.Context, v tftypes.Value) (workerModel, error) {
	var m workerModel
	var raw map[string]tftypes.Value
	if err := v.As(&raw); err != nil {
		return m, err
	}
	types_, _ := workerTypes()
	var firstErr error
	get := func(name string) attr.Value {
		t, ok := types_[name]
		if !ok {
			firstErr = fmt.Errorf("no attribute %q in the synapse_worker schema", name)
			return nil
		}
		rv, ok := raw[name]
		if !ok {
			rv = tftypes.NewValue(t.TerraformType(ctx), nil)
		}
		av, err := t.ValueFromTerraform(ctx, rv)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("attribute %s: %w", name, err)
		}
		return av
	}
	str := func(name string) types.String { s, _ := get(name).(types.String); return s }
	num := func(name string) types.Number { n, _ := get(name).(types.Number); return n }
	list := func(name string) types.List { l, _ := get(name).(types.List); return l }
	m.ID, m.Name, m.Host = str("id"), str("name"), str("host")
	m.Roles, _ = get("roles").(types.Set)
	m.HTTPPort, m.ReplicationPort, m.MetricsPort = num("http_port"), num("replication_port"), num("metrics_port")
	m.BindAddresses, m.Listeners = list("bind_addresses"), list("listeners")
	m.ConfigDir, m.SharedConfigPath, m.LogConfigPath = str("config_dir"), str("shared_config_path"), str("log_config_path")
	m.SecretConfigPath, m.ConfigDigest = str("secret_config_path"), str("config_digest")
	m.LogLevel, m.ExtraConfig, m.ConfigYAML, m.ConfigPath = str("log_level"), str("extra_config"), str("config_yaml"), str("config_path")
	m.InstanceMapEntry, _ = get("instance_map_entry").(types.Object)
	m.Upstream, m.HTTPResources, m.ReplicationBindAddresses = str("upstream"), list("http_resources"), list("replication_bind_addresses")
	m.Command, m.SynapseVersion = str("command"), str("synapse_version")
	return m, firstErr
}

// toTerraform is the synapse_worker value of m.
func (m workerModel) toTerraform(ctx context.Context) (tftypes.Value, error) {
	_, tt := workerTypes()
	vals := map[string]attr.Value{
		"id": m.ID, "name": m.Name, "roles": m.Roles, "host": m.Host,
		"http_port": m.HTTPPort, "replication_port": m.ReplicationPort, "metrics_port": m.MetricsPort,
		"bind_addresses": m.BindAddresses, "listeners": m.Listeners, "config_dir": m.ConfigDir,
		"shared_config_path": m.SharedConfigPath, "secret_config_path": m.SecretConfigPath, "config_digest": m.ConfigDigest,
		"log_config_path": m.LogConfigPath, "log_level": m.LogLevel,
		"extra_config": m.ExtraConfig, "config_yaml": m.ConfigYAML, "config_path": m.ConfigPath,
		"instance_map_entry": m.InstanceMapEntry, "upstream": m.Upstream, "http_resources": m.HTTPResources,
		"replication_bind_addresses": m.ReplicationBindAddresses, "command": m.Command, "synapse_version": m.SynapseVersion,
	}
	out := make(map[string]tftypes.Value, len(vals))
	for name, t := range tt.AttributeTypes {
		v, ok := vals[name]
		if !ok {
			return tftypes.Value{}, fmt.Errorf("the synapse_worker model has no field for attribute %q", name)
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("attribute %s: %w", name, err)
		}
		if !tv.Type().Equal(t) {
			return tftypes.Value{}, fmt.Errorf("attribute %s has type %s, the schema says %s", name, tv.Type(), t)
		}
		out[name] = tv
	}
	return tftypes.NewValue(tt, out), nil
}
