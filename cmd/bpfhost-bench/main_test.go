package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSmall runs the command briefly: every case gets a row.
func TestRunSmall(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, 5, 1, "", strings.Split(defaultEngines(), ","), true); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"parse/xdp_parse", "tailcall/xdp_dispatch", "firewall/xdp_firewall"} {
		if !strings.Contains(b.String(), name) {
			t.Errorf("no row for %s in:\n%s", name, b.String())
		}
	}
}

// TestRunBadFlags checks that bad flags are errors, not panics.
func TestRunBadFlags(t *testing.T) {
	if err := run(&bytes.Buffer{}, 0, 1, "", []string{"interpreter"}, false); err == nil {
		t.Error("repeat 0 accepted")
	}
	if err := run(&bytes.Buffer{}, 1, 0, "", []string{"interpreter"}, false); err == nil {
		t.Error("count 0 accepted")
	}
	if err := run(&bytes.Buffer{}, 1, 1, "(", []string{"interpreter"}, false); err == nil {
		t.Error("bad regexp accepted")
	}
	if err := run(&bytes.Buffer{}, 1, 1, "", []string{""}, false); err == nil {
		t.Error("no engines accepted")
	}
	if err := run(&bytes.Buffer{}, 1, 1, "", []string{"nope"}, false); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown engine: %v", err)
	}
}
