package fleet

// The shared configuration of a worker fleet: the settings every process (main and workers)
// must agree on, validated across the whole fleet and rendered as one YAML fragment.
//
// Rendered key order (config_yaml), stable and documented:
//
//	listeners                         the main process's replication listener (type http), then metrics
//	redis                             enabled: true, host/port or path, dbid, use_tls, password_path
//	instance_map                      main first, then every process that must be reached, by name
//	stream_writers                    catalogue stream order, main rendered as "master"
//	pusher_instances                  list duties, catalogue order (always lists)
//	federation_sender_instances
//	media_instance_running_background_jobs   single duties, catalogue order ("master" for main)
//	update_user_directory_from_worker
//	notify_appservices_from_worker
//	run_background_tasks_on
//	outbound_federation_restricted_to (when set)
//	enable_media_repo: false          (when a media worker exists)
//	worker_replication_secret_path    (when set)
//
// The legacy start_pushers / send_federation options are never rendered: the list options
// always are, and with a list present Synapse ignores the legacy booleans.
//
// Merging into an existing homeserver.yaml (MergedYAML) keeps the user's keys, their order and
// comments, and appends the fragment's keys. Decision on conflicts: a key the fragment owns that
// the file sets to another value is replaced by the fleet's value and reported as a WARNING
// (the fleet is the source of truth, and the plan shows the result); `listeners` is merged by
// appending the replication listener unless an equivalent one exists, and a file listener on
// the same port or socket for something else is an ERROR, as are legacy options Synapse
// refuses and a second replication secret. Blank lines between top-level keys are not kept
// (a yaml.v3 limitation); comments are.
//
// An inline replication secret is never part of this fragment: RenderShared puts it in a
// separate tiny file (SecretConfigYAML) that the processes load as one more --config-path.
// Synapse merges config files shallowly, so a separate file with one top-level key is safe.

import (
	"fmt"
	"net"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// MainProcess describes the main Synapse process as the shared config needs it.
type MainProcess struct {
	// Host is where workers reach the main process's replication listener.
	Host string
	// ReplicationPort is the TCP port of the replication listener (0: none).
	ReplicationPort int
	// ReplicationPath is the unix socket of the replication listener ("": none).
	ReplicationPath string
	// HTTPPort is the main process's client/federation listener (only checked for clashes).
	HTTPPort int
	// MetricsPort adds a metrics listener to the main process's listeners (0: none).
	MetricsPort int
	// BindAddresses of the replication listener; empty means Synapse's default (all interfaces).
	BindAddresses []string
}

// Redis is the shared redis block. Inline passwords are not supported: use PasswordPath.
type Redis struct {
	Host         string
	Port         int
	Path         string
	DBID         *int
	UseTLS       bool
	PasswordPath string
}

// SharedConfig is everything synapse_shared_config reads.
type SharedConfig struct {
	Main          MainProcess
	Workers       []WorkerRef
	StreamWriters []StreamAssignment
	// Redis is nil when not configured.
	Redis                 *Redis
	ReplicationSecretPath string
	ReplicationSecret     string
	// Duties overrides the duty options (keys are catalogue Role.Duty names such as
	// pusher_instances or run_background_tasks_on). An absent key is defaulted from the
	// workers' roles; a single-kind duty holds one element. "main" names the main process.
	Duties map[string][]string
	// OutboundFederationRestrictedTo lists the processes outbound federation goes through.
	OutboundFederationRestrictedTo []string
	// DatabaseEngine is database.name as the fleet will run it ("" when not stated).
	DatabaseEngine string
	// HomeserverYAML is an existing homeserver.yaml to merge the fragment into ("": none).
	HomeserverYAML string
}

// SharedRender is what RenderShared produces.
type SharedRender struct {
	// ConfigYAML is the shared fragment.
	ConfigYAML string
	// MergedYAML is the fragment merged into HomeserverYAML (the fragment itself without one).
	MergedYAML string
	// SecretConfigYAML holds every inline secret: `worker_replication_secret` for an inline
	// replication secret and the top-level keys of HomeserverYAML that hold a secret (see
	// secrets.go); "" when there is none.
	SecretConfigYAML string
	// SecretConfigKeys are the top-level keys of SecretConfigYAML, in its order.
	SecretConfigKeys []string
	// InlineSecrets are the secret options found in HomeserverYAML (for the warning).
	InlineSecrets []InlineSecret
	// MainLogConfigPath is HomeserverYAML's log_config ("" when unset): the file the main
	// process opens at startup.
	MainLogConfigPath string
	// InstanceMap is the rendered instance_map; InstanceMapKeys its keys in rendered order.
	InstanceMap     map[string]InstanceMapEntry
	InstanceMapKeys []string
}

// sharedView is the fleet resolved once for validation and rendering.
type sharedView struct {
	c       *catalog.Catalog
	cfg     SharedConfig
	workers map[string]*WorkerRef
	// writers maps stream key -> set of fleet names writing it.
	writers map[string]map[string]bool
	duties  []duty
	// user is the parsed homeserver_yaml mapping (nil when none or unparsable).
	user      *yaml.Node
	userValue map[string]any
}

// duty is one resolved duty option.
type duty struct {
	option   string
	kind     string // "single" or "list"
	role     string
	targets  []string // fleet names; "main" is the main process
	explicit bool
}

// isMain reports whether a fleet name is the main process ("main"; Synapse's own "master" is
// rejected by the stream writer and duty checks with a hint).
func isMain(_ *catalog.Catalog, name string) bool { return name == MainWriter }

func (s *sharedView) dutyIsMainOnly(option string) bool {
	for _, d := range s.duties {
		if d.option == option {
			for _, t := range d.targets {
				if !isMain(s.c, t) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func newSharedView(c *catalog.Catalog, cfg SharedConfig) *sharedView {
	// References carry catalogue defaults as nil (WorkerRef.Compact); read them filled in.
	workers := make([]WorkerRef, len(cfg.Workers))
	for i, w := range cfg.Workers {
		workers[i] = w.WithCatalogDefaults(c)
	}
	cfg.Workers = workers
	s := &sharedView{c: c, cfg: cfg, workers: map[string]*WorkerRef{}, writers: map[string]map[string]bool{}}
	for i := range cfg.Workers {
		w := &cfg.Workers[i]
		if _, dup := s.workers[w.Name]; !dup && w.Name != "" {
			s.workers[w.Name] = w
		}
	}
	for _, a := range cfg.StreamWriters {
		if s.writers[a.Stream] == nil {
			s.writers[a.Stream] = map[string]bool{}
		}
		for _, w := range a.Writers {
			if isMain(c, w) {
				w = MainWriter
			}
			s.writers[a.Stream][w] = true
		}
	}
	for _, r := range c.Roles {
		if r.Duty == "" {
			continue
		}
		d := duty{option: r.Duty, kind: r.DutyKind, role: r.Name}
		if v, ok := cfg.Duties[r.Duty]; ok {
			d.explicit = true
			d.targets = append([]string(nil), v...)
		} else {
			for _, w := range cfg.Workers {
				if containsString(w.Roles, r.Name) && w.Name != "" && !containsString(d.targets, w.Name) {
					d.targets = append(d.targets, w.Name)
				}
			}
			if len(d.targets) == 0 {
				d.targets = []string{MainWriter}
			}
			if r.DutyKind != "list" {
				d.targets = d.targets[:1]
			}
		}
		s.duties = append(s.duties, d)
	}
	if strings.TrimSpace(cfg.HomeserverYAML) != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(cfg.HomeserverYAML), &doc); err == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
			s.user = doc.Content[0]
			// Typed as Synapse's YAML 1.1 loader reads it (`enabled: yes` is true there).
			if v, err := yaml11Value(doc.Content[0]); err == nil {
				s.userValue, _ = v.(map[string]any)
			}
		}
	}
	return s
}

// texts lists every string input with its attribute path, for the UTF-8 check (the YAML
// encoder refuses invalid UTF-8; Terraform never sends it, but the core must not panic).
func (s *sharedView) texts() [][2]string {
	cfg := s.cfg
	out := [][2]string{{"main.host", cfg.Main.Host}, {"main.replication_path", cfg.Main.ReplicationPath},
		{"replication_secret_path", cfg.ReplicationSecretPath}, {"replication_secret", cfg.ReplicationSecret},
		{"database_engine", cfg.DatabaseEngine}, {"homeserver_yaml", cfg.HomeserverYAML}}
	list := func(p string, vs []string) {
		for i, v := range vs {
			out = append(out, [2]string{Index(p, i), v})
		}
	}
	list("main.bind_addresses", cfg.Main.BindAddresses)
	for i, w := range cfg.Workers {
		at := func(child string) string { return Index("workers", i, child) }
		out = append(out, [2]string{at("name"), w.Name}, [2]string{at("host"), w.Host}, [2]string{at("upstream"), w.Upstream})
		if w.InstanceMap != nil {
			out = append(out, [2]string{at("instance_map_entry"), w.InstanceMap.Host + w.InstanceMap.Path})
		}
		list(at("roles"), w.Roles)
		list(at("replication_bind_addresses"), w.ReplicationBindAddresses)
	}
	for i, a := range cfg.StreamWriters {
		out = append(out, [2]string{Index("stream_writers", i, "stream"), a.Stream})
		list(Index("stream_writers", i, "writers"), a.Writers)
	}
	if r := cfg.Redis; r != nil {
		out = append(out, [2]string{"redis.host", r.Host}, [2]string{"redis.path", r.Path}, [2]string{"redis.password_path", r.PasswordPath})
	}
	for _, d := range s.duties {
		switch {
		case !d.explicit:
		case d.kind == "list":
			list(d.option, d.targets)
		case len(d.targets) > 0:
			out = append(out, [2]string{d.option, d.targets[0]})
		}
	}
	list("outbound_federation_restricted_to", cfg.OutboundFederationRestrictedTo)
	return out
}

// hasSecret reports whether a replication secret is configured anywhere.
func (s *sharedView) hasSecret() bool {
	if s.cfg.ReplicationSecret != "" || s.cfg.ReplicationSecretPath != "" {
		return true
	}
	for _, k := range []string{"worker_replication_secret", "worker_replication_secret_path"} {
		if v, ok := s.userValue[k]; ok && v != nil && v != "" {
			return true
		}
	}
	return false
}

// ValidateShared checks a fleet's shared configuration as a whole and returns every problem
// at once, each on the attribute at fault.
func ValidateShared(c *catalog.Catalog, cfg SharedConfig) Problems {
	var ps Problems
	s := newSharedView(c, cfg)
	for _, t := range s.texts() {
		if !utf8.ValidString(t[1]) {
			ps.Add(t[0], "Invalid Text", "%s is not valid UTF-8 text; Synapse reads its configuration as UTF-8. Fix the value.", t[0])
		}
	}
	s.checkMain(&ps)
	s.checkWorkers(&ps)
	s.checkAddresses(&ps)
	s.checkStreamWriters(&ps)
	s.checkDuties(&ps)
	s.checkMedia(&ps)
	s.checkRedis(&ps)
	s.checkReleaseOptions(&ps)
	s.checkSecret(&ps)
	s.checkReachable(&ps)
	s.checkOutbound(&ps)
	s.checkDatabase(&ps)
	s.checkHomeserverYAML(&ps)
	s.checkMainClientListener(&ps)
	s.checkRedisPassword(&ps)
	s.checkSecondReplicationListener(&ps)
	s.checkHostCase(&ps)
	s.checkMetricsEnabled(&ps)
	return ps
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

func (s *sharedView) checkMain(ps *Problems) {
	m := s.cfg.Main
	if m.ReplicationPort != 0 && m.ReplicationPath != "" {
		ps.Add("main.replication_path", "Conflicting Replication Listener",
			"main.replication_port (%d) and main.replication_path (%q) are both set; Synapse refuses a listener with both a port and a unix socket. Keep one.", m.ReplicationPort, m.ReplicationPath)
	}
	if m.ReplicationPort != 0 && !validPort(m.ReplicationPort) {
		ps.Add("main.replication_port", "Invalid Port", "main.replication_port is %d; a TCP port is between 1 and 65535.", m.ReplicationPort)
	}
	if m.HTTPPort != 0 && !validPort(m.HTTPPort) {
		ps.Add("main.http_port", "Invalid Port", "main.http_port is %d; a TCP port is between 1 and 65535.", m.HTTPPort)
	}
	if m.MetricsPort != 0 && !validPort(m.MetricsPort) {
		ps.Add("main.metrics_port", "Invalid Port", "main.metrics_port is %d; a TCP port is between 1 and 65535.", m.MetricsPort)
	}
	if m.MetricsPort != 0 && (m.MetricsPort == m.HTTPPort || m.MetricsPort == m.ReplicationPort) {
		ps.Add("main.metrics_port", "Port Already In Use",
			"main.metrics_port is %d, which the main process's HTTP or replication listener already uses; the metrics listener needs a port of its own. Pick another main.metrics_port.", m.MetricsPort)
	}
	// Paths and hosts: the worker resource's checks, on these attributes.
	for _, f := range [][2]string{{"main.replication_path", m.ReplicationPath}, {"replication_secret_path", s.cfg.ReplicationSecretPath}} {
		if f[1] != "" {
			*ps = append(*ps, ValidateAbsPath(f[0], f[1])...)
		}
	}
	if r := s.cfg.Redis; r != nil {
		for _, f := range [][2]string{{"redis.path", r.Path}, {"redis.password_path", r.PasswordPath}} {
			if f[1] != "" {
				*ps = append(*ps, ValidateAbsPath(f[0], f[1])...)
			}
		}
	}
	for _, f := range [][2]string{{"main.host", m.Host}, {"redis.host", s.redisHost()}} {
		if f[1] != "" {
			for _, q := range ValidateHost(f[0], f[1]) {
				q.Summary, q.Detail = "Invalid Host", f[0]+": "+q.Detail
				*ps = append(*ps, q)
			}
		}
	}
	if m.ReplicationPort == 0 && m.ReplicationPath == "" && len(s.cfg.Workers) > 0 {
		ps.Add("main.replication_port", "Missing Main Replication Listener",
			"the fleet has %d worker(s), and every worker needs `instance_map.main` to reach the main process's replication listener; set main.replication_port (with main.host) or main.replication_path.", len(s.cfg.Workers))
	}
	if m.ReplicationPort != 0 && m.Host == "" {
		ps.Add("main.host", "Missing Main Host", "main.replication_port is set but main.host is empty; workers reach the main process at instance_map.main.host. Set main.host.")
	}
	if m.ReplicationPort != 0 && m.ReplicationPort == m.HTTPPort {
		ps.Add("main.replication_port", "Port Already In Use",
			"main.replication_port and main.http_port are both %d; the replication listener needs a port of its own. Pick another main.replication_port.", m.HTTPPort)
	}
	for i, a := range m.BindAddresses {
		if net.ParseIP(a) == nil && a != "localhost" {
			ps.Add(Index("main.bind_addresses", i), "Invalid Bind Address", "main.bind_addresses[%d] is %q, which is not an IP address; Synapse binds IP addresses such as 127.0.0.1 or ::1.", i, a)
		}
	}
}

func (s *sharedView) checkWorkers(ps *Problems) {
	seen := map[string]int{}
	for i, w := range s.cfg.Workers {
		p := Index("workers", i, "name")
		if w.Name != "" { // an empty name is reported by the glue as a missing value
			for _, q := range ValidateWorkerName(p, w.Name) {
				q.Detail = fmt.Sprintf("workers[%d].name: %s", i, q.Detail)
				*ps = append(*ps, q)
			}
		}
		if j, dup := seen[w.Name]; dup && w.Name != "" {
			ps.Add(p, "Duplicate Worker Name", "workers[%d] and workers[%d] are both named %q; Synapse tells processes apart by name only. Rename one of them.", j, i, w.Name)
		} else {
			seen[w.Name] = i
		}
		for _, r := range w.Roles {
			if s.c.Role(r) == nil {
				ps.Add(Index("workers", i, "roles"), "Unknown Worker Role", "workers[%d] (%q) has role %q, which Synapse %s does not know; known roles: %s.", i, w.Name, r, s.c.Version, strings.Join(s.c.RoleNames(), ", "))
			}
		}
		if e := w.InstanceMap; e != nil {
			ip := Index("workers", i, "instance_map_entry")
			switch {
			case e.Port != 0 && e.Path != "":
				ps.Add(ip, "Conflicting Replication Listener", "workers[%d].instance_map_entry (%q) has both port %d and path %q; keep one.", i, w.Name, e.Port, e.Path)
			case e.Port == 0 && e.Path == "":
				ps.Add(ip, "Invalid Instance Map Entry", "workers[%d].instance_map_entry (%q) has neither a port nor a path; pass the synapse_worker resource itself.", i, w.Name)
			case e.Port != 0 && !validPort(e.Port):
				ps.Add(ip, "Invalid Port", "workers[%d].instance_map_entry.port is %d; a TCP port is between 1 and 65535.", i, e.Port)
			}
		}
	}
}

// process endpoint for clash detection.
type addrUse struct {
	key   string // "tcp host:port" or "unix path"
	owner string // process name
	path  string
	what  string
}

func (s *sharedView) checkAddresses(ps *Problems) {
	var uses []addrUse
	m := s.cfg.Main
	if m.Host != "" && validPort(m.HTTPPort) {
		uses = append(uses, addrUse{"tcp " + net.JoinHostPort(m.Host, strconv.Itoa(m.HTTPPort)), MainWriter, "main.http_port", "HTTP listener"})
	}
	if m.Host != "" && validPort(m.ReplicationPort) && m.ReplicationPort != m.HTTPPort {
		uses = append(uses, addrUse{"tcp " + net.JoinHostPort(m.Host, strconv.Itoa(m.ReplicationPort)), MainWriter, "main.replication_port", "replication listener"})
	}
	if m.ReplicationPath != "" {
		uses = append(uses, addrUse{"unix " + m.ReplicationPath, MainWriter, "main.replication_path", "replication socket"})
	}
	if m.Host != "" && validPort(m.MetricsPort) && m.MetricsPort != m.HTTPPort && m.MetricsPort != m.ReplicationPort {
		uses = append(uses, addrUse{"tcp " + net.JoinHostPort(m.Host, strconv.Itoa(m.MetricsPort)), MainWriter, "main.metrics_port", "metrics listener"})
	}
	for i, w := range s.cfg.Workers {
		var own []addrUse
		if e := w.InstanceMap; e != nil {
			switch {
			case e.Port != 0 && e.Path == "":
				host := e.Host
				if host == "" {
					host = w.Host
				}
				own = append(own, addrUse{"tcp " + net.JoinHostPort(host, strconv.Itoa(e.Port)), w.Name, Index("workers", i, "instance_map_entry"), "replication listener"})
			case e.Path != "" && e.Port == 0:
				own = append(own, addrUse{"unix " + e.Path, w.Name, Index("workers", i, "instance_map_entry"), "replication socket"})
			}
		}
		if u := upstreamKey(w.Upstream); u != "" {
			dupOwn := false
			for _, o := range own {
				dupOwn = dupOwn || o.key == u
			}
			if !dupOwn { // one listener may serve both; that is the worker's business
				own = append(own, addrUse{u, w.Name, Index("workers", i, "upstream"), "HTTP listener"})
			}
		}
		own = append(own, listenerUses(i, w)...)
		uses = append(uses, own...)
	}
	first := map[string]addrUse{}
	for _, u := range uses {
		// Host names are case-insensitive (checkHostCase warns about the spelling).
		u.key = strings.ToLower(u.key)
		prev, clash := first[u.key]
		if !clash {
			first[u.key] = u
			continue
		}
		if prev.owner == u.owner && u.owner != MainWriter {
			continue
		}
		where := strings.TrimPrefix(strings.TrimPrefix(u.key, "tcp "), "unix ")
		ps.Add(u.path, "Address Already In Use",
			"%s: the %s of %q and the %s of %q (%s) both use %s; two processes cannot listen on the same address. Give one of them another port or socket path.",
			u.path, u.what, u.owner, prev.what, prev.owner, prev.path, where)
	}
}

// upstreamKey turns a worker's upstream ("host:port" or "unix:/path") into an address key.
func upstreamKey(up string) string {
	if up == "" {
		return ""
	}
	if p, ok := strings.CutPrefix(up, "unix:"); ok {
		return "unix " + p
	}
	h, p, err := net.SplitHostPort(up)
	if err != nil {
		return ""
	}
	return "tcp " + net.JoinHostPort(h, p)
}

func (s *sharedView) checkStreamWriters(ps *Problems) {
	assigned := map[string]int{}
	for i, a := range s.cfg.StreamWriters {
		sp := Index("stream_writers", i, "stream")
		if j, dup := assigned[a.Stream]; dup && a.Stream != "" {
			ps.Add(sp, "Stream Assigned Twice", "stream_writers[%d] and stream_writers[%d] both assign stream %q; Synapse has one writer list per stream. Merge them into one synapse_stream_writer.", j, i, a.Stream)
		} else {
			assigned[a.Stream] = i
		}
		prefix := fmt.Sprintf("stream_writers[%d].", i)
		for _, q := range ValidateStreamAssignment(s.c, a) {
			if q.Path == "stream" && a.Stream == "" {
				continue // reported by the glue as a missing value
			}
			q.Path = prefix + q.Path
			q.Detail = fmt.Sprintf("stream_writers[%d]: %s", i, q.Detail)
			*ps = append(*ps, q)
		}
		seen := map[string]bool{}
		for j, w := range a.Writers {
			wp := Index("stream_writers", i, "writers") + fmt.Sprintf("[%d]", j)
			if seen[w] || w == s.c.MainInstanceName {
				continue // reported above
			}
			seen[w] = true
			if isMain(s.c, w) {
				continue
			}
			wr, ok := s.workers[w]
			if !ok {
				ps.Add(wp, "Unknown Stream Writer", "stream_writers[%d].writers[%d] is %q, which is neither a worker of this fleet (`workers`) nor \"main\"; add the worker to `workers` or fix the name.", i, j, w)
				continue
			}
			if wr.InstanceMap == nil {
				ps.Add(wp, "Stream Writer Not In Instance Map", "stream_writers[%d].writers[%d]: worker %q writes stream %q but has no replication listener, so it cannot be in instance_map and other processes cannot reach it; give the worker a replication_port.", i, j, w, a.Stream)
			}
			s.checkWriterServesStream(ps, wp, i, j, wr, a.Stream)
		}
	}
}

// checkWriterServesStream: the endpoints routed to a stream's writers must be served by the
// writer's HTTP listener. Synapse 1.157.1 registers them per listener resource
// (synapse/app/generic_worker.py GenericWorkerServer._listen_http): the client API streams on
// `client`, the quarantine admin API on `media`, and `media` only when the worker can load the
// media repository (synapse/config/repository.py ContentRepositoryConfig.read_config:
// enable_media_repo false, which the fragment sets once a media worker exists, turns it off).
func (s *sharedView) checkWriterServesStream(ps *Problems, wp string, i, j int, w *WorkerRef, stream string) {
	need := catalog.ResourcesFor(s.c.EndpointsForStream(stream))
	if len(need) == 0 {
		return
	}
	if w.Upstream == "" {
		// A warning: some streams' endpoints work on any process (Synapse forwards account
		// data, presence and device list writes over replication), others fail off the writer.
		ps.Warn(wp, "Stream Writer Serves No HTTP", "stream_writers[%d].writers[%d]: worker %q writes stream %q, whose endpoints the docs say to route to its writers, but it has no HTTP listener, so the reverse proxy cannot send them there (typing, to_device, receipts and push_rules writes fail on other processes). Give it an http_port (serving %s).", i, j, w.Name, stream, quoted(need))
		return
	}
	if len(w.HTTPResources) == 0 {
		return // not known: a worker reference written without http_resources
	}
	var missing []string
	for _, r := range need {
		if !containsString(w.HTTPResources, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		ps.Add(wp, "Stream Writer Resource Not Served", "stream_writers[%d].writers[%d]: worker %q writes stream %q, whose endpoints Synapse serves on the %s listener resource(s), but its HTTP listener serves only %s, so those requests would get a 404. Serve %s on it (for media: give the worker the media_repository role).", i, j, w.Name, stream, quoted(need), quoted(w.HTTPResources), quoted(missing))
	}
	if containsString(need, catalog.MediaResource) && s.hasMediaWorker() && !s.isMediaWorker(*w) {
		ps.Warn(wp, "Stream Writer Cannot Load Media", "stream_writers[%d].writers[%d]: worker %q writes stream %q, whose endpoints Synapse serves only where the media repository loads, but the shared config sets enable_media_repo: false (the fleet has a media worker) and %q has no media role, so Synapse ignores its media resource. Give it the media_repository role (or enable_media_repo: true in its extra_config).", i, j, w.Name, stream, w.Name)
	}
}

func (s *sharedView) checkDuties(ps *Problems) {
	s.checkIdleWorkers(ps)
	for _, d := range s.duties {
		if !d.explicit {
			continue
		}
		if d.kind == "list" && len(d.targets) == 0 {
			ps.Warn(d.option, "Duty Assigned To Nobody", "%s is an empty list: Synapse then runs this duty on no process at all. List \"main\" or a worker, or leave %s unset to derive it from the workers' roles.", d.option, d.option)
		}
		seen := map[string]bool{}
		for j, t := range d.targets {
			p := d.option
			if d.kind == "list" {
				p = Index(d.option, j)
			}
			if t == "" {
				ps.Add(p, "Unknown Duty Target", "%s is empty; Synapse would run the duty on the main process only by accident. Name \"main\" or a worker, or leave it unset.", p)
				continue
			}
			if isMain(s.c, t) {
				t = MainWriter
			}
			if seen[t] {
				ps.Add(p, "Duplicate Duty Target", "%s repeats %q; list each process once (the list order decides sharding).", p, t)
				continue
			}
			seen[t] = true
			if t == MainWriter {
				continue
			}
			w, ok := s.workers[t]
			if !ok {
				ps.Add(p, "Unknown Duty Target", "%s names %q, which is neither a worker of this fleet nor \"main\"; Synapse does not check this and would silently run the duty nowhere. Fix the name or add the worker to `workers`.", p, t)
				continue
			}
			if !containsString(w.Roles, d.role) {
				ps.Warn(p, "Duty On Worker Without Role", "%s names worker %q, which does not have the %q role; it will run the duty anyway. Add the role to the worker so routing and documentation agree.", p, t, d.role)
			}
		}
		for i, w := range s.cfg.Workers {
			if containsString(w.Roles, d.role) && !seen[w.Name] && w.Name != "" {
				ps.Warn(Index("workers", i, "roles"), "Worker Role Without Duty", "workers[%d] (%q) has the %q role but %s does not name it, so it will not do that duty; add it to %s or drop the role.", i, w.Name, d.role, d.option, d.option)
			}
		}
	}
}

// checkIdleWorkers reports workers whose role gives them nothing to do: a single-process duty
// (catalogue duty_kind "single") left to its default runs on the first worker with the role
// only, and a role whose every endpoint must reach one process (sticky "single", SSO) is served
// by the first such worker, the others being backup members of the proxy's pool.
func (s *sharedView) checkIdleWorkers(ps *Problems) {
	for _, d := range s.duties {
		if d.explicit || d.kind != "single" || len(d.targets) != 1 {
			continue
		}
		for i, w := range s.cfg.Workers {
			if w.Name == "" || w.Name == d.targets[0] || !containsString(w.Roles, d.role) {
				continue
			}
			ps.Warn(Index("workers", i, "roles"), "Idle Worker", "workers[%d] (%q) has the %q role, but %s runs on one process only and defaults to the first worker with that role, %q, so %q does nothing for it. "+
				"Set %s to the worker you mean, and drop the role from the others (or give them other work).", i, w.Name, d.role, d.option, d.targets[0], w.Name, d.option)
		}
	}
	for _, r := range s.c.Roles {
		eps := s.c.EndpointsForRoles([]string{r.Name})
		single := len(eps) > 0
		for _, e := range eps {
			single = single && e.Sticky == catalog.StickySingle
		}
		if !single {
			continue
		}
		first := ""
		for i, w := range s.cfg.Workers {
			if w.Name == "" || !containsString(w.Roles, r.Name) {
				continue
			}
			if first == "" {
				first = w.Name
				continue
			}
			ps.Warn(Index("workers", i, "roles"), "Idle Worker", "workers[%d] (%q) has the %q role, whose endpoints must all reach one process (Synapse keeps that state in memory), so the reverse proxy sends them to %q and %q is only a backup member that serves them while %q is down. "+
				"Drop the %q role from %q, or keep it knowingly as a failover.", i, w.Name, r.Name, first, w.Name, first, r.Name, w.Name)
		}
	}
}

func (s *sharedView) checkMedia(ps *Problems) {
	firstHost, firstIdx := "", -1
	for i, w := range s.cfg.Workers {
		if !s.isMediaWorker(w) {
			continue
		}
		if firstIdx < 0 {
			firstHost, firstIdx = w.Host, i
		} else if w.Host != firstHost {
			ps.Warn(Index("workers", i, "host"), "Media Workers On Several Hosts", "workers[%d] (%q) serves media on host %q and workers[%d] on host %q; every media worker must see the same media_store_path, so use shared storage (NFS, or a storage provider) or keep the media workers on one host.", i, w.Name, w.Host, firstIdx, firstHost)
		}
		// Endpoints that need the serving process to write a stream (quarantine admin APIs).
		var need []string
		for _, e := range s.c.EndpointsForRoles(w.Roles) {
			if e.RequiresStream != "" && !containsString(need, e.RequiresStream) {
				need = append(need, e.RequiresStream)
			}
		}
		for _, st := range need {
			if !s.writers[st][w.Name] {
				ps.Add(Index("workers", i, "roles"), "Media Worker Not A Stream Writer", "workers[%d] (%q) serves the media admin APIs that quarantine media, and Synapse %s only lets writers of the %q stream do that (otherwise the admin API returns 500). Add %q to the writers of a synapse_stream_writer for %s.", i, w.Name, s.c.Version, st, w.Name, st)
			}
		}
	}
}

func (s *sharedView) hasMediaWorker() bool {
	for _, w := range s.cfg.Workers {
		if s.isMediaWorker(w) {
			return true
		}
	}
	return false
}

func (s *sharedView) isMediaWorker(w WorkerRef) bool {
	for _, r := range w.Roles {
		if rr := s.c.Role(r); rr != nil && rr.EnableMediaRepo {
			return true
		}
	}
	return false
}

func (s *sharedView) checkRedis(ps *Problems) {
	r := s.cfg.Redis
	if r == nil {
		if len(s.cfg.Workers) > 0 && !userRedisEnabled(s.userValue) {
			ps.Add("redis", "Missing Redis", "the fleet has %d worker(s), and Synapse workers replicate through redis (without it they stop with an assertion at startup); set `redis`.", len(s.cfg.Workers))
		}
		return
	}
	if r.Port != 0 && !validPort(r.Port) {
		ps.Add("redis.port", "Invalid Port", "redis.port is %d; a TCP port is between 1 and 65535.", r.Port)
	}
	if r.Path != "" && (r.Host != "" || r.Port != 0 || r.UseTLS) {
		ps.Add("redis.path", "Conflicting Redis Address", "redis.path (%q) is set together with redis.host, redis.port or redis.use_tls; Synapse then ignores the TCP settings silently. Keep either path or host/port.", r.Path)
	}
	if r.DBID != nil && *r.DBID < 0 {
		ps.Add("redis.dbid", "Invalid Redis Database", "redis.dbid is %d; redis databases are numbered from 0.", *r.DBID)
	}
}

func (s *sharedView) redisHost() string {
	if s.cfg.Redis == nil {
		return ""
	}
	return s.cfg.Redis.Host
}

func userRedisEnabled(user map[string]any) bool {
	r, ok := user["redis"].(map[string]any)
	return ok && r["enabled"] == true
}

func isLoopback(addr string) bool {
	if addr == "localhost" {
		return true
	}
	ip := net.ParseIP(addr)
	return ip != nil && ip.IsLoopback()
}

func (s *sharedView) checkSecret(ps *Problems) {
	if s.cfg.ReplicationSecret != "" && s.cfg.ReplicationSecretPath != "" {
		ps.Add("replication_secret", "Conflicting Replication Secret", "replication_secret and replication_secret_path are both set; Synapse refuses both. Keep replication_secret_path (the secret then never reaches Terraform state).")
	}
	if s.cfg.ReplicationSecret != "" && strings.TrimSpace(s.cfg.ReplicationSecret) != s.cfg.ReplicationSecret {
		ps.Add("replication_secret", "Invalid Replication Secret", "replication_secret starts or ends with white space; Synapse strips a secret read from a file, so the processes would disagree. Remove the white space.")
	}
	for _, r := range s.cfg.ReplicationSecret {
		if r > 127 || r < 32 {
			ps.Add("replication_secret", "Invalid Replication Secret", "replication_secret holds a non-ASCII or control character; Synapse sends it in an HTTP header and fails on the first replication call. Use printable ASCII.")
			break
		}
	}
	if s.hasSecret() {
		return
	}
	// A fleet whose processes all reach each other over loopback (one machine or one container,
	// like Synapse's docker worker image) sends no replication traffic over a network, so a
	// listener that also binds other addresses is a warning there: it is what such fleets run
	// today, and adopting one must not fail on it. Anywhere else it is an error.
	report := ps.Add
	if s.replicationOverLoopback() {
		report = ps.Warn
	}
	const local = " The processes reach each other over loopback here, so this is a warning: nothing needs the other addresses."
	m := s.cfg.Main
	if m.ReplicationPort != 0 && m.ReplicationPath == "" {
		if bad := s.nonLoopback(m.BindAddresses); bad != "" {
			p := "main.bind_addresses"
			if len(m.BindAddresses) == 0 {
				p = "main.replication_port"
			}
			detail := "the main process's replication listener on port %d binds %s, which is not loopback, and no replication secret is set: replication HTTP is unauthenticated and unencrypted, so anyone who reaches the port can act as the homeserver; set replication_secret_path, or bind it to 127.0.0.1 or ::1 (main.bind_addresses) when every worker runs on this host and main.host is loopback too."
			if s.replicationOverLoopback() {
				detail += local
			}
			report(p, "Unprotected Replication Listener", detail, m.ReplicationPort, bad)
		}
	}
	for i, w := range s.cfg.Workers {
		if w.InstanceMap == nil || w.InstanceMap.Path != "" || w.InstanceMap.Port == 0 {
			continue
		}
		if bad := s.nonLoopback(w.ReplicationBindAddresses); bad != "" {
			detail := "workers[%d] (%q): the replication listener on port %d binds %s, which is not loopback, and no replication secret is set: replication HTTP is unauthenticated and unencrypted; set replication_secret_path, or bind it to 127.0.0.1 or ::1 (the worker's bind_addresses) when every process runs on that host and its host is loopback too."
			if s.replicationOverLoopback() {
				detail += local
			}
			report(Index("workers", i, "replication_bind_addresses"), "Unprotected Replication Listener", detail, i, w.Name, w.InstanceMap.Port, bad)
		}
	}
}

// replicationOverLoopback reports whether every instance_map entry (main's and each worker's)
// is a loopback address or a unix socket: replication then never crosses a network.
func (s *sharedView) replicationOverLoopback() bool {
	m := s.cfg.Main
	if m.ReplicationPath == "" && !isLoopback(m.Host) {
		return false
	}
	for _, w := range s.cfg.Workers {
		if w.InstanceMap != nil && w.InstanceMap.Path == "" && !isLoopback(w.InstanceMap.Host) {
			return false
		}
	}
	return true
}

// checkReachable: instance_map tells the other processes to connect to host:port
// (synapse/replication/http/_base.py connects to the instance_map entry of the target); a
// replication listener bound only to other addresses refuses them. Only checked when the
// host is an IP literal (or localhost) and the bind addresses are known.
func (s *sharedView) checkReachable(ps *Problems) {
	m := s.cfg.Main
	if m.ReplicationPort != 0 && m.ReplicationPath == "" && len(m.BindAddresses) > 0 && !bindCovers(m.BindAddresses, m.Host) {
		ps.Warn("main.bind_addresses", "Replication Listener Not Reachable", "instance_map.main sends the workers to %s port %d, but the main process's replication listener binds only %s, so they cannot connect. Bind it to %s (or a wildcard), or set main.host to a bound address.",
			m.Host, m.ReplicationPort, quoted(m.BindAddresses), m.Host)
	}
	for i, w := range s.cfg.Workers {
		e := w.InstanceMap
		if e == nil || e.Path != "" || e.Port == 0 || len(w.ReplicationBindAddresses) == 0 {
			continue
		}
		host := e.Host
		if host == "" {
			host = w.Host
		}
		if !bindCovers(w.ReplicationBindAddresses, host) {
			ps.Warn(Index("workers", i, "replication_bind_addresses"), "Replication Listener Not Reachable", "workers[%d] (%q): instance_map sends other processes to %s port %d, but the replication listener binds only %s, so they cannot connect. Bind it to %s (the worker's bind_addresses) or a wildcard.",
				i, w.Name, host, e.Port, quoted(w.ReplicationBindAddresses), host)
		}
	}
}

// bindCovers reports whether a listener bound to binds accepts connections to host. Hosts
// that are names (other than localhost) cannot be judged here and count as covered.
func bindCovers(binds []string, host string) bool {
	ip := net.ParseIP(host)
	if host == "localhost" {
		ip = net.ParseIP("127.0.0.1")
	}
	if ip == nil {
		return true
	}
	for _, b := range binds {
		bip := net.ParseIP(b)
		switch {
		case bip == nil:
			return true // not an IP: validated elsewhere
		case bip.Equal(net.IPv6unspecified):
			return true // "::" also takes IPv4 on dual-stack hosts; Synapse's default adds 0.0.0.0
		case bip.Equal(net.IPv4zero) && ip.To4() != nil:
			return true
		case bip.Equal(ip):
			return true
		case host == "localhost" && bip.IsLoopback():
			return true
		}
	}
	return false
}

// nonLoopback returns the first non-loopback address, with empty meaning Synapse's default
// (all interfaces).
func (s *sharedView) nonLoopback(addrs []string) string {
	if len(addrs) == 0 {
		return fmt.Sprintf("all interfaces (Synapse's default %s)", quoted(s.c.DefaultBindAddresses("http")))
	}
	for _, a := range addrs {
		if !isLoopback(a) {
			return strconv.Quote(a)
		}
	}
	return ""
}

// checkReleaseOptions refuses options the configured Synapse release does not read yet
// (redis.path from 1.85, outbound_federation_restricted_to from 1.89, redis.password_path
// from 1.117, worker_replication_secret_path from 1.126): an older Synapse ignores them and
// then runs without the socket, secret or password the fleet relies on.
func (s *sharedView) checkReleaseOptions(ps *Problems) {
	type use struct{ attr, option string }
	var uses []use
	if r := s.cfg.Redis; r != nil {
		if r.Path != "" {
			uses = append(uses, use{"redis.path", "redis.path"})
		}
		if r.PasswordPath != "" {
			uses = append(uses, use{"redis.password_path", "redis.password_path"})
		}
	}
	if s.cfg.ReplicationSecretPath != "" {
		uses = append(uses, use{"replication_secret_path", "worker_replication_secret_path"})
	}
	if len(s.cfg.OutboundFederationRestrictedTo) > 0 {
		uses = append(uses, use{"outbound_federation_restricted_to", "outbound_federation_restricted_to"})
	}
	if r, ok := s.userValue["redis"].(map[string]any); ok {
		for _, k := range []string{"path", "password_path"} {
			if _, set := r[k]; set {
				uses = append(uses, use{"homeserver_yaml", "redis." + k})
			}
		}
	}
	for _, k := range []string{"worker_replication_secret_path", "outbound_federation_restricted_to"} {
		if _, set := s.userValue[k]; set {
			uses = append(uses, use{"homeserver_yaml", k})
		}
	}
	for _, u := range uses {
		if s.c.HasOption(u.option) {
			continue
		}
		since := catalog.OptionSince(u.option)
		ps.Add(u.attr, "Option Not In This Release", "%s sets `%s`, which Synapse %s does not read (it ignores the key, so the fleet would run without it); Synapse reads it from %s. Raise synapse_version to %s or later, or drop the setting.",
			u.attr, u.option, s.c.Version, since, since)
	}
}

func (s *sharedView) checkOutbound(ps *Problems) {
	o := s.cfg.OutboundFederationRestrictedTo
	if len(o) == 0 {
		return
	}
	if !s.hasSecret() {
		ps.Add("outbound_federation_restricted_to", "Missing Replication Secret", "outbound_federation_restricted_to is set, and Synapse then refuses to start without a replication secret (the proxied requests are authenticated with it). Set replication_secret_path.")
	}
	seen := map[string]bool{}
	for i, n := range o {
		p := Index("outbound_federation_restricted_to", i)
		switch {
		case seen[n]:
			ps.Add(p, "Duplicate Duty Target", "%s repeats %q; list each process once.", p, n)
		case isMain(s.c, n):
			ps.Add(p, "Main Process Not Allowed", "%s is %q: Synapse cannot name the main process here consistently (\"master\" fails on the main process, \"main\" on the workers). List workers only.", p, n)
		case s.workers[n] == nil:
			ps.Add(p, "Unknown Duty Target", "%s names %q, which is not a worker of this fleet; fix the name or add the worker to `workers`.", p, n)
		case s.workers[n].InstanceMap == nil:
			ps.Add(p, "Worker Not In Instance Map", "%s names worker %q, which has no replication listener; Synapse needs every outbound federation proxy in instance_map. Give the worker a replication_port.", p, n)
		}
		seen[n] = true
	}
}

func (s *sharedView) checkDatabase(ps *Problems) {
	e := s.cfg.DatabaseEngine
	switch {
	case e == "" || containsString(s.c.WorkerDatabaseEngines, e):
	case containsString(s.c.DatabaseEngines, e):
		ps.Add("database_engine", sumDatabase, "database_engine is %q; Synapse workers share the database with the main process, which %s cannot do. Migrate (e.g. with synapse_port_db) and set database_engine to one of %s.", e, e, quoted(s.c.WorkerDatabaseEngines))
	default:
		ps.Add("database_engine", "Unknown Database Engine", "database_engine is %q; allowed: %s.", e, quoted(s.c.WorkerDatabaseEngines))
	}
}

// sumDatabase is the summary of a database engine workers cannot share.
const sumDatabase = "Workers Need PostgreSQL"

func (s *sharedView) checkHomeserverYAML(ps *Problems) {
	if strings.TrimSpace(s.cfg.HomeserverYAML) == "" {
		return
	}
	if s.user == nil {
		var doc yaml.Node
		err := yaml.Unmarshal([]byte(s.cfg.HomeserverYAML), &doc)
		msg := "it is not a YAML mapping"
		if err != nil {
			msg = err.Error()
		}
		ps.Add("homeserver_yaml", "Invalid Homeserver YAML", "homeserver_yaml does not parse as a YAML mapping (%s); pass the file with file(\"homeserver.yaml\").", msg)
		return
	}
	const sumLegacy = "Legacy Option In Homeserver YAML"
	for _, d := range s.c.DeprecatedWorkerOptions {
		if v, ok := s.userValue[d.Key]; ok {
			add := ps.Add
			if d.Warning {
				add = ps.Warn
			}
			add("homeserver_yaml", sumLegacy, "homeserver_yaml sets %s: %v, which is no longer supported: %s", d.Key, v, d.Fix)
		}
	}
	for _, l := range s.c.LegacySharedOptions {
		v, ok := s.userValue[l.Key]
		if !ok {
			continue
		}
		if l.Key == "worker_app" && v == catalog.MainApp {
			// synapse/config/workers.py canonicalises this value to "no worker_app", which the
			// main process starts with, and each worker's own file sets its own afterwards
			// (matrix-docker-ansible-deploy writes it into every homeserver.yaml).
			continue
		}
		add := ps.Add
		switch {
		case l.ReplacedBy != "" && dutyKind(s.c, l.ReplacedBy) == "single":
			// synapse/config/workers.py _should_this_worker_perform_duty: with both options
			// present, each process compares them, and they agree everywhere only when the
			// legacy flag is true and the new option names the main process (a generic
			// worker never runs the duty by the legacy flag, so a worker target conflicts on
			// that worker, and a false flag conflicts on the main process).
			if pyTruthy(v) && s.dutyIsMainOnly(l.ReplacedBy) {
				add = ps.Warn
			}
		case l.ReplacedBy != "" && (v == false || s.dutyIsMainOnly(l.ReplacedBy)):
			add = ps.Warn // deprecated, but agrees with what the fleet renders
		}
		add("homeserver_yaml", sumLegacy, "homeserver_yaml sets %s: %v; %s", l.Key, v, l.Fix)
	}
	var missing []string
	for _, k := range s.c.RequiredConfigKeys {
		if _, ok := s.userValue[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		ps.Warn("homeserver_yaml", "Required Setting Missing", "homeserver_yaml has no %s; Synapse refuses to start unless the merged configuration of every process sets %s, so merged_yaml alone cannot be the shared file. Add %s to homeserver_yaml (or supply it in another --config-path file).",
			quoted(missing), quoted(missing), quoted(missing))
	}
	// synapse/config/key.py KeyConfig.read_config: without signing_key(_path) the key is
	// <config dir>/<server_name>.signing.key, and synapse/config/_base.py
	// load_config_with_parser takes the config dir from the LAST --config-path: for a worker
	// that is <config_dir>/workers/, where no key is, so every worker stops at startup.
	_, hasName := s.userValue["server_name"]
	_, hasKeyPath := s.userValue["signing_key_path"]
	_, hasKey := s.userValue["signing_key"]
	if hasName && !hasKeyPath && !hasKey && len(s.cfg.Workers) > 0 {
		ps.Add("homeserver_yaml", "Signing Key Path Not Set", "homeserver_yaml sets no signing_key_path, so Synapse looks for <server_name>.signing.key in the directory of the last --config-path file; "+
			"for the workers that is the workers/ directory of their own files, not the main process's directory, and they stop with \"Error accessing file\". "+
			"Set signing_key_path to the absolute path of the main process's key in homeserver.yaml.")
	}
	if db, ok := s.userValue["database"].(map[string]any); ok {
		if name, _ := db["name"].(string); name != "" && !containsString(s.c.WorkerDatabaseEngines, name) && len(s.cfg.Workers) > 0 {
			ps.Add("homeserver_yaml", sumDatabase, "homeserver_yaml sets database.name: %s; Synapse workers share the database with the main process, which %s cannot do. Migrate to PostgreSQL (synapse_port_db).", name, name)
		}
	}
	if _, ok := s.userValue["worker_replication_secret"]; ok && (s.cfg.ReplicationSecret != "" || s.cfg.ReplicationSecretPath != "") {
		ps.Add("homeserver_yaml", "Conflicting Replication Secret", "homeserver_yaml sets worker_replication_secret while this resource sets replication_secret or replication_secret_path; Synapse refuses two secrets. Remove it from the file.")
	}
	if _, ok := s.userValue["worker_replication_secret_path"]; ok && s.cfg.ReplicationSecret != "" {
		ps.Add("homeserver_yaml", "Conflicting Replication Secret", "homeserver_yaml sets worker_replication_secret_path while this resource sets replication_secret; Synapse refuses both. Use replication_secret_path on this resource and remove the key from the file.")
	}
	if s.hasMediaWorker() {
		ls, _ := s.userValue["listeners"].([]any)
		for i, l := range ls {
			lm, _ := l.(map[string]any)
			if servesResource(lm["resources"], catalog.MediaResource) {
				ps.Add("homeserver_yaml", "Media Listener On Main Process", "homeserver_yaml: listeners[%d] serves the `media` resource, but the fleet has a media worker, so the shared config sets enable_media_repo: false and the main process refuses to start (\"'media' resource conflicts with enable_media_repo=False\"). Remove `media` from that listener and route media to the media worker.", i)
			}
		}
	}
	frag := s.fragment()
	_, conflicts, err := mergeFragment(s.user, frag)
	if err != nil {
		ps.Add("homeserver_yaml", "Invalid Homeserver YAML", "homeserver_yaml: %s.", err)
	}
	for _, k := range conflicts {
		ps.Warn("homeserver_yaml", "Setting Replaced In Homeserver YAML", "homeserver_yaml sets %s to a value other than this fleet's; merged_yaml uses the fleet's value (see config_yaml). Remove %s from the file, or change the fleet, to silence this warning.", k, k)
	}
}

// RenderShared renders the shared fragment, the merged homeserver.yaml, the secret file and
// the instance map. It assumes ValidateShared found no errors; on invalid input it still
// returns deterministic output and never panics.
func RenderShared(c *catalog.Catalog, cfg SharedConfig) (SharedRender, error) {
	s := newSharedView(c, cfg)
	var out SharedRender
	for _, t := range s.texts() {
		if !utf8.ValidString(t[1]) {
			return out, fmt.Errorf("%s is not valid UTF-8 text", t[0])
		}
	}
	out.InstanceMap, out.InstanceMapKeys = s.instanceMap()
	frag := s.fragment()
	var secret *yaml.Node
	b := encodeYAML(frag)
	out.ConfigYAML = b
	out.MergedYAML = b
	if strings.TrimSpace(cfg.HomeserverYAML) != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(cfg.HomeserverYAML), &doc); err != nil {
			return out, fmt.Errorf("homeserver_yaml does not parse: %w", err)
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return out, fmt.Errorf("homeserver_yaml is not a YAML mapping")
		}
		merged, _, err := mergeFragment(doc.Content[0], frag)
		if err != nil {
			return out, err
		}
		owned := map[string]bool{}
		for i := 0; i+1 < len(frag.Content); i += 2 {
			owned[frag.Content[i].Value] = frag.Content[i].Value != "listeners"
		}
		out.InlineSecrets = findInlineSecrets(s.userValue, func(k string) bool { return owned[k] })
		var moved []string
		for _, sec := range out.InlineSecrets {
			if !sec.Dropped && !containsString(moved, sec.TopKey) {
				moved = append(moved, sec.TopKey)
			}
		}
		secret = splitSecrets(merged, moved)
		doc.Content[0] = merged
		out.MergedYAML = encodeYAML(&doc)
		if p, ok := s.userValue["log_config"].(string); ok {
			out.MainLogConfigPath = p
		}
	}
	if cfg.ReplicationSecret != "" {
		if secret == nil {
			secret = yamlMap()
		}
		yamlAppend(secret, "worker_replication_secret", yamlStr(cfg.ReplicationSecret))
	}
	if secret != nil {
		out.SecretConfigYAML = encodeYAML(secret)
		for i := 0; i+1 < len(secret.Content); i += 2 {
			out.SecretConfigKeys = append(out.SecretConfigKeys, secret.Content[i].Value)
		}
	}
	return out, nil
}

// instanceMap lists main and every process that must be reachable: stream writers and the
// outbound federation proxies. Keys: "main" first, then worker names sorted.
func (s *sharedView) instanceMap() (map[string]InstanceMapEntry, []string) {
	m := map[string]InstanceMapEntry{}
	keys := []string{}
	mp := s.cfg.Main
	if mp.ReplicationPath != "" {
		m[s.c.MainInstanceMapKey] = InstanceMapEntry{Path: mp.ReplicationPath}
		keys = append(keys, s.c.MainInstanceMapKey)
	} else if mp.ReplicationPort != 0 {
		m[s.c.MainInstanceMapKey] = InstanceMapEntry{Host: mp.Host, Port: mp.ReplicationPort}
		keys = append(keys, s.c.MainInstanceMapKey)
	}
	need := map[string]bool{}
	for _, ws := range s.writers {
		for w := range ws {
			need[w] = true
		}
	}
	for _, w := range s.cfg.OutboundFederationRestrictedTo {
		need[w] = true
	}
	var names []string
	for n := range need {
		w, ok := s.workers[n]
		if !ok || w.InstanceMap == nil || isMain(s.c, n) {
			continue
		}
		e := *w.InstanceMap
		if e.Path != "" {
			e = InstanceMapEntry{Path: e.Path}
		} else if e.Host == "" {
			e.Host = w.Host
		}
		m[n] = e
		names = append(names, n)
	}
	sort.Strings(names)
	return m, append(keys, names...)
}

// fragment builds the shared config mapping in the documented key order.
func (s *sharedView) fragment() *yaml.Node {
	root := yamlMap()
	mp := s.cfg.Main
	var listeners []*yaml.Node
	if mp.ReplicationPort != 0 || mp.ReplicationPath != "" {
		listeners = append(listeners, ListenerNode(s.replicationListener()))
	}
	if mp.MetricsPort != 0 {
		listeners = append(listeners, ListenerNode(Listener{Type: "metrics", Port: mp.MetricsPort, BindAddresses: mp.BindAddresses}))
	}
	if len(listeners) > 0 {
		yamlAppend(root, "listeners", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: listeners})
	}
	if r := s.cfg.Redis; r != nil {
		rn := yamlMap("enabled", yamlBool(true))
		if r.Path != "" {
			yamlAppend(rn, "path", yamlStr(r.Path))
		} else {
			if r.Host != "" {
				yamlAppend(rn, "host", yamlStr(r.Host))
			}
			if r.Port != 0 {
				yamlAppend(rn, "port", yamlInt(r.Port))
			}
		}
		if r.DBID != nil {
			yamlAppend(rn, "dbid", yamlInt(*r.DBID))
		}
		if r.UseTLS && r.Path == "" {
			yamlAppend(rn, "use_tls", yamlBool(true))
		}
		if r.PasswordPath != "" {
			yamlAppend(rn, "password_path", yamlStr(r.PasswordPath))
		}
		yamlAppend(root, "redis", rn)
	}
	im, keys := s.instanceMap()
	if len(keys) > 0 {
		imn := yamlMap()
		for _, k := range keys {
			e := im[k]
			en := yamlMap()
			if e.Path != "" {
				yamlAppend(en, "path", yamlStr(e.Path))
			} else {
				yamlAppend(en, "host", yamlStr(e.Host))
				yamlAppend(en, "port", yamlInt(e.Port))
				if e.TLS {
					yamlAppend(en, "tls", yamlBool(true))
				}
			}
			yamlAppend(imn, k, en)
		}
		yamlAppend(root, "instance_map", imn)
	}
	// stream_writers in catalogue order, unknown streams (invalid input) after them, sorted.
	byStream := map[string][]string{}
	for _, a := range s.cfg.StreamWriters {
		if _, dup := byStream[a.Stream]; dup || a.Stream == "" {
			continue
		}
		byStream[a.Stream] = a.Writers
	}
	order := []string{}
	for _, k := range s.c.StreamKeys() {
		if _, ok := byStream[k]; ok {
			order = append(order, k)
		}
	}
	if len(byStream) > 0 {
		swn := yamlMap()
		for _, k := range order {
			yamlAppend(swn, k, yamlStrSeq(s.instanceNames(byStream[k])))
		}
		yamlAppend(root, "stream_writers", swn)
	}
	for _, kind := range []string{"list", "single"} {
		for _, d := range s.duties {
			if (d.kind == "list") != (kind == "list") {
				continue
			}
			names := s.instanceNames(d.targets)
			if d.kind == "list" {
				yamlAppend(root, d.option, yamlStrSeq(names))
			} else if len(names) > 0 {
				yamlAppend(root, d.option, yamlStr(names[0]))
			}
		}
	}
	if len(s.cfg.OutboundFederationRestrictedTo) > 0 {
		yamlAppend(root, "outbound_federation_restricted_to", yamlStrSeq(s.cfg.OutboundFederationRestrictedTo))
	}
	if s.hasMediaWorker() {
		yamlAppend(root, "enable_media_repo", yamlBool(false))
	}
	if s.cfg.ReplicationSecretPath != "" {
		yamlAppend(root, "worker_replication_secret_path", yamlStr(s.cfg.ReplicationSecretPath))
	}
	return root
}

// replicationListener is the main process's replication listener.
func (s *sharedView) replicationListener() Listener {
	mp := s.cfg.Main
	l := Listener{Type: "http", Resources: []string{"replication"}}
	if mp.ReplicationPath != "" {
		l.Path = mp.ReplicationPath
	} else {
		l.Port = mp.ReplicationPort
		l.BindAddresses = mp.BindAddresses
	}
	return l
}

// instanceNames renders fleet names as Synapse instance names ("main" -> "master").
func (s *sharedView) instanceNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if isMain(s.c, n) {
			n = s.c.MainInstanceName
		}
		out[i] = n
	}
	return out
}

// mergeFragment merges the fragment into a copy of the user's mapping: keys the fragment
// owns replace the user's value (reported as conflicts when the values differ), except
// `listeners`, where the replication listener is appended unless an equivalent one exists.
// The user's other keys, their order and comments are kept; new keys go at the end.
func mergeFragment(user, frag *yaml.Node) (*yaml.Node, []string, error) {
	out := deepCopy(user)
	var conflicts []string
	for i := 0; i+1 < len(frag.Content); i += 2 {
		key, val := frag.Content[i].Value, frag.Content[i+1]
		idx := -1
		for j := 0; j+1 < len(out.Content); j += 2 {
			if out.Content[j].Value == key {
				idx = j + 1
			}
		}
		if idx < 0 {
			out.Content = append(out.Content, deepCopy(frag.Content[i]), deepCopy(val))
			continue
		}
		cur := out.Content[idx]
		if key == "listeners" {
			if cur.Kind != yaml.SequenceNode {
				return nil, nil, fmt.Errorf("listeners is not a list")
			}
			for _, l := range val.Content {
				found, clash := findListener(cur, l)
				if clash != "" {
					return nil, nil, fmt.Errorf("a listener in the file already uses %s for something else than the fleet's %s listener; move it or change main's port there", clash, listenerKind(l))
				}
				if !found {
					cur.Content = append(cur.Content, deepCopy(l))
				}
			}
			continue
		}
		if !sameValue(cur, val) {
			conflicts = append(conflicts, key)
			nv := deepCopy(val)
			nv.HeadComment, nv.LineComment, nv.FootComment = cur.HeadComment, cur.LineComment, cur.FootComment
			out.Content[idx] = nv
		}
	}
	return out, conflicts, nil
}

// findListener reports whether the list holds a listener equivalent to l (same port or path,
// type http, serving replication), or names the address when one uses it for something else.
func findListener(list, l *yaml.Node) (found bool, clash string) {
	var want map[string]any
	if l.Decode(&want) != nil {
		return false, ""
	}
	for _, n := range list.Content {
		var have map[string]any
		if n.Decode(&have) != nil {
			continue
		}
		samePort := want["port"] != nil && have["port"] == want["port"]
		samePath := want["path"] != nil && have["path"] == want["path"]
		if !samePort && !samePath {
			continue
		}
		if have["type"] == want["type"] && (want["type"] != "http" || servesReplication(have["resources"])) {
			return true, ""
		}
		if samePort {
			return false, fmt.Sprintf("port %v", want["port"])
		}
		return false, fmt.Sprintf("path %v", want["path"])
	}
	return false, ""
}

func servesReplication(res any) bool { return servesResource(res, "replication") }

// listenerKind names a fragment listener for messages: "replication" or "metrics".
func listenerKind(l *yaml.Node) string {
	var m map[string]any
	if l.Decode(&m) == nil && m["type"] == "metrics" {
		return "metrics"
	}
	return "replication"
}

// servesResource reports whether a decoded listener `resources` list serves the resource.
func servesResource(res any, name string) bool {
	list, _ := res.([]any)
	for _, r := range list {
		m, _ := r.(map[string]any)
		names, _ := m["names"].([]any)
		for _, n := range names {
			if n == name {
				return true
			}
		}
	}
	return false
}

func sameValue(a, b *yaml.Node) bool {
	var x, y any
	if a.Decode(&x) != nil || b.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func deepCopy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = deepCopy(ch)
	}
	return &c
}

// dutyKind is the duty_kind of the catalogue role whose duty is option, or "".
func dutyKind(c *catalog.Catalog, option string) string {
	for _, r := range c.Roles {
		if r.Duty == option {
			return r.DutyKind
		}
	}
	return ""
}

// pyTruthy is Python's bool() of a value decoded from YAML, as Synapse tests its options.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case map[any]any:
		return len(x) > 0
	}
	return true
}
