package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestVerifyMode measures two programs without the kernel and checks the
// table's rows and totals.
func TestVerifyMode(t *testing.T) {
	var b bytes.Buffer
	if err := runVerify(&b, 1, "progs/(parse|calls)\\.o/", false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"testdata/progs/parse.o/xdp_parse", "testdata/progs/calls.o/xdp_calls", "\n2 programs: bpfhost ", "slowest: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "refused") {
		t.Errorf("a corpus program was refused:\n%s", out)
	}
}
