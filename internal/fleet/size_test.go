package fleet

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{"1": 1, "100M": 100 << 20, "50M": 50 << 20, "10K": 10 << 10, "0100": 100, "52428800": 52428800}
	for s, want := range good {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
		if got, _ := ParseSize(FormatSize(want)); got != want {
			t.Errorf("FormatSize(%d) = %q does not read back", want, FormatSize(want))
		}
	}
	for _, s := range []string{"", "M", "0", "0M", "1G", "100MB", "100m", "-1", "1.5M", " 1", "99999999999999999999", "9999999999999M"} {
		if n, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d; want an error", s, n)
		} else if !strings.Contains(err.Error(), s) {
			t.Errorf("ParseSize(%q): error %q does not name the value", s, err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"100M", "1K", "7", "1G", "M", "99999999999999999999M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 1 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		if back, err := ParseSize(FormatSize(n)); err != nil || back != n {
			t.Fatalf("ParseSize(%q) = %d, FormatSize gives %q which reads %d, %v", s, n, FormatSize(n), back, err)
		}
	})
}
