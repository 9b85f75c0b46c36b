package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// TestDumpJited checks that `prog dump jited` prints the JIT's native code:
// headed by the program name, with one marker per eBPF instruction, and as
// a JSON object of lines with -j.
func TestDumpJited(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("no JIT back end for %s", runtime.GOARCH)
	}
	h := newHost(t)
	h.ok("prog loadall " + testObject(t) + " /sys/fs/bpf/jited")
	out := h.ok("prog dump jited pinned /sys/fs/bpf/jited/xdp_tail")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "xdp_tail:" {
		t.Fatalf("first line %q, want the program name", lines[0])
	}
	if !strings.Contains(out, "; insn 0\n") || !strings.Contains(out, "; prologue\n") {
		t.Fatalf("dump lacks the instruction markers:\n%s", out)
	}
	var progs []struct {
		Name  string   `json:"name"`
		Arch  string   `json:"arch"`
		Insns []string `json:"insns"`
	}
	if err := json.Unmarshal([]byte(h.ok("-j prog dump jited pinned /sys/fs/bpf/jited/xdp_tail")), &progs); err != nil {
		t.Fatal(err)
	}
	if len(progs) != 1 || progs[0].Name != "xdp_tail" || progs[0].Arch != runtime.GOARCH || len(progs[0].Insns) < len(lines)-1 {
		t.Fatalf("JSON dump %+v does not match the plain one (%d lines)", progs, len(lines))
	}
	h.fails("prog dump jited pinned /sys/fs/bpf/jited/missing", "")
}
