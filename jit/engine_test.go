package jit_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// TestCheckedRefused: unverified programs never run natively; the auto
// engine hands them to the interpreter.
func TestCheckedRefused(t *testing.T) {
	p := &vm.Program{Name: "c", Insns: prog(mov(0, 1), exit()), Helpers: &vm.HelperTable{}, Checked: true}
	if _, err := jit.New().Prepare(p); !errors.Is(err, jit.ErrChecked) {
		t.Fatalf("checked program: %v, want ErrChecked", err)
	}
	exe, err := jit.NewAuto(jit.Options{}).Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, native := exe.(*jit.Executable); native {
		t.Fatal("auto engine compiled a checked program")
	}
	p.Checked = false
	exe, err = jit.NewAuto(jit.Options{}).Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, native := exe.(*jit.Executable); !native && jit.Supported() {
		t.Fatal("auto engine interprets a verified program")
	}
}

// TestBlindingHidesConstants: with blinding, no program-chosen 32- or
// 64-bit constant appears in the machine code; without, they do.
func TestBlindingHidesConstants(t *testing.T) {
	const k32 = 0x5a3c9671
	const k64 = 0x1122334455667788
	insns := prog(mov(0, k32), isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcK, Imm: k32},
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Imm: k32, Offset: 0},
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeW, Dst: 10, Offset: -4, Imm: k32},
		ldImm64(2, k64), exit())
	p := &vm.Program{Name: "b", Insns: insns, Helpers: &vm.HelperTable{}}
	var c32 [4]byte
	var c64 [8]byte
	binary.LittleEndian.PutUint32(c32[:], k32)
	binary.LittleEndian.PutUint64(c64[:], k64)
	for _, blind := range []bool{false, true} {
		code, err := jit.CompileFor("amd64", p, jit.Options{Blind: blind})
		if err != nil {
			t.Fatal(err)
		}
		n32 := bytes.Count(code.Text, c32[:])
		has64 := bytes.Contains(code.Text, c64[:])
		if blind && (n32 > 0 || has64) {
			t.Errorf("blinded code holds the constants (%d times k32, k64 %v)", n32, has64)
		}
		if !blind && (n32 != 4 || !has64) {
			t.Errorf("plain code holds k32 %d times (want 4), k64 %v", n32, has64)
		}
	}
}
