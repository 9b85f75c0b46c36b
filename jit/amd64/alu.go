package amd64

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// alu compiles ALU and ALU64 instructions. 32-bit operations use the
// 32-bit forms, which zero the upper half as eBPF requires.
func (c *compiler) alu(ins isa.Instruction) error {
	a := &c.a
	w := isa.Class(ins.Opcode) == isa.ClassALU64
	op := isa.ALUOp(ins.Opcode)
	x := isa.Source(ins.Opcode) == isa.SrcX
	dst := regs[ins.Dst]
	var src reg
	if x {
		src = regs[ins.Src]
	}
	switch op {
	case isa.ALUDiv, isa.ALUMod:
		if ins.Offset != 0 && ins.Offset != 1 {
			return fmt.Errorf("division/modulo offset must be 0 or 1, not %d", ins.Offset)
		}
	case isa.ALUMov:
		if ins.Offset != 0 && !(x && (ins.Offset == 8 || ins.Offset == 16 || ins.Offset == 32 && w)) {
			return fmt.Errorf("invalid offset %d for mov", ins.Offset)
		}
	case isa.ALUEnd:
		return c.end(ins, w, x, dst)
	default:
		if ins.Offset != 0 {
			return fmt.Errorf("offset %d must be 0 for this ALU operation", ins.Offset)
		}
	}
	if ins.Dst == isa.R10 {
		return fmt.Errorf("r10 is the read-only frame pointer")
	}
	// Blinding: constants the program chose go through regTmp, XORed
	// with a random key (shift counts are masked and stay plain).
	if !x && c.rng != nil && op != isa.ALUNeg && op != isa.ALULsh && op != isa.ALURsh && op != isa.ALUArsh {
		src, x = c.immReg(ins.Imm), true
	}
	k := ins.Imm
	switch op {
	case isa.ALUAdd, isa.ALUSub, isa.ALUOr, isa.ALUAnd, isa.ALUXor:
		o := aluGroup1[op>>4]
		if x {
			a.aluRR(o, w, dst, src)
		} else {
			a.aluRI(o, w, dst, k)
		}
	case isa.ALUMul:
		if x {
			a.imulRR(w, dst, src)
		} else {
			a.imulRRI(w, dst, dst, k)
		}
	case isa.ALUDiv, isa.ALUMod:
		c.divmod(w, ins.Offset == 1, op == isa.ALUMod, dst, x, src, k)
	case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
		sh := aluShift[op>>4]
		if x {
			c.shiftX(sh, w, dst, src)
			break
		}
		n := uint8(k) & 31
		if w {
			n = uint8(k) & 63
		}
		if n != 0 {
			a.shiftRI(sh, w, dst, n)
		} else if !w {
			a.movRR(false, dst, dst)
		}
	case isa.ALUNeg:
		if x {
			return fmt.Errorf("neg takes no source register")
		}
		a.neg(w, dst)
	case isa.ALUMov:
		switch {
		case !x && w:
			a.movImm64(dst, uint64(int64(k)))
		case !x:
			a.movRI32(dst, uint32(k))
		case ins.Offset != 0:
			a.movsxRR(int(ins.Offset), w, dst, src)
		case w && dst == src:
		default:
			a.movRR(w, dst, src)
		}
	default:
		return fmt.Errorf("unknown ALU operation")
	}
	return nil
}

// aluGroup1 and aluShift translate eBPF ALU operations (op>>4) to x86
// group-1 and shift operations.
var (
	aluGroup1 = [16]int{isa.ALUAdd >> 4: aluAdd, isa.ALUSub >> 4: aluSub, isa.ALUOr >> 4: aluOr, isa.ALUAnd >> 4: aluAnd, isa.ALUXor >> 4: aluXor}
	aluShift  = [16]int{isa.ALULsh >> 4: shShl, isa.ALURsh >> 4: shShr, isa.ALUArsh >> 4: shSar}
)

// shiftX shifts dst by src (x86 masks the count to 5 or 6 bits, as eBPF
// requires); the count must be in CL, which is eBPF r4.
func (c *compiler) shiftX(sh int, w bool, dst, src reg) {
	a := &c.a
	switch {
	case src == rcx:
		a.shiftRCL(sh, w, dst)
	case dst == rcx:
		a.movRR(true, regAux, rcx)
		a.movRR(true, rcx, src)
		a.shiftRCL(sh, w, regAux)
		a.movRR(true, rcx, regAux)
	default:
		a.movRR(true, regAux, rcx)
		a.movRR(true, rcx, src)
		a.shiftRCL(sh, w, dst)
		a.movRR(true, rcx, regAux)
	}
	if !w {
		// A zero count leaves the register unwritten on some CPUs; make
		// the 32-bit result's zero extension explicit.
		a.movRR(false, dst, dst)
	}
}

// divmod compiles unsigned and signed division and modulo with eBPF's
// rules: x/0 = 0, x%0 = x (zero-extended in 32-bit), and for signed
// operations MIN/-1 = MIN and MIN%-1 = 0 where x86 would trap.
func (c *compiler) divmod(w, signed, mod bool, dst reg, x bool, src reg, k int32) {
	a := &c.a
	if !x {
		switch {
		case k == 0:
			c.divByZero(w, mod, dst)
			return
		case signed && k == -1:
			c.divByMinusOne(w, mod, dst)
			return
		}
		if w {
			a.movRIsx(regAux, k)
		} else {
			a.movRI32(regAux, uint32(k))
		}
		c.divCore(w, signed, mod, dst)
		return
	}
	a.movRR(w, regAux, src)
	a.testRR(w, regAux, regAux)
	nz := a.jcc8(condNE)
	c.divByZero(w, mod, dst)
	done1 := a.jmp8()
	a.patch8(nz)
	var done2 = -1
	if signed {
		a.aluRI(aluCmp, w, regAux, -1)
		ne := a.jcc8(condNE)
		c.divByMinusOne(w, mod, dst)
		done2 = a.jmp8()
		a.patch8(ne)
	}
	c.divCore(w, signed, mod, dst)
	a.patch8(done1)
	if done2 >= 0 {
		a.patch8(done2)
	}
}

func (c *compiler) divByZero(w, mod bool, dst reg) {
	switch {
	case !mod:
		c.a.aluRR(aluXor, false, dst, dst)
	case !w:
		c.a.movRR(false, dst, dst)
	}
}

func (c *compiler) divByMinusOne(w, mod bool, dst reg) {
	if mod {
		c.a.aluRR(aluXor, false, dst, dst)
	} else {
		c.a.neg(w, dst)
	}
}

// divCore divides dst by regAux (non-zero, and not -1 if signed) with
// div/idiv, which use rdx:rax: eBPF r0 and r3 are saved around it.
func (c *compiler) divCore(w, signed, mod bool, dst reg) {
	a := &c.a
	if dst != rax {
		a.push(rax)
	}
	if dst != rdx {
		a.push(rdx)
	}
	if dst != rax {
		a.movRR(true, rax, dst)
	}
	if signed {
		a.cqo(w)
	} else {
		a.aluRR(aluXor, false, rdx, rdx)
	}
	a.div(w, signed, regAux)
	res := rax
	if mod {
		res = rdx
	}
	a.movRR(true, regTmp, res)
	if dst != rdx {
		a.pop(rdx)
	}
	if dst != rax {
		a.pop(rax)
	}
	a.movRR(true, dst, regTmp)
}

// end compiles le/be (ALU) and bswap (ALU64). The host is little-endian:
// "to little-endian" only truncates.
func (c *compiler) end(ins isa.Instruction, w, x bool, dst reg) error {
	a := &c.a
	if ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64 {
		return fmt.Errorf("byte swap width %d is not 16, 32 or 64", ins.Imm)
	}
	if w && x {
		return fmt.Errorf("bswap must use the K source")
	}
	if ins.Dst == isa.R10 {
		return fmt.Errorf("r10 is the read-only frame pointer")
	}
	swap := w || x
	switch {
	case ins.Imm == 16 && swap:
		a.ror16by8(dst)
		a.movzxRR(16, dst, dst)
	case ins.Imm == 16:
		a.movzxRR(16, dst, dst)
	case ins.Imm == 32 && swap:
		a.bswap(false, dst)
	case ins.Imm == 32:
		a.movRR(false, dst, dst)
	case swap:
		a.bswap(true, dst)
	}
	return nil
}
