package arm64

import (
	"github.com/bpfhost/bpfhost/jit"
)

// adjustLabels are the branch targets of one adjustment: its error
// returns and its end (labels from newLabel, placed only if used).
type adjustLabels struct {
	einval, eacces, enotsupp, done int
	used                           [3]bool
}

// adjust compiles the XDP packet adjustment call num at i natively when
// jit.AdjustFor says so, and reports whether it did (see jit/adjust.go for
// the contract). Scratch: x9-x12 and r1-r5 (the verifier makes r1-r5
// unreadable after a call). A success falls through with r0 = 0;
// the error returns follow it.
func (c *compiler) adjust(i int, num int32) bool {
	k := jit.AdjustFor(c.prog, num)
	if k == jit.AdjustNone || !adjustFits() {
		return false
	}
	l := adjustLabels{einval: c.newLabel(), eacces: c.newLabel(), enotsupp: c.newLabel(), done: c.newLabel()}
	switch k {
	case jit.AdjustHead:
		c.adjustHead(&l)
	case jit.AdjustMeta:
		c.adjustMeta(&l)
	case jit.AdjustTail:
		c.adjustTail(&l)
	}
	c.branchTo(b(0), l.done, fixB)
	for n, ret := range []struct {
		label int
		v     int32
	}{{l.einval, jit.AdjustEINVAL}, {l.eacces, jit.AdjustEACCES}, {l.enotsupp, jit.AdjustENOTSUPP}} {
		if !l.used[n] {
			continue
		}
		c.place(ret.label)
		c.movImm(true, regMap[0], uint64(int64(ret.v)))
		c.branchTo(b(0), l.done, fixB)
	}
	c.place(l.done)
	c.inlined++
	return true
}

// adjustFits reports whether the vm.Context and context block offsets fit
// the scaled unsigned-offset loads and stores.
func adjustFits() bool {
	ok := func(off int32, size uint32) bool {
		return off >= 0 && off%(1<<size) == 0 && off>>size < 4096
	}
	return ok(jit.CtxCtx, 3) && ok(jit.CtxHasPacket, 0) && ok(jit.CtxPktHardStart, 3) &&
		ok(jit.CtxPktMeta, 3) && ok(jit.CtxPktData, 3) && ok(jit.CtxPktEnd, 3) && ok(jit.CtxPktBufEnd, 3) &&
		ok(jit.XDPBlockData, 3) && ok(jit.XDPBlockDataEnd, 3) && ok(jit.XDPBlockMeta, 3)
}

// Branches to the error returns.
func (c *compiler) adjustEINVAL(l *adjustLabels, cond Cond) {
	l.used[0] = true
	c.branchTo(bcond(cond, 0), l.einval, fixCond)
}

func (c *compiler) adjustEACCES(l *adjustLabels, cond Cond) {
	l.used[1] = true
	c.branchTo(bcond(cond, 0), l.eacces, fixCond)
}

// ctxLoad is "ldr t, [x9, #off]" of a vm.Context field (x9 = the context).
func ctxLoad(t Reg, off int32) uint32 { return ldstScaled(3, opcLoad, t, tmp1, uint32(off)) }

// ctxStore is "str t, [x9, #off]".
func ctxStore(t Reg, off int32) uint32 { return ldstScaled(3, opcStore, t, tmp1, uint32(off)) }

// adjustCtx loads the run's vm.Context into x9; without a packet the
// helpers return -EINVAL.
func (c *compiler) adjustCtx(l *adjustLabels) {
	c.emit(
		ldstScaled(3, opcLoad, tmp1, regFrame, jit.OffCtx),
		ldstScaled(0, opcLoad, tmp2, tmp1, uint32(jit.CtxHasPacket)),
	)
	l.used[0] = true
	c.branchTo(cbz(false, tmp2, 0), l.einval, fixCond)
}

// adjustSync writes syncXDP's three words into the context block (address
// in vm.Context.Ctx) and sets r0 = 0. Clobbers r1.
func (c *compiler) adjustSync(data, end, meta Reg) {
	blk := regMap[1]
	c.emit(
		ctxLoad(blk, jit.CtxCtx),
		ldstScaled(3, opcStore, data, blk, jit.XDPBlockData),
		ldstScaled(3, opcStore, end, blk, jit.XDPBlockDataEnd),
		ldstScaled(3, opcStore, meta, blk, jit.XDPBlockMeta),
		movz(true, regMap[0], 0, 0),
	)
}

// adjustHead is bpf_xdp_adjust_head(r1 = ctx, r2 = delta). The metadata
// (metalen bytes before data) moves with the frame, as Go's copy does: a
// byte loop, forward when it moves down, backward when it moves up.
//
//	    <ctx in x9; no packet: -EINVAL>
//	    ldr x10, [x9, #data]; ldr x11, [x9, #meta]; sub x3, x10, x11  ; metalen
//	    sxtw x4, w2; add x10, x10, x4                                ; new data
//	    ldr x12, [x9, #hard]; add x12, x12, #40; add x12, x12, x3; cmp x10, x12; b.lo einval
//	    ldr x12, [x9, #end]; sub x12, x12, #14; cmp x10, x12; b.hi einval
//	    add x12, x11, x4; str x12, [x9, #meta]; str x10, [x9, #data]  ; from x11, to x12
//	    cbz x3, moved; cmp x4, #0; b.gt up
//	down: ldrb w5, [x11]; strb w5, [x12]; add x11, x11, #1; add x12, x12, #1
//	    subs x3, x3, #1; b.ne down; b moved
//	up: add x11, x11, x3; add x12, x12, x3
//	upl: sub x11, x11, #1; sub x12, x12, #1; ldrb w5, [x11]; strb w5, [x12]
//	    subs x3, x3, #1; b.ne upl
//	moved: ldr x11, [x9, #end]; ldr x12, [x9, #meta]
//	    <block: data = x10, data_end = x11, meta = x12>; mov x0, #0
func (c *compiler) adjustHead(l *adjustLabels) {
	n, off, t := regMap[3], regMap[4], regMap[5]
	down, up, upl, moved := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.adjustCtx(l)
	c.emit(
		ctxLoad(tmp2, jit.CtxPktData),
		ctxLoad(tmp3, jit.CtxPktMeta),
		subReg(true, n, tmp2, tmp3),
		sxt(true, off, regMap[2], 32),
		addReg(true, tmp2, tmp2, off),
		ctxLoad(tmp4, jit.CtxPktHardStart),
		addImm(true, tmp4, tmp4, jit.AdjustFrameSize),
		addReg(true, tmp4, tmp4, n),
		cmpReg(true, tmp2, tmp4),
	)
	c.adjustEINVAL(l, CondLO)
	c.emit(
		ctxLoad(tmp4, jit.CtxPktEnd),
		subImm(true, tmp4, tmp4, jit.AdjustMinFrame),
		cmpReg(true, tmp2, tmp4),
	)
	c.adjustEINVAL(l, CondHI)
	c.emit(
		addReg(true, tmp4, tmp3, off),
		ctxStore(tmp4, jit.CtxPktMeta),
		ctxStore(tmp2, jit.CtxPktData),
	)
	c.branchTo(cbz(true, n, 0), moved, fixCond)
	c.emit(subsImm(true, XZR, off, 0))
	c.branchTo(bcond(CondGT, 0), up, fixCond)
	c.place(down)
	c.emit(
		ldstScaled(0, opcLoad, t, tmp3, 0),
		ldstScaled(0, opcStore, t, tmp4, 0),
		addImm(true, tmp3, tmp3, 1),
		addImm(true, tmp4, tmp4, 1),
		subsImm(true, n, n, 1),
	)
	c.branchTo(bcond(CondNE, 0), down, fixCond)
	c.branchTo(b(0), moved, fixB)
	c.place(up)
	c.emit(addReg(true, tmp3, tmp3, n), addReg(true, tmp4, tmp4, n))
	c.place(upl)
	c.emit(
		subImm(true, tmp3, tmp3, 1),
		subImm(true, tmp4, tmp4, 1),
		ldstScaled(0, opcLoad, t, tmp3, 0),
		ldstScaled(0, opcStore, t, tmp4, 0),
		subsImm(true, n, n, 1),
	)
	c.branchTo(bcond(CondNE, 0), upl, fixCond)
	c.place(moved)
	c.emit(ctxLoad(tmp3, jit.CtxPktEnd), ctxLoad(tmp4, jit.CtxPktMeta))
	c.adjustSync(tmp2, tmp3, tmp4)
}

// adjustMeta is bpf_xdp_adjust_meta(r1 = ctx, r2 = delta).
//
//	<ctx in x9; no packet: -EINVAL>
//	ldr x10, [x9, #data]; ldr x11, [x9, #meta]; cmp x11, x10; b.hi enotsupp
//	sxtw x12, w2; add x11, x11, x12                   ; new meta
//	ldr x12, [x9, #hard]; add x12, x12, #40; cmp x11, x12; b.lo einval
//	cmp x11, x10; b.hi einval
//	sub x12, x10, x11; mov x3, #3; tst x12, x3; b.ne eacces
//	cmp x12, #252; b.hi eacces
//	str x11, [x9, #meta]; ldr x3, [x9, #end]
//	<block: data = x10, data_end = x3, meta = x11>; mov x0, #0
func (c *compiler) adjustMeta(l *adjustLabels) {
	r3 := regMap[3]
	c.adjustCtx(l)
	c.emit(ctxLoad(tmp2, jit.CtxPktData), ctxLoad(tmp3, jit.CtxPktMeta), cmpReg(true, tmp3, tmp2))
	l.used[2] = true
	c.branchTo(bcond(CondHI, 0), l.enotsupp, fixCond)
	c.emit(
		sxt(true, tmp4, regMap[2], 32),
		addReg(true, tmp3, tmp3, tmp4),
		ctxLoad(tmp4, jit.CtxPktHardStart),
		addImm(true, tmp4, tmp4, jit.AdjustFrameSize),
		cmpReg(true, tmp3, tmp4),
	)
	c.adjustEINVAL(l, CondLO)
	c.emit(cmpReg(true, tmp3, tmp2))
	c.adjustEINVAL(l, CondHI)
	c.emit(
		subReg(true, tmp4, tmp2, tmp3),
		movz(true, r3, 3, 0),
		tstReg(true, tmp4, r3),
	)
	c.adjustEACCES(l, CondNE)
	c.emit(subsImm(true, XZR, tmp4, jit.AdjustMaxMeta))
	c.adjustEACCES(l, CondHI)
	c.emit(ctxStore(tmp3, jit.CtxPktMeta), ctxLoad(r3, jit.CtxPktEnd))
	c.adjustSync(tmp2, r3, tmp3)
}

// adjustTail is bpf_xdp_adjust_tail(r1 = ctx, r2 = delta); growth
// zero-fills the new bytes, 8 at a time, then one at a time.
//
//	    <ctx in x9; no packet: -EINVAL>
//	    sxtw x10, w2; ldr x11, [x9, #end]; add x11, x11, x10  ; new end
//	    ldr x12, [x9, #bufend]; cmp x11, x12; b.hi einval
//	    ldr x12, [x9, #data]; add x12, x12, #14; cmp x11, x12; b.lo einval
//	    cmp x10, #0; b.le set
//	    ldr x12, [x9, #end]
//	w8: cmp x10, #8; b.lo w1; str xzr, [x12]; add x12, x12, #8; sub x10, x10, #8; b w8
//	w1: cbz x10, set; strb wzr, [x12]; add x12, x12, #1; sub x10, x10, #1; b w1
//	set: str x11, [x9, #end]; ldr x10, [x9, #data]; ldr x12, [x9, #meta]
//	    <block: data = x10, data_end = x11, meta = x12>; mov x0, #0
func (c *compiler) adjustTail(l *adjustLabels) {
	set, w8, w1 := c.newLabel(), c.newLabel(), c.newLabel()
	c.adjustCtx(l)
	c.emit(
		sxt(true, tmp2, regMap[2], 32),
		ctxLoad(tmp3, jit.CtxPktEnd),
		addReg(true, tmp3, tmp3, tmp2),
		ctxLoad(tmp4, jit.CtxPktBufEnd),
		cmpReg(true, tmp3, tmp4),
	)
	c.adjustEINVAL(l, CondHI)
	c.emit(
		ctxLoad(tmp4, jit.CtxPktData),
		addImm(true, tmp4, tmp4, jit.AdjustMinFrame),
		cmpReg(true, tmp3, tmp4),
	)
	c.adjustEINVAL(l, CondLO)
	c.emit(subsImm(true, XZR, tmp2, 0))
	c.branchTo(bcond(CondLE, 0), set, fixCond)
	c.emit(ctxLoad(tmp4, jit.CtxPktEnd))
	c.place(w8)
	c.emit(subsImm(true, XZR, tmp2, 8))
	c.branchTo(bcond(CondLO, 0), w1, fixCond)
	c.emit(
		ldstScaled(3, opcStore, XZR, tmp4, 0),
		addImm(true, tmp4, tmp4, 8),
		subImm(true, tmp2, tmp2, 8),
	)
	c.branchTo(b(0), w8, fixB)
	c.place(w1)
	c.branchTo(cbz(true, tmp2, 0), set, fixCond)
	c.emit(
		ldstScaled(0, opcStore, XZR, tmp4, 0),
		addImm(true, tmp4, tmp4, 1),
		subImm(true, tmp2, tmp2, 1),
	)
	c.branchTo(b(0), w1, fixB)
	c.place(set)
	c.emit(ctxStore(tmp3, jit.CtxPktEnd), ctxLoad(tmp2, jit.CtxPktData), ctxLoad(tmp4, jit.CtxPktMeta))
	c.adjustSync(tmp2, tmp3, tmp4)
}
