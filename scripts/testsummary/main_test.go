package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    counts
		ok      bool
		logHas  []string
		logHasN []string
	}{
		{
			name: "passing package with subtests and a skip",
			in: `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"run","Package":"p","Test":"TestA/x"}
{"Action":"pass","Package":"p","Test":"TestA/x","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"skip","Package":"p","Test":"TestB","Elapsed":0}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p","Elapsed":0.01}
`,
			want:    counts{Passed: 2, Skipped: 1},
			ok:      true,
			logHas:  []string{"ok  \tp\t0.01s", "go test: 2 passed, 0 failed, 1 skipped"},
			logHasN: []string{"=== RUN   TestA"},
		},
		{
			name: "failing test prints its output",
			in: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: boom\n"}
{"Action":"fail","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestB","Elapsed":0}
{"Action":"fail","Package":"p","Elapsed":0.01}
`,
			want:   counts{Passed: 1, Failed: 1},
			logHas: []string{"a_test.go:9: boom", "FAILED: p.TestA", "go test: 1 passed, 1 failed, 0 skipped"},
		},
		{
			name: "build failure counts the package",
			in: `{"ImportPath":"q [q.test]","Action":"build-output","Output":"q/x.go:3:1: syntax error\n"}
{"ImportPath":"q [q.test]","Action":"build-fail"}
{"Action":"start","Package":"q"}
{"Action":"output","Package":"q","Output":"FAIL\tq [build failed]\n"}
{"Action":"fail","Package":"q","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0}
`,
			want:   counts{Passed: 1, FailedPackages: 1},
			logHas: []string{"syntax error", "FAILED: q (package)", "go test: 1 passed, 1 failed, 0 skipped"},
		},
		{
			name:   "no test at all is a failure",
			in:     "no Go files\n",
			want:   counts{NonJSON: 1},
			logHas: []string{"no test ran", "go test: 0 passed, 0 failed, 0 skipped"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := summarize(strings.NewReader(tt.in), &out, false)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("counts = %+v, want %+v", got, tt.want)
			}
			if got.ok() != tt.ok {
				t.Errorf("ok() = %v, want %v", got.ok(), tt.ok)
			}
			for _, s := range tt.logHas {
				if !strings.Contains(out.String(), s) {
					t.Errorf("log lacks %q:\n%s", s, out.String())
				}
			}
			for _, s := range tt.logHasN {
				if strings.Contains(out.String(), s) {
					t.Errorf("log has %q:\n%s", s, out.String())
				}
			}
		})
	}
}
