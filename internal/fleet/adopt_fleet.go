package fleet

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// AdoptInput is an existing fleet: its shared config (homeserver.yaml, or the shared file the
// workers load) and its worker files, as contents keyed by path.
type AdoptInput struct {
	// HomeserverPath and HomeserverSrc are the shared config every process loads.
	HomeserverPath string
	HomeserverSrc  string
	// SharedConfigPath is the file the workers load first (default HomeserverPath).
	SharedConfigPath string
	// WorkerFiles maps each worker file's path to its content.
	WorkerFiles map[string]string
	// Hosts and Roles override, per worker name, what is inferred.
	Hosts map[string]string
	Roles map[string][]string
	// DefaultHost is the host of a worker the instance_map does not name ("" = the host most
	// instance_map workers use, else the main process's, else localhost).
	DefaultHost string
}

// Adopted is an existing fleet as the resources' inputs, every rendered file checked against
// its original.
type Adopted struct {
	Homeserver Homeserver
	// Workers are sorted by name; Sources maps each name to its original file's path.
	Workers   []Worker
	Sources   map[string]string
	Artifacts map[string]WorkerArtifacts
	Streams   []StreamAssignment
	Shared    SharedConfig
	Render    SharedRender
	// Catalog is the release the fleet was read for.
	Catalog *catalog.Catalog
}

// Adopt reads a whole fleet. Errors mean no HCL can reproduce it; warnings name what was
// inferred and any file that would not render equal to its original.
func Adopt(c *catalog.Catalog, in AdoptInput) (Adopted, Problems) {
	out := Adopted{Catalog: c}
	hs, ps := ParseHomeserver(c, in.HomeserverPath, in.HomeserverSrc)
	if ps.HasErrors() {
		return out, ps
	}
	out.Homeserver = hs
	out.Sources = map[string]string{}
	out.Artifacts = map[string]WorkerArtifacts{}
	defaultHost := in.DefaultHost
	if defaultHost == "" && !hostsAreNames(c, hs) {
		defaultHost = commonWorkerHost(c, hs)
	}
	sharedPath := in.SharedConfigPath
	if sharedPath == "" {
		sharedPath = in.HomeserverPath
	}
	paths := make([]string, 0, len(in.WorkerFiles))
	for p := range in.WorkerFiles {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		wf, _ := ParseWorkerFile(c, p, in.WorkerFiles[p])
		opt := WorkerImport{Host: in.Hosts[wf.Name], SharedConfigPath: sharedPath, Homeserver: &hs, DefaultHost: defaultHost}
		if r, ok := in.Roles[wf.Name]; ok {
			opt.Roles = r
		}
		w, wps := ImportWorker(c, p, in.WorkerFiles[p], opt)
		ps = append(ps, wps...)
		if wps.HasErrors() {
			continue
		}
		if prev, dup := out.Sources[w.Name]; dup {
			ps.Add("", sumAdoptFile, "%s and %s both name worker %q; every worker needs its own name.", prev, p, w.Name)
			continue
		}
		a, _ := RenderWorker(c, w)
		out.Sources[w.Name] = p
		out.Artifacts[w.Name] = a
		out.Workers = append(out.Workers, w)
	}
	sort.Slice(out.Workers, func(i, j int) bool { return out.Workers[i].Name < out.Workers[j].Name })
	if ps.HasErrors() {
		return out, ps
	}
	out.Streams = hs.StreamWriters
	cfg := SharedConfig{
		Main: hs.Main, StreamWriters: hs.StreamWriters, Redis: hs.Redis,
		ReplicationSecretPath: hs.ReplicationSecretPath, OutboundFederationRestrictedTo: hs.OutboundFederationRestrictedTo,
		DatabaseEngine: hs.DatabaseEngine, HomeserverYAML: in.HomeserverSrc, Duties: map[string][]string{},
	}
	for _, w := range out.Workers {
		cfg.Workers = append(cfg.Workers, out.Artifacts[w.Name].Ref(w))
	}
	// Every duty is explicit: one the file does not set is the main process's (Synapse's
	// default), where the resource would otherwise derive it from the workers' roles.
	for _, r := range c.Roles {
		if r.Duty == "" {
			continue
		}
		if t, ok := hs.Duties[r.Duty]; ok {
			cfg.Duties[r.Duty] = t
		} else {
			cfg.Duties[r.Duty] = []string{MainWriter}
		}
	}
	out.Shared = cfg
	secretHint := false
	for _, p := range ValidateShared(c, cfg) {
		if !p.Warning {
			ps.Add(p.Path, p.Summary, "%s (adopting %s)", p.Detail, in.HomeserverPath)
			secretHint = secretHint || p.Summary == "Unprotected Replication Listener"
		} else {
			ps.Warn(p.Path, p.Summary, "%s (adopting %s)", p.Detail, in.HomeserverPath)
		}
	}
	if secretHint {
		opt := "worker_replication_secret: <secret> (it moves to the sensitive secret_config_yaml)"
		if c.HasOption("worker_replication_secret_path") {
			opt = "worker_replication_secret_path: <file holding the secret>, or " + opt
		}
		ps.Add("worker_replication_secret", sumAdoptKey, "%s has replication listeners reachable from other machines and no replication secret, which the provider refuses for any fleet. "+
			"Add %s to %s, restart the fleet, then adopt again.", in.HomeserverPath, opt, in.HomeserverPath)
	}
	if ps.HasErrors() {
		return out, ps
	}
	r, err := RenderShared(c, cfg)
	if err != nil {
		ps.Add("", sumAdoptFile, "%s: %v.", in.HomeserverPath, err)
		return out, ps
	}
	out.Render = r
	if diffs := LoadedDifferences(in.HomeserverSrc, DutyDefaults(c), r.MergedYAML, r.SecretConfigYAML); len(diffs) > 0 {
		ps.Add("", sumAdoptDiffers, "%s: the merged shared config (with its secret file) would differ from the original at %s; the provider cannot represent this file exactly, so it is not adopted.", in.HomeserverPath, strings.Join(diffs, ", "))
	}
	return out, ps
}

// commonWorkerHost is the host most workers in instance_map use, else the main process's host,
// else localhost.
func commonWorkerHost(c *catalog.Catalog, hs Homeserver) string {
	count := map[string]int{}
	best := ""
	for name, e := range hs.InstanceMap {
		if name == c.MainInstanceMapKey || e.Host == "" {
			continue
		}
		count[e.Host]++
		if count[e.Host] > count[best] || count[e.Host] == count[best] && e.Host < best {
			best = e.Host
		}
	}
	switch {
	case best != "":
		return best
	case hs.Main.Host != "":
		return hs.Main.Host
	}
	return "localhost"
}

// WorkerTypes is a parsed SYNAPSE_WORKER_TYPES string of Synapse's docker image: worker name ->
// the types it was generated with (roles and stream names).
type WorkerTypes map[string][]string

// ParseWorkerTypes reads SYNAPSE_WORKER_TYPES: comma-separated items `[name=]type[+type...][:count]`.
// The generator names the workers of an item <name><n> (n from 1, counted per name), where name
// defaults to the types joined with "+"; so "event_persister:2" is event_persister1 and
// event_persister2, and "stream_writers=typing+to_device" is stream_writers1.
func ParseWorkerTypes(s string) (WorkerTypes, error) {
	out := WorkerTypes{}
	next := map[string]int{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, spec := "", item
		if i := strings.Index(item, "="); i >= 0 {
			name, spec = strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
		}
		count := 1
		if i := strings.LastIndex(spec, ":"); i >= 0 {
			n, err := strconv.Atoi(strings.TrimSpace(spec[i+1:]))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q: the count after ':' must be a positive number", item)
			}
			count, spec = n, strings.TrimSpace(spec[:i])
		}
		var types []string
		for _, t := range strings.Split(spec, "+") {
			if t = strings.TrimSpace(t); t != "" {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			return nil, fmt.Errorf("%q names no worker type", item)
		}
		if name == "" {
			name = strings.Join(types, "+")
		}
		for i := 0; i < count; i++ {
			next[name]++
			out[fmt.Sprintf("%s%d", name, next[name])] = types
		}
	}
	return out, nil
}

// RolesFromTypes are the catalogue roles among a worker's generator types (the others are
// stream names, whose writers come from stream_writers).
func RolesFromTypes(c *catalog.Catalog, types []string) ([]string, []string) {
	roles := []string{}
	var unknown []string
	for _, t := range types {
		switch {
		case c.Role(t) != nil:
			if !containsString(roles, t) {
				roles = append(roles, t)
			}
		case c.Stream(t) != nil, t == "event_persister", t == "stream_writers":
		default:
			unknown = append(unknown, t)
		}
	}
	sort.Strings(roles)
	return roles, unknown
}

// IsWorkerFileName reports whether a file in a workers directory is a worker file (YAML, not a
// log config and not the generator's shared.yaml).
func IsWorkerFileName(name string) bool {
	ext := path.Ext(name)
	return (ext == ".yaml" || ext == ".yml") && !strings.HasSuffix(name, ".log.config") && name != "shared.yaml"
}
