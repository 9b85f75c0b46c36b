package amd64

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// insn compiles the instruction at pc.
func (c *compiler) insn(pc int) error {
	ins := c.insns[pc]
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64:
		return c.alu(ins)
	case isa.ClassJMP, isa.ClassJMP32:
		return c.jump(pc, ins)
	case isa.ClassLD:
		if ins.Opcode != isa.OpLdImm64 {
			if m := isa.Mode(ins.Opcode); m == isa.ModeABS || m == isa.ModeIND {
				return fmt.Errorf("legacy packet access (BPF_ABS/BPF_IND) is not supported")
			}
			return c.unknown(ins)
		}
		if ins.Dst == isa.R10 {
			return fmt.Errorf("r10 is the read-only frame pointer")
		}
		c.ldImm64(regs[ins.Dst], isa.Imm64(c.insns, pc))
		return nil
	case isa.ClassLDX:
		return c.loadInsn(ins)
	case isa.ClassST:
		if isa.Mode(ins.Opcode) != isa.ModeMEM {
			return c.unknown(ins)
		}
		size := isa.SizeBytes(isa.Size(ins.Opcode))
		if c.rng != nil {
			c.a.store(size, regs[ins.Dst], int32(ins.Offset), c.immReg(ins.Imm))
		} else {
			c.a.storeImm(size, regs[ins.Dst], int32(ins.Offset), ins.Imm)
		}
		return nil
	case isa.ClassSTX:
		size := isa.SizeBytes(isa.Size(ins.Opcode))
		switch isa.Mode(ins.Opcode) {
		case isa.ModeMEM:
			c.a.store(size, regs[ins.Dst], int32(ins.Offset), regs[ins.Src])
			return nil
		case isa.ModeATOMIC:
			return c.atomic(ins)
		}
	}
	return c.unknown(ins)
}

func (c *compiler) unknown(ins isa.Instruction) error {
	return fmt.Errorf("unknown opcode %#02x (src r%d, offset %d, imm %d)", ins.Opcode, ins.Src, ins.Offset, ins.Imm)
}

// ldImm64 loads a 64-bit constant (blinded: as v^key and key).
func (c *compiler) ldImm64(dst reg, v uint64) {
	if c.rng == nil {
		c.a.movImm64(dst, v)
		return
	}
	key := c.rng.Uint64()
	c.a.movabs(dst, v^key)
	c.a.movabs(regAux, key)
	c.a.aluRR(aluXor, true, dst, regAux)
}

func (c *compiler) loadInsn(ins isa.Instruction) error {
	size := isa.SizeBytes(isa.Size(ins.Opcode))
	if ins.Dst == isa.R10 {
		return fmt.Errorf("r10 is the read-only frame pointer")
	}
	dst, base, off := regs[ins.Dst], regs[ins.Src], int32(ins.Offset)
	switch isa.Mode(ins.Opcode) {
	case isa.ModeMEM:
		c.a.load(size, dst, base, off)
	case isa.ModeMEMSX:
		if size == 8 {
			return c.unknown(ins)
		}
		c.a.loadSX(size, dst, base, off)
	default:
		return c.unknown(ins)
	}
	return nil
}

// atomic compiles the atomic read-modify-write operations with locked
// instructions; fetch variants of or/and/xor, which x86 lacks, use a
// cmpxchg loop.
func (c *compiler) atomic(ins isa.Instruction) error {
	a := &c.a
	sz := isa.Size(ins.Opcode)
	if sz != isa.SizeW && sz != isa.SizeDW {
		return fmt.Errorf("atomic operations are 32 or 64 bits wide")
	}
	w := sz == isa.SizeDW
	base, off, src := regs[ins.Dst], int32(ins.Offset), regs[ins.Src]
	fetch := ins.Imm&isa.AtomicFetch != 0
	if fetch && ins.Src == isa.R10 && ins.Imm != isa.AtomicCmpXchg {
		return fmt.Errorf("r10 is the read-only frame pointer")
	}
	op := func(imm int32) int { return aluGroup1[(imm&0xf0)>>4] }
	switch ins.Imm {
	case isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor:
		a.lockOp(op(ins.Imm), w, base, off, src)
	case isa.AtomicAdd | isa.AtomicFetch:
		a.lockXadd(w, base, off, src)
	case isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch, isa.AtomicXor | isa.AtomicFetch:
		c.fetchLoop(op(ins.Imm), w, base, off, src)
	case isa.AtomicXchg:
		a.xchg(w, base, off, src)
	case isa.AtomicCmpXchg:
		a.lockCmpxchg(w, base, off, src)
		if !w {
			// A successful 32-bit cmpxchg leaves rax unwritten; r0
			// receives the zero-extended old value.
			a.movRR(false, rax, rax)
		}
	default:
		return fmt.Errorf("unknown atomic operation %#x", ins.Imm)
	}
	return nil
}

// fetchLoop: src = atomic { old := [m]; [m] = old op src; old } with a
// cmpxchg loop in rax (eBPF r0, saved on the native stack; when src is r0
// its value is read from that saved copy).
func (c *compiler) fetchLoop(op int, w bool, base reg, off int32, src reg) {
	a := &c.a
	size := 4
	if w {
		size = 8
	}
	a.lea(regTmp, base, off)
	a.push(rax)
	a.load(size, rax, regTmp, 0)
	loop := a.pos()
	a.movRR(w, regAux, rax)
	if src == rax {
		a.aluRM(op, w, regAux, rsp, 0)
	} else {
		a.aluRR(op, w, regAux, src)
	}
	a.lockCmpxchg(w, regTmp, 0, regAux)
	a.byte1(0x70|byte(condNE), byte(int8(loop-(a.pos()+2))))
	if src == rax {
		a.aluRI(aluAdd, true, rsp, 8)
		return
	}
	a.movRR(w, src, rax)
	a.pop(rax)
}

// jump compiles branches, calls and exit.
func (c *compiler) jump(pc int, ins isa.Instruction) error {
	a := &c.a
	w := isa.Class(ins.Opcode) == isa.ClassJMP
	op := isa.ALUOp(ins.Opcode)
	switch {
	case ins.Opcode == isa.OpJA || ins.Opcode == isa.OpJA32:
		c.branch(pc, c.branchTarget(pc), nil)
		return nil
	case ins.Opcode == isa.OpExit:
		a.ret()
		return nil
	case ins.Opcode == isa.OpCall:
		return c.call(pc, ins)
	case ins.Opcode == isa.OpCallX:
		a.store(8, regFrame, jit.OffArg, regs[ins.Dst])
		c.helperExit(pc)
		return nil
	case !w && (op == isa.JmpCall || op == isa.JmpExit):
		return c.unknown(ins)
	}
	cc := jumpCond[op>>4]
	if cc == 0 {
		return c.unknown(ins)
	}
	dst := regs[ins.Dst]
	x := isa.Source(ins.Opcode) == isa.SrcX
	var src reg
	if x {
		src = regs[ins.Src]
	} else if c.rng != nil {
		src, x = c.immReg(ins.Imm), true
	}
	switch {
	case op == isa.JmpJSET && x:
		a.testRR(w, dst, src)
	case op == isa.JmpJSET:
		a.testRI(w, dst, ins.Imm)
	case x:
		a.aluRR(aluCmp, w, dst, src)
	default:
		a.aluRI(aluCmp, w, dst, ins.Imm)
	}
	c.branch(pc, c.branchTarget(pc), &cc)
	return nil
}

// jumpCond maps eBPF conditional jumps (op>>4) to x86 conditions; 0
// marks operations that are not conditional jumps.
var jumpCond = [16]cond{
	isa.JmpJEQ >> 4: condE, isa.JmpJNE >> 4: condNE, isa.JmpJSET >> 4: condNE,
	isa.JmpJGT >> 4: condA, isa.JmpJGE >> 4: condAE, isa.JmpJLT >> 4: condB, isa.JmpJLE >> 4: condBE,
	isa.JmpJSGT >> 4: condG, isa.JmpJSGE >> 4: condGE, isa.JmpJSLT >> 4: condL, isa.JmpJSLE >> 4: condLE,
}

// branch jumps to instruction t (if cc is non-nil, when it holds). A
// backward branch counts down the preemption budget first.
func (c *compiler) branch(pc, t int, cc *cond) {
	a := &c.a
	if t > pc {
		c.br(cc, label(t))
		return
	}
	skip := -1
	if cc != nil {
		skip = a.jcc8(cc.invert())
	}
	a.decR(regBudget)
	e := condE
	c.br(&e, c.preemptStub(t))
	c.br(nil, label(t))
	if skip >= 0 {
		a.patch8(skip)
	}
}

// call compiles helper calls (inline or through Go) and bpf-to-bpf calls.
func (c *compiler) call(pc int, ins isa.Instruction) error {
	a := &c.a
	switch ins.Src {
	case isa.CallHelper:
		if ins.Imm < 0 || ins.Imm >= vm.MaxHelpers {
			return fmt.Errorf("helper number %d is out of range", ins.Imm)
		}
		if !c.opts.NoInline && c.tailCall(pc, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.intrinsic(pc, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.adjust(pc, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.forEach(pc, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.ringBuf(pc, ins.Imm) {
			return nil
		}
		if !c.opts.NoInline && c.nativeHelper(pc, ins.Imm) {
			return nil
		}
		a.storeImm(8, regFrame, jit.OffArg, ins.Imm)
		c.helperExit(pc)
		return nil
	case isa.CallLocal:
	case isa.CallKfunc:
		return fmt.Errorf("kfunc calls are not supported")
	default:
		return fmt.Errorf("unknown call kind (src %d)", ins.Src)
	}
	// bpf-to-bpf: check the depth (r10 must leave room for one more
	// frame), save r6-r10, move the frame pointer down one frame, call.
	a.aluRM(aluCmp, true, rbp, regFrame, jit.OffStackLimit)
	b := condB
	c.br(&b, c.faultStub(jit.FaultCallDepth, pc))
	saved := []reg{rbx, r13, r14, r15, rbp}
	for _, r := range saved {
		a.push(r)
	}
	a.aluRI(aluSub, true, rbp, vm.StackSize)
	c.fix(a.call32(), label(c.branchTarget(pc)))
	for i := len(saved) - 1; i >= 0; i-- {
		a.pop(saved[i])
	}
	return nil
}

// helperExit returns to Go to run the helper whose number is in
// Frame.Arg; execution resumes right after, with r0 set by Go.
func (c *compiler) helperExit(pc int) {
	c.a.storeImm(8, regFrame, jit.OffArg2, int32(pc))
	c.exitWith(jit.ExitHelper)
}
