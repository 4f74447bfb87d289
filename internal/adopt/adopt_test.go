package adopt

import (
	"bytes"
	"strings"
	"testing"
)

func TestStrEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:                `"plain"`,
		"a\"b\\c":              `"a\"b\\c"`,
		"line\nnext\t\x01":     `"line\nnext\t\u0001"`,
		"${var.x} %{if} $ % {": `"$${var.x} %%{if} $ % {"`,
	} {
		if got := str(in); got != want {
			t.Errorf("str(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{"sync-1": "sync_1", "1st": "w_1st", "a.b": "a_b", "ok_2": "ok_2"} {
		if got := label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMainRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "--homeserver is required"},
		{[]string{"--homeserver", "/nonexistent/homeserver.yaml"}, 1, "cannot be read"},
		{[]string{"--homeserver", "x.yaml", "--synapse-version", "0.1"}, 2, "--synapse-version"},
		{[]string{"--homeserver", "x.yaml", "--role", "noequals"}, 2, "not NAME=VALUE"},
	} {
		var out, errOut bytes.Buffer
		if code := Main(tc.args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("adopt %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
}
