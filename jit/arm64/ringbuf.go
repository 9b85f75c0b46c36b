package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// ringBuf compiles the ring buffer helper call num at i natively when
// jit.RingBufAt says it qualifies, and reports whether it did (see
// jit/ringbuf.go for what each route does). Scratch: x6-x13 and r0 (and
// r1/r2 where a Go exit reloads them); the Go helper exits get their
// arguments intact.
func (c *compiler) ringBuf(i int, num int32) bool {
	site, ok := jit.RingBufAt(c.prog, c.insns, c.second, c.target, i, num)
	if !ok {
		return false
	}
	switch site.Kind {
	case jit.RingReserve:
		c.ringReserve(i, site)
	case jit.RingSubmit, jit.RingDiscard:
		c.ringCommit(i, site, site.Kind == jit.RingDiscard)
	case jit.RingQuery:
		c.ringQuery(site.Ring)
	case jit.RingOutput:
		c.ringOutput(i, site.Ring)
	default:
		return false
	}
	c.inlined++
	return true
}

// ringFull emits maps.RingReserveFails' tests after its flags test, for
// the record size in register size, branching to fail when the
// reservation fails. The consumer position is loaded with LDAR, so the
// producer position loaded after it is at least as new and
// prod + span - cons cannot wrap. Clobbers x9-x12.
//
//	mov x9, #RingBufMaxRecord; cmp size, x9; b.hi fail
//	add x10, size, #15; and x10, x10, #~7          ; span
//	mov x9, #Size; cmp x10, x9; b.hi fail
//	mov x11, #Cons; ldar x11, [x11]
//	mov x12, #Prod; ldr x12, [x12]
//	add x12, x12, x10; sub x12, x12, x11
//	mov x9, #Mask; cmp x12, x9; b.hi fail
func (c *compiler) ringFull(size Reg, r maps.NativeRing, fail int) {
	not7, _ := logicalImm(^uint64(7), true)
	c.movImm(true, tmp1, maps.RingBufMaxRecord)
	c.emit(cmpReg(true, size, tmp1))
	c.branchTo(bcond(CondHI, 0), fail, fixCond)
	c.emit(
		addImm(true, tmp2, size, maps.RingBufHdrSize+7),
		andImm(true, tmp2, tmp2, not7),
	)
	c.movImm(true, tmp1, r.Size)
	c.emit(cmpReg(true, tmp2, tmp1))
	c.branchTo(bcond(CondHI, 0), fail, fixCond)
	c.movImm(true, tmp3, uint64(r.Cons))
	c.emit(ldar(tmp3, tmp3))
	c.movImm(true, tmp4, uint64(r.Prod))
	c.emit(
		ldstScaled(3, opcLoad, tmp4, tmp4, 0),
		addReg(true, tmp4, tmp4, tmp2),
		subReg(true, tmp4, tmp4, tmp3),
	)
	c.movImm(true, tmp1, r.Mask)
	c.emit(cmpReg(true, tmp4, tmp1))
	c.branchTo(bcond(CondHI, 0), fail, fixCond)
}

// Extra scratch registers of the native record code: x6-x8 are no eBPF
// register's and the lookup routines clobber them too.
const (
	rbX6 Reg = 6
	rbX7 Reg = 7
	rbX8 Reg = 8
)

// stlrX is STLR Xt, [Xn]: a 64-bit store with release semantics.
func stlrX(t, n Reg) uint32 { return 0xc89ffc00 | rn(n) | rd(t) }

// logImm is the bitmask-immediate field of v (which the callers pick to
// be encodable).
func logImm(v uint64, is64 bool) uint32 {
	f, ok := logicalImm(v, is64)
	if !ok {
		panic("arm64: ring buffer constant is not a bitmask immediate")
	}
	return f
}

// ringReserve is bpf_ringbuf_reserve(r1 = ring, r2 = size, r3 = flags):
// its refusals, then, when the program may hold native records
// (site.Records), the reservation itself under the producer lock (see
// jit/ringbuf.go); anything else exits to the Go helper, which reserves.
//
//	    cbnz x3, zero
//	    <ringFull(x2): zero>                    ; x10 = span, x11 = cons
//	    [Records:]
//	    mov x6, #Lock; <take: CASAL 0 -> 1, or LDAXR/STLXR; held: slow>
//	    mov x7, #Prod; ldr x7, [x7]             ; prod
//	    add x0, x7, x10                         ; newProd
//	    mov x9, #Mask; sub x8, x0, x11; cmp x8, x9; b.hi unlock0
//	    mov x8, #Pend; ldr x8, [x8]; sub x8, x0, x8; cmp x8, x9; b.hi unlockslow
//	    and x8, x7, x9; mov x12, #Data; add x12, x12, x8   ; header
//	    lsr x8, x8, #12; orr w8, w8, #NativeBit; str w8, [x12, #4]
//	    orr w8, w2, #BUSY; str w8, [x12]
//	    mov x7, #Prod; stlr x0, [x7]; stlr wzr, [x6]
//	    add x0, x12, #8; b done
//	unlock0: stlr wzr, [x6]; b zero
//	unlockslow: stlr wzr, [x6]
//	slow: mov x1, #handle
//	    [end Records]
//	    mov x9, #FnRingbufReserve; <exit to the Go helper>; b done
//	zero: mov x0, #0
//	done:
func (c *compiler) ringReserve(i int, site jit.RingSite) {
	r := site.Ring
	size, flags, r0 := regMap[2], regMap[3], regMap[0]
	zero, done := c.newLabel(), c.newLabel()
	c.branchTo(cbnz(true, flags, 0), zero, fixCond)
	c.ringFull(size, r, zero)
	if site.Records {
		slow, unlock0, unlockSlow := c.newLabel(), c.newLabel(), c.newLabel()
		lock := rbX6
		c.movImm(true, lock, uint64(r.Lock))
		if c.lse {
			c.emit(movz(false, rbX7, 0, 0), movz(false, rbX8, 1, 0), casal(2, rbX7, rbX8, lock))
			c.branchTo(cbnz(false, rbX7, 0), slow, fixCond)
		} else {
			//	1: ldaxr w7, [x6]; cbnz w7, slow
			//	   stlxr w13, w8, [x6]; cbnz w13, 1b
			c.emit(movz(false, rbX8, 1, 0), ldaxr(2, rbX7, lock))
			c.branchTo(cbnz(false, rbX7, 0), slow, fixCond)
			c.emit(stlxr(2, tmp5, rbX8, lock), cbnz(false, tmp5, -3))
		}
		c.movImm(true, rbX7, uint64(r.Prod))
		c.emit(
			ldstScaled(3, opcLoad, rbX7, rbX7, 0),
			addReg(true, r0, rbX7, tmp2),
		)
		c.movImm(true, tmp1, r.Mask)
		c.emit(subReg(true, rbX8, r0, tmp3), cmpReg(true, rbX8, tmp1))
		c.branchTo(bcond(CondHI, 0), unlock0, fixCond)
		c.movImm(true, rbX8, uint64(r.Pend))
		c.emit(
			ldstScaled(3, opcLoad, rbX8, rbX8, 0),
			subReg(true, rbX8, r0, rbX8),
			cmpReg(true, rbX8, tmp1),
		)
		c.branchTo(bcond(CondHI, 0), unlockSlow, fixCond)
		c.emit(andReg(true, rbX8, rbX7, tmp1))
		c.movImm(true, tmp4, uint64(r.Data))
		c.emit(
			addReg(true, tmp4, tmp4, rbX8),
			lsrImm(true, rbX8, rbX8, 12),
			orrImm(false, rbX8, rbX8, logImm(maps.RingBufNativeBit, false)),
			ldstScaled(2, opcStore, rbX8, tmp4, 4),
			orrImm(false, rbX8, size, logImm(maps.RingBufBusyBit, false)),
			ldstScaled(2, opcStore, rbX8, tmp4, 0),
		)
		c.movImm(true, rbX7, uint64(r.Prod))
		c.emit(
			stlrX(r0, rbX7),
			stlrW(XZR, lock),
			addImm(true, r0, tmp4, maps.RingBufHdrSize),
		)
		c.branchTo(b(0), done, fixB)
		c.place(unlock0)
		c.emit(stlrW(XZR, lock))
		c.branchTo(b(0), zero, fixB)
		c.place(unlockSlow)
		c.emit(stlrW(XZR, lock))
		c.place(slow)
		c.movImm(true, regMap[1], site.Handle)
	}
	c.movImm(true, tmp1, helpers.FnRingbufReserve)
	c.helperExit(i)
	c.branchTo(b(0), done, fixB)
	c.place(zero)
	c.emit(movz(true, r0, 0, 0))
	c.place(done)
}

// ringCommit is bpf_ringbuf_submit/discard(r1 = record, r2 = flags) of a
// record native code reserved (see jit/ringbuf.go and the amd64 version):
// clear BUSY (set DISCARD) with CASAL or an LDAXR/STLXR loop, then the
// kernel's wakeup rule, the consumer position loaded with LDAR after the
// release of the header (RCsc: not before it); a wakeup stores 1 in Wake
// and exits to the Go bpf_ringbuf_query. Other records go to the Go helper
// with r1 and r2 intact.
//
//	    mov x9, #Data+8; sub x10, x1, x9            ; off
//	    mov x9, #Size; cmp x10, x9; b.hs slow; tst x10, #7; b.ne slow
//	    ldur w9, [x1, #-4]; tst w9, #NativeBit; b.eq slow
//	    sub x13, x1, #8
//	retry: <w9 = header (LDAXR without LSE)>; tst w9, #BUSY; b.eq ret0
//	    and w11, w9, #~BUSY; [orr w11, w11, #DISCARD]
//	    LSE: mov w12, w9; casal w12, w11, [x13]; cmp w12, w9; b.ne retry
//	    else: stlxr w12, w11, [x13]; cbnz w12, retry
//	    tst x2, #1; b.ne ret0; tst x2, #2; b.ne wake
//	    mov x9, #Cons; ldar x9, [x9]; mov x11, #Mask; and x9, x9, x11
//	    cmp x9, x10; b.ne ret0
//	wake: mov x9, #Wake; mov w11, #1; str w11, [x9]
//	    mov x1, #handle; mov x2, #0; mov x9, #FnRingbufQuery; <exit to Go>
//	ret0: mov x0, #0; b done
//	slow: mov x9, #helper; <exit to the Go helper>
//	done:
func (c *compiler) ringCommit(i int, site jit.RingSite, discard bool) {
	r := site.Ring
	rec, flags, r0 := regMap[1], regMap[2], regMap[0]
	slow, retry, ret0, wake, done := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.movImm(true, tmp1, uint64(r.Data)+maps.RingBufHdrSize)
	c.emit(subReg(true, tmp2, rec, tmp1))
	c.movImm(true, tmp1, r.Size)
	c.emit(cmpReg(true, tmp2, tmp1))
	c.branchTo(bcond(CondHS, 0), slow, fixCond)
	c.emit(tstImm(true, tmp2, logImm(7, true)))
	c.branchTo(bcond(CondNE, 0), slow, fixCond)
	c.emit(
		ldstUnscaled(2, opcLoad, tmp1, rec, -4),
		tstImm(false, tmp1, logImm(maps.RingBufNativeBit, false)),
	)
	c.branchTo(bcond(CondEQ, 0), slow, fixCond)
	hdr := tmp5
	c.emit(subImm(true, hdr, rec, maps.RingBufHdrSize))
	c.place(retry)
	if c.lse {
		c.emit(ldstScaled(2, opcLoad, tmp1, hdr, 0))
	} else {
		c.emit(ldaxr(2, tmp1, hdr))
	}
	c.emit(tstImm(false, tmp1, logImm(maps.RingBufBusyBit, false)))
	c.branchTo(bcond(CondEQ, 0), ret0, fixCond)
	c.emit(andImm(false, tmp3, tmp1, logImm(^uint64(maps.RingBufBusyBit)&0xffffffff, false)))
	if discard {
		c.emit(orrImm(false, tmp3, tmp3, logImm(maps.RingBufDiscardBit, false)))
	}
	if c.lse {
		c.emit(movReg(false, tmp4, tmp1), casal(2, tmp4, tmp3, hdr), cmpReg(false, tmp4, tmp1))
		c.branchTo(bcond(CondNE, 0), retry, fixCond)
	} else {
		c.emit(stlxr(2, tmp4, tmp3, hdr))
		c.branchTo(cbnz(false, tmp4, 0), retry, fixCond)
	}
	c.emit(tstImm(true, flags, logImm(maps.RingBufNoWakeup, true)))
	c.branchTo(bcond(CondNE, 0), ret0, fixCond)
	c.emit(tstImm(true, flags, logImm(maps.RingBufForceWakeup, true)))
	c.branchTo(bcond(CondNE, 0), wake, fixCond)
	c.movImm(true, tmp1, uint64(r.Cons))
	c.emit(ldar(tmp1, tmp1))
	c.movImm(true, tmp3, r.Mask)
	c.emit(andReg(true, tmp1, tmp1, tmp3), cmpReg(true, tmp1, tmp2))
	c.branchTo(bcond(CondNE, 0), ret0, fixCond)
	c.place(wake)
	c.movImm(true, tmp1, uint64(r.Wake))
	c.emit(movz(false, tmp3, 1, 0), ldstScaled(2, opcStore, tmp3, tmp1, 0))
	c.movImm(true, rec, site.Handle)
	c.emit(movz(true, flags, 0, 0))
	c.movImm(true, tmp1, helpers.FnRingbufQuery)
	c.helperExit(i)
	c.place(ret0)
	c.emit(movz(true, r0, 0, 0))
	c.branchTo(b(0), done, fixB)
	c.place(slow)
	num := uint64(helpers.FnRingbufSubmit)
	if discard {
		num = helpers.FnRingbufDiscard
	}
	c.movImm(true, tmp1, num)
	c.helperExit(i)
	c.place(done)
}

// ringOutput is bpf_ringbuf_output(r1 = ring, r2 = data, r3 = size,
// r4 = flags)'s refusals, with the Go helper's errors; anything else exits
// to the Go helper, which copies the record in.
//
//	    tst x4, #~RingOutputFlags; b.ne einval
//	    mov x9, #1<<32; cmp x3, x9; b.hi e2big
//	    <ringFull(x3): eagain>
//	    mov x9, #FnRingbufOutput; <exit to the Go helper>; b done
//	einval: mov x0, #-EINVAL; b done
//	e2big: mov x0, #-E2BIG; b done
//	eagain: mov x0, #-EAGAIN
//	done:
func (c *compiler) ringOutput(i int, r maps.NativeRing) {
	size, flags, r0 := regMap[3], regMap[4], regMap[0]
	einval, e2big, eagain, done := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	badFlags, _ := logicalImm(^uint64(jit.RingOutputFlags), true)
	c.emit(tstImm(true, flags, badFlags))
	c.branchTo(bcond(CondNE, 0), einval, fixCond)
	c.movImm(true, tmp1, jit.RingOutputMaxSize)
	c.emit(cmpReg(true, size, tmp1))
	c.branchTo(bcond(CondHI, 0), e2big, fixCond)
	c.ringFull(size, r, eagain)
	c.movImm(true, tmp1, helpers.FnRingbufOutput)
	c.helperExit(i)
	c.branchTo(b(0), done, fixB)
	for _, e := range []struct {
		label int
		v     int64
	}{{einval, jit.RingOutputEINVAL}, {e2big, jit.RingOutputE2BIG}, {eagain, jit.RingOutputEAGAIN}} {
		c.place(e.label)
		c.movImm(true, r0, uint64(e.v))
		if e.label != eagain {
			c.branchTo(b(0), done, fixB)
		}
	}
	c.place(done)
}

// ringQuery is bpf_ringbuf_query(r1 = ring, r2 = flags) as maps' Query:
// the consumer position is loaded (LDAR) before the producer position
// (LDAR), as Query's atomic loads.
//
//	    mov x11, #Cons; ldar x11, [x11]; mov x12, #Prod; ldar x12, [x12]
//	    sub x0, x12, x11; cbz x2, done                  ; avail
//	    mov x0, #Size; cmp x2, #1; b.eq done
//	    mov x0, x11; cmp x2, #2; b.eq done
//	    mov x0, x12; cmp x2, #3; b.eq done
//	    mov x0, #0
//	done:
func (c *compiler) ringQuery(r maps.NativeRing) {
	flags, r0 := regMap[2], regMap[0]
	done := c.newLabel()
	c.movImm(true, tmp3, uint64(r.Cons))
	c.emit(ldar(tmp3, tmp3))
	c.movImm(true, tmp4, uint64(r.Prod))
	c.emit(ldar(tmp4, tmp4), subReg(true, r0, tmp4, tmp3))
	c.branchTo(cbz(true, flags, 0), done, fixCond)
	c.movImm(true, r0, r.Size)
	c.emit(subsImm(true, XZR, flags, maps.RingBufRingSize))
	c.branchTo(bcond(CondEQ, 0), done, fixCond)
	c.emit(movReg(true, r0, tmp3), subsImm(true, XZR, flags, maps.RingBufConsPos))
	c.branchTo(bcond(CondEQ, 0), done, fixCond)
	c.emit(movReg(true, r0, tmp4), subsImm(true, XZR, flags, maps.RingBufProdPos))
	c.branchTo(bcond(CondEQ, 0), done, fixCond)
	c.emit(movz(true, r0, 0, 0))
	c.place(done)
}
