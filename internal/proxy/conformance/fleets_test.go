package conformance

import "github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"

// worker is one synapse_worker of a test fleet: its name, roles and listener resources.
type worker struct {
	name      string
	roles     []string
	resources []string
}

// fleetSpec is a fleet and, independently of routing.Compile, where Synapse's worker
// documentation (docs/workers.md) says each category of request must go: category -> the names
// of the processes that may serve it ("main" is the main process).
type fleetSpec struct {
	name    string
	workers []worker
	writers []fleet.StreamAssignment
	expect  map[string][]string
}

var (
	client = []string{"client"}
	fed    = []string{"federation"}
	media  = []string{"media"}
	both   = []string{"client", "federation"}
)

func wk(name string, res []string, roles ...string) worker {
	return worker{name: name, roles: roles, resources: res}
}

func sa(stream string, writers ...string) fleet.StreamAssignment {
	return fleet.StreamAssignment{Stream: stream, Writers: writers}
}

func names(n ...string) []string { return n }

func fleets() []fleetSpec {
	return []fleetSpec{
		{
			// One worker per role, no stream writers: the docs' "one of each" deployment.
			name: "one_per_role",
			workers: []worker{
				wk("sync1", client, "synchrotron"), wk("isync1", client, "initial_synchrotron"),
				wk("reader1", client, "client_reader"), wk("creator1", client, "event_creator"),
				wk("fedr1", fed, "federation_reader"), wk("fedin1", fed, "federation_inbound"),
				wk("media1", media, "media_repository"), wk("userdir1", client, "user_dir"),
				wk("sso1", client, "sso"),
			},
			expect: map[string][]string{
				"sync_inc": names("sync1"), "sync_init": names("isync1"), "sync": names("sync1"),
				"fed_read": names("fedr1"), "fed_send": names("fedin1"),
				"client": names("reader1"), "pagination": names("reader1"), "creator": names("creator1"),
				"sso": names("sso1"), "userdir": names("userdir1"), "media": names("media1"),
				// No quarantined_media_changes writer: the media workers still take them (Compile warns).
				"quarantine": names("media1"), "media_admin": names("media1"),
				// GET-only reader endpoints; writes of streams the main process writes go to main.
				"pushrules_read": names("reader1"), "pushrules_write": names("main"),
				"tags_read": names("reader1"), "tags_write": names("main"),
				"acct_read": names("reader1"), "acct_write": names("main"),
				"presence_read": names("reader1"), "presence_write": names("main"),
				"admin_user_read": names("reader1"), "admin_user_write": names("main"),
				"typing": names("main"), "todevice": names("main"), "receipts": names("main"),
				"devices": names("reader1"), "threads": names("main"), "main": names("main"),
			},
		},
		{
			// Several workers per pool.
			name: "pools",
			workers: []worker{
				wk("sync1", client, "synchrotron"), wk("sync2", client, "synchrotron"), wk("sync3", client, "synchrotron"),
				wk("isync1", client, "initial_synchrotron"), wk("isync2", client, "initial_synchrotron"),
				wk("reader1", client, "client_reader"), wk("reader2", client, "client_reader"),
				wk("creator1", client, "event_creator"), wk("creator2", client, "event_creator"), wk("creator3", client, "event_creator"),
				wk("fed1", fed, "federation_reader", "federation_inbound"), wk("fed2", fed, "federation_reader", "federation_inbound"),
				wk("fed3", fed, "federation_inbound"),
				wk("media1", media, "media_repository"), wk("media2", media, "media_repository"),
			},
			expect: map[string][]string{
				"sync_inc": names("sync1", "sync2", "sync3"), "sync_init": names("isync1", "isync2"), "sync": names("sync1", "sync2", "sync3"),
				"fed_read": names("fed1", "fed2"), "fed_send": names("fed1", "fed2", "fed3"),
				"client": names("reader1", "reader2"), "pagination": names("reader1", "reader2"),
				"creator": names("creator1", "creator2", "creator3"),
				"sso":     names("main"), "userdir": names("main"), "media": names("media1", "media2"),
				"quarantine": names("media1", "media2"), "media_admin": names("media1", "media2"),
				"pushrules_read": names("reader1", "reader2"), "pushrules_write": names("main"),
				"tags_read": names("reader1", "reader2"), "tags_write": names("main"),
				"acct_read": names("reader1", "reader2"), "acct_write": names("main"),
				"presence_read": names("reader1", "reader2"), "presence_write": names("main"),
				"admin_user_read": names("reader1", "reader2"), "admin_user_write": names("main"),
				"typing": names("main"), "todevice": names("main"), "receipts": names("main"),
				"devices": names("reader1", "reader2"), "threads": names("main"), "main": names("main"),
			},
		},
		{
			// A writer for every stream that has endpoints, beside a generic worker and a reader.
			name: "stream_writers",
			workers: []worker{
				wk("generic1", both, "generic"), wk("reader1", client, "client_reader"),
				wk("typing1", client), wk("todev1", client), wk("acct1", client), wk("rcpt1", client),
				wk("pres1", client), wk("push1", client), wk("dev1", client), wk("ev1", client),
				wk("threads1", client), wk("quar1", media), wk("media1", media, "media_repository"), // quarantine APIs are served on the media resource
			},
			writers: []fleet.StreamAssignment{
				sa("events", "ev1"), sa("typing", "typing1"), sa("to_device", "todev1"),
				sa("account_data", "acct1"), sa("receipts", "rcpt1"), sa("presence", "pres1"),
				sa("push_rules", "push1"), sa("device_lists", "dev1"), sa("thread_subscriptions", "threads1"),
				sa("quarantined_media_changes", "main", "quar1"), // main must stay a writer (1.152-1.157); it has no media servlets here, so quar1 takes the quarantine API
			},
			expect: map[string][]string{
				"sync_inc": names("generic1"), "sync_init": names("generic1"), "sync": names("generic1"),
				"fed_read": names("generic1"), "fed_send": names("generic1"),
				"client": names("reader1"), "pagination": names("reader1"), "creator": names("generic1"),
				"sso": names("generic1"), "userdir": names("generic1"), "media": names("media1"),
				// The quarantine admin APIs go to the stream's writers (they come first).
				"quarantine": names("quar1"), "media_admin": names("media1"),
				// Stream writer endpoints take every method (docs: route them to the writer).
				"pushrules_read": names("push1"), "pushrules_write": names("push1"),
				"tags_read": names("acct1"), "tags_write": names("acct1"),
				"acct_read": names("acct1"), "acct_write": names("acct1"),
				"presence_read": names("pres1"), "presence_write": names("pres1"),
				"admin_user_read": names("reader1"), "admin_user_write": names("main"),
				"typing": names("typing1"), "todevice": names("todev1"), "receipts": names("rcpt1"),
				"devices": names("dev1"), "threads": names("threads1"), "main": names("main"),
			},
		},
		{
			// Multi-writer streams (events, receipts, device_lists), main among the writers.
			name: "multi_writer",
			workers: []worker{
				wk("reader1", client, "client_reader"), wk("creator1", client, "event_creator"),
				wk("ev1", client), wk("ev2", client), wk("rcpt1", client), wk("rcpt2", client),
				wk("dev1", client), wk("dev2", client), wk("sync1", client, "synchrotron"),
			},
			writers: []fleet.StreamAssignment{
				sa("events", "ev1", "ev2", "main"), sa("receipts", "rcpt1", "rcpt2"), sa("device_lists", "dev1", "main", "dev2"),
			},
			expect: map[string][]string{
				"sync_inc": names("sync1"), "sync_init": names("sync1"), "sync": names("sync1"),
				"fed_read": names("main"), "fed_send": names("main"),
				"client": names("reader1"), "pagination": names("reader1"), "creator": names("creator1"),
				"sso": names("main"), "userdir": names("main"), "media": names("main"), "quarantine": names("main"), "media_admin": names("main"),
				"pushrules_read": names("reader1"), "pushrules_write": names("main"),
				"tags_read": names("reader1"), "tags_write": names("main"),
				"acct_read": names("reader1"), "acct_write": names("main"),
				"presence_read": names("reader1"), "presence_write": names("main"),
				"admin_user_read": names("reader1"), "admin_user_write": names("main"),
				"typing": names("main"), "todevice": names("main"), "receipts": names("rcpt1", "rcpt2"),
				"devices": names("dev1", "main", "dev2"), "threads": names("main"), "main": names("main"),
			},
		},
	}
}
