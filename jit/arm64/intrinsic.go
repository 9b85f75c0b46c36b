package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
)

// intrinsic compiles the helper call num at i natively when jit.IntrinsicFor
// says it is one of the intrinsics, and reports whether it did. r1-r5 are
// left as they are (as after the Go helper); x9-x12 are scratch.
func (c *compiler) intrinsic(i int, num int32) bool {
	in := jit.IntrinsicFor(c.prog, num)
	switch in.Kind {
	case jit.IntrinsicSpinLock:
		c.spinLock(i)
	case jit.IntrinsicSpinUnlock:
		c.spinUnlock(i)
	case jit.IntrinsicCPU:
		c.emit(ldstScaled(3, opcLoad, regMap[0], regFrame, jit.OffCPU))
	case jit.IntrinsicPrandom:
		c.prandom()
	case jit.IntrinsicRedirect:
		if !redirectFits() {
			return false
		}
		c.redirect(in)
	case jit.IntrinsicLoop:
		cb, ok := jit.InlineLoop(c.prog, c.insns, c.second, c.target, i, num)
		if !ok {
			return false
		}
		c.loop(i, cb, nil)
	case jit.IntrinsicForEach:
		walk, cb, ok := jit.InlineArrayWalk(c.prog, c.insns, c.second, c.target, i, num)
		if !ok {
			return false
		}
		c.loop(i, cb, &walk)
	default:
		return false
	}
	c.inlined++
	return true
}

// Encodings used only here.
// yield is the spin-wait hint (YIELD).
const yield uint32 = 0xd503203f

// stlrW is STLR Wt, [Xn]: a 32-bit store with release semantics.
func stlrW(t, n Reg) uint32 { return 0x889ffc00 | rn(n) | rd(t) }

// spinLock is bpf_spin_lock(r1): a compare-and-swap of the u32 lock word
// from 0 to 1 (CASAL, or an LDAXR/STLXR loop), retried SpinLockTries times
// with YIELD and a plain load between tries, then the Go helper (which
// yields to the scheduler and times out). A native success records the
// lock in the Frame's lock-held word for spinUnlock.
//
//	    mov w10, #1
//	    <try: w9 = old; on success b got>
//	    mov w11, #tries
//	spin: yield; ldr w9, [x1]; cbnz w9, next
//	    <try>
//	next: subs w11, w11, #1; b.ne spin
//	    <exit to the Go helper>; b done
//	got: str x1, [x26, #lockheld]; mov x0, #0
//	done:
func (c *compiler) spinLock(i int) {
	lock := regMap[1]
	got, done, spin, next := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.emit(movz(false, tmp2, 1, 0))
	c.tryLock(lock, got)
	c.movImm(false, tmp3, jit.SpinLockTries)
	c.place(spin)
	c.emit(yield, ldstScaled(2, opcLoad, tmp1, lock, 0))
	c.branchTo(cbnz(false, tmp1, 0), next, fixCond)
	c.tryLock(lock, got)
	c.place(next)
	c.emit(subsImm(false, tmp3, tmp3, 1))
	c.branchTo(bcond(CondNE, 0), spin, fixCond)
	c.movImm(true, tmp1, helpers.FnSpinLock)
	c.helperExit(i)
	c.branchTo(b(0), done, fixB)
	c.place(got)
	c.emit(
		ldstScaled(3, opcStore, lock, regFrame, jit.OffLockHeld),
		movz(true, regMap[0], 0, 0),
	)
	c.place(done)
}

// tryLock emits one attempt to change the word at lock from 0 to w10 (1),
// branching to got on success and falling through when the word was not 0.
func (c *compiler) tryLock(lock Reg, got int) {
	if c.lse {
		c.emit(movz(false, tmp1, 0, 0), casal(2, tmp1, tmp2, lock))
		c.branchTo(cbz(false, tmp1, 0), got, fixCond)
		return
	}
	//	1: ldaxr w9, [x1]
	//	   cbnz w9, 2f
	//	   stlxr w12, w10, [x1]
	//	   cbnz w12, 1b
	//	   b got
	//	2:
	c.emit(
		ldaxr(2, tmp1, lock),
		cbnz(false, tmp1, 4),
		stlxr(2, tmp4, tmp2, lock),
		cbnz(false, tmp4, -3),
	)
	c.branchTo(b(0), got, fixB)
}

// spinUnlock is bpf_spin_unlock(r1): if the Frame's lock-held word is r1,
// clear it and store 0 to the lock word with STLR; otherwise the Go helper,
// which took the lock.
//
//	    ldr x9, [x26, #lockheld]; cmp x9, x1; b.ne slow
//	    str xzr, [x26, #lockheld]; stlr wzr, [x1]; mov x0, #0; b done
//	slow: <exit to the Go helper>
//	done:
func (c *compiler) spinUnlock(i int) {
	lock := regMap[1]
	slow, done := c.newLabel(), c.newLabel()
	c.emit(
		ldstScaled(3, opcLoad, tmp1, regFrame, jit.OffLockHeld),
		cmpReg(true, tmp1, lock),
	)
	c.branchTo(bcond(CondNE, 0), slow, fixCond)
	c.emit(
		ldstScaled(3, opcStore, XZR, regFrame, jit.OffLockHeld),
		stlrW(XZR, lock),
		movz(true, regMap[0], 0, 0),
	)
	c.branchTo(b(0), done, fixB)
	c.place(slow)
	c.movImm(true, tmp1, helpers.FnSpinUnlock)
	c.helperExit(i)
	c.place(done)
}

// prandom is bpf_get_prandom_u32(): one step of xorshift128+ on
// Frame.Rand[0..1], r0 = the upper half of the sum (jit.RandNext).
func (c *compiler) prandom() {
	r0, s0 := regMap[0], tmp1
	c.emit(
		ldstScaled(3, opcLoad, r0, regFrame, jit.OffRand),   // s1 = st[0]
		ldstScaled(3, opcLoad, s0, regFrame, jit.OffRand+8), // s0 = st[1]
		ldstScaled(3, opcStore, s0, regFrame, jit.OffRand),  // st[0] = s0
		eorShift(true, r0, r0, r0, shiftLSL, 23),            // s1 ^= s1 << 23
		eorShift(true, r0, r0, r0, shiftLSR, 17),            // s1 ^= s1>>17 ^ s0 ^ s0>>26
		eorShift(true, r0, r0, s0, shiftLSL, 0),
		eorShift(true, r0, r0, s0, shiftLSR, 26),
		ldstScaled(3, opcStore, r0, regFrame, jit.OffRand+8), // st[1] = s1
		addReg(true, r0, r0, s0),                             // r0 = (s1 + s0) >> 32
		lsrImm(true, r0, r0, 32),
	)
}

// redirectFits reports whether the vm.Context.Redirect offsets fit the
// scaled unsigned-offset loads and stores.
func redirectFits() bool {
	ok := func(off int32, size uint32) bool {
		return off >= 0 && off%(1<<size) == 0 && off>>size < 4096
	}
	return ok(jit.CtxRedirectSet, 0) && ok(jit.CtxRedirectIfIndex, 2) && ok(jit.CtxRedirectMap, 2) &&
		ok(jit.CtxRedirectKey, 2) && ok(jit.CtxRedirectFlags, 3)
}

// redirect is bpf_redirect(r1 = ifindex, r2 = flags) of XDP and tc: flags
// outside in.RedirectFlags give RedirectFail; otherwise the run's
// vm.Context.Redirect becomes {Set, IfIndex: r1, Flags: r2} and r0 =
// RedirectOK.
func (c *compiler) redirect(in jit.Intrinsic) {
	ifindex, flags, ctx := regMap[1], regMap[2], tmp1
	fail, done := c.newLabel(), c.newLabel()
	if bad := ^in.RedirectFlags; bad == ^uint64(0) {
		c.branchTo(cbnz(true, flags, 0), fail, fixCond)
	} else {
		c.movImm(true, tmp2, bad)
		c.emit(tstReg(true, flags, tmp2))
		c.branchTo(bcond(CondNE, 0), fail, fixCond)
	}
	c.emit(
		ldstScaled(3, opcLoad, ctx, regFrame, jit.OffCtx),
		movz(false, tmp2, 1, 0),
		ldstScaled(0, opcStore, tmp2, ctx, uint32(jit.CtxRedirectSet)),
		ldstScaled(2, opcStore, ifindex, ctx, uint32(jit.CtxRedirectIfIndex)),
		ldstScaled(2, opcStore, XZR, ctx, uint32(jit.CtxRedirectMap)),
		ldstScaled(2, opcStore, XZR, ctx, uint32(jit.CtxRedirectKey)),
		ldstScaled(3, opcStore, flags, ctx, uint32(jit.CtxRedirectFlags)),
	)
	c.movImm(true, regMap[0], in.RedirectOK)
	c.branchTo(b(0), done, fixB)
	c.place(fail)
	c.movImm(true, regMap[0], in.RedirectFail)
	c.place(done)
}
