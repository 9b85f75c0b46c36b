package arm64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// ringBuf compiles the ring buffer helper call num at i natively when
// jit.RingBufAt says it qualifies, and reports whether it did (see
// jit/ringbuf.go for what each route does). Scratch: x9-x12 and r0; r1-r4
// stay intact for the Go helper exit.
func (c *compiler) ringBuf(i int, num int32) bool {
	site, ok := jit.RingBufAt(c.prog, c.insns, c.second, c.target, i, num)
	if !ok {
		return false
	}
	switch site.Kind {
	case jit.RingReserve:
		c.ringReserve(i, site.Ring)
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

// ringReserve is bpf_ringbuf_reserve(r1 = ring, r2 = size, r3 = flags)'s
// refusals; anything else exits to the Go helper, which reserves.
//
//	    cbnz x3, zero
//	    <ringFull(x2): zero>
//	    mov x9, #FnRingbufReserve; <exit to the Go helper>; b done
//	zero: mov x0, #0
//	done:
func (c *compiler) ringReserve(i int, r maps.NativeRing) {
	size, flags, r0 := regMap[2], regMap[3], regMap[0]
	zero, done := c.newLabel(), c.newLabel()
	c.branchTo(cbnz(true, flags, 0), zero, fixCond)
	c.ringFull(size, r, zero)
	c.movImm(true, tmp1, helpers.FnRingbufReserve)
	c.helperExit(i)
	c.branchTo(b(0), done, fixB)
	c.place(zero)
	c.emit(movz(true, r0, 0, 0))
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
