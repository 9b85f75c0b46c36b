package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// forEach compiles bpf_for_each_map_elem over a constant hash map as a
// native walk when jit.InlineHashWalk allows it (see jit/foreach.go for
// the algorithm), and reports whether it did.
func (c *compiler) forEach(i int, num int32) bool {
	w, cb, ok := jit.InlineHashWalk(c.prog, c.insns, c.second, c.target, i, num)
	if !ok {
		return false
	}
	c.hashWalk(i, cb, &w)
	c.inlined++
	return true
}

// Native-stack slots of the hash walk, from sp; the key copy follows. The
// slot is rounded up to 16 bytes (sp stays aligned).
const (
	hwVisited = 0
	hwCtx     = 8
	hwMap     = 16
	hwPrev    = 24 // slot visited last, -1 before the first
	hwCPUOff  = 32 // Frame.CPU * Elem (per-CPU maps), else 0
	hwKey     = 40
)

// hashWalk emits the walk with r1 = map, r2 = callback, r3 = ctx, r4 =
// flags. x2 holds the slot index s inside a step, x3 the scan start; x0,
// x1, x4, x5 and tmp1-tmp3 are scratch.
func (c *compiler) hashWalk(i, cb int, w *jit.HashWalk) {
	r := func(n int) Reg { return regMap[n] }
	top, done, einval, goRoute, preempt, end := c.newLabel(), c.newLabel(), c.newLabel(),
		c.newLabel(), c.newLabel(), c.newLabel()
	frame := (uint32(hwKey+w.KeyFrame()) + 15) &^ 15
	c.branchTo(cbnz(true, r(4), 0), einval, fixCond)
	c.emit(cmpReg(true, regFP, regLimit))
	c.branchTo(bcond(CondLO, 0), goRoute, fixCond)
	if w.PerCPU {
		c.emit(ldstScaled(3, opcLoad, r(0), regFrame, jit.OffCPU))
		c.movImm(true, tmp1, uint64(w.NCPU))
		c.emit(cmpReg(true, r(0), tmp1))
		c.branchTo(bcond(CondHS, 0), goRoute, fixCond)
		c.movImm(true, tmp1, w.Elem)
		c.emit(mul(true, r(0), r(0), tmp1))
	} else {
		c.emit(movz(true, r(0), 0, 0))
	}
	c.movImm(true, tmp1, ^uint64(0))
	c.emit(
		subImm(true, SP, SP, frame),
		ldstScaled(3, opcStore, XZR, SP, hwVisited),
		ldstScaled(3, opcStore, r(3), SP, hwCtx),
		ldstScaled(3, opcStore, r(1), SP, hwMap),
		ldstScaled(3, opcStore, tmp1, SP, hwPrev),
		ldstScaled(3, opcStore, r(0), SP, hwCPUOff),
	)

	c.place(top)
	c.emit(ldstScaled(3, opcLoad, r(0), SP, hwVisited))
	c.movImm(true, tmp1, uint64(w.N))
	c.emit(cmpReg(true, r(0), tmp1))
	c.branchTo(bcond(CondHS, 0), done, fixCond)
	if w.Array {
		// s = prev+1 (0 first), the key u32 s.
		c.emit(
			ldstScaled(3, opcLoad, r(2), SP, hwPrev),
			addImm(true, r(2), r(2), 1),
		)
		c.movImm(true, tmp1, uint64(w.N))
		c.emit(cmpReg(true, r(2), tmp1))
		c.branchTo(bcond(CondHS, 0), done, fixCond)
		c.emit(ldstScaled(2, opcStore, r(2), SP, hwKey))
	} else {
		c.hwStep(w, done, preempt)
	}

	// Visit s: r1 = map, r2 = &key, r3 = value, r4 = ctx, r5 = 0.
	if w.LRU {
		// Mark the element referenced, as LookupElem does.
		marked := c.newLabel()
		c.hwState(w) // x4 = s*SlotStride, x5 = State[s]
		c.movImm(true, tmp1, w.State+4)
		c.emit(addReg(true, r(4), r(4), tmp1), ldstScaled(2, opcLoad, r(5), r(4), 0))
		c.branchTo(cbnz(false, r(5), 0), marked, fixCond)
		c.emit(movz(false, r(5), 1, 0), ldstScaled(2, opcStore, r(5), r(4), 0))
		c.place(marked)
	}
	c.emit(
		ldstScaled(3, opcStore, r(2), SP, hwPrev),
		ldstScaled(3, opcLoad, tmp2, SP, hwVisited),
		addImm(true, tmp2, tmp2, 1),
		ldstScaled(3, opcStore, tmp2, SP, hwVisited),
	)
	c.movImm(true, tmp1, w.Stride)
	c.emit(mul(true, r(3), r(2), tmp1))
	c.movImm(true, tmp1, w.Values)
	c.emit(
		addReg(true, r(3), r(3), tmp1),
		ldstScaled(3, opcLoad, tmp1, SP, hwCPUOff),
		addReg(true, r(3), r(3), tmp1),
		ldstScaled(3, opcLoad, r(1), SP, hwMap),
		addImm(true, r(2), SP, hwKey),
		ldstScaled(3, opcLoad, r(4), SP, hwCtx),
		movz(true, r(5), 0, 0),
	)
	// The bpf-to-bpf call sequence of localCall (the depth was checked
	// above), with r0 and r6-r9 zeroed for the callback as through
	// ctx.Call (the same sequence as loop's).
	ret := c.newLabel()
	c.emit(
		stpPre(19, 20, SP, -48),
		stp(21, 22, SP, 16),
		ldstScaled(3, opcStore, regFP, SP, 32),
		movz(true, r(0), 0, 0),
		movz(true, r(6), 0, 0),
		movz(true, r(7), 0, 0),
		movz(true, r(8), 0, 0),
		movz(true, r(9), 0, 0),
	)
	c.branchTo(adr(linkReg, 0), ret, fixADR)
	c.emit(
		strPre(linkReg, SP, -16),
		subImm(true, regFP, regFP, vm.StackSize),
	)
	c.branchTo(bl(0), cb, fixB)
	c.place(ret)
	c.emit(
		ldstScaled(3, opcLoad, regFP, SP, 32),
		ldp(21, 22, SP, 16),
		ldpPost(19, 20, SP, 48),
	)
	c.branchTo(cbnz(true, r(0), 0), done, fixCond)
	// One back-edge against the preemption budget; a preemption exit
	// resumes at top, which recomputes the step from prev and the key.
	c.emit(subsImm(true, regBudget, regBudget, 1))
	c.branchTo(bcond(CondLS, 0), preempt, fixCond)
	c.branchTo(b(0), top, fixB)
	c.place(preempt)
	c.branchTo(adr(tmp1, 0), top, fixADR)
	c.branchTo(b(0), c.stub(stubPreempt), fixB)

	c.place(done)
	c.emit(
		ldstScaled(3, opcLoad, r(0), SP, hwVisited),
		addImm(true, SP, SP, frame),
	)
	c.branchTo(b(0), end, fixB)
	c.place(einval)
	neg := int64(jit.LoopEINVAL)
	c.movImm(true, r(0), uint64(neg))
	c.branchTo(b(0), end, fixB)
	c.place(goRoute)
	c.movImm(true, tmp1, uint64(helpers.FnForEachMapElem))
	c.helperExit(i)
	c.place(end)
}

// hwStep emits a hash walk's step: s (x2) = the next slot after the last
// visited key, with the key copied; it branches to done when there is none
// and falls through with s found. Every slot scanned counts one back-edge
// against the preemption budget (the exit goes to preempt, which resumes at
// the step's head: a step is a pure function of prev and the key, and one
// step scans at most 2*HashWalkMaxEntries slots, less than a budget, so it
// always completes).
func (c *compiler) hwStep(w *jit.HashWalk, done, preempt int) {
	r := func(n int) Reg { return regMap[n] }
	scan, sloop, snext, found, findAll, floop, fnext := c.newLabel(), c.newLabel(), c.newLabel(),
		c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.emit(
		movz(true, r(3), 0, 0), // from = 0
		ldstScaled(3, opcLoad, r(2), SP, hwPrev),
		cmpReg(true, r(2), XZR),
	)
	c.branchTo(bcond(CondLT, 0), scan, fixCond) // no prev (-1): from 0
	c.hwHolds(w, findAll)
	c.emit(addImm(true, r(3), r(2), 1))
	c.branchTo(b(0), scan, fixB)
	// prev's slot no longer holds the key: find it in another slot.
	c.place(findAll)
	c.emit(movz(true, r(2), 0, 0))
	c.place(floop)
	c.movImm(true, tmp1, uint64(w.N))
	c.emit(cmpReg(true, r(2), tmp1))
	c.branchTo(bcond(CondHS, 0), scan, fixCond) // not found: from 0
	c.hwHolds(w, fnext)
	c.emit(addImm(true, r(3), r(2), 1))
	c.branchTo(b(0), scan, fixB)
	c.place(fnext)
	c.emit(addImm(true, r(2), r(2), 1))
	c.emit(subsImm(true, regBudget, regBudget, 1))
	c.branchTo(bcond(CondLS, 0), preempt, fixCond)
	c.branchTo(b(0), floop, fixB)

	// The first used slot >= from whose key, copied, it still holds.
	c.place(scan)
	c.emit(movReg(true, r(2), r(3)))
	c.place(sloop)
	c.movImm(true, tmp1, uint64(w.N))
	c.emit(cmpReg(true, r(2), tmp1))
	c.branchTo(bcond(CondHS, 0), done, fixCond) // NextKey's ENOENT
	c.hwState(w)
	c.branchTo(bcond(CondNE, 0), snext, fixCond)
	c.movImm(true, tmp1, w.Keys)
	c.emit(addReg(true, r(1), r(4), tmp1))
	for off, n := uint32(0), w.KeySize; off < n; {
		sz := hwChunk(n - off)
		c.emit(
			ldstScaled(sz, opcLoad, r(5), r(1), off),
			ldstScaled(sz, opcStore, r(5), SP, hwKey+off),
		)
		off += 1 << sz
	}
	c.hwHolds(w, snext)
	c.branchTo(b(0), found, fixB)
	c.place(snext)
	c.emit(addImm(true, r(2), r(2), 1))
	c.emit(subsImm(true, regBudget, regBudget, 1))
	c.branchTo(bcond(CondLS, 0), preempt, fixCond)
	c.branchTo(b(0), sloop, fixB)
	c.place(found)
}

// hwState sets x4 = s*SlotStride (s in x2) and compares State[s] with 1.
func (c *compiler) hwState(w *jit.HashWalk) {
	r := func(n int) Reg { return regMap[n] }
	c.movImm(true, tmp1, w.SlotStride)
	c.emit(mul(true, r(4), r(2), tmp1))
	c.movImm(true, tmp1, w.State)
	c.emit(
		ldstReg(2, opcLoad, r(5), r(4), tmp1),
		subsImm(false, XZR, r(5), 1),
	)
}

// hwHolds emits holds(x2): State[s] == 1 and Keys[s] equals the key copy,
// branching to fail when it does not hold and falling through when it
// does. Clobbers x1, x4, x5, tmp1 and tmp2.
func (c *compiler) hwHolds(w *jit.HashWalk, fail int) {
	r := func(n int) Reg { return regMap[n] }
	c.hwState(w)
	c.branchTo(bcond(CondNE, 0), fail, fixCond)
	c.movImm(true, tmp1, w.Keys)
	c.emit(addReg(true, r(1), r(4), tmp1))
	for off, n := uint32(0), w.KeySize; off < n; {
		sz := hwChunk(n - off)
		c.emit(
			ldstScaled(sz, opcLoad, r(5), r(1), off),
			ldstScaled(sz, opcLoad, tmp2, SP, hwKey+off),
			cmpReg(true, r(5), tmp2),
		)
		c.branchTo(bcond(CondNE, 0), fail, fixCond)
		off += 1 << sz
	}
}

// hwChunk is the log2 size of the next key chunk to copy or compare.
func hwChunk(left uint32) uint32 {
	switch {
	case left >= 8:
		return 3
	case left >= 4:
		return 2
	case left >= 2:
		return 1
	}
	return 0
}
