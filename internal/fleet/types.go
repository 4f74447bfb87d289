package fleet

// Listener is one entry of worker_listeners (or of the main process's listeners).
type Listener struct {
	// Type is http, metrics or manhole.
	Type string
	// Port is the TCP port; 0 when the listener is a unix socket.
	Port int
	// Path is the unix socket path; empty for TCP listeners.
	Path string
	// BindAddresses for TCP listeners; empty means Synapse's default.
	BindAddresses []string
	// Resources served by an http listener (client, federation, media, replication, ...).
	Resources []string
	// XForwarded, when non-nil, is rendered as x_forwarded.
	XForwarded *bool
	// TLS is rendered as tls: true when set.
	TLS bool
}

// Worker is one Synapse worker process, as the synapse_worker resource describes it.
type Worker struct {
	Name  string
	Roles []string
	// Host is where other processes and the reverse proxy reach the worker.
	Host string
	// HTTPPort is the port of the listener serving the roles' resources.
	HTTPPort int
	// ReplicationPort adds an http listener with the replication resource (0: none).
	ReplicationPort int
	// MetricsPort adds a metrics listener (0: none).
	MetricsPort int
	// BindAddresses applies to the generated TCP listeners.
	BindAddresses []string
	// Listeners, when non-empty, replaces the generated listeners entirely.
	Listeners []Listener
	// ConfigDir holds the shared config and the workers/ directory (default /etc/matrix-synapse).
	ConfigDir string
	// SharedConfigPath is the shared homeserver.yaml the worker loads first.
	SharedConfigPath string
	// SecretConfigPath is the secret config file (synapse_shared_config's secret_config_yaml)
	// loaded after the shared file ("" when there is none).
	SecretConfigPath string
	// LogConfigPath is where the worker's log config lives; empty means <ConfigDir>/workers/<name>.log.config.
	LogConfigPath string
	// LogLevel is the root log level of the rendered log config.
	LogLevel string
	// ExtraConfig is YAML (a mapping) merged into the worker file.
	ExtraConfig string
}

// StreamAssignment is one stream_writers entry, as the synapse_stream_writer resource describes it.
type StreamAssignment struct {
	// Stream is the stream_writers key (events, typing, ...).
	Stream string
	// Writers is the ordered list of worker names; "main" means the main process.
	Writers []string
}

// InstanceMapEntry is how other processes reach a process's replication listener: TCP
// (Host, Port, TLS) or a unix socket (Path). It is rendered into instance_map.
type InstanceMapEntry struct {
	Host string
	Port int
	Path string
	TLS  bool
}

// WorkerRef is what the fleet-wide resources (synapse_shared_config, synapse_routing_table)
// read of a synapse_worker: its identity and the computed facts they need, never its files.
type WorkerRef struct {
	Name  string
	Roles []string
	Host  string
	// Upstream is host:port (or unix:/path) of the worker's HTTP listener; empty if it has none.
	Upstream string
	// HTTPResources are the resources that listener serves; nil for the catalogue's default
	// for Roles (see WithCatalogDefaults).
	HTTPResources []string
	// InstanceMap is the worker's replication listener; nil if it has none.
	InstanceMap *InstanceMapEntry
	// ReplicationBindAddresses are the effective bind addresses of the replication listener;
	// nil for Synapse's default (all interfaces).
	ReplicationBindAddresses []string
	// Listeners are more of the worker's listeners when the reference carries them: the metrics
	// listener of metrics_port, or the listeners override. Checked for address clashes and
	// enable_metrics; nil when not passed.
	Listeners []Listener
	// EnableMetrics is true when the worker's own extra_config sets enable_metrics: true.
	EnableMetrics bool
}
