package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
)

// intrinsic compiles the helper call num at pc natively when jit.IntrinsicFor
// says it is one of the intrinsics, and reports whether it did. r1-r5 are
// left as they are except where noted (the verifier makes them unreadable
// after a call anyway); r10 and r11 are scratch.
func (c *compiler) intrinsic(pc int, num int32) bool {
	in := jit.IntrinsicFor(c.p, num)
	switch in.Kind {
	case jit.IntrinsicSpinLock:
		c.spinLock(pc)
	case jit.IntrinsicSpinUnlock:
		c.spinUnlock(pc)
	case jit.IntrinsicCPU:
		c.a.load(8, rax, regFrame, jit.OffCPU)
	case jit.IntrinsicPrandom:
		c.prandom()
	case jit.IntrinsicRedirect:
		c.redirect(in)
	case jit.IntrinsicLoop:
		cb, ok := jit.InlineLoop(c.p, c.insns, c.second, c.target, pc, num)
		if !ok {
			return false
		}
		c.loop(pc, cb, nil)
	case jit.IntrinsicForEach:
		walk, cb, ok := jit.InlineArrayWalk(c.p, c.insns, c.second, c.target, pc, num)
		if !ok {
			return false
		}
		c.loop(pc, cb, &walk)
	default:
		return false
	}
	c.inlined++
	return true
}

// spinLock is bpf_spin_lock(r1): lock cmpxchg of the u32 lock word from 0 to
// 1, retried SpinLockTries times with pause after a failure, then the Go
// helper (which yields and times out). A native success records the lock
// in the Frame's lock-held word for spinUnlock.
//
//	    xor eax, eax; mov r11d, 1
//	    lock cmpxchg [rdi], r11d; je got
//	    mov r10d, tries
//	spin: pause; mov eax, [rdi]; test eax, eax; jne next
//	    lock cmpxchg [rdi], r11d; je got
//	next: dec r10; jne spin
//	    <exit to the Go helper>; jmp done
//	got: mov [r12+lockheld], rdi; xor eax, eax
//	done:
func (c *compiler) spinLock(pc int) {
	a := &c.a
	lock := regs[1]
	a.aluRR(aluXor, false, rax, rax)
	a.movRI32(regAux, 1)
	a.lockCmpxchg(false, lock, 0, regAux)
	got1 := a.jcc8(condE)
	a.movRI32(regTmp, jit.SpinLockTries)
	spin := a.pos()
	a.byte1(0xf3, 0x90) // pause
	a.load(4, rax, lock, 0)
	a.testRR(false, rax, rax)
	next := a.jcc8(condNE)
	a.lockCmpxchg(false, lock, 0, regAux)
	got2 := a.jcc8(condE)
	a.patch8(next)
	a.decR(regTmp)
	a.byte1(0x70|byte(condNE), byte(int8(spin-(a.pos()+2))))
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnSpinLock)
	c.helperExit(pc)
	done := a.jmp8()
	a.patch8(got1)
	a.patch8(got2)
	a.store(8, regFrame, jit.OffLockHeld, lock)
	a.aluRR(aluXor, false, rax, rax)
	a.patch8(done)
}

// spinUnlock is bpf_spin_unlock(r1): if the Frame's lock-held word is r1,
// clear it and store 0 to the lock word (a plain store releases on x86, as
// in Linux's spin_unlock); otherwise the Go helper, which took the lock.
//
//	    cmp rdi, [r12+lockheld]; jne slow
//	    mov qword [r12+lockheld], 0; mov dword [rdi], 0; xor eax, eax; jmp done
//	slow: <exit to the Go helper>
//	done:
func (c *compiler) spinUnlock(pc int) {
	a := &c.a
	lock := regs[1]
	a.aluRM(aluCmp, true, lock, regFrame, jit.OffLockHeld)
	slow := a.jcc8(condNE)
	a.storeImm(8, regFrame, jit.OffLockHeld, 0)
	a.storeImm(4, lock, 0, 0)
	a.aluRR(aluXor, false, rax, rax)
	done := a.jmp8()
	a.patch8(slow)
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnSpinUnlock)
	c.helperExit(pc)
	a.patch8(done)
}

// prandom is bpf_get_prandom_u32(): one step of xorshift128+ on
// Frame.Rand[0..1], r0 = the upper half of the sum (jit.RandNext).
func (c *compiler) prandom() {
	a := &c.a
	s0, t := regTmp, regAux
	a.load(8, rax, regFrame, jit.OffRand)  // s1 = st[0]
	a.load(8, s0, regFrame, jit.OffRand+8) // s0 = st[1]
	a.store(8, regFrame, jit.OffRand, s0)  // st[0] = s0
	a.movRR(true, t, rax)                  // s1 ^= s1 << 23
	a.shiftRI(shShl, true, t, 23)
	a.aluRR(aluXor, true, rax, t)
	a.movRR(true, t, rax) // s1 ^= s1>>17 ^ s0 ^ s0>>26
	a.shiftRI(shShr, true, t, 17)
	a.aluRR(aluXor, true, rax, t)
	a.aluRR(aluXor, true, rax, s0)
	a.movRR(true, t, s0)
	a.shiftRI(shShr, true, t, 26)
	a.aluRR(aluXor, true, rax, t)
	a.store(8, regFrame, jit.OffRand+8, rax) // st[1] = s1
	a.aluRR(aluAdd, true, rax, s0)           // r0 = (s1 + s0) >> 32
	a.shiftRI(shShr, true, rax, 32)
}

// redirect is bpf_redirect(r1 = ifindex, r2 = flags) of XDP and tc: flags
// outside in.RedirectFlags give RedirectFail; otherwise the run's
// vm.Context.Redirect becomes {Set, IfIndex: r1, Flags: r2} and r0 =
// RedirectOK.
func (c *compiler) redirect(in jit.Intrinsic) {
	a := &c.a
	ifindex, flags := regs[1], regs[2]
	bad := ^in.RedirectFlags
	if k := int64(bad); k == int64(int32(k)) {
		a.testRI(true, flags, int32(k))
	} else {
		a.movabs(regAux, bad)
		a.testRR(true, flags, regAux)
	}
	fail := a.jcc8(condNE)
	ctx := regAux
	a.load(8, ctx, regFrame, jit.OffCtx)
	a.storeImm(1, ctx, jit.CtxRedirectSet, 1)
	a.store(4, ctx, jit.CtxRedirectIfIndex, ifindex)
	a.storeImm(4, ctx, jit.CtxRedirectMap, 0)
	a.storeImm(4, ctx, jit.CtxRedirectKey, 0)
	a.store(8, ctx, jit.CtxRedirectFlags, flags)
	a.movRI32(rax, uint32(in.RedirectOK))
	done := a.jmp8()
	a.patch8(fail)
	a.movRI32(rax, uint32(in.RedirectFail))
	a.patch8(done)
}
