package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// forEach compiles bpf_for_each_map_elem over a constant hash map as a
// native walk when jit.InlineHashWalk allows it (see jit/foreach.go for
// the algorithm), and reports whether it did.
func (c *compiler) forEach(pc int, num int32) bool {
	w, cb, ok := jit.InlineHashWalk(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	c.hashWalk(pc, cb, &w)
	c.inlined++
	return true
}

// Native-stack slots of the hash walk, from rsp; the key copy follows.
const (
	hwVisited = 0
	hwCtx     = 8
	hwMap     = 16
	hwPrev    = 24 // slot visited last, -1 before the first
	hwCPUOff  = 32 // Frame.CPU * Elem (per-CPU maps), else 0
	hwKey     = 40
)

// hashWalk emits the walk with r1 = map, r2 = callback, r3 = ctx, r4 =
// flags. rsi holds the slot index s inside a step; rdx the scan start;
// rax, rdi, r10 and r11 are scratch.
func (c *compiler) hashWalk(pc, cb int, w *jit.HashWalk) {
	a := &c.a
	r1, r3, r4 := regs[1], regs[3], regs[4]
	frame := hwKey + w.KeyFrame()
	a.testRR(true, r4, r4)
	einval := a.jcc32(condNE)
	a.aluRM(aluCmp, true, rbp, regFrame, jit.OffStackLimit)
	goRoute := []int{a.jcc32(condB)}
	if w.PerCPU {
		a.load(8, rax, regFrame, jit.OffCPU)
		a.movRI32(regAux, w.NCPU)
		a.aluRR(aluCmp, true, rax, regAux)
		goRoute = append(goRoute, a.jcc32(condAE))
		a.imulRRI(true, rax, rax, int32(w.Elem))
	} else {
		a.aluRR(aluXor, false, rax, rax)
	}
	a.aluRI(aluSub, true, rsp, w.KeyFrame())
	a.push(rax) // CPU offset
	a.movRIsx(regAux, -1)
	a.push(regAux) // prev
	a.push(r1)     // map handle
	a.push(r3)     // ctx
	a.aluRR(aluXor, false, regAux, regAux)
	a.push(regAux) // visited

	top, pre := c.newLabel(), c.newLabel()
	c.stubs = append(c.stubs, stub{l: pre, exit: jit.ExitPreempt, resumeTo: top})
	c.place(top)
	topPos := a.pos()
	var done []int
	a.load(8, rax, rsp, hwVisited)
	a.movRI32(regAux, w.N)
	a.aluRR(aluCmp, true, rax, regAux)
	done = append(done, a.jcc32(condAE))
	if w.Array {
		// s = prev+1 (0 first), the key u32 s.
		a.load(8, rsi, rsp, hwPrev)
		a.aluRI(aluAdd, true, rsi, 1)
		a.movRI32(regAux, w.N)
		a.aluRR(aluCmp, true, rsi, regAux)
		done = append(done, a.jcc32(condAE))
		a.store(4, rsp, hwKey, rsi)
	} else {
		done = append(done, c.hwStep(w, pre)...)
	}

	// Visit s: r1 = map, r2 = &key, r3 = value, r4 = ctx, r5 = 0.
	a.store(8, rsp, hwPrev, rsi)
	if w.LRU {
		// Mark the element referenced, as LookupElem does.
		c.hwSlotStride(rdi, w.State, w.SlotStride)
		a.load(4, regAux, rdi, 4)
		a.testRR(false, regAux, regAux)
		marked := a.jcc32(condNE)
		a.storeImm(4, rdi, 4, 1)
		a.patch32(marked, a.pos())
	}
	a.load(8, regAux, rsp, hwVisited)
	a.aluRI(aluAdd, true, regAux, 1)
	a.store(8, rsp, hwVisited, regAux)
	c.hwSlotStride(rdx, w.Values, w.Stride)
	a.aluRM(aluAdd, true, rdx, rsp, hwCPUOff)
	a.load(8, r1, rsp, hwMap)
	a.lea(regs[2], rsp, hwKey)
	a.load(8, r4, rsp, hwCtx)
	a.aluRR(aluXor, false, regs[5], regs[5])
	saved := []reg{rbx, r13, r14, r15, rbp}
	for _, r := range saved {
		a.push(r)
	}
	// The callback starts with r0 and r6-r9 zero, as through ctx.Call.
	for _, r := range []reg{rax, rbx, r13, r14, r15} {
		a.aluRR(aluXor, false, r, r)
	}
	a.aluRI(aluSub, true, rbp, vm.StackSize)
	c.fix(a.call32(), label(cb))
	for i := len(saved) - 1; i >= 0; i-- {
		a.pop(saved[i])
	}
	a.testRR(true, rax, rax)
	done = append(done, a.jcc32(condNE))
	// One back-edge against the preemption budget; a preemption exit
	// resumes at top, which recomputes the step from prev and the key.
	a.decR(regBudget)
	e := condE
	c.br(&e, pre)
	a.patch32(a.jmp32(), topPos)

	for _, p := range done {
		a.patch32(p, a.pos())
	}
	a.load(8, rax, rsp, hwVisited)
	a.aluRI(aluAdd, true, rsp, frame)
	end := a.jmp32()
	a.patch32(einval, a.pos())
	a.movRIsx(rax, jit.LoopEINVAL)
	end2 := a.jmp32()
	for _, p := range goRoute {
		a.patch32(p, a.pos())
	}
	a.storeImm(8, regFrame, jit.OffArg, int32(helpers.FnForEachMapElem))
	c.helperExit(pc)
	a.patch32(end, a.pos())
	a.patch32(end2, a.pos())
}

// hwStep emits a hash walk's step: s (rsi) = the next slot after the last
// visited key, with the key copied; it returns the jumps taken when there
// is none, and falls through with s found. Every slot scanned counts one
// back-edge against the preemption budget (the exit goes to pre, which
// resumes at the step's head: a step is a pure function of prev and the
// key, and one step scans at most 2*HashWalkMaxEntries slots, less than a
// budget, so it always completes).
func (c *compiler) hwStep(w *jit.HashWalk, pre label) (done []int) {
	a := &c.a
	e := condE
	a.aluRR(aluXor, false, rdx, rdx) // from = 0
	a.load(8, rsi, rsp, hwPrev)
	a.testRR(true, rsi, rsi)
	toScan := []int{a.jcc32(condL)} // no prev (-1): from 0
	miss := c.hwHolds(w)
	a.lea(rdx, rsi, 1)
	toScan = append(toScan, a.jmp32())
	// prev's slot no longer holds the key: find it in another slot.
	c.hwPatch(miss)
	a.aluRR(aluXor, false, rsi, rsi)
	findTop := a.pos()
	a.movRI32(regAux, w.N)
	a.aluRR(aluCmp, true, rsi, regAux)
	toScan = append(toScan, a.jcc32(condAE)) // not found: from 0
	miss = c.hwHolds(w)
	a.lea(rdx, rsi, 1)
	toScan = append(toScan, a.jmp32())
	c.hwPatch(miss)
	a.aluRI(aluAdd, true, rsi, 1)
	a.decR(regBudget)
	c.br(&e, pre)
	a.patch32(a.jmp32(), findTop)

	// The first used slot >= from whose key, copied, it still holds.
	for _, p := range toScan {
		a.patch32(p, a.pos())
	}
	a.movRR(true, rsi, rdx)
	scanTop := a.pos()
	a.movRI32(regAux, w.N)
	a.aluRR(aluCmp, true, rsi, regAux)
	done = append(done, a.jcc32(condAE)) // NextKey's ENOENT
	c.hwSlotStride(rdi, w.State, w.SlotStride)
	a.load(4, regAux, rdi, 0)
	a.aluRI(aluCmp, false, regAux, 1)
	free := a.jcc32(condNE)
	c.hwSlotStride(rdi, w.Keys, w.SlotStride)
	for off, n := int32(0), int32(w.KeySize); off < n; {
		sz := hwChunk(n - off)
		a.load(int(sz), rax, rdi, off)
		a.store(int(sz), rsp, hwKey+off, rax)
		off += sz
	}
	miss = c.hwHolds(w)
	found := a.jmp32()
	a.patch32(free, a.pos())
	c.hwPatch(miss)
	a.aluRI(aluAdd, true, rsi, 1)
	a.decR(regBudget)
	c.br(&e, pre)
	a.patch32(a.jmp32(), scanTop)
	a.patch32(found, a.pos())
	return done
}

// hwSlotStride sets dst = base + rsi*stride.
func (c *compiler) hwSlotStride(dst reg, base, stride uint64) {
	a := &c.a
	a.imulRRI(true, dst, rsi, int32(stride))
	a.movabs(regTmp, base)
	a.aluRR(aluAdd, true, dst, regTmp)
}

// hwChunk is the size of the next key chunk to copy or compare.
func hwChunk(left int32) int32 {
	switch {
	case left >= 8:
		return 8
	case left >= 4:
		return 4
	case left >= 2:
		return 2
	}
	return 1
}

// hwHolds emits holds(rsi): State[s] == 1 and Keys[s] equals the key
// copy. It returns the positions of the jcc32s taken when it does not
// hold; it falls through when it does. Clobbers rdi, rax, r10, r11.
func (c *compiler) hwHolds(w *jit.HashWalk) []int {
	a := &c.a
	var fails []int
	c.hwSlotStride(rdi, w.State, w.SlotStride)
	a.load(4, regAux, rdi, 0)
	a.aluRI(aluCmp, false, regAux, 1)
	fails = append(fails, a.jcc32(condNE))
	c.hwSlotStride(rdi, w.Keys, w.SlotStride)
	for off, n := int32(0), int32(w.KeySize); off < n; {
		sz := hwChunk(n - off)
		a.load(int(sz), rax, rdi, off)
		a.load(int(sz), regAux, rsp, hwKey+off)
		a.aluRR(aluCmp, true, rax, regAux)
		fails = append(fails, a.jcc32(condNE))
		off += sz
	}
	return fails
}

// hwPatch points the jumps at ps here.
func (c *compiler) hwPatch(ps []int) {
	for _, p := range ps {
		c.a.patch32(p, c.a.pos())
	}
}
