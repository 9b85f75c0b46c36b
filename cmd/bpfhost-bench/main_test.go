package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSmall runs the command briefly: every case gets a row.
func TestRunSmall(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, config{repeat: 5, count: 1, engines: strings.Split(defaultEngines(), ","), kernel: true, calls: true, compile: true}); err != nil {
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
	if err := run(&bytes.Buffer{}, config{repeat: 0, count: 1, filter: "", engines: []string{"interpreter"}}); err == nil {
		t.Error("repeat 0 accepted")
	}
	if err := run(&bytes.Buffer{}, config{repeat: 1, count: 0, filter: "", engines: []string{"interpreter"}}); err == nil {
		t.Error("count 0 accepted")
	}
	if err := run(&bytes.Buffer{}, config{repeat: 1, count: 1, filter: "(", engines: []string{"interpreter"}}); err == nil {
		t.Error("bad regexp accepted")
	}
	if err := run(&bytes.Buffer{}, config{repeat: 1, count: 1, filter: "", engines: []string{""}}); err == nil {
		t.Error("no engines accepted")
	}
	if err := run(&bytes.Buffer{}, config{repeat: 1, count: 1, filter: "", engines: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown engine: %v", err)
	}
}
