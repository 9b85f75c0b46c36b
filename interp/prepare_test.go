package interp

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

func TestPrepareErrors(t *testing.T) {
	var tbl vm.HelperTable
	tbl[1] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 { return 0 }
	for _, c := range []struct {
		name  string
		insns []isa.Instruction
		sub   string
	}{
		{"empty", nil, "no instructions"},
		{"jump past end", prog(ja(1), exit()), "instruction 0 (opcode 0x05): target 2 is outside the program"},
		{"jump before start", prog(exit(), jmpK(isa.JmpJEQ, r0, 0, -3)), "instruction 1 (opcode 0x15): target -1 is outside"},
		{"jump into ld_imm64", prog(ja(1), ldImm64(r0, 1), exit()), "instruction 0 (opcode 0x05): target 2 is the second slot of an ld_imm64"},
		{"gotol past end", prog(isa.Instruction{Opcode: isa.OpJA32, Imm: 1 << 20}, exit()), "instruction 0 (opcode 0x06): target 1048577"},
		{"truncated ld_imm64", prog(exit(), ldImm64(r0, 1)[0]), "instruction 1: ld_imm64 is truncated"},
		{"unknown opcode", prog(isa.Instruction{Opcode: 0xff}, exit()), "instruction 0: unknown opcode 0xff"},
		{"ld class other than imm64", prog(isa.Instruction{Opcode: 0x00}, exit()), "unknown opcode 0x0"},
		{"legacy abs", prog(isa.Instruction{Opcode: isa.ClassLD | isa.ModeABS | isa.SizeW}, exit()), "BPF_ABS"},
		{"ldxsx dw", prog(ldxsx(isa.SizeDW, r0, r1, 0), exit()), "unknown opcode 0x99"},
		{"neg X", prog(alu64X(isa.ALUNeg, r0, r1), exit()), "unknown opcode 0x8f"},
		{"jmp32 call", prog(isa.Instruction{Opcode: isa.ClassJMP32 | isa.JmpCall, Imm: 1}, exit()), "unknown opcode 0x86"},
		{"ja X", prog(isa.Instruction{Opcode: isa.OpJA | isa.SrcX}, exit()), "unknown opcode 0x0d"},
		{"bad div offset", prog(alu64K(isa.ALUDiv, r0, 1), exit()), ""},
		{"bad movsx offset", func() []isa.Instruction {
			i := alu32X(isa.ALUMov, r0, r1)
			i.Offset = 32
			return prog(i, exit())
		}(), "instruction 0 (opcode 0xbc): invalid offset 32 for mov"},
		{"bad swap width", prog(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUEnd, Imm: 8}, exit()), "byte swap width 8"},
		{"bad atomic op", prog(atomicOp(isa.SizeDW, r1, r2, 0, 0x10), exit()), "unknown atomic operation 0x10"},
		{"atomic byte", prog(atomicOp(isa.SizeB, r1, r2, 0, isa.AtomicAdd), exit()), "32 or 64 bits"},
		{"register 11", prog(mov64(11, 0), exit()), "invalid register"},
		{"write r10", prog(mov64(r10, 0), exit()), "instruction 0 (opcode 0xb7): r10 is the read-only frame pointer"},
		{"load into r10", prog(ldx(isa.SizeDW, r10, r1, 0), exit()), "read-only frame pointer"},
		{"ld_imm64 into r10", prog(ldImm64(r10, 1), exit()), "instruction 0 (opcode 0x18): r10 is the read-only frame pointer"},
		{"fetch into r10", prog(atomicOp(isa.SizeDW, r1, r10, 0, isa.AtomicXchg), exit()), "read-only frame pointer"},
		{"local call out of range", prog(callLocal(5), exit()), "instruction 0 (opcode 0x85): target 6 is outside"},
		{"local call into ld_imm64", prog(callLocal(2), exit(), ldImm64(r0, 1), exit()), "target 3 is the second slot"},
		{"kfunc", prog(isa.Instruction{Opcode: isa.OpCall, Src: isa.CallKfunc, Imm: 5}, exit()), "kfunc calls are not supported"},
		{"unknown helper", prog(call(2), exit()), "instruction 0 calls unknown helper 2"},
	} {
		if c.name == "bad div offset" {
			c.insns[0].Offset = 2
			c.sub = "instruction 0 (opcode 0x37): division/modulo offset must be 0 or 1, not 2"
		}
		_, err := New().Prepare(&vm.Program{Name: "bad", Insns: c.insns, Helpers: &tbl, Checked: true})
		if err == nil {
			t.Errorf("%s: prepared", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.sub) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.sub)
		}
	}
}

func TestPrepareCaches(t *testing.T) {
	p := &vm.Program{Name: "p", Insns: prog(mov64(r0, 1), exit())}
	eng := New()
	if eng.Name() != "interpreter" {
		t.Errorf("Name() = %q", eng.Name())
	}
	a, err := eng.Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.Prepare(p)
	if err != nil || a != b {
		t.Errorf("second Prepare returned %p, %v; want the cached %p", b, err, a)
	}
	if c, ok := p.Compiled(engineKey{}); !ok || c != a {
		t.Errorf("executable not cached on the program")
	}
}
