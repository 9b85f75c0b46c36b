package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// loop compiles bpf_loop(r1 = nr_loops, r2 = callback, r3 = ctx, r4 =
// flags) as a native loop calling the subprogram cb (see jit.InlineLoop
// for the semantics), or with walk bpf_for_each_map_elem(r1 = map, r2 =
// callback, r3 = ctx, r4 = flags) over a constant array (jit.ArrayWalk).
// The count, ctx and i live in a 32-byte slot of the native stack ([sp],
// [sp+8], [sp+16]) while the loop runs; a walk's 48-byte slot also holds
// the map handle at [sp+24] and the key (u32 i) at [sp+32].
//
//	    cbnz x4, einval
//	    cmp x23, x24; b.lo goroute            (r10 below Frame.StackLimit)
//	    mov w1, w1; mov x9, #1<<23; cmp x1, x9; b.hi e2big
//	    cbz x1, zero
//	    sub sp, sp, #32; stp x1, x3, [sp]; str xzr, [sp, #16]
//	top: ldr x1, [sp, #16]; ldr x2, [sp, #8]; mov x3..x5, #0
//	    <bpf-to-bpf call of cb with r0, r6-r9 zeroed>
//	    ldr x9, [sp, #16]; add x9, x9, #1; str x9, [sp, #16]
//	    cbnz x0, stop
//	    ldr x10, [sp]; cmp x9, x10; b.hs stop
//	    subs x25, x25, #1; b.ls preempt; b top
//	preempt: adr x9, top; b stubPreempt
//	stop: mov x0, x9; add sp, sp, #32; b end
//	zero: mov x0, #0; b end
//	einval: mov x0, #-EINVAL; b end
//	e2big: mov x0, #-E2BIG; b end
//	goroute: <exit to the Go helper>
//	end:
func (c *compiler) loop(i, cb int, walk *jit.ArrayWalk) {
	r := func(n int) Reg { return regMap[n] }
	top, stop, zero, einval, big, goRoute, preempt, end := c.newLabel(), c.newLabel(), c.newLabel(),
		c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.branchTo(cbnz(true, r(4), 0), einval, fixCond)
	c.emit(cmpReg(true, regFP, regLimit))
	c.branchTo(bcond(CondLO, 0), goRoute, fixCond)
	frame := uint32(32)
	if walk == nil {
		c.emit(movReg(false, r(1), r(1)))
		c.movImm(true, tmp1, jit.LoopMaxIterations)
		c.emit(cmpReg(true, r(1), tmp1))
		c.branchTo(bcond(CondHI, 0), big, fixCond)
		c.branchTo(cbz(true, r(1), 0), zero, fixCond)
		c.emit(subImm(true, SP, SP, frame), stp(r(1), r(3), SP, 0))
	} else {
		frame = 48
		c.movImm(true, tmp1, uint64(walk.N))
		c.emit(
			subImm(true, SP, SP, frame),
			stp(tmp1, r(3), SP, 0),
			ldstScaled(3, opcStore, r(1), SP, 24),
		)
	}
	c.emit(ldstScaled(3, opcStore, XZR, SP, 16))

	c.place(top)
	if walk == nil {
		c.emit(
			ldstScaled(3, opcLoad, r(1), SP, 16),
			ldstScaled(3, opcLoad, r(2), SP, 8),
			movz(true, r(3), 0, 0),
			movz(true, r(4), 0, 0),
		)
	} else {
		// r1 = map, r2 = &key, r3 = base + i*elem, r4 = ctx
		c.emit(
			ldstScaled(3, opcLoad, r(3), SP, 16),
			ldstScaled(3, opcStore, r(3), SP, 32),
			ldstScaled(3, opcLoad, r(1), SP, 24),
			addImm(true, r(2), SP, 32),
		)
		if walk.Elem&(walk.Elem-1) == 0 {
			n := uint32(0)
			for 1<<n < walk.Elem {
				n++
			}
			if n > 0 {
				c.emit(lslImm(true, r(3), r(3), n))
			}
		} else {
			c.movImm(true, tmp1, walk.Elem)
			c.emit(mul(true, r(3), r(3), tmp1))
		}
		c.movImm(true, tmp1, walk.Base)
		c.emit(
			addReg(true, r(3), r(3), tmp1),
			ldstScaled(3, opcLoad, r(4), SP, 8),
		)
	}
	c.emit(movz(true, r(5), 0, 0))
	// The bpf-to-bpf call sequence of localCall (the depth was checked
	// above), with r0 and r6-r9 zeroed for the callback as through
	// ctx.Call.
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

	c.emit(
		ldstScaled(3, opcLoad, tmp1, SP, 16),
		addImm(true, tmp1, tmp1, 1),
		ldstScaled(3, opcStore, tmp1, SP, 16),
	)
	c.branchTo(cbnz(true, r(0), 0), stop, fixCond)
	c.emit(
		ldstScaled(3, opcLoad, tmp2, SP, 0),
		cmpReg(true, tmp1, tmp2),
	)
	c.branchTo(bcond(CondHS, 0), stop, fixCond)
	// One back-edge against the preemption budget; a preemption exit
	// resumes at top with the loop state on the native stack.
	c.emit(subsImm(true, regBudget, regBudget, 1))
	c.branchTo(bcond(CondLS, 0), preempt, fixCond)
	c.branchTo(b(0), top, fixB)
	c.place(preempt)
	c.branchTo(adr(tmp1, 0), top, fixADR)
	c.branchTo(b(0), c.stub(stubPreempt), fixB)

	c.place(stop)
	c.emit(movReg(true, r(0), tmp1), addImm(true, SP, SP, frame))
	c.branchTo(b(0), end, fixB)
	c.place(einval)
	neg := int64(jit.LoopEINVAL)
	c.movImm(true, r(0), uint64(neg))
	c.branchTo(b(0), end, fixB)
	num := uint64(helpers.FnForEachMapElem)
	if walk == nil {
		c.place(zero)
		c.emit(movz(true, r(0), 0, 0))
		c.branchTo(b(0), end, fixB)
		c.place(big)
		neg = int64(jit.LoopE2BIG)
		c.movImm(true, r(0), uint64(neg))
		c.branchTo(b(0), end, fixB)
		num = helpers.FnLoop
	}
	c.place(goRoute)
	c.movImm(true, tmp1, num)
	c.helperExit(i)
	c.place(end)
}
