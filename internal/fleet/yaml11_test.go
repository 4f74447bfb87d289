package fleet

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestYAML11Tag pins yaml11Tag to what PyYAML 6.0.3 (Debian bookworm's python3-yaml)
// safe_load returned for these plain scalars when this was written.
func TestYAML11Tag(t *testing.T) {
	for in, want := range map[string]string{
		"yes": "!!bool", "No": "!!bool", "ON": "!!bool", "off": "!!bool", "true": "!!bool", "False": "!!bool",
		"y": "!!str", "n": "!!str", "Y": "!!str",
		"0777": "!!int", "1_000": "!!int", "0b1": "!!int", "+1": "!!int", "-1": "!!int", "0x1F": "!!int", "1:30": "!!int", "0": "!!int",
		"08": "!!str", "0o17": "!!str", "1e3": "!!str", "0x": "!!str",
		".5": "!!float", "1.": "!!float", ".inf": "!!float", ".NaN": "!!float", "1.5e+3": "!!float",
		"2024-01-01": "!!timestamp", "2001-12-14t21:59:43.10-05:00": "!!timestamp", "2024-1-1": "!!str",
		"null": "!!null", "~": "!!null", "": "!!null", "NULL": "!!null", "nULL": "!!str",
		"<<": "!!merge", "=": "!!value",
		"sync1": "!!str", "master": "!!str", "10.0.0.1": "!!str", "fd00::5": "!!str", "/run/x.sock": "!!str", "INFO": "!!str",
	} {
		if got := yaml11Tag(in); got != want {
			t.Errorf("yaml11Tag(%q) = %s, want %s", in, got, want)
		}
	}
}

// yaml11Tricky are strings a YAML 1.2 encoder may leave plain but a YAML 1.1 loader reads as
// another type (or fails on).
var yaml11Tricky = []string{
	"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
	"true", "False", "null", "~", "", "0777", "0_7", "1_000", "0b1", "0x1F", "-1", "+1", "1:30", "08",
	"2024-01-01", "1.5", ".inf", "<<", "=", "1e3", "0o17",
}

// TestYAMLStrReadsBackInYAML11 proves every string the provider renders reads back in Synapse's
// loader as the same string.
func TestYAMLStrReadsBackInYAML11(t *testing.T) {
	for _, s := range yaml11Tricky {
		out := encodeYAML(yamlMap(s, yamlStrSeq([]string{s}), "flow", yamlFlowStrSeq([]string{s}), "v", yamlStr(s)))
		got, err := decodeYAML11(out)
		if err != nil {
			t.Errorf("%q: %v\n%s", s, err, out)
			continue
		}
		m, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%q: the key does not read back as a string:\n%s", s, out)
			continue
		}
		want := map[string]any{s: []any{s}, "flow": []any{s}, "v": s}
		if fmt.Sprintf("%#v", m) != fmt.Sprintf("%#v", want) {
			t.Errorf("%q: reads back as %#v:\n%s", s, m, out)
		}
	}
}

// TestExtraConfigStringsReadBackInYAML11: extra_config values are re-encoded; a string stays a
// string for Synapse.
func TestExtraConfigStringsReadBackInYAML11(t *testing.T) {
	var b strings.Builder
	for i, s := range yaml11Tricky {
		fmt.Fprintf(&b, "k%d: %s\n", i, strconv.Quote(s))
	}
	a, ps := RenderWorker(latest, Worker{Name: "on", Host: "off", HTTPPort: 8080, ExtraConfig: b.String()})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	got, err := decodeYAML11(a.ConfigYAML)
	if err != nil {
		t.Fatalf("%v\n%s", err, a.ConfigYAML)
	}
	m := got.(map[string]any)
	if m["worker_name"] != "on" {
		t.Errorf("worker_name reads back as %#v", m["worker_name"])
	}
	for i, s := range yaml11Tricky {
		if v := m[fmt.Sprintf("k%d", i)]; v != s {
			t.Errorf("extra_config k%d = %q reads back as %#v", i, s, v)
		}
	}
}
