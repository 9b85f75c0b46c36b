package arm64_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// TestAdjustCompiled: the arm64 back end compiles the three XDP packet
// adjustments of an XDP program natively (on any host), and none with
// NoInline or another helper table. Their results are tested by
// jit/adjust_test.go and jit/adjust_fuzz_test.go, run under qemu with
// GOARCH=arm64 (go test -exec qemu-aarch64-static -run Adjust ./jit/),
// and by the corpus (adjust, limits) in corpus_test.go.
func TestAdjustCompiled(t *testing.T) {
	var insns []isa.Instruction
	for _, num := range []int32{helpers.FnXDPAdjustHead, helpers.FnXDPAdjustMeta, helpers.FnXDPAdjustTail} {
		insns = append(insns,
			isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 2, Imm: -4},
			isa.Instruction{Opcode: isa.OpCall, Imm: num})
	}
	insns = append(insns, isa.Instruction{Opcode: isa.OpExit})
	for _, c := range []struct {
		tab     *vm.HelperTable
		opts    jit.Options
		inlined int
	}{
		{progtype.XDP.Helpers(), jit.Options{}, 3},
		{progtype.XDP.Helpers(), jit.Options{NoInline: true}, 0},
		{helpers.XDP(nil), jit.Options{}, 0},
	} {
		p := &vm.Program{Name: "adjust", Type: "xdp", Insns: insns, Helpers: c.tab}
		code, err := jit.CompileFor("arm64", p, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if code.Inlined != c.inlined {
			t.Errorf("options %+v: %d calls inlined, want %d", c.opts, code.Inlined, c.inlined)
		}
	}
}
