// Package catalog holds what Synapse knows about workers, per Synapse version, as data:
// worker roles, the endpoints each role serves (regex, methods, docs group, listener
// resource, stickiness), the stream_writers streams and their writer rules, the accepted
// worker_app values and listener resource names.
//
// The facts live in two embedded files. data/generated.json is written by `make catalog
// SYNAPSE=<synapse git tree>` (package gen) from Synapse's own tree at every release tag from
// v1.84.0: the docs endpoint lists, the stream rules, the options and the handlers workers
// serve that the docs leave out; it is never edited by hand. data/overlay.json holds the facts
// that are ours: roles, how each docs group maps to roles, stickiness, notes, and the reviewed
// code-only endpoints. Every fact carries "since"/"until" (Synapse minor versions, until
// exclusive); For(version) returns the view that holds for that version. A new Synapse
// release is `make catalog` plus, when the generator reports a new docs group or code-only
// endpoint, an overlay entry.
//
// This package is pure: it never imports terraform-plugin-framework.
package catalog

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/generated.json
var rawGenerated []byte

//go:embed data/overlay.json
var rawOverlay []byte

// Stickiness is the member-selection need of an endpoint, from Synapse's load-balancing advice.
type Stickiness string

// The stickiness needs an endpoint can have.
const (
	StickyNone     Stickiness = "none"      // any member (round robin)
	StickyUser     Stickiness = "user"      // the same user always reaches the same member
	StickyRoom     Stickiness = "room"      // the same room always reaches the same member
	StickySourceIP Stickiness = "source_ip" // the same client address reaches the same member
	StickySingle   Stickiness = "single"    // one process only (SSO flows keep state in memory)
)

// Stickinesses lists every Stickiness value, in documentation order.
var Stickinesses = []Stickiness{StickyNone, StickyUser, StickyRoom, StickySourceIP, StickySingle}

// Endpoint is one routable URL pattern.
type Endpoint struct {
	// Pattern is the regular expression from Synapse's docs, in the subset that PCRE2 and RE2 share.
	Pattern string `json:"pattern"`
	// Methods restricts the HTTP methods a worker may serve; empty means every method.
	Methods []string `json:"methods,omitempty"`
	// Group is the heading the pattern stands under in docs/workers.md.
	Group string `json:"group"`
	// Resource is the listener resource that serves it (client, federation, media).
	Resource string `json:"resource"`
	// Sticky is the stickiness need.
	Sticky Stickiness `json:"sticky"`
	// Roles are the worker roles that serve it. Empty for stream endpoints.
	Roles []string `json:"roles,omitempty"`
	// Stream is set when the endpoint must go to the writers of that stream.
	Stream string `json:"stream,omitempty"`
	// RequiresStream names a stream the serving process must write, or requests fail (e.g. quarantine admin APIs).
	RequiresStream string `json:"requires_stream,omitempty"`
	Since          string `json:"since,omitempty"`
	Until          string `json:"until,omitempty"`
	Note           string `json:"note,omitempty"`
	// CodeOnly marks an endpoint Synapse serves on workers that docs/workers.md does not list
	// (a reviewed entry of the overlay); Evidence names the registration.
	CodeOnly bool   `json:"code_only,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	// InitialSplit, when set, sends the requests whose query parameter InitialSplit.Param is
	// absent or empty (Synapse's initial syncs) to the workers of InitialSplit.Role, ahead of
	// the endpoint's usual pool.
	InitialSplit *QuerySplit `json:"initial_split,omitempty"`
}

// QuerySplit names a query parameter whose absence sends a request to a dedicated role.
type QuerySplit struct {
	Param string `json:"param"`
	Role  string `json:"role"`
}

// AllMethods reports whether the endpoint is not restricted to some HTTP methods.
func (e Endpoint) AllMethods() bool { return len(e.Methods) == 0 }

// Role is a worker role: a named set of endpoints and/or a duty.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Duty is the shared-config option that names the process doing this role's duty, if any.
	Duty string `json:"duty,omitempty"`
	// DutyKind is "single" (one process name) or "list" (an ordered, sharded list of names).
	DutyKind string `json:"duty_kind,omitempty"`
	// EnableMediaRepo means the worker file sets enable_media_repo: true.
	EnableMediaRepo bool `json:"enable_media_repo,omitempty"`
}

// Stream is one stream_writers key and its writer rules.
type Stream struct {
	Key                         string   `json:"key"`
	ReplicationStreams          []string `json:"replication_streams"`
	MultiWriter                 bool     `json:"multi_writer"`
	MainMayWrite                bool     `json:"main_may_write"`
	MinWriters                  int      `json:"min_writers"`
	InstanceMapCheckedBySynapse bool     `json:"instance_map_checked_by_synapse"`
	OrderMatters                string   `json:"order_matters,omitempty"`
	Restart                     string   `json:"restart,omitempty"`
	SynapseErrorName            string   `json:"synapse_error_name,omitempty"`
	// MainMustWrite, when set, says why the main process must stay among the writers.
	MainMustWrite string `json:"main_must_write,omitempty"`
	Since         string `json:"since,omitempty"`
	Until         string `json:"until,omitempty"`
}

// RequestKeys are the facts about Matrix requests that sticky routing keys on. They hold for
// every version the catalogue knows.
type RequestKeys struct {
	// UserTokenPattern: group 1 is the user key of a Synapse access token.
	UserTokenPattern string `json:"user_token_pattern"`
	UserTokenNote    string `json:"user_token_note"`
	// AccessTokenParam is the query parameter carrying the token when there is no Bearer header.
	AccessTokenParam string `json:"access_token_param"`
	// RoomKeyPattern: group 1 is the room of a room-keyed client API path.
	RoomKeyPattern string `json:"room_key_pattern"`
	RoomKeyNote    string `json:"room_key_note"`
}

type document struct {
	RequestKeys       RequestKeys          `json:"request_keys"`
	Source            string               `json:"-"`
	Versions          []string             `json:"-"`
	WorkerApps        []string             `json:"worker_apps"`
	ListenerTypes     []string             `json:"listener_types"`
	ListenerResources []string             `json:"listener_resources"`
	MainInstanceName  string               `json:"main_instance_name"`
	MainInstanceMap   string               `json:"main_instance_map_key"`
	LogLevels         []string             `json:"log_levels"`
	DefaultBind       map[string][]string  `json:"default_bind_addresses"`
	DefaultMaxUpload  string               `json:"default_max_upload_size"`
	UnixSocketTypes   []string             `json:"unix_socket_listener_types"`
	Deprecated        []DeprecatedOption   `json:"deprecated_worker_options"`
	SharedOnly        []string             `json:"shared_only_options"`
	SharedOnlySuffix  []string             `json:"shared_only_option_suffixes"`
	RequiredKeys      []string             `json:"required_config_keys"`
	LegacyShared      []LegacySharedOption `json:"legacy_shared_options"`
	DatabaseEngines   []string             `json:"database_engines"`
	WorkerDatabases   []string             `json:"worker_database_engines"`
	Roles             []Role               `json:"roles"`
	Streams           []Stream             `json:"-"`
	Endpoints         []Endpoint           `json:"-"`
	Options           []span               `json:"-"`
	Refused           []span               `json:"-"`
	MainRules         []span               `json:"-"`
	Releases          []Release            `json:"-"`
	UpgradeNotes      []UpgradeNote        `json:"-"`
}

// Catalog is the view of the data for one Synapse version.
type Catalog struct {
	Version           string
	Source            string
	WorkerApps        []string
	ListenerTypes     []string
	ListenerResources []string
	// MainInstanceName is how stream_writers and the duty options name the main process ("master").
	MainInstanceName string
	// MainInstanceMapKey is how instance_map names the main process ("main").
	MainInstanceMapKey string
	Roles              []Role
	Streams            []Stream
	Endpoints          []Endpoint
	// LogLevels are the Python logging levels a log config may set, least severe first.
	LogLevels []string
	// UnixSocketListenerTypes are the listener types Synapse can serve on a unix socket
	// (metrics and manhole refuse one at startup).
	UnixSocketListenerTypes []string
	// DeprecatedWorkerOptions are worker-file options Synapse refuses or ignores, with the fix.
	DeprecatedWorkerOptions []DeprecatedOption
	// SharedOnlyOptions must be identical in every process, so they belong in the shared
	// configuration, never in one worker's file (the files are merged shallowly).
	SharedOnlyOptions []string
	// SharedOnlyOptionSuffixes extend SharedOnlyOptions to every key ending so (`*_instances`).
	SharedOnlyOptionSuffixes []string
	// LegacySharedOptions are deprecated options of the shared homeserver.yaml, with the fix.
	LegacySharedOptions []LegacySharedOption
	// RequiredConfigKeys must be in the merged configuration of every process, or Synapse
	// refuses to start (synapse/config/_base.py read_config_files).
	RequiredConfigKeys []string
	// DatabaseEngines are the database.name values Synapse knows; WorkerDatabaseEngines those
	// a fleet with workers can use (workers share the database with the main process).
	DatabaseEngines       []string
	WorkerDatabaseEngines []string
	// DefaultMaxUploadSize is Synapse's max_upload_size when homeserver.yaml leaves it unset, in
	// its size syntax (the config schema's default): the largest body the proxies pass by default.
	DefaultMaxUploadSize string

	defaultBind map[string][]string
}

// DeprecatedOption is a worker option Synapse no longer accepts, with the migration.
type DeprecatedOption struct {
	Key string `json:"key"`
	// Fix completes the sentence "<key> is no longer supported: ...".
	Fix string `json:"fix"`
	// Warning marks an option Synapse only warns about (it still starts).
	Warning bool `json:"warning,omitempty"`
}

// LegacySharedOption is a deprecated top-level option of the shared homeserver.yaml.
type LegacySharedOption struct {
	Key string `json:"key"`
	// ReplacedBy is the duty option (a Role.Duty) that replaces it; "" if none. Set to false,
	// or naming only the main process as its replacement does, the option is merely deprecated.
	ReplacedBy string `json:"replaced_by,omitempty"`
	// Fix completes the sentence "<key> is set: ...".
	Fix string `json:"fix"`
}

var doc = mustLoad()

func mustLoad() document {
	d, err := load(rawGenerated, rawOverlay)
	if err != nil {
		panic("catalog: embedded data does not load: " + err.Error())
	}
	return d
}

// Keys returns the request facts sticky routing keys on (see RequestKeys).
func Keys() RequestKeys { return doc.RequestKeys }

// Versions lists the Synapse versions the catalogue knows, oldest first.
func Versions() []string { return append([]string(nil), doc.Versions...) }

// Latest is the newest Synapse version the catalogue knows: the provider's default.
func Latest() string { return doc.Versions[len(doc.Versions)-1] }

// For returns the catalogue for a Synapse version ("1.157" or "1.157.1"; the patch level
// never changes worker configuration). Each release's catalogue is built once and shared: a
// plan asks for it once per resource (thousands of times for a large fleet), and callers
// only read it.
func For(version string) (*Catalog, error) {
	v := minor(version)
	if c, ok := built.Load(v); ok {
		if cat, isCatalog := c.(*Catalog); isCatalog {
			return cat, nil
		}
	}
	c, err := build(v, version)
	if err != nil {
		return nil, err
	}
	built.Store(v, c)
	return c, nil
}

// built caches For's catalogues by minor version.
var built sync.Map

// build is For without the cache: v is minor(version).
func build(v, version string) (*Catalog, error) {
	known := false
	for _, k := range doc.Versions {
		if k == v {
			known = true
		}
	}
	if !known {
		return nil, fmt.Errorf("the catalogue does not know Synapse version %q; supported: every release from %s to %s (any patch level, e.g. %q)", version, doc.Versions[0], Latest(), Latest()+".0")
	}
	c := &Catalog{
		Version:            v,
		Source:             doc.Source,
		WorkerApps:         doc.WorkerApps,
		ListenerTypes:      doc.ListenerTypes,
		ListenerResources:  doc.ListenerResources,
		MainInstanceName:   doc.MainInstanceName,
		MainInstanceMapKey: doc.MainInstanceMap,
		Roles:              doc.Roles,

		LogLevels:                doc.LogLevels,
		UnixSocketListenerTypes:  doc.UnixSocketTypes,
		DeprecatedWorkerOptions:  doc.Deprecated,
		SharedOnlyOptions:        doc.SharedOnly,
		SharedOnlyOptionSuffixes: doc.SharedOnlySuffix,
		defaultBind:              doc.DefaultBind,
		LegacySharedOptions:      doc.LegacyShared,
		RequiredConfigKeys:       doc.RequiredKeys,
		DatabaseEngines:          doc.DatabaseEngines,
		WorkerDatabaseEngines:    doc.WorkerDatabases,
		DefaultMaxUploadSize:     doc.DefaultMaxUpload,
	}
	for _, s := range doc.Streams {
		if holds(v, s.Since, s.Until) {
			c.Streams = append(c.Streams, s)
		}
	}
	for _, e := range doc.Endpoints {
		if !holds(v, e.Since, e.Until) {
			continue
		}
		if e.RequiresStream != "" && c.Stream(e.RequiresStream) == nil {
			e.RequiresStream = ""
		}
		c.Endpoints = append(c.Endpoints, e)
	}
	c.Endpoints = dedupe(c.Endpoints)
	return c, nil
}

// MustFor is For for versions known to exist (tests, defaults).
func MustFor(version string) *Catalog {
	c, err := For(version)
	if err != nil {
		panic(err)
	}
	return c
}

// SameRelease reports whether two version strings name the same release for configuration
// ("1.157" and "1.157.1" do: the patch level never changes worker configuration).
func SameRelease(a, b string) bool { return minor(a) == minor(b) }

// minor reduces "1.157.1" to "1.157".
func minor(v string) string {
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// compareVersions compares "1.146" and "1.157" numerically.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func holds(v, since, until string) bool {
	if since != "" && compareVersions(v, since) < 0 {
		return false
	}
	if until != "" && compareVersions(v, until) >= 0 {
		return false
	}
	return true
}

// Role returns the role with that name, or nil.
func (c *Catalog) Role(name string) *Role {
	for i := range c.Roles {
		if c.Roles[i].Name == name {
			return &c.Roles[i]
		}
	}
	return nil
}

// RoleNames lists the role names in catalogue order.
func (c *Catalog) RoleNames() []string {
	out := make([]string, len(c.Roles))
	for i, r := range c.Roles {
		out[i] = r.Name
	}
	return out
}

// Stream returns the stream with that stream_writers key, or nil.
func (c *Catalog) Stream(key string) *Stream {
	for i := range c.Streams {
		if c.Streams[i].Key == key {
			return &c.Streams[i]
		}
	}
	return nil
}

// StreamKeys lists the stream_writers keys in catalogue order.
func (c *Catalog) StreamKeys() []string {
	out := make([]string, len(c.Streams))
	for i, s := range c.Streams {
		out[i] = s.Key
	}
	return out
}

// EndpointsForRoles returns, in catalogue order and without duplicates, the endpoints any of
// the roles serves.
func (c *Catalog) EndpointsForRoles(roles []string) []Endpoint {
	want := map[string]bool{}
	for _, r := range roles {
		want[r] = true
	}
	var out []Endpoint
	for _, e := range c.Endpoints {
		for _, r := range e.Roles {
			if want[r] {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// EndpointsForStream returns the endpoints that must be routed to the writers of a stream.
func (c *Catalog) EndpointsForStream(key string) []Endpoint {
	var out []Endpoint
	for _, e := range c.Endpoints {
		if e.Stream == key {
			out = append(out, e)
		}
	}
	return out
}

// ResourcesFor returns the sorted listener resources that serve the given endpoints.
func ResourcesFor(eps []Endpoint) []string {
	set := map[string]bool{}
	for _, e := range eps {
		set[e.Resource] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// IsWorkerApp reports whether Synapse's generic_worker entrypoint accepts the worker_app value.
func (c *Catalog) IsWorkerApp(app string) bool { return contains(c.WorkerApps, app) }

// IsListenerResource reports whether name is a listener resource Synapse knows.
func (c *Catalog) IsListenerResource(name string) bool { return contains(c.ListenerResources, name) }

// IsListenerType reports whether Synapse accepts the listener type on workers.
func (c *Catalog) IsListenerType(t string) bool { return contains(c.ListenerTypes, t) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Compiled returns the compiled pattern. Patterns are checked to compile at test time, so a
// failure here is a catalogue bug.
func (e Endpoint) Compiled() *regexp.Regexp { return regexp.MustCompile(e.Pattern) }

// DefaultBindAddresses are the addresses Synapse binds a TCP listener of that type to when
// bind_addresses is unset.
func (c *Catalog) DefaultBindAddresses(listenerType string) []string {
	return append([]string(nil), c.defaultBind[listenerType]...)
}

// DeprecatedWorkerOption returns the deprecation of a worker option, or nil.
func (c *Catalog) DeprecatedWorkerOption(key string) *DeprecatedOption {
	for i := range c.DeprecatedWorkerOptions {
		if c.DeprecatedWorkerOptions[i].Key == key {
			return &c.DeprecatedWorkerOptions[i]
		}
	}
	return nil
}

// IsSharedOnlyOption reports whether a top-level option must live in the shared configuration:
// the listed options, every `*_instances` option and every role's duty option.
func (c *Catalog) IsSharedOnlyOption(key string) bool {
	if contains(c.SharedOnlyOptions, key) {
		return true
	}
	for _, suf := range c.SharedOnlyOptionSuffixes {
		if strings.HasSuffix(key, suf) {
			return true
		}
	}
	for _, r := range c.Roles {
		if r.Duty != "" && r.Duty == key {
			return true
		}
	}
	return false
}

// IsLogLevel reports whether level is a Python logging level name the log config may use.
func (c *Catalog) IsLogLevel(level string) bool { return contains(c.LogLevels, level) }

// CanListenOnUnixSocket reports whether Synapse accepts a unix socket for that listener type.
func (c *Catalog) CanListenOnUnixSocket(listenerType string) bool {
	return contains(c.UnixSocketListenerTypes, listenerType)
}

// StreamHint returns the stream_writers key an unknown name was probably meant to be: the
// key whose replication stream or Synapse error message uses that name (`quarantined_media`,
// `push`), or "".
func (c *Catalog) StreamHint(name string) string {
	for _, s := range c.Streams {
		if s.SynapseErrorName == name {
			return s.Key
		}
		for _, r := range s.ReplicationStreams {
			if r == name && r != s.Key {
				return s.Key
			}
		}
	}
	return ""
}

// GenericWorkerApp is the worker_app every rendered worker uses: the single entrypoint that
// serves any role (the other accepted values are historical aliases of it).
const GenericWorkerApp = "synapse.app.generic_worker"

// MediaResource is the listener resource of the media repository's endpoints: a process
// serves it only where the media repository loads (not on the main process once a worker holds
// a role with EnableMediaRepo, since the shared config then sets enable_media_repo: false).
const MediaResource = "media"

// MainApp is the worker_app value that means the main process: Synapse reads it as no
// worker_app at all, so a shared file may set it (the workers' own files override it).
const MainApp = "synapse.app.homeserver"
