package fleet

import (
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// FuzzAdopt: any worker file, shared file and SYNAPSE_WORKER_TYPES string parse without a
// panic, and a worker ImportWorker accepts without an error renders a file equal to its
// original after YAML parsing (the adoption guarantee: what cannot be kept is refused).
func FuzzAdopt(f *testing.F) {
	f.Add("worker_app: synapse.app.generic_worker\nworker_name: w1\nworker_listeners:\n  - {type: http, port: 8081, resources: [{names: [client]}]}\nworker_log_config: /etc/matrix-synapse/workers/w1.log.config\n",
		"server_name: a\ninstance_map: {main: {host: localhost, port: 9093}}\nstream_writers: {events: [w1]}\n", "event_persister:2, synchrotron")
	f.Add("worker_app: synapse.app.generic_worker\nworker_name: \"x\"\nworker_listeners: [{type: http, port: 1, bind_addresses: ['::'], resources: [{names: [replication]}]}]\nworker_log_config: /l\nfoo: 2.0\n",
		"worker_replication_secret: s\nredis: {enabled: true, use_tls: false}\n", "stream_writers=typing+to_device")
	f.Add("worker_name: [", "listeners: 7", "a:b:c")
	c := catalog.MustFor(catalog.Latest())
	f.Fuzz(func(t *testing.T, worker, shared, types string) {
		hs, _ := ParseHomeserver(c, "/etc/matrix-synapse/homeserver.yaml", shared)
		_, _ = ParseWorkerTypes(types)
		_, _ = ParseWorkerFile(c, "/etc/matrix-synapse/workers/w1.yaml", worker)
		w, ps := ImportWorker(c, "/etc/matrix-synapse/workers/w1.yaml", worker, WorkerImport{Homeserver: &hs})
		if ps.HasErrors() {
			return
		}
		a, rps := RenderWorker(c, w)
		if rps.HasErrors() {
			t.Fatalf("imported worker does not render: %s\n%s", rps, worker)
		}
		if d := Differences(worker, a.ConfigYAML, nil); len(d) > 0 {
			t.Fatalf("imported without an error, yet the rendered file differs at %v:\n%s\n---\n%s", d, worker, a.ConfigYAML)
		}
	})
}
