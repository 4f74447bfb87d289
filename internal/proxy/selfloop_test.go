package proxy

import "testing"

func TestBindsMain(t *testing.T) {
	for _, c := range []struct {
		addr  string
		ports []int
		host  string
		port  int
		want  bool
	}{
		{"127.0.0.1", nil, "127.0.0.1", 8008, true},
		{"0.0.0.0", nil, "127.0.0.1", 8008, true},
		{"::", nil, "localhost", 8008, true},
		{"10.0.0.1", []int{8448}, "10.0.0.1", 8448, true},
		{"Edge.Internal", nil, "edge.internal", 8008, true},
		{"0.0.0.0", nil, "10.0.0.1", 8008, false}, // another machine, as far as we know
		{"127.0.0.1", nil, "127.0.0.1", 8009, false},
		{"10.0.0.2", nil, "10.0.0.1", 8008, false},
	} {
		o := OptionsWithDefaults(Nginx, Options{ListenAddress: c.addr, ListenPort: 8008, AdditionalPorts: c.ports})
		if _, got := BindsMain(o, c.host, c.port); got != c.want {
			t.Errorf("listen %s:%d%v, main %s:%d: BindsMain = %v, want %v", c.addr, 8008, c.ports, c.host, c.port, got, c.want)
		}
	}
}
