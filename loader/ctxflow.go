package loader

import (
	"github.com/bpfhost/bpfhost/isa"
)

// This file is the forward dataflow analysis that finds which registers hold
// the context pointer at each instruction, so that context accesses can be
// rewritten for the host layout (see ctxrewrite.go). It tracks registers and
// the 8-byte spill slots of each frame's stack; it does not need to be a
// verifier, only to agree with one on programs a verifier would accept.

// kind classifies what a register or spill slot holds.
type kind uint8

const (
	kUnset  kind = iota // not reached yet (the lattice's bottom)
	kScalar             // anything but the context: numbers, other pointers
	kCtx                // the context pointer plus a known constant offset
	kCtxVar             // the context pointer moved by an unknown amount
	kMixed              // the context on one path, something else on another
	kFP                 // the frame pointer plus a known constant offset
)

// val is the abstract value of a register or spill slot.
type val struct {
	k   kind
	off int32 // for kCtx and kFP: the constant offset from the base
}

var scalar = val{k: kScalar}

func join(a, b val) val {
	switch {
	case a.k == kUnset:
		return b
	case b.k == kUnset, a == b:
		return a
	case !isCtxish(a) && a.k != kMixed && !isCtxish(b) && b.k != kMixed:
		// Neither is the context: scalars, or frame pointers that disagree.
		return scalar
	case isCtxish(a) && isCtxish(b):
		return val{k: kCtxVar}
	default:
		return val{k: kMixed}
	}
}

func isCtxish(v val) bool { return v.k == kCtx || v.k == kCtxVar }

// numSlots is the number of 8-byte spill slots in one stack frame.
const numSlots = 512 / 8

// slots is the spill-slot part of a state. It is shared copy-on-write
// between states (most blocks never spill the context, so most states share
// one array), which keeps the analysis of a million-instruction program small.
type slots [numSlots]val

// allScalar is the shared slot array of a fresh frame. Never written.
var allScalar = func() *slots {
	var s slots
	for i := range s {
		s[i] = scalar
	}
	return &s
}()

// state is the abstract machine state at one instruction.
type state struct {
	regs  [isa.NumRegs]val
	slots *slots
}

// setSlot writes slot i, copying the shared array first if needed.
func (s *state) setSlot(i int, v val) {
	if s.slots[i] == v {
		return
	}
	cp := *s.slots
	cp[i] = v
	s.slots = &cp
}

func (s *state) joinFrom(o *state) (changed bool) {
	for i := range s.regs {
		if j := join(s.regs[i], o.regs[i]); j != s.regs[i] {
			s.regs[i], changed = j, true
		}
	}
	if s.slots == o.slots {
		return changed
	}
	for i := range s.slots {
		if j := join(s.slots[i], o.slots[i]); j != s.slots[i] {
			s.setSlot(i, j)
			changed = true
		}
	}
	return changed
}

// entryState is the state at the start of a function: r1 as given, the other
// registers and the fresh stack frame hold no context pointer.
func entryState(args [6]val) *state {
	s := &state{}
	for i := range s.regs {
		s.regs[i] = scalar
	}
	s.slots = allScalar
	for i := 1; i < 6; i++ {
		s.regs[i] = args[i]
		if args[i].k == kFP {
			// A pointer into the caller's frame is not one into this frame.
			s.regs[i] = scalar
		}
	}
	s.regs[isa.R10] = val{k: kFP}
	return s
}

// flow holds the analysis of one program.
type flow struct {
	insns  []isa.Instruction
	leader []bool
	in     []*state // entry state of each block, indexed by its leader
	work   []int
}

// analyze runs the analysis to its fixed point. Out-of-range targets are
// ignored here; isa.Validate reports them.
func analyze(insns []isa.Instruction) *flow {
	f := &flow{insns: insns, leader: make([]bool, len(insns)), in: make([]*state, len(insns))}
	f.findLeaders()
	var args [6]val
	args[1] = val{k: kCtx}
	for i := 2; i < 6; i++ {
		args[i] = scalar
	}
	f.merge(0, entryState(args))
	for len(f.work) > 0 {
		pc := f.work[len(f.work)-1]
		f.work = f.work[:len(f.work)-1]
		s := *f.in[pc]
		f.runBlock(pc, &s, nil)
	}
	return f
}

// target returns the destination of a jump at pc, or -1 when out of range.
func (f *flow) target(pc int, rel int) int {
	t := pc + 1 + rel
	if t < 0 || t >= len(f.insns) {
		return -1
	}
	return t
}

func (f *flow) findLeaders() {
	n := len(f.insns)
	if n == 0 {
		return
	}
	f.leader[0] = true
	mark := func(t int) {
		if t >= 0 && t < n {
			f.leader[t] = true
		}
	}
	for pc := 0; pc < n; pc++ {
		ins := f.insns[pc]
		if ins.IsLdImm64() {
			if ins.Src == isa.PseudoFunc {
				mark(f.target(pc, int(ins.Imm)))
			}
			pc++
			continue
		}
		cls := isa.Class(ins.Opcode)
		if cls != isa.ClassJMP && cls != isa.ClassJMP32 {
			continue
		}
		switch op := isa.ALUOp(ins.Opcode); {
		case ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal:
			mark(f.target(pc, int(ins.Imm)))
		case op == isa.JmpCall:
		case op == isa.JmpExit:
			mark(pc + 1)
		case ins.Opcode == isa.OpJA32:
			mark(f.target(pc, int(ins.Imm)))
			mark(pc + 1)
		default:
			mark(f.target(pc, int(ins.Offset)))
			mark(pc + 1)
		}
	}
}

// merge joins s into the entry state of the block at pc and queues the block
// when that changed anything.
func (f *flow) merge(pc int, s *state) {
	if pc < 0 || pc >= len(f.insns) {
		return
	}
	if f.in[pc] == nil {
		cp := *s
		f.in[pc] = &cp
		f.work = append(f.work, pc)
		return
	}
	if f.in[pc].joinFrom(s) {
		f.work = append(f.work, pc)
	}
}

// visitor is called for each memory access during a final pass, with the
// abstract value of the base register.
type visitor func(pc int, base val) error

// runBlock interprets the block starting at pc from state s, merging into
// successors. With visit set it reports memory accesses instead (the final
// pass, which must not change any state).
func (f *flow) runBlock(pc int, s *state, visit visitor) error {
	n := len(f.insns)
	for {
		ins := f.insns[pc]
		next := pc + 1
		if ins.IsLdImm64() {
			next = pc + 2
			if ins.Src == isa.PseudoFunc && visit == nil {
				// A callback starts with arguments the caller (a helper) provides.
				var args [6]val
				for i := 1; i < 6; i++ {
					args[i] = scalar
				}
				f.merge(f.target(pc, int(ins.Imm)), entryState(args))
			}
			s.regs[reg(ins.Dst)] = scalar
		} else {
			done, err := f.step(pc, ins, s, visit)
			if err != nil || done {
				return err
			}
		}
		if next >= n {
			return nil
		}
		if f.leader[next] {
			if visit == nil {
				f.merge(next, s)
			}
			return nil
		}
		pc = next
	}
}

// reg returns a register index safe to use for any nibble value.
func reg(r uint8) int { return int(r) % isa.NumRegs }

// slotOf returns the spill slot an 8-byte access at frame offset off hits, or -1.
func slotOf(off int32) int {
	if off >= 0 || off < -512 || off%8 != 0 {
		return -1
	}
	return int(-off/8) - 1
}

// clobberStack marks the slots a size-byte store at frame offset off overlaps as scalar.
func clobberStack(s *state, off int32, size int) {
	for b := int(off); b < int(off)+size; b++ {
		if b < 0 && b >= -512 {
			s.setSlot((-b-1)/8, scalar)
		}
	}
}

// step interprets one non-ld_imm64 instruction. done reports that the block
// ends here (successors have been merged).
func (f *flow) step(pc int, ins isa.Instruction, s *state, visit visitor) (done bool, err error) {
	cls := isa.Class(ins.Opcode)
	dst, src := reg(ins.Dst), reg(ins.Src)
	switch cls {
	case isa.ClassLDX:
		if visit != nil {
			if err := visit(pc, s.regs[src]); err != nil {
				return true, err
			}
		}
		v := scalar
		if base := s.regs[src]; base.k == kFP && isa.Size(ins.Opcode) == isa.SizeDW && isa.Mode(ins.Opcode) == isa.ModeMEM {
			if i := slotOf(base.off + int32(ins.Offset)); i >= 0 {
				v = s.slots[i]
			}
		}
		s.regs[dst] = v

	case isa.ClassST, isa.ClassSTX:
		if visit != nil {
			if err := visit(pc, s.regs[dst]); err != nil {
				return true, err
			}
		}
		if base := s.regs[dst]; base.k == kFP {
			size := isa.SizeBytes(isa.Size(ins.Opcode))
			off := base.off + int32(ins.Offset)
			if i := slotOf(off); cls == isa.ClassSTX && size == 8 && isa.Mode(ins.Opcode) == isa.ModeMEM && i >= 0 {
				s.setSlot(i, s.regs[src])
			} else {
				clobberStack(s, off, size)
			}
		}
		if isa.Mode(ins.Opcode) == isa.ModeATOMIC {
			if ins.Imm&isa.AtomicFetch != 0 {
				s.regs[src] = scalar
			}
			if ins.Imm == isa.AtomicCmpXchg {
				s.regs[0] = scalar
			}
		}

	case isa.ClassALU64:
		s.regs[dst] = alu64(ins, s.regs[dst], s.regs[src])

	case isa.ClassALU:
		s.regs[dst] = scalar

	case isa.ClassJMP, isa.ClassJMP32:
		return f.jump(pc, ins, s, visit), nil

	default:
		// Legacy BPF_LD forms: isa.Validate refuses them; r0 is their output.
		s.regs[0] = scalar
	}
	return false, nil
}

// alu64 is the abstract effect of a 64-bit ALU instruction on its destination.
func alu64(ins isa.Instruction, d, sv val) val {
	op := isa.ALUOp(ins.Opcode)
	isX := isa.Source(ins.Opcode) == isa.SrcX
	switch {
	case op == isa.ALUMov && isX && ins.Offset == 0:
		return sv
	case op == isa.ALUMov:
		return scalar
	case (d.k == kCtx || d.k == kFP) && !isX && (op == isa.ALUAdd || op == isa.ALUSub):
		delta := int64(ins.Imm)
		if op == isa.ALUSub {
			delta = -delta
		}
		off := int64(d.off) + delta
		if off != int64(int32(off)) {
			if d.k == kFP {
				return scalar
			}
			return val{k: kCtxVar}
		}
		return val{k: d.k, off: int32(off)}
	case op == isa.ALUSub && isX && isCtxish(d) && isCtxish(sv):
		// The difference of two context pointers is a number.
		return scalar
	case !isCtxish(d) && d.k != kMixed && (!isX || !isCtxish(sv) && sv.k != kMixed):
		// Arithmetic on numbers and frame pointers gives no context pointer.
		return scalar
	case d.k == kMixed || isX && sv.k == kMixed:
		return val{k: kMixed}
	case isCtxish(d) || isX && isCtxish(sv):
		return val{k: kCtxVar}
	}
	return scalar
}

// jump handles the jump class: calls, exits and branches.
func (f *flow) jump(pc int, ins isa.Instruction, s *state, visit visitor) (done bool) {
	op := isa.ALUOp(ins.Opcode)
	switch {
	case op == isa.JmpCall:
		if ins.Src == isa.CallLocal && visit == nil && ins.Opcode == isa.OpCall {
			var args [6]val
			copy(args[1:], s.regs[1:6])
			f.merge(f.target(pc, int(ins.Imm)), entryState(args))
		}
		// Calls clobber r0-r5; r6-r9 and the caller's frame survive.
		for i := 0; i <= 5; i++ {
			s.regs[i] = scalar
		}
		return false
	case op == isa.JmpExit:
		return true
	}
	if visit != nil {
		return true
	}
	var t int
	if ins.Opcode == isa.OpJA32 {
		t = f.target(pc, int(ins.Imm))
	} else {
		t = f.target(pc, int(ins.Offset))
	}
	f.merge(t, s)
	if op != isa.JmpJA {
		f.merge(pc+1, s)
	}
	return true
}
