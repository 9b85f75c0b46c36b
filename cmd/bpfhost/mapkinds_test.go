package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMapKinds loads an object with a map of every persisted kind and
// checks, one process per command, that programs and user space see the
// same contents across invocations; and that maps pinned by name are
// pinned under /sys/fs/bpf and shared by the next load.
func TestMapKinds(t *testing.T) {
	h := newHost(t)
	obj, err := filepath.Abs(filepath.Join("testdata", "maps.o"))
	if err != nil {
		t.Fatal(err)
	}
	h.write("z.bin", make([]byte, 64))
	h.ok("prog loadall " + obj + " /sys/fs/bpf/mm")
	shared := h.ok("-j map show pinned /sys/fs/bpf/shared")
	run := "-j prog run pinned /sys/fs/bpf/mm/xdp_maps data_in z.bin"
	if out := h.ok(run); !strings.HasPrefix(out, `{"retval":2,`) {
		t.Fatalf("first run: %s", out)
	}
	expectEqual(t, "outer", h.ok("map dump name outer"), "key: 00 00 00 00  value: 01 00 00 00\nFound 1 element\n")
	expectEqual(t, "inner", h.ok("-j map dump name inner_a"),
		`[{"key":["0x00","0x00","0x00","0x00"],"value":["0x00","0x00","0x00","0x00"],"formatted":{"key":0,"value":0}},`+
			`{"key":["0x01","0x00","0x00","0x00"],"value":["0x01","0x00","0x00","0x00"],"formatted":{"key":1,"value":1}}]`+"\n")
	expectEqual(t, "lru", h.ok("map lookup name lru key 1 0 0 0"), "{\n    \"key\": 1,\n    \"value\": 1\n}\n")
	expectEqual(t, "queue", h.ok("map peek name q"), "value: 07 00 00 00\n")
	expectEqual(t, "shared", h.ok("-j map lookup pinned /sys/fs/bpf/shared key 1 0 0 0"),
		`{"key":["0x01","0x00","0x00","0x00"],"value":["0x07","0x00","0x00","0x00"],"formatted":{"key":1,"value":7}}`+"\n")
	expectEqual(t, "empty trie", h.ok("map dump name routes"), "[]\n")
	h.ok("map update name routes key 32 0 0 0 10 0 0 1 value 5 0 0 0")
	expectEqual(t, "trie", h.ok("map lookup name routes key 32 0 0 0 10 0 0 1"),
		"{\n    \"key\": {\n        \"prefixlen\": 32,\n        \"addr\": 16777226\n    },\n    \"value\": 5\n}\n")
	// The program now finds the route and drops; the inner map counted both runs.
	if out := h.ok(run); !strings.HasPrefix(out, `{"retval":1,`) {
		t.Fatalf("second run: %s", out)
	}
	expectEqual(t, "inner after two runs", h.ok("map lookup name inner_a key 1 0 0 0"), "{\n    \"key\": 1,\n    \"value\": 2\n}\n")
	expectEqual(t, "queue pop", h.ok("map pop name q"), "value: 07 00 00 00\n")
	expectEqual(t, "queue pop 2", h.ok("map pop name q"), "value: 07 00 00 00\n")
	expectEqual(t, "queue empty", h.fails("map pop name q", "").stdout, "Error: empty map\n")

	// A second load reuses the map pinned by name.
	h.ok("prog loadall " + obj + " /sys/fs/bpf/mm2")
	expectEqual(t, "same shared map", h.ok("-j map show pinned /sys/fs/bpf/shared"), shared)
	if n := strings.Count(h.ok("map show name shared"), "name shared"); n != 1 {
		t.Fatalf("%d maps named shared, want 1", n)
	}
	if n := strings.Count(h.ok("map show name inner_a"), "name inner_a"); n != 2 {
		t.Fatalf("%d maps named inner_a, want 2", n)
	}
	// With pinmaps elsewhere, libbpf refuses a map pinned by name.
	r := h.fails("prog loadall "+obj+" /sys/fs/bpf/mm3 pinmaps /sys/fs/bpf/mm3maps", "")
	if !strings.HasSuffix(r.stderr, "libbpf: map 'shared' already has pin path '/sys/fs/bpf/shared' different from '/sys/fs/bpf/mm3maps/shared'\nError: failed to pin all maps\n") {
		t.Fatalf("pinmaps with a pinned-by-name map: %q", r.stderr)
	}
}
