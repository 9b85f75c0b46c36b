package arm64_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// TestJumpImmediates checks every conditional jump, 64- and 32-bit, with
// immediates at the edges of the compare-immediate forms (CMP #imm, CMN
// #-imm, register) against the interpreter, over values around zero, the
// signed and unsigned extremes and the immediates themselves.
func TestJumpImmediates(t *testing.T) {
	needNative(t)
	values := []uint64{0, 1, 4095, 4096, 0xffffffffffffffff, 0xfffffffffffff001, 0xfffffffffffff000,
		0xffffffff, 0xfffff001, 0x80000000, 0x7fffffff, 0x8000000000000000, 0x7fffffffffffffff, 0xfffffffffffffffb, 5}
	imms := []int32{0, 1, 5, 4095, 4096, -1, -5, -4095, -4096, -0x80000000, 0x7fffffff}
	for _, cls := range []uint8{isa.ClassJMP, isa.ClassJMP32} {
		for _, op := range jmpOps {
			for _, imm := range imms {
				var insns []isa.Instruction
				insns = append(insns, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov, Dst: 0})
				for k, v := range values {
					insns = append(insns,
						isa.Instruction{Opcode: isa.OpLdImm64, Dst: 1, Imm: int32(uint32(v))},
						isa.Instruction{Imm: int32(uint32(v >> 32))},
						isa.Instruction{Opcode: cls | op, Dst: 1, Imm: imm, Offset: 1},
						isa.Instruction{Opcode: isa.OpJA, Offset: 1},
						isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUOr, Dst: 0, Imm: 1 << k})
				}
				insns = append(insns, isa.Instruction{Opcode: isa.OpExit})
				differential(t, insns, nil)
				if t.Failed() {
					t.Fatalf("class %#x op %#x imm %d", cls, op, imm)
				}
			}
		}
	}
}
