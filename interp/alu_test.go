package interp

import (
	"math"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

const (
	r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 = isa.R0, isa.R1, isa.R2, isa.R3, isa.R4, isa.R5, isa.R6, isa.R7, isa.R8, isa.R9, isa.R10
)

type progCase struct {
	name  string
	insns []isa.Instruction
	want  uint64
}

// bin64 computes r0 = a OP b with b in r1 (X form).
func bin64(op uint8, a, b uint64, off int16) []isa.Instruction {
	ins := alu64X(op, r0, r1)
	ins.Offset = off
	return prog(ldImm64(r0, a), ldImm64(r1, b), ins, exit())
}

// bin64K computes r0 = a OP imm.
func bin64K(op uint8, a uint64, imm int32, off int16) []isa.Instruction {
	ins := alu64K(op, r0, imm)
	ins.Offset = off
	return prog(ldImm64(r0, a), ins, exit())
}

func bin32(op uint8, a, b uint64, off int16) []isa.Instruction {
	ins := alu32X(op, r0, r1)
	ins.Offset = off
	return prog(ldImm64(r0, a), ldImm64(r1, b), ins, exit())
}

func bin32K(op uint8, a uint64, imm int32, off int16) []isa.Instruction {
	ins := alu32K(op, r0, imm)
	ins.Offset = off
	return prog(ldImm64(r0, a), ins, exit())
}

const minInt64 = uint64(1) << 63

func neg(v int64) uint64 { return uint64(v) }

func TestALU64(t *testing.T) {
	e := newEnv(t)
	for _, c := range []progCase{
		{"add K negative imm", bin64K(isa.ALUAdd, 5, -3, 0), 2},
		{"add X wraps", bin64(isa.ALUAdd, math.MaxUint64, 2, 0), 1},
		{"sub K below zero", bin64K(isa.ALUSub, 0, 1, 0), math.MaxUint64},
		{"sub X", bin64(isa.ALUSub, 100, 58, 0), 42},
		{"mul K", bin64K(isa.ALUMul, 1<<32, 16, 0), 1 << 36},
		{"mul X wraps", bin64(isa.ALUMul, 1<<63, 2, 0), 0},
		{"div K", bin64K(isa.ALUDiv, 100, 7, 0), 14},
		{"div K imm sign-extended", bin64K(isa.ALUDiv, math.MaxUint64, -1, 0), 1},
		{"div K by zero", bin64K(isa.ALUDiv, 100, 0, 0), 0},
		{"div X by zero", bin64(isa.ALUDiv, 100, 0, 0), 0},
		{"div X unsigned", bin64(isa.ALUDiv, neg(-100), 7, 0), uint64(math.MaxUint64-99) / 7},
		{"sdiv K", bin64K(isa.ALUDiv, neg(-100), 7, 1), neg(-14)},
		{"sdiv X negative divisor", bin64(isa.ALUDiv, 100, neg(-7), 1), neg(-14)},
		{"sdiv INT_MIN/-1", bin64(isa.ALUDiv, minInt64, neg(-1), 1), minInt64},
		{"sdiv K INT_MIN/-1", bin64K(isa.ALUDiv, minInt64, -1, 1), minInt64},
		{"sdiv X by zero", bin64(isa.ALUDiv, neg(-5), 0, 1), 0},
		{"sdiv K by zero", bin64K(isa.ALUDiv, neg(-5), 0, 1), 0},
		{"mod K", bin64K(isa.ALUMod, 100, 7, 0), 2},
		{"mod X", bin64(isa.ALUMod, 1<<40+3, 1<<20, 0), 3},
		{"mod K by zero keeps dst", bin64K(isa.ALUMod, 0x1234_5678_9abc, 0, 0), 0x1234_5678_9abc},
		{"mod X by zero keeps dst", bin64(isa.ALUMod, 0x1234_5678_9abc, 0, 0), 0x1234_5678_9abc},
		{"smod K", bin64K(isa.ALUMod, neg(-100), 7, 1), neg(-2)},
		{"smod X negative divisor", bin64(isa.ALUMod, 100, neg(-7), 1), 2},
		{"smod INT_MIN%-1", bin64(isa.ALUMod, minInt64, neg(-1), 1), 0},
		{"smod X by zero keeps dst", bin64(isa.ALUMod, neg(-5), 0, 1), neg(-5)},
		{"or K", bin64K(isa.ALUOr, 0xf0, 0x0f, 0), 0xff},
		{"or K sign-extended", bin64K(isa.ALUOr, 0, -2, 0), neg(-2)},
		{"or X", bin64(isa.ALUOr, 1<<40, 1, 0), 1<<40 | 1},
		{"and K", bin64K(isa.ALUAnd, 0xffff_ffff_ffff, 0xff00, 0), 0xff00},
		{"and X", bin64(isa.ALUAnd, 0xf0f0, 0xff00, 0), 0xf000},
		{"xor K", bin64K(isa.ALUXor, 0xff, 0x0f, 0), 0xf0},
		{"xor X", bin64(isa.ALUXor, math.MaxUint64, 1, 0), math.MaxUint64 - 1},
		{"lsh K 63", bin64K(isa.ALULsh, 1, 63, 0), 1 << 63},
		{"lsh X masked 65", bin64(isa.ALULsh, 1, 65, 0), 2},
		{"lsh X masked 64", bin64(isa.ALULsh, 3, 64, 0), 3},
		{"rsh K", bin64K(isa.ALURsh, 1<<63, 63, 0), 1},
		{"rsh X masked 64", bin64(isa.ALURsh, 0x80, 64, 0), 0x80},
		{"rsh X masked 67", bin64(isa.ALURsh, 0x80, 67, 0), 0x10},
		{"arsh K", bin64K(isa.ALUArsh, neg(-16), 2, 0), neg(-4)},
		{"arsh X masked 65", bin64(isa.ALUArsh, neg(-16), 65, 0), neg(-8)},
		{"arsh K positive", bin64K(isa.ALUArsh, 1<<62, 62, 0), 1},
		{"neg", prog(mov64(r0, 5), alu64K(isa.ALUNeg, r0, 0), exit()), neg(-5)},
		{"neg INT_MIN", prog(ldImm64(r0, minInt64), alu64K(isa.ALUNeg, r0, 0), exit()), minInt64},
		{"mov K sign-extends", prog(mov64(r0, -1), exit()), math.MaxUint64},
		{"mov X", prog(ldImm64(r1, 0x1122_3344_5566_7788), movReg(r0, r1), exit()), 0x1122_3344_5566_7788},
		{"movsx 8 negative", bin64(isa.ALUMov, 0, 0x1234_5680, 8), neg(-128)},
		{"movsx 8 positive", bin64(isa.ALUMov, 0, 0xff7f, 8), 0x7f},
		{"movsx 16", bin64(isa.ALUMov, 0, 0x1_8000, 16), neg(-32768)},
		{"movsx 32", bin64(isa.ALUMov, 0, 0x1_8000_0000, 32), 0xffff_ffff_8000_0000},
		{"movsx 32 positive", bin64(isa.ALUMov, 0, 0xffff_ffff_7fff_ffff, 32), 0x7fff_ffff},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
}

func TestALU32(t *testing.T) {
	e := newEnv(t)
	const hi = 0xdead_beef_0000_0000 // upper bits every 32-bit op must clear
	for _, c := range []progCase{
		{"add K zero-extends", bin32K(isa.ALUAdd, hi|1, 1, 0), 2},
		{"add K wraps", bin32K(isa.ALUAdd, 0xffff_ffff, 1, 0), 0},
		{"add X", bin32(isa.ALUAdd, hi|5, hi|6, 0), 11},
		{"sub K", bin32K(isa.ALUSub, 0, 1, 0), 0xffff_ffff},
		{"sub X", bin32(isa.ALUSub, hi|10, 3, 0), 7},
		{"mul K", bin32K(isa.ALUMul, 0x1_0001, 0x1_0001, 0), 0x2_0001},
		{"mul X", bin32(isa.ALUMul, hi|3, 5, 0), 15},
		{"div K", bin32K(isa.ALUDiv, hi|100, 7, 0), 14},
		{"div K unsigned imm", bin32K(isa.ALUDiv, 0xffff_ffff, -1, 0), 1},
		{"div K by zero", bin32K(isa.ALUDiv, hi|100, 0, 0), 0},
		{"div X by zero (low half zero)", bin32(isa.ALUDiv, hi|100, 1<<32, 0), 0},
		{"sdiv K", bin32K(isa.ALUDiv, uint64(uint32(0xffff_ff9c)), 7, 1), 0xffff_fff2},
		{"sdiv X INT_MIN/-1", bin32(isa.ALUDiv, 0x8000_0000, 0xffff_ffff, 1), 0x8000_0000},
		{"sdiv X by zero", bin32(isa.ALUDiv, hi|5, 0, 1), 0},
		{"mod K", bin32K(isa.ALUMod, hi|100, 7, 0), 2},
		{"mod K by zero zero-extends", bin32K(isa.ALUMod, hi|5, 0, 0), 5},
		{"mod X by zero zero-extends", bin32(isa.ALUMod, hi|5, 1<<32, 0), 5},
		{"smod K", bin32K(isa.ALUMod, 0xffff_ff9c, 7, 1), 0xffff_fffe},
		{"smod X INT_MIN%-1", bin32(isa.ALUMod, 0x8000_0000, 0xffff_ffff, 1), 0},
		{"smod X by zero zero-extends", bin32(isa.ALUMod, hi|0xffff_fffb, 0, 1), 0xffff_fffb},
		{"or K", bin32K(isa.ALUOr, hi|0xf0, 0x0f, 0), 0xff},
		{"or X", bin32(isa.ALUOr, hi, 1, 0), 1},
		{"and K", bin32K(isa.ALUAnd, hi|0xffff, 0xff, 0), 0xff},
		{"and X", bin32(isa.ALUAnd, math.MaxUint64, hi|0xf0, 0), 0xf0},
		{"xor K", bin32K(isa.ALUXor, hi|0xff, -1, 0), 0xffff_ff00},
		{"xor X", bin32(isa.ALUXor, hi|1, 3, 0), 2},
		{"lsh K 31", bin32K(isa.ALULsh, 1, 31, 0), 0x8000_0000},
		{"lsh K drops carry", bin32K(isa.ALULsh, 0x8000_0000, 1, 0), 0},
		{"lsh X masked 33", bin32(isa.ALULsh, 1, 33, 0), 2},
		{"lsh X masked 32", bin32(isa.ALULsh, hi|3, 32, 0), 3},
		{"rsh K ignores upper half", bin32K(isa.ALURsh, 0xffff_ffff_8000_0000, 4, 0), 0x0800_0000},
		{"rsh X masked 36", bin32(isa.ALURsh, 0x80, 36, 0), 0x8},
		{"arsh K", bin32K(isa.ALUArsh, 0x8000_0000, 4, 0), 0xf800_0000},
		{"arsh X masked 33", bin32(isa.ALUArsh, hi|0xffff_fff0, 33, 0), 0xffff_fff8},
		{"neg", prog(mov64(r0, 1), alu32K(isa.ALUNeg, r0, 0), exit()), 0xffff_ffff},
		{"mov K", prog(alu32K(isa.ALUMov, r0, -1), exit()), 0xffff_ffff},
		{"mov X zero-extends", prog(mov64(r1, -1), alu32X(isa.ALUMov, r0, r1), exit()), 0xffff_ffff},
		{"movsx 8", bin32(isa.ALUMov, hi, 0x80, 8), 0xffff_ff80},
		{"movsx 16", bin32(isa.ALUMov, hi, 0x8000, 16), 0xffff_8000},
		{"movsx 16 positive", bin32(isa.ALUMov, hi, 0xf_7fff, 16), 0x7fff},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
}

func TestByteOrder(t *testing.T) {
	e := newEnv(t)
	const v = 0x1122_3344_5566_7788
	end := func(class, src uint8, width int32) []isa.Instruction {
		return prog(ldImm64(r0, v), isa.Instruction{Opcode: class | isa.ALUEnd | src, Dst: r0, Imm: width}, exit())
	}
	swapped := map[int32]uint64{16: 0x8877, 32: 0x8877_6655, 64: 0x8877_6655_4433_2211}
	same := map[int32]uint64{16: 0x7788, 32: 0x5566_7788, 64: v}
	le, be := same, swapped
	if bigEndian {
		le, be = swapped, same
	}
	for _, w := range []int32{16, 32, 64} {
		e.mustRun("bswap"+itoa(w), end(isa.ClassALU64, isa.SrcK, w), swapped[w])
		e.mustRun("le"+itoa(w), end(isa.ClassALU, isa.EndToLE, w), le[w])
		e.mustRun("be"+itoa(w), end(isa.ClassALU, isa.EndToBE, w), be[w])
	}
}

func itoa(v int32) string {
	if v == 0 {
		return "0"
	}
	s := ""
	for ; v > 0; v /= 10 {
		s = string(rune('0'+v%10)) + s
	}
	return s
}
