package arm64_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
)

func TestSmoke(t *testing.T) {
	needNative(t)
	insns, err := conformance.Assemble("mov %r0, 42\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	got := differential(t, insns, nil)
	if got.r0 != 42 || got.err != nil {
		t.Fatalf("r0 = %d, err %v", got.r0, got.err)
	}
}
