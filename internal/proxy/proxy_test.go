package proxy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderers maps each proxy to its renderer.
var renderers = map[Proxy]func(routing.Table, Options) (Config, error){
	Nginx: RenderNginx, HAProxy: RenderHAProxy, Caddy: RenderCaddy, Apache: RenderApache,
}

// sampleTable exercises every strategy, a GET-only split that falls through to a later route,
// the initial-sync query split and a single pool with a standby.
func sampleTable() routing.Table {
	return routing.Table{
		Routes: []routing.Route{
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Query: &routing.QueryCondition{Param: "since", Present: true}, Pool: "synchrotron", Group: "Sync requests"},
			{Pattern: `^/_matrix/client/(r0|v3)/sync$`, Pool: "initial_synchrotron", Group: "Sync requests"},
			{Pattern: `^/_matrix/federation/v1/send/`, Pool: "federation_inbound", Group: "Inbound federation transaction request"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send`, Pool: "event_creator", Group: "Event sending requests"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Methods: []string{"GET", "HEAD"}, Pool: "client_reader", Group: "Push rules requests"},
			{Pattern: `^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/`, Pool: "stream_push_rules", Group: "The push_rules stream"},
			{Pattern: `^/_matrix/client/v1/register/m\.login\.registration_token/validity$`, Pool: "client_reader", Group: "Registration/login requests"},
			{Pattern: `^/_synapse/client/pick_idp$`, Pool: "sso", Group: "SSO requests"},
		},
		Pools: []routing.Pool{
			{Name: "synchrotron", Strategy: routing.ByUser, Members: []routing.Member{{Name: "sync1", Upstream: "10.0.0.11:8083"}, {Name: "sync2", Upstream: "10.0.0.12:8083"}}},
			{Name: "initial_synchrotron", Strategy: routing.ByUser, Members: []routing.Member{{Name: "isync1", Upstream: "10.0.0.13:8083"}}},
			{Name: "federation_inbound", Strategy: routing.BySourceIP, Members: []routing.Member{{Name: "fed1", Upstream: "10.0.0.21:8083"}, {Name: "fed2", Upstream: "10.0.0.22:8083"}}},
			{Name: "event_creator", Strategy: routing.ByRoom, Members: []routing.Member{{Name: "ev1", Upstream: "10.0.0.31:8083"}, {Name: "ev2", Upstream: "10.0.0.32:8083"}, {Name: "ev3", Upstream: "10.0.0.33:8083"}}},
			{Name: "client_reader", Strategy: routing.RoundRobin, Members: []routing.Member{{Name: "cr1", Upstream: "10.0.0.41:8083"}, {Name: "cr2", Upstream: "10.0.0.42:8083"}}},
			{Name: "stream_push_rules", Strategy: routing.Single, Members: []routing.Member{{Name: "push1", Upstream: "10.0.0.51:8083"}}},
			{Name: "sso", Strategy: routing.Single, Members: []routing.Member{{Name: "sso1", Upstream: "10.0.0.61:8083"}, {Name: "sso2", Upstream: "unix:/run/synapse/sso2.sock"}}},
			{Name: routing.MainPool, Strategy: routing.Single, Members: []routing.Member{{Name: "main", Upstream: "10.0.0.1:8008"}}},
		},
	}
}

func TestDump(t *testing.T) {
	dir := os.Getenv("PROXY_DUMP")
	if dir == "" {
		return
	}
	for p, r := range renderers {
		c, err := r(sampleTable(), Options{ListenAddress: "127.0.0.1", ListenPort: 18999, RuntimeDir: dir + "/" + string(p)})
		if err != nil {
			t.Fatal(err)
		}
		_ = os.MkdirAll(filepath.Join(dir, string(p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, string(p), "full.conf"), []byte(c.Full), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log(p, strings.Join(c.Warnings, "\n"))
	}
}
