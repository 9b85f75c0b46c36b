package arm64

import (
	"github.com/bpfhost/bpfhost/maps"
)

// hashBody emits the hash routes (RouteHash, RoutePerCPUHash, RouteLRUHash,
// RouteLRUPerCPUHash, RouteHashOfMaps): maps.NativeHash of the key at x2,
// then the bounded bucket walk of maps/native.go, then valueTail. ks is the
// key size when it is a compile-time constant (unrolled hash and compare),
// 0 to read it from the descriptor; d is the map's descriptor when the map
// itself is constant (its seed is then folded in), else nil.
// Restarts that run out take the helper exit: Go, under the map's lock,
// has the last word.
func (c *compiler) hashBody(route uint32, ks int, d *maps.NativeDesc, miss, slow int) {
	c.hashKey(ks, d)
	//	ldr  w6, [x9, #BucketMask]
	//	and  w6, w7, w6             // bucket
	//	mov  w8, #NativeMaxRestarts
	// restart:
	//	ldr  x10, [x9, #Buckets]
	//	ldr  w12, [x10, x6, lsl #2] // head
	//	ldr  w13, [x9, #MaxEntries]
	//	add  w13, w13, #1           // steps <= MaxEntries
	// step:
	//	ldr  w10, [x9, #MaxEntries]
	//	cmp  w12, w10
	//	b.hs end                    // an end marker (bit 31), or no slot
	//	ldr  x10, [x9, #Hashes]
	//	ldr  w10, [x10, x12, lsl #2]
	//	cmp  w10, w7
	//	b.ne next
	//	ldp  x10, x14, [x9, #Keys]  // Keys, State
	//	ldr  x15, [x9, #SlotStride]
	//	madd x14, x12, x15, x14
	//	ldr  w16, [x14]
	//	cmp  w16, #1
	//	b.ne next                   // not in use
	//	madd x10, x12, x15, x10     // the slot's key
	//	(compare the key at x2 with the key at x10; b.ne next)
	//	(hit: hashHit, which returns)
	// next:
	//	ldr  x10, [x9, #Next]
	//	ldr  w12, [x10, x12, lsl #2]
	//	subs w13, w13, #1
	//	b.ne step
	// end:
	//	mov  w10, #NativeChainEnd
	//	orr  w10, w10, w6
	//	cmp  w12, w10
	//	b.eq miss                   // the end of our own chain
	//	subs w8, w8, #1
	//	b.ne restart
	//	b    slow
	restart, step, next, end := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.emit(
		ldstScaled(2, opcLoad, mlB, mlDesc, maps.NativeOffBucketMask),
		andReg(false, mlB, mlH, mlB),
		movz(false, mlK, maps.NativeMaxRestarts, 0),
	)
	c.place(restart)
	c.emit(
		ldstScaled(3, opcLoad, mlT0, mlDesc, maps.NativeOffBuckets),
		ldstRegScaled(2, opcLoad, mlN, mlT0, mlB),
		ldstScaled(2, opcLoad, mlSteps, mlDesc, maps.NativeOffMaxEntries),
		addImm(false, mlSteps, mlSteps, 1),
	)
	c.place(step)
	c.emit(
		ldstScaled(2, opcLoad, mlT0, mlDesc, maps.NativeOffMaxEntries),
		cmpReg(false, mlN, mlT0),
	)
	c.branchTo(bcond(CondHS, 0), end, fixCond)
	c.emit(
		ldstScaled(3, opcLoad, mlT0, mlDesc, maps.NativeOffHashes),
		ldstRegScaled(2, opcLoad, mlT0, mlT0, mlN),
		cmpReg(false, mlT0, mlH),
	)
	c.branchTo(bcond(CondNE, 0), next, fixCond)
	c.emit(
		ldp(mlT0, mlT1, mlDesc, maps.NativeOffKeys),
		ldstScaled(3, opcLoad, mlT2, mlDesc, maps.NativeOffSlotStride),
		madd(true, mlT1, mlN, mlT2, mlT1),
		ldstScaled(2, opcLoad, mlT3, mlT1, 0),
		subsImm(false, XZR, mlT3, 1),
	)
	c.branchTo(bcond(CondNE, 0), next, fixCond)
	c.emit(madd(true, mlT0, mlN, mlT2, mlT0))
	c.compareKey(ks, next)
	c.hashHit(route, slow, ks > 0)
	c.place(next)
	c.emit(
		ldstScaled(3, opcLoad, mlT0, mlDesc, maps.NativeOffNext),
		ldstRegScaled(2, opcLoad, mlN, mlT0, mlN),
		subsImm(false, mlSteps, mlSteps, 1),
	)
	c.branchTo(bcond(CondNE, 0), step, fixCond)
	// Out of steps: as in maps/native.go, the end check decides (a
	// non-marker there means a cycle a racing writer left: restart).
	c.place(end)
	c.emit(
		movz(false, mlT0, maps.NativeChainEnd>>16, 1),
		orrReg(false, mlT0, mlT0, mlB),
		cmpReg(false, mlN, mlT0),
	)
	c.branchTo(bcond(CondEQ, 0), miss, fixCond)
	c.emit(subsImm(false, mlK, mlK, 1))
	c.branchTo(bcond(CondNE, 0), restart, fixCond)
	c.branchTo(b(0), slow, fixB)

}

// hashHit finishes a hit on slot x12: the LRU referenced word, then the
// value address and valueTail (which returns). stateLive says x14 still
// holds the slot's state address (the unrolled compare keeps it).
func (c *compiler) hashHit(route uint32, slow int, stateLive bool) {
	r0 := regMap[0]
	if route == maps.RouteLRUHash || route == maps.RouteLRUPerCPUHash {
		// The kernel's bpf_lru_node_set_ref: set the referenced word
		// only when it is clear (no store, so no cache-line
		// ping-pong, on the common path).
		//	ldr  x14, [x9, #State]      (unless stateLive)
		//	ldr  x15, [x9, #SlotStride]
		//	madd x14, x12, x15, x14
		//	ldr  w16, [x14, #4]
		//	cbnz w16, 1f
		//	mov  w16, #1
		//	str  w16, [x14, #4]
		// 1:
		if !stateLive {
			c.emit(
				ldstScaled(3, opcLoad, mlT1, mlDesc, maps.NativeOffState),
				ldstScaled(3, opcLoad, mlT2, mlDesc, maps.NativeOffSlotStride),
				madd(true, mlT1, mlN, mlT2, mlT1),
			)
		}
		c.emit(
			ldstScaled(2, opcLoad, mlT3, mlT1, 4),
			cbnz(false, mlT3, 3),
			movz(false, mlT3, 1, 0),
			ldstScaled(2, opcStore, mlT3, mlT1, 4),
		)
	}
	//	ldr  x10, [x9, #Values]
	//	ldr  x15, [x9, #Stride]
	//	madd x0, x12, x15, x10
	c.emit(
		ldstScaled(3, opcLoad, mlT0, mlDesc, maps.NativeOffValues),
		ldstScaled(3, opcLoad, mlT2, mlDesc, maps.NativeOffStride),
		madd(true, r0, mlN, mlT2, mlT0),
	)
	c.valueTail(route, slow)
}

// hashKey emits h = maps.NativeHash(key at x2, seed) into x7 (the low 32
// bits are the hash). With a constant key size the words are unrolled
// and the start value seed ^ ks*K1 is a constant; otherwise a loop reads
// KeySize from the descriptor.
func (c *compiler) hashKey(ks int, d *maps.NativeDesc) {
	key := regMap[2]
	if ks > 0 {
		if d != nil {
			c.loadConst(mlH, d.Seed^uint64(ks)*hashK1)
		} else {
			// A shape (route and key size) known, the map not: the
			// seed comes from the descriptor.
			c.emit(ldstScaled(3, opcLoad, mlH, mlDesc, maps.NativeOffSeed))
			c.loadConst(mlK, uint64(ks)*hashK1)
			c.emit(eorReg(true, mlH, mlH, mlK))
		}
		c.loadConst(mlK, hashK2)
		o := int32(0)
		for ; int(o)+8 <= ks; o += 8 {
			c.emit(ldstUnscaled(3, opcLoad, mlT4, key, o))
			c.mixWord(mlT4)
		}
		if r := ks - int(o); r > 0 {
			c.tailWord(key, o, r)
			c.mixWord(mlT4)
		}
	} else {
		//	ldr  x7, [x9, #Seed]
		//	ldr  w16, [x9, #KeySize]
		//	mov  x8, #K1
		//	mul  x8, x16, x8
		//	eor  x7, x7, x8
		//	mov  x8, #K2
		//	mov  x15, x2
		// loop:
		//	cmp  x16, #8
		//	b.lo tail
		//	ldr  x17, [x15], #8
		//	(mix x17)
		//	sub  x16, x16, #8
		//	b    loop
		// tail:
		//	cbz  x16, done
		//	(x17 = the last 1-7 bytes, zero-extended)
		//	(mix x17)
		// done:
		loop, tail, done := c.newLabel(), c.newLabel(), c.newLabel()
		c.emit(
			ldstScaled(3, opcLoad, mlH, mlDesc, maps.NativeOffSeed),
			ldstScaled(2, opcLoad, mlT3, mlDesc, maps.NativeOffKeySize),
		)
		c.loadConst(mlK, hashK1)
		c.emit(mul(true, mlK, mlT3, mlK), eorReg(true, mlH, mlH, mlK))
		c.loadConst(mlK, hashK2)
		c.emit(movReg(true, mlT2, key))
		c.place(loop)
		c.emit(subsImm(true, XZR, mlT3, 8))
		c.branchTo(bcond(CondLO, 0), tail, fixCond)
		c.emit(ldstPost(3, opcLoad, mlT4, mlT2, 8))
		c.mixWord(mlT4)
		c.emit(subImm(true, mlT3, mlT3, 8))
		c.branchTo(b(0), loop, fixB)
		c.place(tail)
		c.branchTo(cbz(true, mlT3, 0), done, fixCond)
		c.dynTailWord()
		c.mixWord(mlT4)
		c.place(done)
	}
	//	eor  x7, x7, x7, lsr #29
	//	mov  x8, #K3
	//	mul  x7, x7, x8
	//	eor  x7, x7, x7, lsr #32
	c.emit(eorShift(true, mlH, mlH, mlH, shiftLSR, 29))
	c.loadConst(mlK, hashK3)
	c.emit(mul(true, mlH, mlH, mlK), eorShift(true, mlH, mlH, mlH, shiftLSR, 32))
}

// mixWord emits h = (h ^ w) * K2; h ^= h >> 32 (K2 in x8).
func (c *compiler) mixWord(w Reg) {
	c.emit(
		eorReg(true, mlH, mlH, w),
		mul(true, mlH, mlH, mlK),
		eorShift(true, mlH, mlH, mlH, shiftLSR, 32),
	)
}

// tailPieces splits the last r (1-7) bytes of a key into loads of 4, 2 and
// 1 bytes, so nothing beyond the key is read.
func tailPieces(r int) []int {
	var p []int
	for _, n := range []int{4, 2, 1} {
		if r&n != 0 {
			p = append(p, n)
		}
	}
	return p
}

// pieceLog is log2 of a piece size.
func pieceLog(n int) uint32 {
	switch n {
	case 1:
		return 0
	case 2:
		return 1
	case 4:
		return 2
	}
	return 3
}

// tailWord loads the r bytes at base+o into x17, little-endian and
// zero-extended, as NativeHash reads a partial last word (x16 scratch).
func (c *compiler) tailWord(base Reg, o int32, r int) {
	pos := 0
	for _, n := range tailPieces(r) {
		if pos == 0 {
			c.emit(ldstUnscaled(pieceLog(n), opcLoad, mlT4, base, o))
		} else {
			c.emit(
				ldstUnscaled(pieceLog(n), opcLoad, mlT3, base, o+int32(pos)),
				orrShift(true, mlT4, mlT4, mlT3, shiftLSL, uint32(8*pos)),
			)
		}
		pos += n
	}
}

// dynTailWord loads the last x16&7 bytes at x15 into x17 (x10, x14
// scratch):
//
//	    mov  x17, #0
//	    mov  x14, #0            // bit position
//	    tbz  w16, #2, 1f
//	    ldr  w17, [x15], #4
//	    mov  x14, #32
//	1:  tbz  w16, #1, 2f
//	    ldrh w10, [x15], #2
//	    lsl  x10, x10, x14
//	    orr  x17, x17, x10
//	    add  x14, x14, #16
//	2:  tbz  w16, #0, 3f
//	    ldrb w10, [x15]
//	    lsl  x10, x10, x14
//	    orr  x17, x17, x10
//	3:
func (c *compiler) dynTailWord() {
	l1, l2, l3 := c.newLabel(), c.newLabel(), c.newLabel()
	c.emit(movz(true, mlT4, 0, 0), movz(true, mlT1, 0, 0))
	c.tbTo(true, mlT3, 2, l1)
	c.emit(ldstPost(2, opcLoad, mlT4, mlT2, 4), movz(true, mlT1, 32, 0))
	c.place(l1)
	c.tbTo(true, mlT3, 1, l2)
	c.emit(
		ldstPost(1, opcLoad, mlT0, mlT2, 2),
		lslv(true, mlT0, mlT0, mlT1),
		orrReg(true, mlT4, mlT4, mlT0),
		addImm(true, mlT1, mlT1, 16),
	)
	c.place(l2)
	c.tbTo(true, mlT3, 0, l3)
	c.emit(
		ldstUnscaled(0, opcLoad, mlT0, mlT2, 0),
		lslv(true, mlT0, mlT0, mlT1),
		orrReg(true, mlT4, mlT4, mlT0),
	)
	c.place(l3)
}

// compareKey emits a comparison of the key at x2 with the slot's key at
// x10 that branches to ne on the first difference. x14 (the slot's state
// address) is kept when ks is constant.
func (c *compiler) compareKey(ks int, ne int) {
	key := regMap[2]
	if ks > 0 {
		//	ldur x16, [x2, #o]
		//	ldur x17, [x10, #o]
		//	cmp  x16, x17
		//	b.ne ne
		cmpPiece := func(n int, o int32) {
			sz := pieceLog(n)
			c.emit(
				ldstUnscaled(sz, opcLoad, mlT3, key, o),
				ldstUnscaled(sz, opcLoad, mlT4, mlT0, o),
				cmpReg(n == 8, mlT3, mlT4),
			)
			c.branchTo(bcond(CondNE, 0), ne, fixCond)
		}
		o := int32(0)
		for ; int(o)+8 <= ks; o += 8 {
			cmpPiece(8, o)
		}
		for _, n := range tailPieces(ks - int(o)) {
			cmpPiece(n, o)
			o += int32(n)
		}
		return
	}
	//	ldr  w16, [x9, #KeySize]
	//	mov  x15, x2
	// loop:
	//	cmp  x16, #8
	//	b.lo tail
	//	ldr  x17, [x15], #8
	//	ldr  x14, [x10], #8
	//	cmp  x17, x14
	//	b.ne ne
	//	sub  x16, x16, #8
	//	b    loop
	// tail:	(4, 2, 1 bytes as the low bits of x16 say, likewise)
	loop, tail := c.newLabel(), c.newLabel()
	c.emit(
		ldstScaled(2, opcLoad, mlT3, mlDesc, maps.NativeOffKeySize),
		movReg(true, mlT2, key),
	)
	c.place(loop)
	c.emit(subsImm(true, XZR, mlT3, 8))
	c.branchTo(bcond(CondLO, 0), tail, fixCond)
	c.emit(
		ldstPost(3, opcLoad, mlT4, mlT2, 8),
		ldstPost(3, opcLoad, mlT1, mlT0, 8),
		cmpReg(true, mlT4, mlT1),
	)
	c.branchTo(bcond(CondNE, 0), ne, fixCond)
	c.emit(subImm(true, mlT3, mlT3, 8))
	c.branchTo(b(0), loop, fixB)
	c.place(tail)
	for _, bit := range []uint32{2, 1, 0} {
		skip := c.newLabel()
		c.tbTo(true, mlT3, bit, skip)
		n := int32(1) << bit
		c.emit(
			ldstPost(bit, opcLoad, mlT4, mlT2, n),
			ldstPost(bit, opcLoad, mlT1, mlT0, n),
			cmpReg(false, mlT4, mlT1),
		)
		c.branchTo(bcond(CondNE, 0), ne, fixCond)
		c.place(skip)
	}
}
