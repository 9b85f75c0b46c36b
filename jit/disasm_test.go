package jit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// TestDisassembleAMD64 checks the listing of a small program: every eBPF
// instruction is marked and the code of each is the expected x86-64.
func TestDisassembleAMD64(t *testing.T) {
	p := &vm.Program{Name: "d", Helpers: &vm.HelperTable{}, Insns: []isa.Instruction{
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 0, Imm: 7},
		{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: 0, Src: 1},
		{Opcode: isa.OpExit},
	}}
	code, err := jit.CompileFor("amd64", p, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := jit.Disassemble(code, &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"; prologue\n", "; start\n", "; callback\n",
		"; insn 0\n", "mov $0x7,%eax\n",
		"; insn 1\n", "add %rdi,%rax\n",
		"; insn 2\n", "retq\n",
		"; end of program",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(bad)") {
		t.Errorf("undecodable bytes:\n%s", out)
	}
}
