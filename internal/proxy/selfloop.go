package proxy

import (
	"net"
	"strings"
)

// BindsMain reports the first port on which the standalone server (o, after defaults) would
// bind the main process's own address: the proxy would then take the main process's port, or
// send every request no worker serves back to itself. That is the case when the listen address
// is the main host itself, or a wildcard while the main host is loopback (one machine).
// Host names other than localhost are compared as written.
func BindsMain(o Options, mainHost string, mainPort int) (int, bool) {
	same := strings.EqualFold(o.ListenAddress, mainHost)
	if ip := net.ParseIP(o.ListenAddress); ip != nil {
		if mip := net.ParseIP(mainHost); mip != nil && ip.Equal(mip) {
			same = true
		}
		if ip.IsUnspecified() && (strings.EqualFold(mainHost, "localhost") || net.ParseIP(mainHost) != nil && net.ParseIP(mainHost).IsLoopback()) {
			same = true
		}
	}
	if !same {
		return 0, false
	}
	for _, p := range o.ports() {
		if p == mainPort {
			return p, true
		}
	}
	return 0, false
}
