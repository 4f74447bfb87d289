package main

import (
	"slices"
	"testing"
)

func TestQuietSDKLogging(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    []string
	}{
		{"no TF_LOG variable", []string{"HOME=/root", "PATH=/bin", "TF_IN_AUTOMATION=1"}, sdkLogLevelVars},
		{"TF_LOG set", []string{"HOME=/root", "TF_LOG=trace"}, nil},
		{"TF_LOG_PROVIDER set", []string{"TF_LOG_PROVIDER=debug"}, nil},
		{"TF_LOG_SDK set", []string{"TF_LOG_SDK=INFO"}, nil},
		{"TF_LOG_PATH alone counts as asked", []string{"TF_LOG_PATH=/tmp/tf.log"}, nil},
		{"empty environment", nil, sdkLogLevelVars},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := quietSDKLogging(tc.environ); !slices.Equal(got, tc.want) {
				t.Errorf("quietSDKLogging(%q) = %q, want %q", tc.environ, got, tc.want)
			}
		})
	}
}

func TestGCSettings(t *testing.T) {
	if p, l, ok := gcSettings([]string{"HOME=/root", "TF_IN_AUTOMATION=1", "GOGCX=1"}); !ok || p != 400 || l != 1<<30 {
		t.Errorf("without GOGC or GOMEMLIMIT: %d, %d, %v; want 400, 1 GiB, true", p, l, ok)
	}
	for _, env := range [][]string{{"GOGC=100"}, {"GOGC=off"}, {"PATH=/bin", "GOMEMLIMIT=512MiB"}} {
		if _, _, ok := gcSettings(env); ok {
			t.Errorf("gcSettings(%q) overrides the user's setting", env)
		}
	}
}
