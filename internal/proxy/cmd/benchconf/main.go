// Command benchconf renders the standalone nginx configuration the proxy benchmark runs: the
// routing table routing.Compile builds for the same worker layout as Synapse's docker worker
// generator (one worker per role, two event persisters, two device_lists writers, one writer for
// typing/receipts/to_device/presence/account_data), with every process on 127.0.0.1 at
// base+offset. It prints the stubupstream arguments with -stubs.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// layout mirrors the docker generator's workers and ports (18009.. there, base+9.. here).
var layout = []struct {
	name   string
	offset int
	roles  []string
	res    []string
}{
	{"event_persister1", 9, nil, []string{"client"}},
	{"event_persister2", 10, nil, []string{"client"}},
	{"background_worker1", 11, []string{"background_worker"}, []string{"client"}},
	{"event_creator1", 12, []string{"event_creator"}, []string{"client"}},
	{"user_dir1", 13, []string{"user_dir"}, []string{"client"}},
	{"media_repository1", 14, []string{"media_repository"}, []string{"media"}},
	{"federation_inbound1", 15, []string{"federation_inbound"}, []string{"federation"}},
	{"federation_reader1", 16, []string{"federation_reader"}, []string{"federation"}},
	{"federation_sender1", 17, []string{"federation_sender"}, []string{"client"}},
	{"synchrotron1", 18, []string{"synchrotron"}, []string{"client"}},
	{"client_reader1", 19, []string{"client_reader"}, []string{"client"}},
	{"appservice1", 20, []string{"appservice"}, []string{"client"}},
	{"pusher1", 21, []string{"pusher"}, []string{"client"}},
	{"device_lists1", 22, nil, []string{"client"}},
	{"device_lists2", 23, nil, []string{"client"}},
	{"stream_writers1", 24, nil, []string{"client"}},
}

func main() {
	base := flag.Int("base", 28000, "port base: worker N listens on base+offset, main on base+80")
	port := flag.Int("port", 28001, "port nginx listens on (127.0.0.1)")
	dir := flag.String("dir", "/tmp/bench-proxy", "runtime directory of nginx")
	stubs := flag.Bool("stubs", false, "print the stubupstream arguments instead of the config")
	flag.Parse()

	addr := func(off int) string { return fmt.Sprintf("127.0.0.1:%d", *base+off) }
	if *stubs {
		args := []string{"main=" + addr(80)}
		for _, w := range layout {
			args = append(args, w.name+"="+addr(w.offset))
		}
		fmt.Println(strings.Join(args, " "))
		return
	}
	var workers []fleet.WorkerRef
	for _, w := range layout {
		workers = append(workers, fleet.WorkerRef{Name: w.name, Roles: w.roles, Host: "127.0.0.1", Upstream: addr(w.offset), HTTPResources: w.res})
	}
	writers := []fleet.StreamAssignment{
		{Stream: "events", Writers: []string{"event_persister1", "event_persister2"}},
		{Stream: "device_lists", Writers: []string{"device_lists1", "device_lists2"}},
		{Stream: "typing", Writers: []string{"stream_writers1"}},
		{Stream: "receipts", Writers: []string{"stream_writers1"}},
		{Stream: "to_device", Writers: []string{"stream_writers1"}},
		{Stream: "presence", Writers: []string{"stream_writers1"}},
		{Stream: "account_data", Writers: []string{"stream_writers1"}},
	}
	table, probs := routing.Compile(catalog.MustFor(catalog.Latest()), routing.Member{Name: routing.MainPool, Upstream: addr(80)}, workers, writers, nil)
	if probs.HasErrors() {
		log.Fatalf("compile: %v", probs)
	}
	cfg, err := proxy.RenderNginx(table, proxy.Options{ListenAddress: "127.0.0.1", ListenPort: *port, RuntimeDir: *dir, MaxBodyBytes: 100 << 20})
	if err != nil {
		log.Fatal(err)
	}
	_, _ = os.Stdout.WriteString(cfg.Full)
}
