package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// ldar is LDAR Xt, [Xn]: a load-acquire, so the loads after it (the tail
// table entry's address word) see what was stored before the tag.
// tailMaskBits is log2(jit.TailTableSize).
const tailMaskBits = 12

var _ = [1]int{}[jit.TailTableSize-1<<tailMaskBits] // TailTableSize == 1<<tailMaskBits

func ldar(t, n Reg) uint32 { return 0xc8dffc00 | rn(n) | rd(t) }

// tailCall emits bpf_tail_call natively when jit.NativeTailCall allows it
// (see jit/tailcall.go for the algorithm) and reports whether it did. x1-x3
// (r1-r3) stay intact for the Go route and the target; x0 and x9-x13 are
// scratch (r0 is set on every path).
func (c *compiler) tailCall(i int, num int32) bool {
	if c.opts.NoInline {
		return false
	}
	tc, ok := jit.NativeTailCall(c.prog, c.insns, c.second, c.target, i, num)
	if !ok {
		return false
	}
	f := regFrame
	desc, count, table := tmp4, tmp2, tmp5
	goRoute, empty, enoent, e2big, done := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()

	// x12 = desc; the array must (still) publish its prog-array route.
	c.movImm(true, desc, uint64(tc.Desc))
	c.emit(
		ldstScaled(2, opcLoad, tmp1, desc, maps.NativeOffRoute),
		subsImm(false, XZR, tmp1, maps.RouteProgArray),
	)
	c.branchTo(bcond(CondNE, 0), goRoute, fixCond)
	// index >= max_entries: -ENOENT, not counted.
	c.emit(
		ldstScaled(2, opcLoad, tmp1, desc, maps.NativeOffMaxEntries),
		cmpReg(false, regMap[3], tmp1),
	)
	c.branchTo(bcond(CondHS, 0), enoent, fixCond)
	// The run's tail-call count (x10) at the limit: -E2BIG.
	c.emit(
		ldstScaled(3, opcLoad, count, f, jit.OffTailCalls),
		subsImm(true, XZR, count, vm.MaxTailCalls),
	)
	c.branchTo(bcond(CondHS, 0), e2big, fixCond)
	// w11 = the program ID at Values + index*Stride; 0: empty slot.
	c.emit(
		ldstScaled(3, opcLoad, tmp1, desc, maps.NativeOffStride),
		uxt(tmp3, regMap[3], 32),
		mul(true, tmp1, tmp3, tmp1),
		ldstScaled(3, opcLoad, tmp3, desc, maps.NativeOffValues),
		addReg(true, tmp1, tmp1, tmp3),
		ldstScaled(2, opcLoad, tmp3, tmp1, 0),
	)
	c.branchTo(cbz(false, tmp3, 0), empty, fixCond)
	// x13 = the run's tail table entry for the ID; no table, or another
	// tag: the Go route decides.
	c.emit(ldstScaled(3, opcLoad, table, f, jit.OffTailTable))
	c.branchTo(cbz(true, table, 0), goRoute, fixCond)
	c.emit(
		ubfm(false, tmp1, tmp3, 0, tailMaskBits-1), // w9 = id & TailTableMask
		lslImm(true, tmp1, tmp1, jit.TailEntryShift),
		addReg(true, table, table, tmp1),
		ldar(tmp1, table), // tag (TailOffTag is 0)
		cmpReg(false, tmp1, tmp3),
	)
	c.branchTo(bcond(CondNE, 0), goRoute, fixCond)
	// Taken: count, name the target in the tail word, reset the stack and
	// r10 to the run's start and jump to the target's Start stub.
	c.emit(
		addImm(true, count, count, 1),
		ldstScaled(3, opcStore, count, f, jit.OffTailCalls),
		ldstScaled(3, opcLoad, tmp3, f, jit.OffNativeStack),
		ldstScaled(3, opcStore, tmp1, tmp3, 0),
		ldstScaled(3, opcLoad, tmp1, table, jit.TailOffEntry),
		ldstScaled(3, opcLoad, tmp3, f, jit.OffRunStackSP),
		subImm(true, SP, tmp3, 16), // the stub's return address stays
		ldstScaled(3, opcLoad, regFP, f, jit.OffRunFP),
		br(tmp1),
	)
	c.place(empty)
	c.emit(
		addImm(true, count, count, 1),
		ldstScaled(3, opcStore, count, f, jit.OffTailCalls),
	)
	c.place(enoent)
	enoentV, e2bigV := int64(jit.TailENOENT), int64(jit.TailE2BIG)
	c.movImm(true, regMap[0], uint64(enoentV))
	c.branchTo(b(0), done, fixB)
	c.place(e2big)
	c.movImm(true, regMap[0], uint64(e2bigV))
	c.branchTo(b(0), done, fixB)
	c.place(goRoute)
	c.movImm(true, tmp1, helpers.FnTailCall)
	c.helperExit(i)
	c.place(done)
	return true
}
