// Command stubupstream serves tiny stand-ins for Synapse processes on loopback: every listener
// answers any request with 200, `X-Upstream: <name>` and `{}`. The proxy benchmark
// (scripts/bench-proxy.sh) puts it behind nginx.
//
//	stubupstream main=127.0.0.1:28080 synchrotron1=127.0.0.1:28018 ...
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: stubupstream name=host:port ...")
		os.Exit(2)
	}
	for _, arg := range os.Args[1:] {
		name, addr, ok := strings.Cut(arg, "=")
		if !ok {
			log.Fatalf("argument %q is not name=host:port", arg)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("X-Upstream", name)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, "{}")
			}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		go func() { log.Fatal(srv.Serve(ln)) }()
	}
	fmt.Println("stubupstream: ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
