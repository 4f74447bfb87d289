package routing

import (
	"fmt"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// w builds a worker with the default resources of its roles on host:port.
func w(name string, port int, resources []string, roles ...string) fleet.WorkerRef {
	return fleet.WorkerRef{Name: name, Roles: roles, Host: "10.0.0.2", Upstream: fmt.Sprintf("10.0.0.2:%d", port), HTTPResources: resources}
}

var (
	client    = []string{"client"}
	fed       = []string{"federation"}
	clientFed = []string{"client", "federation"}
	media     = []string{"media"}
	mainProc  = Member{Name: "main", Upstream: "10.0.0.1:8008"}
)

func sa(stream string, writers ...string) fleet.StreamAssignment {
	return fleet.StreamAssignment{Stream: stream, Writers: writers}
}

// testFleet is one fleet of the table tests and golden files.
type testFleet struct {
	name      string
	workers   []fleet.WorkerRef
	writers   []fleet.StreamAssignment
	overrides map[string]Strategy
}

// everyStreamFleet assigns every stream of the catalogue version to workers: multi-writer
// streams to two writers, the others to one; the media workers write quarantined media.
func everyStreamFleet(c *catalog.Catalog) testFleet {
	f := testFleet{name: "every_stream", workers: []fleet.WorkerRef{
		w("generic1", 8110, clientFed, "generic"),
		w("media1", 8107, media, "media_repository"),
		w("media2", 8108, []string{"client", "media"}, "media_repository"),
	}}
	for i, s := range c.Streams {
		if s.Key == "quarantined_media_changes" {
			f.writers = append(f.writers, sa(s.Key, "media1", "media2"))
			continue
		}
		a := sa(s.Key, fmt.Sprintf("%s_w1", s.Key))
		f.workers = append(f.workers, w(a.Writers[0], 8300+2*i, client))
		if s.MultiWriter {
			a.Writers = append(a.Writers, fmt.Sprintf("%s_w2", s.Key))
			f.workers = append(f.workers, w(a.Writers[1], 8301+2*i, client))
		}
		f.writers = append(f.writers, a)
	}
	return f
}

func testFleets() []testFleet {
	oneEach := []fleet.WorkerRef{
		w("sync1", 8101, client, "synchrotron"),
		w("isync1", 8102, client, "initial_synchrotron"),
		w("reader1", 8103, client, "client_reader"),
		w("creator1", 8104, client, "event_creator"),
		w("fedr1", 8105, fed, "federation_reader"),
		w("fedin1", 8106, fed, "federation_inbound"),
		w("media1", 8107, media, "media_repository"),
		w("userdir1", 8108, client, "user_dir"),
		w("sso1", 8109, client, "sso"),
		w("generic1", 8110, clientFed, "generic"),
		w("pusher1", 0, nil, "pusher"),
	}
	oneEach[10].Upstream = ""
	streamWorkers := []fleet.WorkerRef{
		w("generic1", 8110, clientFed, "generic"),
		w("typing1", 8201, client),
		w("todev1", 8202, client),
		w("acct1", 8203, client),
		w("rcpt1", 8204, client),
		w("rcpt2", 8205, client),
		w("pres1", 8206, client),
		w("push1", 8207, client),
		w("dev1", 8208, client),
		w("dev2", 8209, client),
		w("ev1", 8210, client),
		w("ev2", 8211, client),
		w("threads1", 8212, client),
		w("media1", 8107, media, "media_repository"),
		w("media2", 8108, media, "media_repository"),
		w("reader1", 8103, client, "client_reader"),
	}
	return []testFleet{
		{name: "empty"},
		{name: "one_generic", workers: []fleet.WorkerRef{w("generic1", 8110, clientFed, "generic")}},
		{name: "one_per_role", workers: oneEach},
		{name: "pools", workers: []fleet.WorkerRef{
			w("sync1", 8101, client, "synchrotron"), w("sync2", 8111, client, "synchrotron"), w("sync3", 8121, client, "synchrotron"),
			w("isync1", 8102, client, "initial_synchrotron"), w("isync2", 8112, client, "initial_synchrotron"),
			w("reader1", 8103, client, "client_reader"), w("reader2", 8113, client, "client_reader"),
			w("creator1", 8104, client, "event_creator"), w("creator2", 8114, client, "event_creator"),
			w("fed1", 8105, fed, "federation_reader", "federation_inbound"), w("fed2", 8115, fed, "federation_reader", "federation_inbound"),
		}},
		{name: "stream_writers", workers: streamWorkers, writers: []fleet.StreamAssignment{
			sa("events", "ev1", "ev2"),
			sa("typing", "typing1"),
			sa("to_device", "todev1"),
			sa("account_data", "acct1"),
			sa("receipts", "rcpt1", "rcpt2"),
			sa("presence", "pres1"),
			sa("push_rules", "push1"),
			sa("device_lists", "dev1", "dev2"),
			sa("thread_subscriptions", "threads1"),
		}},
		{name: "multi_writer_with_main", workers: streamWorkers, writers: []fleet.StreamAssignment{
			sa("events", "main", "ev1"),
			sa("receipts", "main", "rcpt1"),
			sa("device_lists", "dev1", "main", "dev2"),
			sa("push_rules", "main"),
			sa("account_data", "main"),
		}},
		{name: "main_writes_all", workers: []fleet.WorkerRef{w("reader1", 8103, client, "client_reader")}, writers: []fleet.StreamAssignment{
			sa("typing", "main"), sa("push_rules", "main"), sa("account_data", "main"), sa("presence", "main"), sa("device_lists", "main"),
		}},
		{name: "generic_and_specialists", workers: []fleet.WorkerRef{
			w("generic1", 8110, clientFed, "generic"), w("generic2", 8120, clientFed, "generic"),
			w("sync1", 8101, client, "synchrotron"), w("mixed1", 8130, clientFed, "client_reader", "federation_inbound"),
		}, overrides: map[string]Strategy{"generic": ByUser, "synchrotron": RoundRobin}},
		{name: "only_initial_synchrotron", workers: []fleet.WorkerRef{w("isync1", 8102, client, "initial_synchrotron")}},
	}
}
