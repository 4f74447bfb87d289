package fleet

// Adoption of an existing fleet: the reverse of rendering. An existing worker file, or a
// homeserver.yaml with a directory of worker files, becomes the inputs of the resources
// (Worker, StreamAssignment, SharedConfig) whose rendered files equal the originals after YAML
// parsing. The import of each resource and the `adopt` command of the provider binary use these
// functions; they read no files themselves (the callers pass contents), so they are pure.
//
// What "equal" means (Equivalent): both files are parsed as Synapse parses them (YAML 1.1
// types), then normalized where Synapse reads two spellings the same and the provider writes
// only one: a listener's resources are one entry holding every name (Synapse serves the union),
// `compress: false`, `tls: false` and `redis.use_tls: false` (Synapse's defaults) and an empty `worker_listeners` are dropped, a legacy `bind_address`
// is `bind_addresses: [it]`, a stream_writers entry of one name is a list of it, and a duty option naming only the main process equals its absence
// (Synapse's default). Anything else is compared as is. Comments of a worker file are not kept
// (the provider renders worker files); those of homeserver.yaml are, by the merge.
//
// What cannot be carried is a Problem naming the key: a listener option the provider does not
// model (e.g. `compress: true`), an inline redis password, a worker_app other than
// synapse.app.generic_worker. Other unknown worker-file keys are carried in extra_config.

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// Problem summaries of adoption.
const (
	sumAdoptFile     = "Invalid Existing Config"
	sumAdoptKey      = "Existing Option Not Supported"
	sumAdoptDiffers  = "Adopted File Differs From Original"
	sumAdoptGuess    = "Adopted Value Inferred"
	sumAdoptNoWriter = "Stream Not In Stream Writers"
)

// WorkerFile is what an existing worker file says.
type WorkerFile struct {
	// Name is worker_name.
	Name string
	// Listeners are worker_listeners.
	Listeners []Listener
	// LogConfigPath is worker_log_config ("" when unset).
	LogConfigPath string
	// EnableMediaRepo is enable_media_repo: true.
	EnableMediaRepo bool
	// Extra holds every other key, with the values Synapse's loader sees.
	Extra map[string]any
	// ConfigDir is <dir> when the file is <dir>/workers/<name>.yaml, else "".
	ConfigDir string
}

// ParseWorkerFile reads an existing worker file (its path only decides ConfigDir).
func ParseWorkerFile(c *catalog.Catalog, filePath, src string) (WorkerFile, Problems) {
	var wf WorkerFile
	var ps Problems
	top, err := decodeYAML11(src)
	if err != nil {
		ps.Add("", sumAdoptFile, "%s is not valid YAML: %v.", filePath, err)
		return wf, ps
	}
	m, ok := top.(map[string]any)
	if !ok {
		ps.Add("", sumAdoptFile, "%s is not a YAML mapping of worker options (it is a %s).", filePath, yamlKind(top))
		return wf, ps
	}
	wf.Extra = map[string]any{}
	for _, k := range sortedKeys(m) {
		v := m[k]
		switch k {
		case "worker_app":
			if v != catalog.GenericWorkerApp {
				ps.Add(k, sumAdoptKey, "%s: worker_app is %v; the provider renders every worker as %s, the only worker_app current Synapse documents. "+
					"Change the file to %s first (Synapse treats the old per-role apps as generic workers), then import it.",
					filePath, v, catalog.GenericWorkerApp, catalog.GenericWorkerApp)
			}
		case "worker_name":
			s, _ := v.(string)
			wf.Name = s
			if s == "" {
				ps.Add(k, sumAdoptFile, "%s: worker_name is missing or not a string; Synapse needs it to name the worker.", filePath)
			}
		case "worker_log_config":
			s, _ := v.(string)
			wf.LogConfigPath = s
		case "enable_media_repo":
			if b, isBool := v.(bool); isBool && b {
				wf.EnableMediaRepo = true
			} else {
				wf.Extra[k] = v
			}
		case "worker_listeners":
			ls, lps := parseListeners(filePath, k, v)
			wf.Listeners = ls
			ps = append(ps, lps...)
		default:
			wf.Extra[k] = v
		}
	}
	if _, ok := m["worker_name"]; !ok {
		ps.Add("worker_name", sumAdoptFile, "%s has no worker_name; Synapse needs it to name the worker.", filePath)
	}
	dir := path.Dir(filePath)
	if path.Base(dir) == "workers" && path.Base(filePath) == wf.Name+".yaml" {
		wf.ConfigDir = path.Dir(dir)
	}
	return wf, ps
}

// parseListeners reads worker_listeners (or main's listeners).
func parseListeners(filePath, key string, v any) ([]Listener, Problems) {
	var ps Problems
	list, ok := v.([]any)
	if !ok {
		ps.Add(key, sumAdoptFile, "%s: %s is not a list.", filePath, key)
		return nil, ps
	}
	var out []Listener
	for i, el := range list {
		at := fmt.Sprintf("%s[%d]", key, i)
		lm, ok := el.(map[string]any)
		if !ok {
			ps.Add(at, sumAdoptFile, "%s: %s is not a mapping.", filePath, at)
			continue
		}
		var l Listener
		for _, k := range sortedKeys(lm) {
			val := lm[k]
			switch k {
			case "type":
				l.Type, _ = val.(string)
			case "port":
				l.Port = intOf(val)
			case "path":
				l.Path, _ = val.(string)
			case "bind_addresses":
				l.BindAddresses = append(l.BindAddresses, stringsOfAny(val)...)
			case "bind_address":
				if s, ok := val.(string); ok && s != "" {
					l.BindAddresses = append(l.BindAddresses, s)
				}
			case "tls":
				l.TLS, _ = val.(bool)
			case "x_forwarded":
				if b, ok := val.(bool); ok {
					l.XForwarded = &b
				}
			case "resources":
				res, rps := parseResources(filePath, at, val)
				l.Resources = res
				ps = append(ps, rps...)
			default:
				ps.Add(at+"."+k, sumAdoptKey, "%s: %s.%s is set, a listener option the provider does not model (it writes type, port or path, "+
					"bind_addresses, tls, x_forwarded and resources); remove it from the file, or keep managing this worker's file by hand.", filePath, at, k)
			}
		}
		out = append(out, l)
	}
	return out, ps
}

func parseResources(filePath, at string, v any) ([]string, Problems) {
	var ps Problems
	list, ok := v.([]any)
	if !ok {
		ps.Add(at+".resources", sumAdoptFile, "%s: %s.resources is not a list.", filePath, at)
		return nil, ps
	}
	var names []string
	for j, el := range list {
		rm, ok := el.(map[string]any)
		if !ok {
			ps.Add(at+".resources", sumAdoptFile, "%s: %s.resources[%d] is not a mapping.", filePath, at, j)
			continue
		}
		for _, k := range sortedKeys(rm) {
			switch k {
			case "names":
				for _, n := range stringsOfAny(rm[k]) {
					if !containsString(names, n) {
						names = append(names, n)
					}
				}
			case "compress":
				if b, _ := rm[k].(bool); b {
					ps.Add(at+".resources.compress", sumAdoptKey, "%s: %s.resources[%d] sets compress: true; the provider renders compress: false "+
						"(the reverse proxy compresses). Remove it from the file, or keep managing this worker's file by hand.", filePath, at, j)
				}
			default:
				ps.Add(at+".resources."+k, sumAdoptKey, "%s: %s.resources[%d].%s is not an option the provider models; remove it from the file.", filePath, at, j, k)
			}
		}
	}
	return names, ps
}

func intOf(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return 0
}

func stringsOfAny(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, e := range l {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		out = append(out, l)
	}
	return out
}

// Homeserver is what an existing homeserver.yaml says about the fleet.
type Homeserver struct {
	// Main is the main process: instance_map.main and its replication listener.
	Main MainProcess
	// MainHTTPHost is where the main process serves clients (its client listener's first bind
	// address, else instance_map.main's host).
	MainHTTPHost string
	// InstanceMap is instance_map by name (main included).
	InstanceMap map[string]InstanceMapEntry
	// StreamWriters are the stream_writers entries, in catalogue stream order, "master" as "main".
	StreamWriters []StreamAssignment
	// Duties holds the duty options the file sets (targets with "master" as "main").
	Duties map[string][]string
	// Redis is the redis block when enabled.
	Redis                          *Redis
	ReplicationSecretPath          string
	OutboundFederationRestrictedTo []string
	DatabaseEngine                 string
}

// ParseHomeserver reads an existing homeserver.yaml (or shared config).
func ParseHomeserver(c *catalog.Catalog, filePath, src string) (Homeserver, Problems) {
	var hs Homeserver
	var ps Problems
	top, err := decodeYAML11(src)
	if err != nil {
		ps.Add("", sumAdoptFile, "%s is not valid YAML: %v.", filePath, err)
		return hs, ps
	}
	m, ok := top.(map[string]any)
	if !ok {
		ps.Add("", sumAdoptFile, "%s is not a YAML mapping (it is a %s).", filePath, yamlKind(top))
		return hs, ps
	}
	mainName := func(s string) string {
		if s == c.MainInstanceName {
			return MainWriter
		}
		return s
	}
	hs.InstanceMap = map[string]InstanceMapEntry{}
	if im, ok := m["instance_map"].(map[string]any); ok {
		for name, v := range im {
			em, _ := v.(map[string]any)
			e := InstanceMapEntry{Port: intOf(em["port"])}
			e.Host, _ = em["host"].(string)
			e.Path, _ = em["path"].(string)
			e.TLS, _ = em["tls"].(bool)
			hs.InstanceMap[name] = e
		}
	}
	if e, ok := hs.InstanceMap[c.MainInstanceMapKey]; ok {
		hs.Main.Host, hs.Main.ReplicationPort, hs.Main.ReplicationPath = e.Host, e.Port, e.Path
	}
	if v, ok := m["listeners"]; ok {
		ls, lps := parseListeners(filePath, "listeners", v)
		// Only the replication listener matters to the fleet; main's other listener options
		// stay in homeserver.yaml, which the merge keeps as is.
		_ = lps
		for _, l := range ls {
			switch {
			case containsString(l.Resources, "replication") && (l.Port == hs.Main.ReplicationPort || l.Path != "" && l.Path == hs.Main.ReplicationPath):
				hs.Main.BindAddresses = l.BindAddresses
			case containsString(l.Resources, "client") && hs.Main.HTTPPort == 0 && l.Port != 0:
				hs.Main.HTTPPort = l.Port
				if len(l.BindAddresses) > 0 && l.BindAddresses[0] != "0.0.0.0" && l.BindAddresses[0] != "::" {
					hs.MainHTTPHost = l.BindAddresses[0]
				}
			}
		}
	}
	if hs.MainHTTPHost == "" {
		hs.MainHTTPHost = hs.Main.Host
	}
	if sw, ok := m["stream_writers"].(map[string]any); ok {
		for _, key := range c.StreamKeys() {
			v, ok := sw[key]
			if !ok {
				continue
			}
			var writers []string
			for _, w := range stringsOfAny(v) {
				writers = append(writers, mainName(w))
			}
			hs.StreamWriters = append(hs.StreamWriters, StreamAssignment{Stream: key, Writers: writers})
		}
		for _, key := range sortedKeys(sw) {
			if c.Stream(key) == nil {
				ps.Add("stream_writers."+key, sumAdoptKey, "%s: stream_writers.%s is not a stream of Synapse %s; remove it, or pick the provider's synapse_version matching your Synapse.",
					filePath, key, c.Version)
			}
		}
	}
	hs.Duties = map[string][]string{}
	for _, r := range c.Roles {
		if r.Duty == "" {
			continue
		}
		v, ok := m[r.Duty]
		if !ok {
			continue
		}
		targets := []string{}
		for _, t := range stringsOfAny(v) {
			targets = append(targets, mainName(t))
		}
		hs.Duties[r.Duty] = targets
	}
	if rm, ok := m["redis"].(map[string]any); ok && rm["enabled"] == true {
		r := &Redis{Port: intOf(rm["port"])}
		r.Host, _ = rm["host"].(string)
		r.Path, _ = rm["path"].(string)
		r.UseTLS, _ = rm["use_tls"].(bool)
		r.PasswordPath, _ = rm["password_path"].(string)
		if _, ok := rm["dbid"]; ok {
			id := intOf(rm["dbid"])
			r.DBID = &id
		}
		for _, k := range sortedKeys(rm) {
			switch k {
			case "enabled", "host", "port", "path", "use_tls", "password_path", "dbid":
			case "password":
				ps.Add("redis.password", sumAdoptKey, "%s: redis.password is inline; the provider writes no secret into rendered files. Move it to a file "+
					"and set redis.password_path instead, then import again.", filePath)
			default:
				ps.Add("redis."+k, sumAdoptKey, "%s: redis.%s is not an option the provider models; remove it from the file.", filePath, k)
			}
		}
		hs.Redis = r
	}
	// An inline worker_replication_secret stays in homeserver_yaml: synapse_shared_config moves
	// it, with every other inline secret, to the sensitive secret_config_yaml.
	hs.ReplicationSecretPath, _ = m["worker_replication_secret_path"].(string)
	hs.OutboundFederationRestrictedTo = stringsOfAny(m["outbound_federation_restricted_to"])
	if db, ok := m["database"].(map[string]any); ok {
		hs.DatabaseEngine, _ = db["name"].(string)
	}
	return hs, ps
}

// WorkerImport is how an existing worker file becomes a Worker.
type WorkerImport struct {
	// Host overrides where the worker is reached ("" = infer).
	Host string
	// Roles overrides the roles (nil = infer; an empty non-nil slice means none).
	Roles []string
	// SharedConfigPath is the shared file the worker loads first ("" = <config_dir>/homeserver.yaml).
	SharedConfigPath string
	// LogLevel of the rendered log config ("" = the default).
	LogLevel string
	// Homeserver is the fleet's shared config when known (host and duty roles are inferred from it).
	Homeserver *Homeserver
	// DefaultHost is used when instance_map does not name the host ("" = the host most
	// instance_map workers use, else the main process's, else localhost).
	DefaultHost string
}

// trailingIndex strips a pool index from a worker name: synchrotron1, sync-2, federation_reader_3.
var trailingIndex = regexp.MustCompile(`[-_]?[0-9]+$`)

// nameRoleAliases are the short role names deployment tools put in worker names
// (matrix-docker-ansible-deploy: matrix-synapse-worker-sync-0, ...-background-0).
var nameRoleAliases = map[string]string{"sync": "synchrotron", "background": "background_worker"}

// roleOfName is the role a worker name ends with, before its pool index: synchrotron1 and
// federation_reader-2 (Synapse's docker generator), matrix-synapse-worker-client-reader-0
// (matrix-docker-ansible-deploy: '-' read as '_'); "" when none (or only "generic", which
// says nothing about what the worker serves).
func roleOfName(c *catalog.Catalog, name string) string {
	base := strings.ReplaceAll(strings.ToLower(trailingIndex.ReplaceAllString(name, "")), "-", "_")
	best := ""
	for _, r := range c.Roles {
		if r.Name != "generic" && (base == r.Name || strings.HasSuffix(base, "_"+r.Name)) && len(r.Name) > len(best) {
			best = r.Name
		}
	}
	for alias, role := range nameRoleAliases {
		if best == "" && c.Role(role) != nil && (base == alias || strings.HasSuffix(base, "_"+alias)) {
			best = role
		}
	}
	return best
}

// InferRoles guesses a worker's roles: the duties naming it, the role its name starts with
// (Synapse's docker generator names workers <role><n>), and the media role when the file
// enables the media repository. Each inference is reported as a warning.
func InferRoles(c *catalog.Catalog, wf WorkerFile, hs *Homeserver) ([]string, []string) {
	var roles, why []string
	add := func(r, reason string) {
		if !containsString(roles, r) {
			roles = append(roles, r)
			why = append(why, fmt.Sprintf("%s (%s)", r, reason))
		}
	}
	if r := roleOfName(c, wf.Name); r != "" {
		add(r, "its name")
	}
	if wf.EnableMediaRepo {
		for _, r := range c.Roles {
			if r.EnableMediaRepo {
				add(r.Name, "enable_media_repo: true")
				break
			}
		}
	}
	if hs != nil {
		for _, r := range c.Roles {
			if r.Duty != "" && containsString(hs.Duties[r.Duty], wf.Name) {
				add(r.Name, r.Duty)
			}
		}
	}
	sort.Strings(roles)
	return roles, why
}

// ImportWorker turns an existing worker file into a Worker, and checks that the Worker renders
// the same file (Equivalent); a difference is a warning naming the keys.
func ImportWorker(c *catalog.Catalog, filePath, src string, opt WorkerImport) (Worker, Problems) {
	wf, ps := ParseWorkerFile(c, filePath, src)
	if ps.HasErrors() {
		return Worker{}, ps
	}
	w := Worker{Name: wf.Name, LogConfigPath: wf.LogConfigPath, LogLevel: opt.LogLevel, SharedConfigPath: opt.SharedConfigPath, ConfigDir: wf.ConfigDir}
	if w.ConfigDir == "" {
		ps.Warn("", sumAdoptGuess, "%s is not at <config_dir>/workers/%s.yaml, so its config_path becomes %s; move the file there, or deploy config_yaml to config_path.",
			filePath, wf.Name, Worker{Name: wf.Name}.ConfigPath())
	}
	switch {
	case opt.Roles != nil:
		w.Roles = append([]string{}, opt.Roles...)
	default:
		roles, why := InferRoles(c, wf, opt.Homeserver)
		w.Roles = roles
		if len(why) > 0 {
			ps.Warn(attrRoles, sumAdoptGuess, "worker %q: roles inferred as %s; check them (they decide what the reverse proxy sends to the worker).",
				wf.Name, strings.Join(why, ", "))
		} else {
			ps.Warn(attrRoles, sumAdoptGuess, "worker %q: no roles could be inferred (neither its name, its duties nor enable_media_repo name one), so "+
				"it gets no routes; set its roles if it serves requests.", wf.Name)
		}
	}
	w.Host = opt.Host
	if w.Host == "" && opt.Homeserver != nil {
		if e, ok := opt.Homeserver.InstanceMap[wf.Name]; ok && e.Host != "" {
			w.Host = e.Host
		}
	}
	if w.Host == "" {
		w.Host = boundHost(wf.Listeners)
	}
	if w.Host == "" && opt.DefaultHost == "" && opt.Homeserver != nil && hostsAreNames(c, *opt.Homeserver) {
		// One container per process, each reached by its own name (matrix-docker-ansible-deploy).
		w.Host = wf.Name
	}
	if w.Host == "" {
		w.Host = opt.DefaultHost
	}
	if w.Host == "" && opt.Homeserver != nil {
		w.Host = commonWorkerHost(c, *opt.Homeserver)
	}
	if w.Host == "" {
		w.Host = "localhost"
	}
	if !mediaSafe(c, w.Roles, wf) {
		wf.Extra["enable_media_repo"] = true
	}
	if len(wf.Extra) > 0 {
		node := yamlMap()
		for _, k := range sortedKeys(wf.Extra) {
			v, err := valueNode(wf.Extra[k])
			if err != nil {
				ps.Add(attrExtraConfig, sumAdoptKey, "%s: %s could not be re-encoded: %v.", filePath, k, err)
				return Worker{}, ps
			}
			yamlAppend(node, k, v)
		}
		w.ExtraConfig = encodeYAML(node)
	}
	w = chooseListenerForm(c, w, wf.Listeners)
	a, rps := RenderWorker(c, w)
	if rps.HasErrors() {
		for _, p := range rps.Errors() {
			ps.Add(p.Path, p.Summary, "worker %q from %s: %s", wf.Name, filePath, p.Detail)
		}
		return Worker{}, ps
	}
	diffs := Differences(src, a.ConfigYAML, nil)
	if wf.LogConfigPath == "" {
		// The provider always writes worker_log_config; a worker without one logs with
		// Synapse's defaults, which no rendered file says.
		ps.Add("worker_log_config", sumAdoptKey, "%s has no worker_log_config, and the provider always writes one (log_config_path, default %s). "+
			"Add worker_log_config: <path of a log config> to the file (provider::synapse::worker_log_config renders one), restart the worker, then import again.",
			filePath, w.WithDefaults().LogConfigPath)
		diffs = removeString(diffs, "worker_log_config")
	}
	if len(diffs) > 0 {
		ps.Add("", sumAdoptDiffers, "%s: the rendered worker file would differ from the original at %s; the provider cannot represent this file exactly, so it is not adopted.", filePath, strings.Join(diffs, ", "))
	}
	return w, ps
}

// hostsAreNames reports whether every worker of instance_map (at least one) is reached at a
// host named like the worker itself: one container per process, named after it.
func hostsAreNames(c *catalog.Catalog, hs Homeserver) bool {
	n := 0
	for name, e := range hs.InstanceMap {
		if name == c.MainInstanceMapKey {
			continue
		}
		if e.Host != name {
			return false
		}
		n++
	}
	return n > 0
}

// boundHost is the address a worker's TCP listeners bind, when it is one specific address
// (not a wildcard): other processes can reach the worker only there.
func boundHost(ls []Listener) string {
	for _, l := range ls {
		for _, b := range l.BindAddresses {
			if b != "0.0.0.0" && b != "::" && b != "" {
				return b
			}
		}
	}
	return ""
}

// mediaSafe reports whether the rendered enable_media_repo matches the file: the provider writes
// it for a media role; a file that sets it without one keeps it in extra_config.
func mediaSafe(c *catalog.Catalog, roles []string, wf WorkerFile) bool {
	return (mediaRole(c, roles) != "") == wf.EnableMediaRepo
}

// chooseListenerForm uses http_port/replication_port/metrics_port when they generate exactly the
// file's listeners, else the listeners override.
func chooseListenerForm(c *catalog.Catalog, w Worker, ls []Listener) Worker {
	cand := w
	for _, l := range ls {
		switch {
		case l.Path != "":
			cand.HTTPPort = -1 // unix sockets need the override
		case l.Type == "metrics" && cand.MetricsPort == 0:
			cand.MetricsPort = l.Port
		case l.Type == "http" && len(l.Resources) == 1 && l.Resources[0] == "replication" && cand.ReplicationPort == 0:
			cand.ReplicationPort = l.Port
		case l.Type == "http" && cand.HTTPPort == 0:
			cand.HTTPPort = l.Port
		}
		if len(l.BindAddresses) > 0 {
			cand.BindAddresses = l.BindAddresses
		}
	}
	if cand.HTTPPort >= 0 && listenersEqual(generatedListeners(c, cand), ls) {
		return cand
	}
	w.Listeners = ls
	return w
}

func listenersEqual(a, b []Listener) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Type != y.Type || x.Port != y.Port || x.Path != y.Path || x.TLS != y.TLS ||
			!reflect.DeepEqual(nonNil(x.BindAddresses), nonNil(y.BindAddresses)) ||
			!reflect.DeepEqual(nonNil(x.Resources), nonNil(y.Resources)) ||
			(x.XForwarded == nil) != (y.XForwarded == nil) || x.XForwarded != nil && *x.XForwarded != *y.XForwarded {
			return false
		}
	}
	return true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Differences compares two config files as Synapse reads them (see the package comment on
// adoption for the normalization) and lists the key paths that differ, sorted. defaults maps a
// top-level option to the value its absence means (e.g. a duty option -> "master").
func Differences(original, rendered string, defaults map[string]any) []string {
	return LoadedDifferences(original, defaults, rendered)
}

// LoadedDifferences is Differences between original and what a process reads from the files
// rendered, loaded in order as Synapse loads several --config-path files: merged at the top
// level, a later file's key replacing an earlier one's (the shared file, then the secret file
// synapse_shared_config moves inline secrets to). An empty rendered file adds nothing.
func LoadedDifferences(original string, defaults map[string]any, rendered ...string) []string {
	a, errA := decodeYAML11(original)
	if errA != nil {
		return []string{"(the original file does not parse)"}
	}
	var b any
	for i, r := range rendered {
		v, err := decodeYAML11(r)
		if err != nil {
			return []string{fmt.Sprintf("(rendered file %d does not parse)", i+1)}
		}
		vm, isMap := v.(map[string]any)
		bm, bIsMap := b.(map[string]any)
		switch {
		case v == nil && i > 0:
			// an empty file: Synapse reads nothing from it
		case isMap && bIsMap:
			for k, x := range vm {
				bm[k] = x
			}
		default:
			b = v
		}
	}
	a, b = normalizeConfig(a), normalizeConfig(b)
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for k, d := range defaults {
			if _, ok := am[k]; !ok && reflect.DeepEqual(bm[k], d) {
				delete(bm, k)
			}
			if _, ok := bm[k]; !ok && reflect.DeepEqual(am[k], d) {
				delete(am, k)
			}
		}
	}
	var out []string
	diffValues("", a, b, &out)
	sort.Strings(out)
	return out
}

func diffValues(at string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			p := k
			if at != "" {
				p = at + "." + k
			}
			diffValues(p, am[k], bm[k], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		if at == "" {
			at = "(the whole file)"
		}
		*out = append(*out, at)
	}
}

// normalizeConfig rewrites the spellings Synapse reads alike into one (see the package comment).
func normalizeConfig(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	// A stream_writers entry may be one name; Synapse reads it as a list of that name.
	if sw, ok := out["stream_writers"].(map[string]any); ok {
		nsw := map[string]any{}
		for k, x := range sw {
			if s, isStr := x.(string); isStr {
				x = []any{s}
			}
			nsw[k] = x
		}
		out["stream_writers"] = nsw
	}
	// Synapse reads a missing (or null) worker_listeners as none; the provider writes [].
	if l, ok := out["worker_listeners"]; ok && l == nil {
		delete(out, "worker_listeners")
	}
	if l, ok := out["worker_listeners"].([]any); ok && len(l) == 0 {
		delete(out, "worker_listeners")
	}
	// redis.use_tls: false is Synapse's default, which the provider writes as no key.
	if r, ok := out["redis"].(map[string]any); ok && r["use_tls"] == false {
		nr := map[string]any{}
		for k, x := range r {
			if k != "use_tls" {
				nr[k] = x
			}
		}
		out["redis"] = nr
	}
	for _, key := range []string{"worker_listeners", "listeners"} {
		list, ok := out[key].([]any)
		if !ok {
			continue
		}
		nl := make([]any, len(list))
		for i, el := range list {
			nl[i] = normalizeListener(el)
		}
		out[key] = nl
	}
	return out
}

func normalizeListener(v any) any {
	lm, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range lm {
		out[k] = x
	}
	if b, ok := out["bind_address"]; ok {
		if _, has := out["bind_addresses"]; !has {
			out["bind_addresses"] = []any{b}
		}
		delete(out, "bind_address")
	}
	if t, ok := out["tls"].(bool); ok && !t {
		delete(out, "tls")
	}
	res, ok := out["resources"].([]any)
	if !ok {
		return out
	}
	var names []any
	for _, r := range res {
		rm, ok := r.(map[string]any)
		if !ok {
			return out
		}
		for k, x := range rm {
			switch k {
			case "names":
				for _, n := range stringsOfAny(x) {
					if !containsAny(names, n) {
						names = append(names, n)
					}
				}
			case "compress":
				if b, _ := x.(bool); b {
					return out // not Synapse's default: compare as written
				}
			default:
				return out
			}
		}
	}
	out["resources"] = []any{map[string]any{"names": names}}
	return out
}

// DutyDefaults are the duty options whose absence Synapse reads as the main process: for
// Differences between an original homeserver.yaml and a merged one.
func DutyDefaults(c *catalog.Catalog) map[string]any {
	d := map[string]any{}
	for _, r := range c.Roles {
		switch {
		case r.Duty == "":
		case r.DutyKind == "list":
			d[r.Duty] = []any{c.MainInstanceName}
		default:
			d[r.Duty] = c.MainInstanceName
		}
	}
	return d
}

// removeString is list without the entries equal to s.
func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
