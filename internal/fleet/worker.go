package fleet

import (
	"fmt"
	"net"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// Defaults of the synapse_worker inputs.
const (
	// DefaultConfigDir holds the shared configuration and the workers/ directory.
	DefaultConfigDir = "/etc/matrix-synapse"
	// DefaultLogLevel is the root level of the rendered log config.
	DefaultLogLevel = "INFO"
	// MaxWorkerNameLength keeps names usable as file names, systemd units and metric labels.
	MaxWorkerNameLength = 64
)

// workerNamePattern is the charset of worker names: safe in file names, systemd unit names,
// container names, YAML and proxy upstream names.
var workerNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// hostnamePattern is a DNS name (labels of letters, digits, '-' and '_', which container
// names use), optionally fully qualified with a trailing dot.
var hostnamePattern = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$`)

// Attribute names of synapse_worker, as problem paths use them.
const (
	attrName             = "name"
	attrRoles            = "roles"
	attrHost             = "host"
	attrHTTPPort         = "http_port"
	attrReplicationPort  = "replication_port"
	attrMetricsPort      = "metrics_port"
	attrBindAddresses    = "bind_addresses"
	attrListeners        = "listeners"
	attrConfigDir        = "config_dir"
	attrSharedConfigPath = "shared_config_path"
	attrLogConfigPath    = "log_config_path"
	attrLogLevel         = "log_level"
	attrExtraConfig      = "extra_config"
)

// Problem summaries of worker validation.
const (
	sumName        = "Invalid Worker Name"
	sumRole        = "Unknown Worker Role"
	sumHost        = "Invalid Worker Host"
	sumPort        = "Invalid Port"
	sumMissingPort = "Missing HTTP Port"
	sumDupPort     = "Duplicate Listener Port"
	sumDupSocket   = "Duplicate Listener Socket"
	sumBind        = "Invalid Bind Address"
	sumListener    = "Invalid Listener"
	sumConflict    = "Conflicting Listener Settings"
	sumUnserved    = "Role Resources Not Served"
	sumPath        = "Invalid Path"
	sumLogLevel    = "Invalid Log Level"
	sumExtra       = "Invalid Extra Config"
	sumOwned       = "Extra Config Sets A Managed Option"
	sumDeprecated  = "Deprecated Worker Option"
	sumShared      = "Shared Option In Worker Config"
)

// WorkerArtifacts is everything rendered for one worker.
type WorkerArtifacts struct {
	// ConfigYAML is the worker's own config file, loaded after the shared config.
	ConfigYAML string
	// LogConfigYAML is the Python logging dictConfig the worker file points at.
	LogConfigYAML string
	// ConfigPath is where ConfigYAML belongs: <config_dir>/workers/<name>.yaml.
	ConfigPath string
	// LogConfigPath is where LogConfigYAML belongs.
	LogConfigPath string
	// Endpoints are the endpoints the worker's roles serve, in catalogue order.
	Endpoints []catalog.Endpoint
	// InstanceMap is the worker's replication listener; nil if it has none.
	InstanceMap *InstanceMapEntry
	// Upstream is host:port or unix:<path> of the HTTP listener serving the roles; "" if none.
	Upstream string
	// HTTPResources are the resources that listener serves.
	HTTPResources []string
	// ReplicationBindAddresses are the effective bind addresses of the replication listener
	// (Synapse's default when unset; empty for a unix socket or when there is none).
	ReplicationBindAddresses []string
	// Command starts the worker.
	Command string
	// Digest identifies ConfigYAML, LogConfigYAML and Command together: it changes exactly
	// when the worker must restart to pick up its own files.
	Digest string
	// Listeners are the effective worker_listeners.
	Listeners []Listener
}

// Ref is what the fleet-wide resources read of the worker.
func (a WorkerArtifacts) Ref(w Worker) WorkerRef {
	return WorkerRef{
		Name: w.Name, Roles: append([]string(nil), w.Roles...), Host: w.Host,
		Upstream: a.Upstream, HTTPResources: a.HTTPResources, InstanceMap: a.InstanceMap,
		ReplicationBindAddresses: a.ReplicationBindAddresses,
	}
}

// WithCatalogDefaults fills what a worker reference leaves to the catalogue, a value
// synapse_worker publishes as null (Compact): the HTTP listener's resources, the default for
// the roles, when it has one (an upstream). The fleet-wide resources read every reference
// through it. (Nil ReplicationBindAddresses already read as Synapse's default, all interfaces.)
func (r WorkerRef) WithCatalogDefaults(c *catalog.Catalog) WorkerRef {
	if len(r.HTTPResources) == 0 && r.Upstream != "" {
		r.HTTPResources = DefaultHTTPResources(c, r.Roles)
	}
	return r
}

// Compact is r without the values WithCatalogDefaults restores: http_resources equal to the
// roles' default and Synapse's default replication bind addresses are nil (and so are empty
// lists), so that a plan and the state carry a worker's catalogue facts once, not per worker.
func (r WorkerRef) Compact(c *catalog.Catalog) WorkerRef {
	if len(r.HTTPResources) == 0 || (r.Upstream != "" && slices.Equal(r.HTTPResources, DefaultHTTPResources(c, r.Roles))) {
		r.HTTPResources = nil
	}
	if len(r.ReplicationBindAddresses) == 0 || slices.Equal(r.ReplicationBindAddresses, c.DefaultBindAddresses("http")) {
		r.ReplicationBindAddresses = nil
	}
	return r
}

// WithDefaults fills the optional inputs: config_dir, shared_config_path, log_config_path
// and log_level.
func (w Worker) WithDefaults() Worker {
	if w.ConfigDir == "" {
		w.ConfigDir = DefaultConfigDir
	}
	if w.SharedConfigPath == "" {
		w.SharedConfigPath = path.Join(w.ConfigDir, "homeserver.yaml")
	}
	if w.LogConfigPath == "" {
		w.LogConfigPath = path.Join(w.ConfigDir, "workers", w.Name+".log.config")
	}
	if w.LogLevel == "" {
		w.LogLevel = DefaultLogLevel
	}
	return w
}

// ConfigPath is where the worker's file belongs: <config_dir>/workers/<name>.yaml.
func (w Worker) ConfigPath() string {
	dir := w.ConfigDir
	if dir == "" {
		dir = DefaultConfigDir
	}
	return path.Join(dir, "workers", w.Name+".yaml")
}

// Unknown names the top-level synapse_worker attributes whose values are not known yet
// (Terraform plans with values from other resources). Checks that need them are skipped.
type Unknown map[string]bool

// ValidateWorker returns every problem of a worker.
func ValidateWorker(c *catalog.Catalog, w Worker) Problems {
	return ValidateWorkerPartial(c, w, nil)
}

// ValidateWorkerPartial validates what is known: checks that read an attribute named in
// unknown are skipped. ValidateWorker is ValidateWorkerPartial with nothing unknown.
func ValidateWorkerPartial(c *catalog.Catalog, w Worker, unknown Unknown) Problems {
	known := func(attrs ...string) bool {
		for _, a := range attrs {
			if unknown[a] {
				return false
			}
		}
		return true
	}
	var ps Problems
	if known(attrName) {
		ps = append(ps, ValidateWorkerName(attrName, w.Name)...)
	}
	if known(attrRoles) {
		ps = append(ps, validateRoles(c, w.Roles)...)
	}
	if known(attrHost) {
		ps = append(ps, ValidateHost(attrHost, w.Host)...)
	}
	for _, p := range []struct {
		attr string
		port int
	}{{attrHTTPPort, w.HTTPPort}, {attrReplicationPort, w.ReplicationPort}, {attrMetricsPort, w.MetricsPort}} {
		if known(p.attr) && p.port != 0 {
			ps = append(ps, ValidatePort(p.attr, p.port)...)
		}
	}
	if known(attrBindAddresses) {
		for i, a := range w.BindAddresses {
			ps = append(ps, validateBindAddress(Index(attrBindAddresses, i), a)...)
		}
	}
	if known(attrListeners) {
		for i, l := range w.Listeners {
			ps = append(ps, validateListener(c, i, l)...)
		}
	}
	if known(attrListeners, attrHTTPPort, attrReplicationPort, attrMetricsPort, attrBindAddresses, attrRoles) {
		ps = append(ps, validateListenerLayout(c, w)...)
	}
	if known(attrConfigDir) && w.ConfigDir != "" {
		ps = append(ps, ValidateAbsPath(attrConfigDir, w.ConfigDir)...)
	}
	if known(attrSharedConfigPath) && w.SharedConfigPath != "" {
		ps = append(ps, ValidateAbsPath(attrSharedConfigPath, w.SharedConfigPath)...)
	}
	if known("secret_config_path") && w.SecretConfigPath != "" {
		ps = append(ps, ValidateAbsPath("secret_config_path", w.SecretConfigPath)...)
	}
	if known(attrLogConfigPath) && w.LogConfigPath != "" {
		ps = append(ps, ValidateAbsPath(attrLogConfigPath, w.LogConfigPath)...)
	}
	if known(attrLogLevel) && w.LogLevel != "" && !c.IsLogLevel(w.LogLevel) {
		ps.Add(attrLogLevel, sumLogLevel, "log_level %q is not a Python logging level; use one of %s (upper case).",
			w.LogLevel, quoted(c.LogLevels))
	}
	if known(attrExtraConfig, attrRoles) {
		ps = append(ps, validateExtraConfig(c, w)...)
	}
	if m, err := parseYAMLMapping(w.ExtraConfig); known(attrExtraConfig) && err == nil {
		ps = append(ps, validateExtraConfigMerge(m)...)
	}
	return ps
}

// ValidateWorkerName checks a worker name at path p.
func ValidateWorkerName(p, name string) Problems {
	var ps Problems
	switch {
	case name == "":
		ps.Add(p, sumName, "The worker name is empty; name the worker with letters, digits, '_' or '-', e.g. \"sync1\".")
	case len(name) > MaxWorkerNameLength:
		ps.Add(p, sumName, "The worker name %q is %d characters long; use at most %d.", name, len(name), MaxWorkerNameLength)
	case !workerNamePattern.MatchString(name):
		ps.Add(p, sumName, "The worker name %q may only contain letters, digits, '_' and '-' (it becomes a file name, "+
			"a YAML value and a proxy upstream name); rename it, e.g. %q.", name, suggestName(name))
	case strings.EqualFold(name, "main") || strings.EqualFold(name, "master"):
		ps.Add(p, sumName, "The worker name %q is reserved: Synapse calls the main process \"master\" and instance_map "+
			"calls it \"main\", so a worker with either name would be taken for the main process; choose another name, e.g. \"worker1\".", name)
	}
	return ps
}

func suggestName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 128 && workerNamePattern.MatchString(string(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > MaxWorkerNameLength {
		s = s[:MaxWorkerNameLength]
	}
	if s == "" {
		return "worker1"
	}
	return s
}

func validateRoles(c *catalog.Catalog, roles []string) Problems {
	var ps Problems
	seen := map[string]bool{}
	for _, r := range roles {
		if seen[r] {
			ps.Add(attrRoles, sumRole, "The role %q is listed twice; list it once.", r)
			continue
		}
		seen[r] = true
		if c.Role(r) == nil {
			ps.Add(attrRoles, sumRole, "The role %q is not a worker role of Synapse %s; use one of %s.",
				r, c.Version, quoted(c.RoleNames()))
		}
	}
	return ps
}

// ValidateHost checks that a host is a hostname or an IP literal, at path p.
func ValidateHost(p, host string) Problems {
	var ps Problems
	switch {
	case host == "":
		ps.Add(p, sumHost, "The host is empty; give the hostname or IP address where the other processes and the reverse proxy reach the worker.")
	case strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") && net.ParseIP(host[1:len(host)-1]) != nil:
		ps.Add(p, sumHost, "The host %q is a bracketed IPv6 address; write it without brackets (%q): the provider adds them where a port follows.",
			host, host[1:len(host)-1])
	case net.ParseIP(host) != nil:
	case numericTLD(host):
		// A DNS name never ends in an all-digit label, so this is a mistyped IPv4 address.
		ps.Add(p, sumHost, "The host %q looks like an IPv4 address but is not one: an IPv4 address is four numbers from 0 to 255 "+
			"separated by dots; fix the address (e.g. \"10.0.0.30\"), or give a hostname.", host)
	case len(host) > 253 || !hostnamePattern.MatchString(host):
		ps.Add(p, sumHost, "The host %q is neither a hostname nor an IP address (a hostname has dot-separated labels of letters, "+
			"digits, '-' and '_'; no spaces, quotes, ports or URL parts); write just the host, e.g. \"10.0.0.5\" or \"worker1.internal\".", host)
	}
	return ps
}

// numericTLD reports whether the last label of a dotted name is all digits.
func numericTLD(host string) bool {
	last := strings.TrimSuffix(host, ".")
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	} else {
		return false // a single label such as "42" is not mistaken for an address
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// absoluteHint suggests an absolute path for a relative one: "/" in front when it already
// starts from a top-level directory ("etc/matrix-synapse" -> "/etc/matrix-synapse"), else under
// the default config directory ("workers/w1.log.config" -> "/etc/matrix-synapse/workers/...").
func absoluteHint(rel string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(rel, "./"), "/")
	switch first {
	case "etc", "var", "run", "opt", "srv", "usr", "home", "data", "mnt", "tmp", "media":
		return path.Join("/", rel)
	}
	if strings.HasPrefix(path.Join("/", rel)+"/", DefaultConfigDir+"/") {
		return path.Join("/", rel)
	}
	return path.Join(DefaultConfigDir, rel)
}

// ValidatePort checks a TCP port number at path p.
func ValidatePort(p string, port int) Problems {
	var ps Problems
	if port < 1 || port > 65535 {
		ps.Add(p, sumPort, "%s is %d; a TCP port is between 1 and 65535.", p, port)
	}
	return ps
}

func validateBindAddress(p, addr string) Problems {
	var ps Problems
	if net.ParseIP(addr) == nil {
		ps.Add(p, sumBind, "%s is %q; Synapse binds to IP addresses only, e.g. \"0.0.0.0\", \"::\" or \"10.0.0.5\".", p, addr)
	}
	return ps
}

// ValidateAbsPath checks a file path at p: absolute, free of control characters.
func ValidateAbsPath(p, value string) Problems {
	var ps Problems
	switch {
	case !utf8.ValidString(value):
		ps.Add(p, sumPath, "%s is %q, which is not valid UTF-8; use a plain absolute path.", p, value)
	case strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		ps.Add(p, sumPath, "%s is %q, which contains a newline or another control character; use a plain absolute path.", p, value)
	case !strings.HasPrefix(value, "/"):
		ps.Add(p, sumPath, "%s is %q, a relative path; Synapse resolves it against its working directory, so give an absolute path, e.g. %q.",
			p, value, absoluteHint(value))
	}
	return ps
}

// validateListener checks one element of the listeners override.
func validateListener(c *catalog.Catalog, i int, l Listener) Problems {
	var ps Problems
	at := func(child string) string { return Index(attrListeners, i, child) }
	if !c.IsListenerType(l.Type) {
		ps.Add(at("type"), sumListener, "%s is %q; Synapse accepts %s.", at("type"), l.Type, quoted(c.ListenerTypes))
	}
	switch {
	case l.Port != 0 && l.Path != "":
		ps.Add(Index(attrListeners, i), sumListener, "listeners[%d] has both port %d and path %q; Synapse refuses a listener with both, so keep one.",
			i, l.Port, l.Path)
	case l.Port == 0 && l.Path == "":
		ps.Add(Index(attrListeners, i), sumListener, "listeners[%d] has neither port nor path; set port for TCP or path for a unix socket.", i)
	}
	if l.Port != 0 {
		ps = append(ps, ValidatePort(at("port"), l.Port)...)
	}
	if l.Path != "" {
		ps = append(ps, ValidateAbsPath(at("path"), l.Path)...)
		if l.Type != "" && c.IsListenerType(l.Type) && !c.CanListenOnUnixSocket(l.Type) {
			ps.Add(at("path"), sumListener, "%s: a %s listener cannot use a unix socket (Synapse refuses to start); give it a port instead.",
				Index(attrListeners, i), l.Type)
		}
		if l.TLS {
			ps.Add(at("tls"), sumListener, "%s: tls on a unix socket listener is silently ignored by Synapse; remove tls, "+
				"or listen on a port to terminate TLS in Synapse.", Index(attrListeners, i))
		}
		if len(l.BindAddresses) > 0 {
			ps.Add(at("bind_addresses"), sumListener, "%s: bind_addresses do not apply to a unix socket listener; remove them.",
				Index(attrListeners, i))
		}
	}
	if l.TLS && l.Path == "" {
		ps.Warn(at("tls"), sumListener, "%s terminates TLS in Synapse: the shared configuration needs tls_certificate_path and "+
			"tls_private_key_path (Synapse checks them only for the main process's listeners, so a worker without them fails "+
			"when the listener starts).", Index(attrListeners, i))
	}
	for j, a := range l.BindAddresses {
		ps = append(ps, validateBindAddress(Index(attrListeners, i, fmt.Sprintf("bind_addresses[%d]", j)), a)...)
	}
	if l.Type != "http" && len(l.Resources) > 0 && c.IsListenerType(l.Type) {
		ps.Add(at("resources"), sumListener, "%s is a %s listener, which ignores resources; remove them or make it an http listener.",
			Index(attrListeners, i), l.Type)
	}
	seen := map[string]bool{}
	for j, r := range l.Resources {
		rp := Index(attrListeners, i, fmt.Sprintf("resources[%d]", j))
		if !c.IsListenerResource(r) {
			ps.Add(rp, sumListener, "%s is %q, not a listener resource Synapse knows; use one of %s.", rp, r, quoted(c.ListenerResources))
		} else if seen[r] {
			ps.Add(rp, sumListener, "%s: the resource %q is listed twice; list it once.", rp, r)
		}
		seen[r] = true
	}
	if l.Type == "http" && len(l.Resources) == 0 {
		ps.Warn(at("resources"), sumListener, "%s is an http listener with no resources: it serves only /health; add the resources it should serve.",
			Index(attrListeners, i))
	}
	return ps
}

// neededResources are the listener resources the roles' endpoints are served on.
// DefaultHTTPResources are the resources of the HTTP listener the provider generates for a
// worker of these roles: what the roles' endpoints need, or `client` for a worker whose roles
// serve no endpoints (a stream writer or a duty worker: its streams' endpoints are client API
// endpoints). It is a catalogue fact, so synapse_worker publishes http_resources only when
// they differ from it (WorkerRef.Compact).
func DefaultHTTPResources(c *catalog.Catalog, roles []string) []string {
	if res := neededResources(c, roles); len(res) > 0 {
		return res
	}
	return []string{"client"}
}

func neededResources(c *catalog.Catalog, roles []string) []string {
	return catalog.ResourcesFor(c.EndpointsForRoles(roles))
}

// validateListenerLayout checks what spans listeners: required ports, collisions, and that the
// roles' endpoints are served.
func validateListenerLayout(c *catalog.Catalog, w Worker) Problems {
	var ps Problems
	needed := neededResources(c, w.Roles)
	if len(w.Listeners) > 0 {
		for _, a := range []struct {
			attr string
			set  bool
		}{{attrHTTPPort, w.HTTPPort != 0}, {attrReplicationPort, w.ReplicationPort != 0},
			{attrMetricsPort, w.MetricsPort != 0}, {attrBindAddresses, len(w.BindAddresses) > 0}} {
			if a.set {
				ps.Add(a.attr, sumConflict, "%s is ignored when listeners is set (listeners replaces the generated listeners "+
					"entirely); remove %s, or remove listeners and let the provider generate them.", a.attr, a.attr)
			}
		}
		ports := map[int]int{}
		paths := map[string]int{}
		for i, l := range w.Listeners {
			if l.Port != 0 && l.Path == "" {
				if j, dup := ports[l.Port]; dup {
					ps.Add(Index(attrListeners, i, "port"), sumDupPort, "listeners[%d] and listeners[%d] both use port %d; give each listener its own port.", j, i, l.Port)
				} else {
					ports[l.Port] = i
				}
			}
			if l.Path != "" && l.Port == 0 {
				if j, dup := paths[l.Path]; dup {
					ps.Add(Index(attrListeners, i, "path"), sumDupSocket, "listeners[%d] and listeners[%d] both use the unix socket %q; give each listener its own path.", j, i, l.Path)
				} else {
					paths[l.Path] = i
				}
			}
		}
		var missing []string
		for _, r := range needed {
			served := false
			for _, l := range w.Listeners {
				if l.Type == "http" && containsString(l.Resources, r) {
					served = true
				}
			}
			if !served {
				missing = append(missing, r)
			}
		}
		switch {
		case len(missing) > 0:
			ps.Add(attrListeners, sumUnserved, "The roles %s serve endpoints on the %s resource(s), but no http listener in listeners serves %s; "+
				"requests routed to this worker would get a 404. Add %s to the resources of the worker's http listener.",
				quoted(w.Roles), quoted(needed), quoted(missing), quoted(missing))
		case len(needed) > 0 && upstreamListener(w.Listeners, needed) < 0:
			ps.Add(attrListeners, sumUnserved, "The roles %s need the resources %s on one http listener: the reverse proxy sends all of "+
				"the worker's routes to a single upstream. Serve %s together on one http listener.",
				quoted(w.Roles), quoted(needed), quoted(needed))
		}
		return ps
	}
	if w.HTTPPort == 0 && len(needed) > 0 {
		ps.Add(attrHTTPPort, sumMissingPort, "The roles %s serve HTTP endpoints (%s resources) but http_port is not set; set http_port "+
			"(e.g. 8083), or give an explicit listeners list.", quoted(w.Roles), quoted(needed))
	}
	used := map[int]string{}
	for _, p := range []struct {
		attr string
		port int
	}{{attrHTTPPort, w.HTTPPort}, {attrReplicationPort, w.ReplicationPort}, {attrMetricsPort, w.MetricsPort}} {
		if p.port == 0 {
			continue
		}
		if other, dup := used[p.port]; dup {
			ps.Add(p.attr, sumDupPort, "%s and %s are both %d; each listener of the worker needs its own port.", other, p.attr, p.port)
			continue
		}
		used[p.port] = p.attr
	}
	return ps
}

// upstreamListener is the index of the first http listener serving every needed resource
// (or, when none are needed, the first serving client: a stream writer's endpoints), or -1.
func upstreamListener(ls []Listener, needed []string) int {
	if len(needed) == 0 {
		needed = []string{"client"}
	}
	for i, l := range ls {
		if l.Type != "http" {
			continue
		}
		all := true
		for _, r := range needed {
			if !containsString(l.Resources, r) {
				all = false
			}
		}
		if all {
			return i
		}
	}
	return -1
}

// ownedOptions are the worker-file options the provider writes, and the attribute to use instead.
var ownedOptions = map[string]string{
	"worker_app":        "nothing: every worker runs " + catalog.GenericWorkerApp + ", whose roles come from `roles`",
	"worker_name":       "`name`",
	"worker_listeners":  "`http_port`, `replication_port`, `metrics_port` and `bind_addresses`, or `listeners`",
	"worker_log_config": "`log_config_path` (and `log_level`)",
}

func validateExtraConfig(c *catalog.Catalog, w Worker) Problems {
	var ps Problems
	if strings.TrimSpace(w.ExtraConfig) == "" {
		return ps
	}
	m, err := parseYAMLMapping(w.ExtraConfig)
	if err != nil {
		ps.Add(attrExtraConfig, sumExtra, "extra_config must be a YAML mapping of Synapse options, e.g. yamlencode({ max_upload_size = \"100M\" }); "+
			"it does not parse as one: %s.", strings.TrimSuffix(err.Error(), "."))
		return ps
	}
	if v, t12, t11, ok := yaml11Mismatch(w.ExtraConfig); ok {
		ps.Add(attrExtraConfig, sumExtra, "extra_config holds the unquoted value %q, which Synapse's YAML 1.1 loader reads as %s but the provider's "+
			"YAML 1.2 parser as %s, so the rendered file would mean something else than written; write it unambiguously "+
			"(true/false for booleans, a quoted string for text), or build extra_config with yamlencode().", v, yamlTypeName(t11), yamlTypeName(t12))
	}
	for _, k := range sortedKeys(m) {
		if fix, owned := ownedOptions[k]; owned {
			ps.Add(attrExtraConfig, sumOwned, "extra_config sets %q, which the provider writes; remove it and use %s.", k, fix)
			continue
		}
		if k == "enable_media_repo" && mediaRole(c, w.Roles) != "" {
			ps.Add(attrExtraConfig, sumOwned, "extra_config sets \"enable_media_repo\", which the provider writes as true for the %q role; remove it.",
				mediaRole(c, w.Roles))
			continue
		}
		if d := c.DeprecatedWorkerOption(k); d != nil {
			ps.Add(attrExtraConfig, sumDeprecated, "extra_config sets %q, which is no longer supported: %s Remove it.", k, strings.TrimSuffix(d.Fix, ".")+".")
			continue
		}
		if c.IsSharedOnlyOption(k) {
			ps.Add(attrExtraConfig, sumShared, "extra_config sets %q, which every process must see identically; remove it here and set it "+
				"in the shared configuration (synapse_shared_config).", k)
		}
	}
	return ps
}

// mediaRole returns the first of the roles that enables the media repository, or "".
func mediaRole(c *catalog.Catalog, roles []string) string {
	for _, r := range roles {
		if role := c.Role(r); role != nil && role.EnableMediaRepo {
			return r
		}
	}
	return ""
}

// generatedListeners are the listeners of a worker without a listeners override: http for the
// roles, replication, metrics.
func generatedListeners(c *catalog.Catalog, w Worker) []Listener {
	var ls []Listener
	if w.HTTPPort != 0 {
		res := DefaultHTTPResources(c, w.Roles)
		// The reverse proxy sits in front of this listener: without x_forwarded Synapse logs
		// (and rate-limits) the proxy's address instead of the client's.
		xf := true
		ls = append(ls, Listener{Type: "http", Port: w.HTTPPort, BindAddresses: w.BindAddresses, Resources: res, XForwarded: &xf})
	}
	if w.ReplicationPort != 0 {
		ls = append(ls, Listener{Type: "http", Port: w.ReplicationPort, BindAddresses: w.BindAddresses, Resources: []string{"replication"}})
	}
	if w.MetricsPort != 0 {
		ls = append(ls, Listener{Type: "metrics", Port: w.MetricsPort, BindAddresses: w.BindAddresses})
	}
	return ls
}

// EffectiveListeners are the worker's listeners: the override, or the generated ones.
func EffectiveListeners(c *catalog.Catalog, w Worker) []Listener {
	if len(w.Listeners) > 0 {
		return w.Listeners
	}
	return generatedListeners(c, w)
}

// RenderWorker validates a worker and renders its files and computed facts. With errors, the
// artifacts are empty.
func RenderWorker(c *catalog.Catalog, w Worker) (WorkerArtifacts, Problems) {
	ps := ValidateWorker(c, w)
	if ps.HasErrors() {
		return WorkerArtifacts{}, ps
	}
	w = w.WithDefaults()
	ls := EffectiveListeners(c, w)
	a := WorkerArtifacts{
		ConfigPath:               w.ConfigPath(),
		LogConfigPath:            w.LogConfigPath,
		Endpoints:                c.EndpointsForRoles(w.Roles),
		Listeners:                ls,
		HTTPResources:            []string{},
		ReplicationBindAddresses: []string{},
	}
	if i := upstreamListener(ls, neededResources(c, w.Roles)); i >= 0 {
		l := ls[i]
		a.Upstream = "unix:" + l.Path
		if l.Path == "" {
			a.Upstream = net.JoinHostPort(w.Host, fmt.Sprint(l.Port))
		}
		a.HTTPResources = append(a.HTTPResources, l.Resources...)
	}
	for _, l := range ls {
		if l.Type != "http" || !containsString(l.Resources, "replication") {
			continue
		}
		if l.Path != "" {
			a.InstanceMap = &InstanceMapEntry{Path: l.Path}
		} else {
			a.InstanceMap = &InstanceMapEntry{Host: w.Host, Port: l.Port, TLS: l.TLS}
			a.ReplicationBindAddresses = append(a.ReplicationBindAddresses, l.BindAddresses...)
			if len(l.BindAddresses) == 0 {
				a.ReplicationBindAddresses = c.DefaultBindAddresses(l.Type)
			}
		}
		break
	}
	doc, err := workerDocument(c, w, ls)
	if err != nil {
		ps.Add(attrExtraConfig, sumExtra, "extra_config could not be re-encoded as YAML: %v.", err)
		return WorkerArtifacts{}, ps
	}
	a.ConfigYAML = encodeYAML(doc)
	a.LogConfigYAML = encodeYAML(logConfigDocument(w))
	// Synapse merges --config-path files shallowly, later ones winning: the shared file, the
	// secret file (its keys were taken out of the shared file), then the worker's own.
	secret := ""
	if w.SecretConfigPath != "" {
		secret = " --config-path " + shellQuote(w.SecretConfigPath)
	}
	a.Command = fmt.Sprintf("python -m %s --config-path %s%s --config-path %s",
		catalog.GenericWorkerApp, shellQuote(w.SharedConfigPath), secret, shellQuote(a.ConfigPath))
	a.Digest = Digest(a.ConfigYAML, a.LogConfigYAML, a.Command)
	return a, ps
}

// workerDocument builds the worker file in the documented key order.
func workerDocument(c *catalog.Catalog, w Worker, ls []Listener) (*yaml.Node, error) {
	listeners := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, l := range ls {
		listeners.Content = append(listeners.Content, ListenerNode(l))
	}
	doc := yamlMap(
		"worker_app", yamlStr(catalog.GenericWorkerApp),
		"worker_name", yamlStr(w.Name),
		"worker_listeners", listeners,
		"worker_log_config", yamlStr(w.LogConfigPath),
	)
	if mediaRole(c, w.Roles) != "" {
		yamlAppend(doc, "enable_media_repo", yamlBool(true))
	}
	if strings.TrimSpace(w.ExtraConfig) != "" {
		m, err := parseYAMLMapping(w.ExtraConfig)
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(m) {
			v, err := valueNode(m[k])
			if err != nil {
				return nil, err
			}
			yamlAppend(doc, k, v)
		}
	}
	return doc, nil
}

// ListenerNode renders one listener with keys in the order type, port|path, bind_addresses,
// tls, x_forwarded, resources.
func ListenerNode(l Listener) *yaml.Node {
	n := yamlMap("type", yamlStr(l.Type))
	if l.Path != "" {
		yamlAppend(n, "path", yamlStr(l.Path))
	} else {
		yamlAppend(n, "port", yamlInt(l.Port))
	}
	if len(l.BindAddresses) > 0 {
		yamlAppend(n, "bind_addresses", yamlStrSeq(l.BindAddresses))
	}
	if l.TLS {
		yamlAppend(n, "tls", yamlBool(true))
	}
	if l.XForwarded != nil {
		yamlAppend(n, "x_forwarded", yamlBool(*l.XForwarded))
	}
	if l.Type == "http" && len(l.Resources) > 0 {
		res := yamlMap("names", yamlFlowStrSeq(l.Resources), "compress", yamlBool(false))
		yamlAppend(n, "resources", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{res}})
	}
	return n
}

// logConfigDocument is a Python logging dictConfig writing to the console (journald or the
// container runtime collects it), with Synapse's request context in every line.
// RenderWorkerLogConfig is the log config of worker name at level (what RenderWorker puts in
// LogConfigYAML), with the problems of name and level.
func RenderWorkerLogConfig(c *catalog.Catalog, name, level string) (string, Problems) {
	ps := ValidateWorkerName(attrName, name)
	if !c.IsLogLevel(level) {
		ps.Add(attrLogLevel, sumLogLevel, "log_level %q is not a Python logging level; use one of %s (upper case).", level, quoted(c.LogLevels))
	}
	if ps.HasErrors() {
		return "", ps
	}
	return encodeYAML(logConfigDocument(Worker{Name: name, LogLevel: level})), ps
}

func logConfigDocument(w Worker) *yaml.Node {
	return yamlMap(
		"version", yamlInt(1),
		"formatters", yamlMap("precise", yamlMap("format",
			yamlStr("%(asctime)s - "+w.Name+" - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s"))),
		"filters", yamlMap("context", yamlMap("()", yamlStr("synapse.logging.context.LoggingContextFilter"))),
		"handlers", yamlMap("console", yamlMap(
			"class", yamlStr("logging.StreamHandler"),
			"formatter", yamlStr("precise"),
			"filters", yamlFlowStrSeq([]string{"context"}),
		)),
		"loggers", yamlMap("synapse.storage.SQL", yamlMap("level", yamlStr("INFO"))),
		"root", yamlMap("level", yamlStr(w.LogLevel), "handlers", yamlFlowStrSeq([]string{"console"})),
		"disable_existing_loggers", yamlBool(false),
	)
}

// shellQuote quotes a path for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		isSafe := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:@,", r)
		return !isSafe
	})
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quoted renders a list as "a", "b", "c" for messages.
func quoted(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(out, ", ")
}
