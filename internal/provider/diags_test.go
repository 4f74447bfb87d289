package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

func TestProblemPath(t *testing.T) {
	cases := []struct {
		in   string
		want path.Path
		ok   bool
	}{
		{"name", path.Root("name"), true},
		{"writers[0]", path.Root("writers").AtListIndex(0), true},
		{"listeners[1].port", path.Root("listeners").AtListIndex(1).AtName("port"), true},
		{"listeners[1].resources[2]", path.Root("listeners").AtListIndex(1).AtName("resources").AtListIndex(2), true},
		{`instance_map["sync1"].port`, path.Root("instance_map").AtMapKey("sync1").AtName("port"), true},
		{`instance_map["a]b"]`, path.Root("instance_map").AtMapKey("a]b"), true},
		{"a[0][1]", path.Root("a").AtListIndex(0).AtListIndex(1), true},
		{"", path.Empty(), false},
		{"a.", path.Empty(), false},
		{"a[x]", path.Empty(), false},
		{"a[-1]", path.Empty(), false},
		{"a[1", path.Empty(), false},
		{".a", path.Empty(), false},
		{"a[0]b", path.Empty(), false},
	}
	for _, tc := range cases {
		got, ok := problemPath(tc.in)
		if ok != tc.ok || (ok && !got.Equal(tc.want)) {
			t.Errorf("problemPath(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAddProblems(t *testing.T) {
	var diags diag.Diagnostics
	addProblems(&diags, fleet.Problems{
		{Path: "name", Summary: "S1", Detail: "d1."},
		{Path: "listeners[1].port", Summary: "S2", Detail: "the port is 0."},
		{Path: "writers", Summary: "S3", Detail: "restart.", Warning: true},
		{Path: "", Summary: "S4", Detail: "whole resource."},
		{Path: "bad[", Summary: "S5", Detail: "d5."},
	}, problemOptions{})
	if len(diags) != 5 || diags.ErrorsCount() != 4 || diags.WarningsCount() != 1 {
		t.Fatalf("diags = %v", diags)
	}
	if !strings.HasPrefix(diags[1].Detail(), "listeners[1].port: ") {
		t.Errorf("nested detail does not name the element: %q", diags[1].Detail())
	}
	if wp, ok := diags[1].(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("listeners").AtListIndex(1).AtName("port")) {
		t.Errorf("diagnostic path is wrong: %v", diags[1])
	}
	if !strings.Contains(diags[4].Detail(), "provider bug") {
		t.Errorf("malformed path should be reported as a provider bug: %q", diags[4].Detail())
	}
	diags = nil
	addProblems(&diags, fleet.Problems{{Path: "writers", Summary: "S3", Detail: "restart.", Warning: true}}, problemOptions{skipWarnings: true})
	if len(diags) != 0 {
		t.Errorf("warnings not skipped: %v", diags)
	}
}
