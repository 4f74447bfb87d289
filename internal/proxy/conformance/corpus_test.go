package conformance

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// request is one request of the corpus and the category (see fleetSpec.expect) Synapse's docs
// put it in.
type request struct {
	method   string
	path     string // as sent: %-encoded where needed
	query    string
	token    string // sent as `Authorization: Bearer <token>` unless inQuery
	inQuery  bool   // send the token as ?access_token=
	after    string // query parameters sent after the token
	sourceIP string // client address in 127.0.0.0/8; "" = 127.0.0.1
	category string
}

// catalogueRequests covers every endpoint of the catalogue (latest version) with the methods
// that matter for it, written by hand from docs/workers.md (and, for sliding sync, from the
// servlets Synapse registers on workers): "METHOD path category". /initialSync is an initial
// sync: the docs give it to the initial-sync workers.
const catalogueRequests = `
GET /_matrix/client/r0/sync?since=s72594_4483_1934 sync_inc
GET /_matrix/client/v3/sync sync_init
GET /_matrix/client/v3/sync?since= sync_init
GET /_matrix/client/v3/sync?timeout=30000&filter=0 sync_init
GET /_matrix/client/v3/sync?since=&since=s1 sync_init
GET /_matrix/client/v3/sync?since sync_init
GET /_matrix/client/v3/sync?full_state=true&since=s5&since= sync_inc
GET /_matrix/client/v3/events sync
GET /_matrix/client/api/v1/events?from=s1 sync
GET /_matrix/client/r0/initialSync sync_init
GET /_matrix/client/v3/rooms/!abc:example.org/initialSync sync_init
POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync sync
POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync?pos=12 sync
GET /_matrix/federation/v1/version fed_read
GET /_matrix/federation/v1/event/$ev1 fed_read
GET /_matrix/federation/v1/state/!abc:example.org fed_read
GET /_matrix/federation/v1/state_ids/!abc:example.org fed_read
GET /_matrix/federation/v1/backfill/!abc:example.org fed_read
POST /_matrix/federation/v1/get_missing_events/!abc:example.org fed_read
GET /_matrix/federation/v1/publicRooms fed_read
POST /_matrix/federation/v1/publicRooms fed_read
GET /_matrix/federation/v1/query/profile fed_read
GET /_matrix/federation/v1/make_join/!abc:example.org/@u:other.org fed_read
PUT /_matrix/federation/v2/send_join/!abc:example.org/$ev1 fed_read
PUT /_matrix/federation/v1/send_join/!abc:example.org/$ev1 fed_read
GET /_matrix/federation/v1/make_leave/!abc:example.org/@u:other.org fed_read
PUT /_matrix/federation/v2/send_leave/!abc:example.org/$ev1 fed_read
GET /_matrix/federation/v1/make_knock/!abc:example.org/@u:other.org fed_read
PUT /_matrix/federation/v1/send_knock/!abc:example.org/$ev1 fed_read
PUT /_matrix/federation/v2/invite/!abc:example.org/$ev1 fed_read
GET /_matrix/federation/v1/event_auth/!abc:example.org/$ev1 fed_read
GET /_matrix/federation/v1/timestamp_to_event/!abc:example.org fed_read
PUT /_matrix/federation/v1/exchange_third_party_invite/!abc:example.org fed_read
GET /_matrix/federation/v1/user/devices/@u:example.org fed_read
POST /_matrix/key/v2/query fed_read
GET /_matrix/key/v2/query/other.org fed_read
GET /_matrix/federation/v1/hierarchy/!abc:example.org fed_read
PUT /_matrix/federation/v1/send/1700000000000 fed_send
POST /_matrix/client/v3/createRoom client
GET /_matrix/client/r0/publicRooms client
POST /_matrix/client/v3/publicRooms client
GET /_matrix/client/v3/rooms/!abc:example.org/joined_members client
GET /_matrix/client/v3/rooms/!abc:example.org/context/$ev1 client
GET /_matrix/client/v3/rooms/!abc:example.org/members client
GET /_matrix/client/v3/rooms/!abc:example.org/state client
GET /_matrix/client/v1/rooms/!abc:example.org/hierarchy client
GET /_matrix/client/v1/rooms/!abc:example.org/relations/$ev1 client
GET /_matrix/client/unstable/rooms/!abc:example.org/relations/$ev1/m.thread client
GET /_matrix/client/v1/rooms/!abc:example.org/threads client
GET /_matrix/client/unstable/im.nheko.summary/summary/!abc:example.org client
GET /_matrix/client/v1/room_summary/!abc:example.org client
GET /_matrix/client/v3/account/3pid client
GET /_matrix/client/v3/account/whoami client
POST /_matrix/client/v3/account/deactivate client
GET /_matrix/client/versions client
GET /_matrix/client/v3/voip/turnServer client
GET /_matrix/client/v3/rooms/!abc:example.org/event/$ev1 client
GET /_matrix/client/v3/joined_rooms client
GET /_matrix/client/v1/rooms/!abc:example.org/timestamp_to_event client
GET /_matrix/client/v3/rooms/!abc:example.org/aliases client
GET /_matrix/client/unstable/org.matrix.msc2432/rooms/!abc:example.org/aliases client
POST /_matrix/client/v3/search client
GET /_matrix/client/v3/user/@u:example.org/filter/1 client
POST /_matrix/client/v3/user/@u:example.org/filter client
GET /_matrix/client/v3/directory/room/%23alias:example.org client
PUT /_matrix/client/v3/directory/room/%23alias:example.org client
GET /_matrix/client/v3/capabilities client
GET /_matrix/client/v3/notifications client
GET /_synapse/admin/v1/rooms/!abc:example.org client
DELETE /_synapse/admin/v1/rooms/!abc:example.org client
POST /_matrix/client/v3/keys/query client
GET /_matrix/client/v3/keys/changes client
POST /_matrix/client/v3/keys/claim client
GET /_matrix/client/v3/room_keys/version client
PUT /_matrix/client/v3/room_keys/keys client
GET /_matrix/client/v3/login client
POST /_matrix/client/v3/login client
POST /_matrix/client/v3/register client
GET /_matrix/client/v3/register/available client
GET /_matrix/client/v1/register/m.login.registration_token/validity client
GET /_matrix/client/v3/password_policy client
GET /_matrix/client/unstable/org.matrix.msc4140/delayed_events client
POST /_matrix/client/unstable/org.matrix.msc4140/delayed_events/d1/restart client
GET /_matrix/client/unstable/io.element.msc4308/thread_subscriptions client
GET /_matrix/client/unstable/io.element.msc4308/thread_subscriptions?from=x&limit=5 client
POST /_matrix/client/unstable/io.element.msc4308/thread_subscriptions main
GET /_synapse/mas/query_user?localpart=alice client
POST /_synapse/mas/provision_user client
GET /_matrix/client/v1/auth_metadata client
GET /_matrix/client/unstable/auth_metadata client
GET /_matrix/client/unstable/org.matrix.msc2965/auth_metadata client
GET /_matrix/client/unstable/org.matrix.msc2965/auth_issuer client
POST /_matrix/client/v1/appservice/bridge1/ping client
POST /_matrix/client/unstable/appservice/bridge1/ping client
POST /_matrix/client/v3/delete_devices devices
GET /_matrix/client/v3/devices devices
PUT /_matrix/client/v3/devices/DEV1 devices
DELETE /_matrix/client/v3/devices/DEV1 devices
POST /_matrix/client/v3/keys/upload devices
POST /_matrix/client/v3/keys/upload/DEV1 devices
POST /_matrix/client/v3/keys/device_signing/upload devices
POST /_matrix/client/v3/keys/signatures/upload devices
PUT /_matrix/client/v3/rooms/!abc:example.org/redact/$ev1/txn1 creator
POST /_matrix/client/r0/rooms/!abc:example.org/redact/$ev1 creator
PUT /_matrix/client/v3/rooms/!abc:example.org/send/m.room.message/txn1 creator
PUT /_matrix/client/v3/rooms/!abc:example.org/state/m.room.topic/ creator
GET /_matrix/client/v3/rooms/!abc:example.org/state/m.room.topic/ creator
POST /_matrix/client/v3/rooms/!abc:example.org/join creator
POST /_matrix/client/v3/rooms/!abc:example.org/invite creator
POST /_matrix/client/v3/rooms/!abc:example.org/leave creator
POST /_matrix/client/v3/rooms/!abc:example.org/ban creator
POST /_matrix/client/v3/rooms/!abc:example.org/unban creator
POST /_matrix/client/v3/rooms/!abc:example.org/kick creator
POST /_matrix/client/v3/join/%23alias:example.org creator
POST /_matrix/client/v3/join/!abc:example.org creator
POST /_matrix/client/v3/knock/!abc:example.org creator
GET /_matrix/client/v3/profile/@u:example.org/displayname creator
PUT /_matrix/client/v3/profile/@u:example.org/displayname creator
POST /_matrix/client/v3/user_directory/search userdir
GET /_matrix/client/v3/pushrules/ pushrules_read
HEAD /_matrix/client/v3/pushrules/ pushrules_read
GET /_matrix/client/r0/pushrules/global/override/.m.rule.master pushrules_read
PUT /_matrix/client/v3/pushrules/global/override/x pushrules_write
DELETE /_matrix/client/v3/pushrules/global/override/x pushrules_write
PUT /_matrix/client/v3/pushrules/global/override/x/enabled pushrules_write
OPTIONS /_matrix/client/v3/pushrules/ pushrules_write
POST /_matrix/client/v3/user/@u:example.org/account_data/m.direct acct_write
GET /_matrix/client/v3/user/@u:example.org/rooms/!abc:example.org/tags tags_read
PUT /_matrix/client/v3/user/@u:example.org/rooms/!abc:example.org/tags/m.favourite tags_write
DELETE /_matrix/client/v3/user/@u:example.org/rooms/!abc:example.org/tags/m.favourite tags_write
GET /_matrix/client/v3/user/@u:example.org/account_data/m.direct acct_read
HEAD /_matrix/client/v3/user/@u:example.org/account_data/m.direct acct_read
PUT /_matrix/client/v3/user/@u:example.org/account_data/m.direct acct_write
PUT /_matrix/client/v3/user/@u:example.org/rooms/!abc:example.org/account_data/x acct_write
GET /_matrix/client/v3/presence/@u:example.org/status presence_read
PUT /_matrix/client/v3/presence/@u:example.org/status presence_write
GET /_synapse/admin/v2/users/@u:example.org admin_user_read
PUT /_synapse/admin/v2/users/@u:example.org admin_user_write
GET /_matrix/client/v3/rooms/!abc:example.org/messages pagination
GET /_matrix/client/v3/login/sso/redirect sso
GET /_matrix/client/v3/login/sso/redirect/oidc-github sso
GET /_synapse/client/pick_idp sso
GET /_synapse/client/pick_username/account_details sso
GET /_synapse/client/new_user_consent sso
POST /_synapse/client/sso_register sso
GET /_synapse/client/oidc/callback sso
POST /_synapse/client/saml2/authn_response sso
GET /_matrix/client/v3/login/cas/ticket sso
PUT /_matrix/client/v3/rooms/!abc:example.org/typing/@u:example.org typing
PUT /_matrix/client/v3/sendToDevice/m.room.encrypted/txn1 todevice
POST /_matrix/client/v3/rooms/!abc:example.org/receipt/m.read/$ev1 receipts
POST /_matrix/client/v3/rooms/!abc:example.org/read_markers receipts
GET /_matrix/client/unstable/io.element.msc4306/rooms/!abc:example.org/thread/$ev1/subscription threads
PUT /_matrix/client/unstable/io.element.msc4306/rooms/!abc:example.org/thread/$ev1/subscription threads
POST /_synapse/admin/v1/quarantine_media/example.org/abcdef quarantine
GET /_matrix/media/v3/download/example.org/abcdef media
POST /_matrix/media/v3/upload media
GET /_matrix/client/v1/media/download/example.org/abcdef media
GET /_matrix/client/v1/media/thumbnail/example.org/abcdef?width=32&height=32 media
GET /_matrix/federation/v1/media/download/abcdef media
POST /_synapse/admin/v1/purge_media_cache media
GET /_synapse/admin/v1/users/@u:example.org/media media
POST /_synapse/admin/v1/room/!abc:example.org/media/quarantine media_admin
GET /_synapse/admin/v1/user/@u:example.org/media media_admin
DELETE /_synapse/admin/v1/media/example.org/abcdef media_admin
GET /_matrix/client/v3/account/password main
POST /_matrix/client/v3/account/password main
GET /_synapse/admin/v1/server_version main
GET /_synapse/admin/v1/registration_tokens main
GET /.well-known/matrix/client main
GET /health main
PUT /_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/t%3F%2F%21x creator
GET /_matrix/client/v3/rooms/%21abc%3Aexample.org/event/%24ev%2Bx%3F client
GET /_matrix/client/v3/rooms/!abc:example.org/report/$ev1 main
`

// b64 is Synapse's unpadded base64 of a localpart inside syt_ tokens.
func b64(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }

// corpus is every request sent to each proxy of a fleet.
func corpus() []request {
	var out []request
	for _, line := range strings.Split(strings.TrimSpace(catalogueRequests), "\n") {
		f := strings.Fields(line)
		path, query, _ := strings.Cut(f[1], "?")
		out = append(out, request{method: f[0], path: path, query: query, token: "syt_" + b64("alice") + "_AbCdEfGhIjKlMnOpQrSt_0a1b2c", category: f[2]})
	}
	// Users: the same user on several devices, in the header and in ?access_token=, with and
	// without since; MAS tokens; users whose base64 localpart is not alphanumeric.
	users := []string{}
	for i := 0; i < 20; i++ {
		users = append(users, fmt.Sprintf("user%02d", i))
	}
	users = append(users, "q?~", "a.b-c=d/e+f")
	for _, u := range users {
		for d := 0; d < 2; d++ {
			tok := fmt.Sprintf("syt_%s_Dev%dqwertyuiopasdfghj_%06d", b64(u), d, d*7)
			out = append(out,
				request{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s1_2_3&timeout=30000", token: tok, category: "sync_inc"},
				request{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s9_9_9", token: tok, inQuery: true, category: "sync_inc"},
				request{method: "GET", path: "/_matrix/client/v3/sync", query: "timeout=0", token: tok, category: "sync_init"},
				request{method: "GET", path: "/_matrix/client/r0/sync", token: tok, inQuery: true, category: "sync_init"},
				request{method: "GET", path: "/_matrix/client/r0/sync", query: "since=s4", token: tok, inQuery: true, after: "access_token=syt_b3RoZXI_x_y", category: "sync_inc"},
				request{method: "GET", path: "/_matrix/client/v3/events", token: tok, category: "sync"},
			)
		}
	}
	for i := 0; i < 6; i++ {
		tok := fmt.Sprintf("mat_Mas%02dToken0123456789abcdef_%d", i, i)
		out = append(out,
			request{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s1", token: tok, category: "sync_inc"},
			request{method: "GET", path: "/_matrix/client/v3/sync", query: "since=s2", token: tok, inQuery: true, category: "sync_inc"},
			request{method: "GET", path: "/_matrix/client/v3/sync", token: tok, category: "sync_init"},
		)
	}
	// Federation transactions from 19 source addresses, three each.
	for n := 2; n <= 20; n++ {
		for k := 0; k < 3; k++ {
			out = append(out, request{method: "PUT", path: fmt.Sprintf("/_matrix/federation/v1/send/%d%d", n, k), sourceIP: fmt.Sprintf("127.0.0.%d", n), category: "fed_send"})
		}
	}
	// Rooms: four room-keyed requests per room, the room id %-encoded or not.
	for r := 0; r < 20; r++ {
		room := fmt.Sprintf("!room%02dXyZ:example.org", r)
		// The same room raw and %-encoded: the key is the decoded room id either way.
		enc := strings.NewReplacer("!", "%21", ":", "%3A").Replace(room)
		out = append(out,
			request{method: "PUT", path: "/_matrix/client/v3/rooms/" + room + "/send/m.room.message/t" + fmt.Sprint(r), category: "creator"},
			request{method: "PUT", path: "/_matrix/client/v3/rooms/" + enc + "/state/m.room.name/", category: "creator"},
			request{method: "POST", path: "/_matrix/client/r0/rooms/" + enc + "/join", category: "creator"},
			request{method: "GET", path: "/_matrix/client/v3/rooms/" + room + "/messages", query: "dir=b", category: "pagination"},
			request{method: "GET", path: "/_matrix/client/v3/rooms/" + enc + "/messages", query: "dir=f", category: "pagination"},
		)
	}
	return out
}
