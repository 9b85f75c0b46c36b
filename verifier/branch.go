package verifier

import (
	"math"

	"github.com/bpfhost/bpfhost/isa"
)

func (v *verifier) checkJump(pc int, ins isa.Instruction) (bool, error) {
	st := v.cur
	switch isa.ALUOp(ins.Opcode) {
	case isa.JmpJA:
		st.pc = jumpTarget(ins, pc)
		return false, nil
	case isa.JmpCall:
		return false, v.checkCall(pc, ins)
	case isa.JmpExit:
		return v.checkExit(pc)
	}
	return false, v.checkCond(pc, ins)
}

// negate returns the condition of the fall-through branch.
func negate(op uint8) uint8 {
	switch op {
	case isa.JmpJEQ:
		return isa.JmpJNE
	case isa.JmpJNE:
		return isa.JmpJEQ
	case isa.JmpJGT:
		return isa.JmpJLE
	case isa.JmpJLE:
		return isa.JmpJGT
	case isa.JmpJGE:
		return isa.JmpJLT
	case isa.JmpJLT:
		return isa.JmpJGE
	case isa.JmpJSGT:
		return isa.JmpJSLE
	case isa.JmpJSLE:
		return isa.JmpJSGT
	case isa.JmpJSGE:
		return isa.JmpJSLT
	case isa.JmpJSLT:
		return isa.JmpJSGE
	case isa.JmpJSET:
		return jmpNotSet
	case jmpNotSet:
		return isa.JmpJSET
	}
	return op
}

// jmpNotSet is the negation of JSET (no opcode of its own).
const jmpNotSet uint8 = 0xe0

// swapOp returns op with its operands exchanged (a op b == b swap(op) a).
func swapOp(op uint8) uint8 {
	switch op {
	case isa.JmpJGT:
		return isa.JmpJLT
	case isa.JmpJLT:
		return isa.JmpJGT
	case isa.JmpJGE:
		return isa.JmpJLE
	case isa.JmpJLE:
		return isa.JmpJGE
	case isa.JmpJSGT:
		return isa.JmpJSLT
	case isa.JmpJSLT:
		return isa.JmpJSGT
	case isa.JmpJSGE:
		return isa.JmpJSLE
	case isa.JmpJSLE:
		return isa.JmpJSGE
	}
	return op
}

func (v *verifier) checkCond(pc int, ins isa.Instruction) error {
	st := v.cur
	is32 := isa.Class(ins.Opcode) == isa.ClassJMP32
	op := isa.ALUOp(ins.Opcode)
	target := jumpTarget(ins, pc)
	dst, err := v.readReg(pc, ins.Dst)
	if err != nil {
		return err
	}
	src, err := v.operand(pc, ins, !is32)
	if err != nil {
		return err
	}
	srcIsReg := isa.Source(ins.Opcode) == isa.SrcX
	if dst.typ.isPtr() || src.typ.isPtr() {
		return v.condPointer(pc, ins, dst, &src, op, is32, target)
	}
	a, b := *dst, src
	if is32 {
		signed := op == isa.JmpJSGT || op == isa.JmpJSGE || op == isa.JmpJSLT || op == isa.JmpJSLE
		a, b = dst.view32(signed), src.view32(signed)
	}
	switch branchTaken(&a, &b, op) {
	case 1:
		st.pc = target
		return nil
	case 0:
		st.pc = pc + 1
		return nil
	}
	// Both directions: refine each side with what its condition implies.
	other := st.clone()
	ta, tb := a, b
	fa, fb := a, b
	okT := refine(&ta, &tb, op)
	okF := refine(&fa, &fb, negate(op))
	apply := func(s *state, na, nb *reg) bool {
		fr := s.cur()
		d := &fr.regs[ins.Dst]
		if !v.applyRefined(s, d, na, is32, op) {
			return false
		}
		if srcIsReg {
			return v.applyRefined(s, &fr.regs[ins.Src], nb, is32, op)
		}
		return true
	}
	if okT {
		okT = apply(other, &ta, &tb)
	}
	if okF {
		okF = apply(st, &fa, &fb)
	}
	switch {
	case okT && okF:
		v.push(other, target)
		st.pc = pc + 1
	case okT:
		*st = *other
		st.pc = target
	case okF:
		st.pc = pc + 1
	default:
		// No value satisfies either side: the path cannot happen.
		return errPathDead
	}
	return nil
}

// applyRefined stores a refined operand back into its register and every
// scalar linked to it; false if the facts became contradictory.
func (v *verifier) applyRefined(s *state, r *reg, n *reg, is32 bool, op uint8) bool {
	if is32 {
		signed := op == isa.JmpJSGT || op == isa.JmpJSGE || op == isa.JmpJSLT || op == isa.JmpJSLE
		r.setFromView32(n, signed)
	} else {
		id := r.id
		*r = *n
		r.id = id
	}
	r.sync()
	if !r.feasible() {
		return false
	}
	if r.id != 0 {
		nr := *r
		s.forEachReg(func(o *reg) {
			if o.typ == scalar && o.id == nr.id {
				*o = nr
			}
		})
	}
	return true
}

// branchTaken decides a comparison from the bounds: 1 always, 0 never, -1 unknown.
func branchTaken(a, b *reg, op uint8) int {
	switch op {
	case isa.JmpJEQ:
		if a.isConst() && b.isConst() {
			return b2i(a.constVal() == b.constVal())
		}
		if a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin || a.varOff.conflicts(b.varOff) {
			return 0
		}
	case isa.JmpJNE:
		if t := branchTaken(a, b, isa.JmpJEQ); t >= 0 {
			return 1 - t
		}
	case isa.JmpJGT:
		if a.umin > b.umax {
			return 1
		}
		if a.umax <= b.umin {
			return 0
		}
	case isa.JmpJGE:
		if a.umin >= b.umax {
			return 1
		}
		if a.umax < b.umin {
			return 0
		}
	case isa.JmpJLT:
		return branchTaken(b, a, isa.JmpJGT)
	case isa.JmpJLE:
		return branchTaken(b, a, isa.JmpJGE)
	case isa.JmpJSGT:
		if a.smin > b.smax {
			return 1
		}
		if a.smax <= b.smin {
			return 0
		}
	case isa.JmpJSGE:
		if a.smin >= b.smax {
			return 1
		}
		if a.smax < b.smin {
			return 0
		}
	case isa.JmpJSLT:
		return branchTaken(b, a, isa.JmpJSGT)
	case isa.JmpJSLE:
		return branchTaken(b, a, isa.JmpJSGE)
	case isa.JmpJSET:
		if a.varOff.value&b.varOff.value != 0 {
			return 1
		}
		if (a.varOff.value|a.varOff.mask)&(b.varOff.value|b.varOff.mask) == 0 {
			return 0
		}
	case jmpNotSet:
		if t := branchTaken(a, b, isa.JmpJSET); t >= 0 {
			return 1 - t
		}
	}
	return -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refine narrows a and b (64-bit views) assuming "a op b" holds
// (regs_refine_cond_op); false if it cannot hold.
func refine(a, b *reg, op uint8) bool {
	switch op {
	case isa.JmpJEQ:
		for _, p := range [2][2]*reg{{a, b}, {b, a}} {
			x, y := p[0], p[1]
			x.umin, x.umax = max(x.umin, y.umin), min(x.umax, y.umax)
			x.smin, x.smax = max(x.smin, y.smin), min(x.smax, y.smax)
			if x.varOff.conflicts(y.varOff) {
				return false
			}
			x.varOff = x.varOff.intersect(y.varOff)
		}
	case isa.JmpJNE:
		// Only a constant at an end of the other's range teaches something.
		for _, p := range [2][2]*reg{{a, b}, {b, a}} {
			x, y := p[0], p[1]
			if !y.isConst() {
				continue
			}
			c := y.constVal()
			if x.isConst() && x.constVal() == c {
				return false
			}
			if x.umin == c {
				x.umin++
			} else if x.umax == c {
				x.umax--
			}
			if x.smin == int64(c) {
				x.smin++
			} else if x.smax == int64(c) {
				x.smax--
			}
		}
	case isa.JmpJGT:
		if b.umin == math.MaxUint64 || a.umax == 0 {
			return false
		}
		a.umin = max(a.umin, b.umin+1)
		b.umax = min(b.umax, a.umax-1)
	case isa.JmpJGE:
		a.umin = max(a.umin, b.umin)
		b.umax = min(b.umax, a.umax)
	case isa.JmpJLT:
		return refine(b, a, isa.JmpJGT)
	case isa.JmpJLE:
		return refine(b, a, isa.JmpJGE)
	case isa.JmpJSGT:
		if b.smin == math.MaxInt64 || a.smax == math.MinInt64 {
			return false
		}
		a.smin = max(a.smin, b.smin+1)
		b.smax = min(b.smax, a.smax-1)
	case isa.JmpJSGE:
		a.smin = max(a.smin, b.smin)
		b.smax = min(b.smax, a.smax)
	case isa.JmpJSLT:
		return refine(b, a, isa.JmpJSGT)
	case isa.JmpJSLE:
		return refine(b, a, isa.JmpJSGE)
	case isa.JmpJSET:
		// A single known bit tested: it is set.
		if b.isConst() && b.constVal() != 0 && b.constVal()&(b.constVal()-1) == 0 {
			a.varOff = a.varOff.or(tnumConst(b.constVal()))
		}
	case jmpNotSet:
		if b.isConst() {
			c := b.constVal()
			if a.varOff.value&c != 0 {
				return false
			}
			a.varOff = tnum{a.varOff.value &^ c, a.varOff.mask &^ c}
		}
	}
	// The 32-bit ranges follow from the 64-bit ones after sync; reset
	// nothing here, just make all views agree.
	a.sync()
	b.sync()
	return a.feasible() && b.feasible()
}

// condPointer handles comparisons involving pointers: null checks, packet
// bounds checks, and (privileged) plain pointer comparisons.
func (v *verifier) condPointer(pc int, ins isa.Instruction, dst, src *reg, op uint8, is32 bool, target int) error {
	st := v.cur
	// Null checks: maybe-null pointer against constant zero.
	if !is32 && (op == isa.JmpJEQ || op == isa.JmpJNE) {
		p, other := dst, src
		if !p.typ.isPtr() {
			p, other = src, dst
		}
		if other.isConst() && other.constVal() == 0 {
			if p.typ.maybeNull() {
				nullSt := st.clone()
				id := p.id
				v.markNull(nullSt, id, true)
				v.markNull(st, id, false)
				if op == isa.JmpJEQ { // taken when NULL
					v.push(nullSt, target)
					st.pc = pc + 1
				} else {
					v.push(st.clone(), target)
					*st = *nullSt
					st.pc = pc + 1
				}
				return nil
			}
			if p.typ != ptrPacketEnd { // never NULL
				if op == isa.JmpJNE {
					st.pc = target
				} else {
					st.pc = pc + 1
				}
				return nil
			}
		}
	}
	if !is32 && dst.typ.isPtr() && src.typ.isPtr() {
		if handled := v.packetCompare(pc, ins, dst, src, op, target); handled {
			return nil
		}
	}
	if v.opts.Unprivileged {
		return v.errAt(pc, "R%d pointer comparison prohibited", ins.Dst)
	}
	v.push(st.clone(), target)
	st.pc = pc + 1
	return nil
}

// markNull resolves a null check for every copy of the pointer with the
// given id: NULL makes them the scalar 0 (and releases their reference),
// not NULL makes them valid pointers.
func (v *verifier) markNull(s *state, id uint32, isNull bool) {
	var refID uint32
	s.forEachReg(func(r *reg) {
		if !r.typ.maybeNull() || r.id != id {
			return
		}
		if isNull {
			refID = r.refID
			*r = constScalar(0)
			return
		}
		switch r.typ {
		case ptrMapValueOrNull:
			r.typ = ptrMapValue
		case ptrMemOrNull:
			r.typ = ptrMem
		case constPtrMapOrNull:
			r.typ = constPtrMap
		}
	})
	if isNull && refID != 0 {
		releaseRef(s, refID)
	}
}

// releaseRef drops a reference from the state's list.
func releaseRef(s *state, id uint32) bool {
	for i, r := range s.refs {
		if r.id == id {
			s.refs = append(s.refs[:i], s.refs[i+1:]...)
			return true
		}
	}
	return false
}

// packetCompare learns packet ranges from comparing a packet pointer with
// the packet end (or a metadata pointer with the data pointer), in both
// operand orders and both branch directions (try_match_pkt_pointers).
func (v *verifier) packetCompare(pc int, ins isa.Instruction, dst, src *reg, op uint8, target int) bool {
	switch op {
	case isa.JmpJGT, isa.JmpJGE, isa.JmpJLT, isa.JmpJLE:
	default:
		return false
	}
	isEnd := func(p, end *reg) bool {
		return p.typ == ptrPacket && end.typ == ptrPacketEnd ||
			p.typ == ptrPacketMeta && end.typ == ptrPacket
	}
	// Normalize to "p op end".
	p := dst
	if !isEnd(dst, src) {
		if !isEnd(src, dst) {
			return false
		}
		p = src
		op = swapOp(op)
	}
	// In the branch where p <= end (or p < end), the bytes [base, base+p.off)
	// exist for every pointer sharing p's variable base.
	st := v.cur
	other := st.clone()
	var inBoundsTaken, strict bool
	switch op {
	case isa.JmpJLE: // taken: p <= end
		inBoundsTaken = true
	case isa.JmpJLT: // taken: p < end
		inBoundsTaken, strict = true, true
	case isa.JmpJGT: // fall-through: p <= end
	case isa.JmpJGE: // fall-through: p < end
		strict = true
	}
	good := st
	if inBoundsTaken {
		good = other
	}
	if p.off > 0 && p.umax+uint64(p.off) <= maxPacketOff {
		// p < end proves one byte more than p <= end (the kernel's
		// range_right_open).
		rng := p.off
		if strict {
			rng++
		}
		markPacketRange(good, p.typ, p.id, rng)
	}
	v.push(other, target)
	st.pc = pc + 1
	return true
}

// maxPacketOff bounds the offsets packet ranges are learned for (MAX_PACKET_OFF).
const maxPacketOff = 0xffff

func markPacketRange(s *state, t regType, id uint32, rng int32) {
	s.forEachReg(func(r *reg) {
		if r.typ == t && r.id == id && r.rng < rng {
			r.rng = rng
		}
	})
}
