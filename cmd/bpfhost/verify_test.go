package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifierAtLoad drives the binary (through a service when
// BPFHOST_TEST_THROUGH_SERVICE is set): an unsafe program is refused at
// load with the kernel-like log, loads only with --unsafe-skip-verifier,
// and then runs checked in later commands; verify reports per program.
func TestVerifierAtLoad(t *testing.T) {
	h := newHost(t)
	bad, err := filepath.Abs("../../verifier/testdata/bad_nobounds.o")
	if err != nil {
		t.Fatal(err)
	}
	good, err := filepath.Abs("../../testdata/progs/parse.o")
	if err != nil {
		t.Fatal(err)
	}
	r := h.fails("prog load "+bad+" /sys/fs/bpf/bad", "")
	for _, want := range []string{"verifier refused the program at instruction 6", "; return ip->protocol", "6: (71) r1 = *(u8 *)(r1 +23)", "Error: failed to load object file"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	h.ok("--unsafe-skip-verifier prog load " + bad + " /sys/fs/bpf/bad")
	h.write("in.bin", make([]byte, 14))
	r = h.fails("prog run pinned /sys/fs/bpf/bad data_in in.bin", "")
	if !strings.Contains(r.stderr, "instruction 6: out-of-bounds load") {
		t.Errorf("unverified run not stopped by the checks:\n%s", r.stderr)
	}
	h.ok("prog load " + good + " /sys/fs/bpf/good")
	h.ok("prog run pinned /sys/fs/bpf/good data_in in.bin")

	var vs []struct {
		Name     string
		Verified bool
		Error    string
	}
	out := h.ok("verify -j " + good)
	if err := json.Unmarshal([]byte(out), &vs); err != nil || len(vs) != 1 || !vs[0].Verified || vs[0].Name != "xdp_parse" {
		t.Errorf("verify -j: %v %s", err, out)
	}
	r = h.fails("verify -j "+bad, "")
	if err := json.Unmarshal([]byte(r.stdout), &vs); err != nil || len(vs) != 1 || vs[0].Verified || !strings.Contains(vs[0].Error, "invalid access to packet") {
		t.Errorf("verify -j bad: %v %s", err, r.stdout)
	}
}
