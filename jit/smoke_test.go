package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/amd64"
	"github.com/bpfhost/bpfhost/vm"
)

func TestSmoke(t *testing.T) {
	insns := []isa.Instruction{
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 0, Imm: 0},
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 1, Imm: 10},
		{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: 0, Src: 1},
		{Opcode: isa.ClassALU64 | isa.ALUSub | isa.SrcK, Dst: 1, Imm: 1},
		{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 1, Imm: 0, Offset: -3},
		{Opcode: isa.OpExit},
	}
	p := &vm.Program{Name: "smoke", Insns: insns, Helpers: &vm.HelperTable{}}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	cpu := cpus.Acquire()
	cpu.Run.Reset(p)
	r0, err := exe.Run(&cpu.Run, 0, 0)
	if err != nil || r0 != 55 {
		t.Fatalf("r0 = %d, %v; want 55", r0, err)
	}
}
