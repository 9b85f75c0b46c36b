package arm64

import (
	"errors"
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// insn compiles instruction i and returns how many extra slots it used
// (1 for ld_imm64).
func (c *compiler) insn(i int) (int, error) {
	ins := c.insns[i]
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64:
		return 0, c.alu(ins)
	case isa.ClassJMP, isa.ClassJMP32:
		return 0, c.jump(i, ins)
	case isa.ClassLD:
		if ins.Opcode != isa.OpLdImm64 {
			return 0, fmt.Errorf("legacy packet access (BPF_ABS/BPF_IND) is not supported")
		}
		// loader.Finalize has replaced map and function references with
		// plain values, so the pseudo source does not matter here.
		c.loadImm(true, regMap[ins.Dst], isa.Imm64(c.insns, i))
		return 1, nil
	case isa.ClassLDX:
		m := isa.Mode(ins.Opcode)
		if m != isa.ModeMEM && (m != isa.ModeMEMSX || isa.Size(ins.Opcode) == isa.SizeDW) {
			return 0, errUnknown
		}
		c.load(ins)
		return 0, nil
	case isa.ClassST:
		if isa.Mode(ins.Opcode) != isa.ModeMEM {
			return 0, errUnknown
		}
		v := tmp2
		imm := uint64(int64(ins.Imm))
		if imm == 0 && !c.opts.Blind {
			v = XZR
		} else {
			c.loadImm(true, v, imm)
		}
		c.access(isa.Size(ins.Opcode), opcStore, v, regMap[ins.Dst], ins.Offset)
		return 0, nil
	case isa.ClassSTX:
		switch isa.Mode(ins.Opcode) {
		case isa.ModeATOMIC:
			return 0, c.atomic(ins)
		case isa.ModeMEM:
		default:
			return 0, errUnknown
		}
		c.access(isa.Size(ins.Opcode), opcStore, regMap[ins.Src], regMap[ins.Dst], ins.Offset)
		return 0, nil
	}
	return 0, fmt.Errorf("unknown instruction class")
}

// errUnknown reports an encoding RFC 9669 does not define.
var errUnknown = errors.New("unknown opcode")

// sizeLog maps eBPF size bits to log2 of the access size.
func sizeLog(size uint8) uint32 {
	switch size {
	case isa.SizeB:
		return 0
	case isa.SizeH:
		return 1
	case isa.SizeW:
		return 2
	}
	return 3
}

func (c *compiler) load(ins isa.Instruction) {
	opc := uint32(opcLoad)
	if isa.Mode(ins.Opcode) == isa.ModeMEMSX {
		opc = opcLoadSX
	}
	c.access(isa.Size(ins.Opcode), opc, regMap[ins.Dst], regMap[ins.Src], ins.Offset)
}

// access emits one load or store of register t at base+off, choosing the
// shortest addressing form. The offset is not blinded (as in the kernel,
// only immediates are).
func (c *compiler) access(size uint8, opc uint32, t, base Reg, off int16) {
	sz := sizeLog(size)
	switch o := int32(off); {
	case o >= -256 && o <= 255:
		c.emit(ldstUnscaled(sz, opc, t, base, o))
	case o >= 0 && o%(1<<sz) == 0 && o>>sz < 4096:
		c.emit(ldstScaled(sz, opc, t, base, uint32(o)))
	default:
		c.movImm(true, tmp1, uint64(int64(o)))
		c.emit(ldstReg(sz, opc, t, base, tmp1))
	}
}

// movImm loads a constant with the fewest MOVZ/MOVN/MOVK words. The 32-bit
// form zero-extends.
func (c *compiler) movImm(is64 bool, d Reg, v uint64) {
	n := 4
	if !is64 {
		n = 2
		v &= 0xffffffff
	}
	zeros, ones := 0, 0
	for hw := 0; hw < n; hw++ {
		switch uint16(v >> (16 * hw)) {
		case 0:
			zeros++
		case 0xffff:
			ones++
		}
	}
	inverted := ones > zeros
	skip := uint16(0)
	if inverted {
		skip = 0xffff
	}
	first := true
	for hw := 0; hw < n; hw++ {
		h := uint16(v >> (16 * hw))
		if h == skip {
			continue
		}
		switch {
		case !first:
			c.emit(movk(is64, d, h, uint32(hw)))
		case inverted:
			c.emit(movn(is64, d, ^h, uint32(hw)))
		default:
			c.emit(movz(is64, d, h, uint32(hw)))
		}
		first = false
	}
	if first {
		if inverted {
			c.emit(movn(is64, d, 0, 0))
		} else {
			c.emit(movz(is64, d, 0, 0))
		}
	}
}

// loadImm loads a program-supplied constant. With blinding it is emitted
// XORed with a fresh random key and recovered at run time, so the program
// cannot choose the instruction words that appear in executable memory.
func (c *compiler) loadImm(is64 bool, d Reg, v uint64) {
	if !c.opts.Blind {
		c.movImm(is64, d, v)
		return
	}
	key := c.rng.Uint64()
	if !is64 {
		key &= 0xffffffff
	}
	c.movImm(is64, d, v^key)
	c.movImm(is64, regBlind, key)
	c.emit(eorReg(is64, d, d, regBlind))
}

// immFits reports whether v can be an unblinded 12-bit immediate.
func (c *compiler) immFits(v int64) bool { return !c.opts.Blind && v >= 0 && v < 4096 }

func (c *compiler) alu(ins isa.Instruction) error {
	is64 := isa.Class(ins.Opcode) == isa.ClassALU64
	d := regMap[ins.Dst]
	op := isa.ALUOp(ins.Opcode)
	x := isa.Source(ins.Opcode) == isa.SrcX
	imm := int64(ins.Imm)
	// s is the source operand: the register, or the immediate in tmp2.
	s := regMap[ins.Src]
	srcK := func() {
		v := uint64(imm)
		if !is64 {
			v = uint64(uint32(ins.Imm))
		}
		c.loadImm(is64, tmp2, v)
		s = tmp2
	}
	if ins.Offset != 0 && op != isa.ALUDiv && op != isa.ALUMod && op != isa.ALUMov && op != isa.ALUEnd {
		return fmt.Errorf("offset %d must be 0 for this ALU operation", ins.Offset)
	}
	zext := func() {
		if !is64 {
			c.emit(movReg(false, d, d))
		}
	}
	switch op {
	case isa.ALUAdd, isa.ALUSub:
		if !x && c.immFits(imm) {
			if op == isa.ALUAdd {
				c.emit(addImm(is64, d, d, uint32(imm)))
			} else {
				c.emit(subImm(is64, d, d, uint32(imm)))
			}
			return nil
		}
		if !x && c.immFits(-imm) {
			if op == isa.ALUAdd {
				c.emit(subImm(is64, d, d, uint32(-imm)))
			} else {
				c.emit(addImm(is64, d, d, uint32(-imm)))
			}
			return nil
		}
		if !x {
			srcK()
		}
		if op == isa.ALUAdd {
			c.emit(addReg(is64, d, d, s))
		} else {
			c.emit(subReg(is64, d, d, s))
		}
	case isa.ALUMul, isa.ALUOr, isa.ALUAnd, isa.ALUXor:
		if !x && op != isa.ALUMul && !c.opts.Blind {
			v := uint64(imm)
			if !is64 {
				v = uint64(uint32(ins.Imm))
			}
			if field, ok := logicalImm(v, is64); ok {
				switch op {
				case isa.ALUOr:
					c.emit(orrImm(is64, d, d, field))
				case isa.ALUAnd:
					c.emit(andImm(is64, d, d, field))
				default:
					c.emit(eorImm(is64, d, d, field))
				}
				return nil
			}
		}
		if !x {
			srcK()
		}
		switch op {
		case isa.ALUMul:
			c.emit(mul(is64, d, d, s))
		case isa.ALUOr:
			c.emit(orrReg(is64, d, d, s))
		case isa.ALUAnd:
			c.emit(andReg(is64, d, d, s))
		default:
			c.emit(eorReg(is64, d, d, s))
		}
	case isa.ALUDiv, isa.ALUMod:
		if ins.Offset != 0 && ins.Offset != 1 {
			return fmt.Errorf("division/modulo offset must be 0 or 1, not %d", ins.Offset)
		}
		if !x {
			srcK()
		}
		// UDIV/SDIV give 0 for a zero divisor and INT_MIN for INT_MIN/-1,
		// exactly eBPF's results; the remainder d - (d/s)*s is then d
		// (zero-extended in 32-bit form) for s == 0 and 0 for INT_MIN%-1.
		div := udiv
		if ins.Offset == 1 {
			div = sdiv
		}
		if op == isa.ALUDiv {
			c.emit(div(is64, d, d, s))
		} else {
			c.emit(div(is64, tmp1, d, s), msub(is64, d, tmp1, s, d))
		}
	case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
		if !x && c.opts.Blind {
			// Blinded amounts go through a register like every other
			// immediate; the register forms mask them the same way.
			srcK()
			x = true
		}
		if x {
			// LSLV/LSRV/ASRV take the amount modulo the width: eBPF's mask.
			switch op {
			case isa.ALULsh:
				c.emit(lslv(is64, d, d, s))
			case isa.ALURsh:
				c.emit(lsrv(is64, d, d, s))
			default:
				c.emit(asrv(is64, d, d, s))
			}
			return nil
		}
		sh := uint32(ins.Imm) & (width(is64) - 1)
		if sh == 0 {
			zext()
			return nil
		}
		switch op {
		case isa.ALULsh:
			c.emit(lslImm(is64, d, d, sh))
		case isa.ALURsh:
			c.emit(lsrImm(is64, d, d, sh))
		default:
			c.emit(asrImm(is64, d, d, sh))
		}
	case isa.ALUNeg:
		if x {
			return fmt.Errorf("neg must use the K source")
		}
		c.emit(subReg(is64, d, XZR, d))
	case isa.ALUMov:
		switch {
		case !x && ins.Offset == 0:
			v := uint64(imm)
			if !is64 {
				v = uint64(uint32(ins.Imm))
			}
			c.loadImm(is64, d, v)
		case x && ins.Offset == 0:
			if d != s || !is64 {
				c.emit(movReg(is64, d, s))
			}
		case x && (ins.Offset == 8 || ins.Offset == 16 || ins.Offset == 32 && is64):
			c.emit(sxt(is64, d, s, uint32(ins.Offset)))
		default:
			return fmt.Errorf("invalid offset %d for mov", ins.Offset)
		}
	case isa.ALUEnd:
		return c.end(ins, is64, x, d)
	default:
		return fmt.Errorf("unknown ALU operation")
	}
	return nil
}

// end compiles bswap (ALU64) and le/be (ALU) on a little-endian host: le
// truncates to the width, be and bswap reverse the bytes.
func (c *compiler) end(ins isa.Instruction, is64, toBE bool, d Reg) error {
	if ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64 {
		return fmt.Errorf("byte swap width %d is not 16, 32 or 64", ins.Imm)
	}
	if is64 && toBE {
		return fmt.Errorf("bswap must use the K source")
	}
	swap := is64 || toBE
	switch {
	case ins.Imm == 16 && swap:
		c.emit(rev16w(d, d), uxt(d, d, 16))
	case ins.Imm == 16:
		c.emit(uxt(d, d, 16))
	case ins.Imm == 32 && swap:
		c.emit(rev32w(d, d))
	case ins.Imm == 32:
		c.emit(movReg(false, d, d))
	case swap:
		c.emit(rev64(d, d))
	}
	return nil
}

// jccs maps jump operations to A64 conditions (JSET tests with TST, NE).
var jccs = map[uint8]Cond{
	isa.JmpJEQ: CondEQ, isa.JmpJNE: CondNE, isa.JmpJSET: CondNE,
	isa.JmpJGT: CondHI, isa.JmpJGE: CondHS, isa.JmpJLT: CondLO, isa.JmpJLE: CondLS,
	isa.JmpJSGT: CondGT, isa.JmpJSGE: CondGE, isa.JmpJSLT: CondLT, isa.JmpJSLE: CondLE,
}

func (c *compiler) jump(i int, ins isa.Instruction) error {
	n := len(c.insns)
	target := func(rel int64) (int, error) {
		t := int64(i) + 1 + rel
		if t < 0 || t >= int64(n) {
			return 0, fmt.Errorf("target %d is outside the program (0..%d)", t, n-1)
		}
		return int(t), nil
	}
	switch {
	case ins.Opcode == isa.OpJA, ins.Opcode == isa.OpJA32:
		rel := int64(ins.Offset)
		if ins.Opcode == isa.OpJA32 {
			rel = int64(ins.Imm)
		}
		t, err := target(rel)
		if err != nil {
			return err
		}
		c.jumpTo(i, t, 0, false)
		return nil
	case ins.Opcode == isa.OpExit:
		c.emit(ldrPost(linkReg, SP, 16), ret())
		return nil
	case ins.Opcode == isa.OpCall || ins.Opcode == isa.OpCallX:
		return c.call(i, ins, target)
	}
	op := isa.ALUOp(ins.Opcode)
	cond, ok := jccs[op]
	if !ok {
		return fmt.Errorf("unknown jump operation")
	}
	t, err := target(int64(ins.Offset))
	if err != nil {
		return err
	}
	is64 := isa.Class(ins.Opcode) == isa.ClassJMP
	d := regMap[ins.Dst]
	s := regMap[ins.Src]
	if isa.Source(ins.Opcode) == isa.SrcK {
		imm := int64(ins.Imm)
		if op != isa.JmpJSET && c.immFits(imm) {
			c.emit(subsImm(is64, XZR, d, uint32(imm)))
			c.jumpTo(i, t, cond, true)
			return nil
		}
		if op != isa.JmpJSET && c.immFits(-imm) {
			c.emit(addsImm(is64, XZR, d, uint32(-imm)))
			c.jumpTo(i, t, cond, true)
			return nil
		}
		v := uint64(imm)
		if !is64 {
			v = uint64(uint32(ins.Imm))
		}
		if field, ok := logicalImm(v, is64); ok && op == isa.JmpJSET && !c.opts.Blind {
			c.emit(tstImm(is64, d, field))
			c.jumpTo(i, t, cond, true)
			return nil
		}
		c.loadImm(is64, tmp2, v)
		s = tmp2
	}
	if op == isa.JmpJSET {
		c.emit(tstReg(is64, d, s))
	} else {
		c.emit(cmpReg(is64, d, s))
	}
	c.jumpTo(i, t, cond, true)
	return nil
}

// call compiles helper calls (exit to Go) and bpf-to-bpf calls (native).
func (c *compiler) call(i int, ins isa.Instruction, target func(int64) (int, error)) error {
	if ins.Opcode == isa.OpCallX {
		c.emit(movReg(true, tmp1, regMap[ins.Dst]))
		c.helperExit(i)
		return nil
	}
	switch ins.Src {
	case isa.CallHelper:
		if ins.Imm < 0 || ins.Imm >= vm.MaxHelpers {
			return fmt.Errorf("helper number %d is out of range", ins.Imm)
		}
		if !c.opts.NoInline && c.intrinsic(i, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.adjust(i, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.forEach(i, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.ringBuf(i, ins.Imm) {
			return nil
		}
		if c.tailCall(i, ins.Imm) || c.mapLookup(i, ins.Imm) || c.inlineHelper(i, ins.Imm) {
			return nil
		}
		c.movImm(true, tmp1, uint64(ins.Imm))
		c.helperExit(i)
		return nil
	case isa.CallLocal:
		t, err := target(int64(ins.Imm))
		if err != nil {
			return err
		}
		c.localCall(i, t)
		return nil
	case isa.CallKfunc:
		return fmt.Errorf("kfunc calls are not supported")
	}
	return fmt.Errorf("unknown call kind (src %d)", ins.Src)
}

// helperExit leaves with ExitHelper (number in x9, Arg2 = the call's pc
// for Go's error messages), resuming right after.
func (c *compiler) helperExit(i int) {
	resume := c.newLabel()
	c.movImm(true, tmp3, uint64(i))
	c.branchTo(adr(tmp2, 0), resume, fixADR)
	c.branchTo(b(0), c.stub(stubHelper), fixB)
	c.place(resume)
}

// localCall checks the depth (r10 must not be below Frame.StackLimit),
// saves r6-r10, moves r10 down one frame and calls t with the return
// address pushed, the layout exit pops.
func (c *compiler) localCall(i, t int) {
	c.emit(cmpReg(true, regFP, regLimit), bcond(CondHS, int32(1+c.movLen(uint64(i))+2)))
	c.movImm(true, tmp2, uint64(i))
	c.movImm(true, tmp1, jit.FaultCallDepth)
	c.branchTo(b(0), c.stub(stubFault), fixB)
	ret := c.newLabel()
	c.emit(
		stpPre(19, 20, SP, -48),
		stp(21, 22, SP, 16),
		ldstScaled(3, opcStore, regFP, SP, 32),
	)
	c.branchTo(adr(linkReg, 0), ret, fixADR)
	c.emit(
		strPre(linkReg, SP, -16),
		subImm(true, regFP, regFP, vm.StackSize),
	)
	c.branchTo(bl(0), t, fixB)
	c.place(ret)
	c.emit(
		ldstScaled(3, opcLoad, regFP, SP, 32),
		ldp(21, 22, SP, 16),
		ldpPost(19, 20, SP, 48),
	)
}

// movLen returns how many words movImm(true, _, v) emits.
func (c *compiler) movLen(v uint64) int {
	save := len(c.out)
	c.movImm(true, tmp1, v)
	n := len(c.out) - save
	c.out = c.out[:save]
	return n
}
