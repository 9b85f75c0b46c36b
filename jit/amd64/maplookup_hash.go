package amd64

import (
	"github.com/bpfhost/bpfhost/maps"
)

// The hash routes: maps.NativeHash over the key, then the bucket walk of
// maps/native.go ("Hash index") with its bounded restarts.
//
// Registers in hashBody: rdi descriptor, rsi key, eax the hash (the number
// of tries so far in rax's upper half), r8 the end marker of our bucket's
// chain (NativeChainEnd|b) with the route in its upper half, ecx the slot
// n, rdx the steps left, r10 and r11 scratch.

// Constants of maps.NativeHash (pinned by maps.TestNativeHash; the
// generated code is checked against maps.NativeHash in the tests).
const (
	// condS is "sign set" (js).
	condS cond = 0x8

	hashK1 = 0x9e3779b97f4a7c15
	hashK2 = 0xff51afd7ed558ccd
	hashK3 = 0xc4ceb9fe1a85ec53
)

// hashBody emits a hash route's lookup: rax = the value address (per CPU
// for per-CPU routes, MapHandle(id) or 0 for hash of maps), or 0 on a
// miss; then jumps to done. A walk that used up NativeMaxRestarts jumps
// to fb instead (rsi intact): Go's reader then walks under the map's lock,
// so a key present throughout is never missed. route 0 means "any hash
// route, the route is in r11"; keySize 0 means "the key size is in the
// descriptor".
func (c *compiler) hashBody(route uint32, keySize int, done, fb label) {
	a := &c.a
	dyn := route == 0
	if dyn {
		a.push(regAux)
	}
	if keySize > 0 {
		c.hashKeyConst(keySize)
	} else {
		c.hashKeyDyn()
	}
	if dyn {
		a.pop(r8)
		a.shiftRI(shShl, true, r8, 32)
	} else {
		a.aluRR(aluXor, false, r8, r8)
	}
	ne, ae, b, s, ja := condNE, condAE, condB, condS, condA
	try, step, next, end, miss, hit := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	// r8 |= NativeChainEnd | (h & BucketMask)
	a.load(4, regTmp, rdi, maps.NativeOffBucketMask)
	a.aluRR(aluAnd, false, regTmp, rax)
	a.aluRI(aluOr, false, regTmp, -1<<31)
	a.aluRR(aluOr, true, r8, regTmp)

	c.place(try)
	// if ++tries > NativeMaxRestarts: let Go decide
	a.movRI32(regTmp, 1)
	a.shiftRI(shShl, true, regTmp, 32)
	a.aluRR(aluAdd, true, rax, regTmp)
	a.movRR(true, regTmp, rax)
	a.shiftRI(shShr, true, regTmp, 32)
	a.aluRI(aluCmp, false, regTmp, maps.NativeMaxRestarts)
	c.br(&ja, fb)
	// n = Buckets[b]; steps = MaxEntries + 1
	a.movRR(false, regTmp, r8)
	a.aluRI(aluAnd, false, regTmp, 0x7fffffff)
	a.load(8, regAux, rdi, maps.NativeOffBuckets)
	a.loadX(4, rcx, regAux, regTmp, 4, 0)
	a.load(4, rdx, rdi, maps.NativeOffMaxEntries)
	a.aluRI(aluAdd, true, rdx, 1)

	c.place(step)
	// while n&NativeChainEnd == 0 && steps-- > 0
	a.testRR(false, rcx, rcx)
	c.br(&s, end)
	a.aluRI(aluSub, true, rdx, 1)
	c.br(&b, end)
	// A link out of range would be a bug in the writer: restart (and
	// miss after the bounded restarts) rather than read outside the map.
	a.aluRM(aluCmp, false, rcx, rdi, maps.NativeOffMaxEntries)
	c.br(&ae, try)
	// Hashes[n] == h
	a.load(8, regAux, rdi, maps.NativeOffHashes)
	a.cmpRMX(4, rax, regAux, rcx, 4, 0)
	c.br(&ne, next)
	// State[n] == 1
	a.movRR(true, regTmp, rcx)
	a.imulRM(regTmp, rdi, maps.NativeOffSlotStride)
	a.load(8, regAux, rdi, maps.NativeOffState)
	a.cmpMI8X(regAux, regTmp, 1, 0, 1)
	c.br(&ne, next)
	// key equals Keys[n]
	a.aluRM(aluAdd, true, regTmp, rdi, maps.NativeOffKeys)
	if keySize > 0 {
		c.keyEqConst(keySize, next)
	} else {
		c.keyEqDyn(next)
	}
	c.br(nil, hit)

	c.place(next)
	a.load(8, regAux, rdi, maps.NativeOffNext)
	a.loadX(4, rcx, regAux, rcx, 4, 0)
	c.br(nil, step)

	c.place(end)
	// The end of our own chain is a miss; any other place (a slot a
	// concurrent delete moved, or the step bound) restarts.
	a.aluRR(aluCmp, false, rcx, r8)
	c.br(&ne, try)
	c.place(miss)
	a.aluRR(aluXor, false, rax, rax)
	c.br(nil, done)

	c.place(hit)
	c.hashHit(route, done)
}

// hashHit emits the end of a hit on slot rcx: the LRU referenced word,
// then the result (see hashBody).
func (c *compiler) hashHit(route uint32, done label) {
	a := &c.a
	e, ne := condE, condNE
	lru := func() {
		// if State[n].ref == 0 { State[n].ref = 1 } (as bpf_lru_node_set_ref)
		skip := c.newLabel()
		a.movRR(true, regTmp, rcx)
		a.imulRM(regTmp, rdi, maps.NativeOffSlotStride)
		a.aluRM(aluAdd, true, regTmp, rdi, maps.NativeOffState)
		a.cmpMI8(regTmp, 4, 0)
		c.br(&ne, skip)
		a.storeImm(4, regTmp, 4, 1)
		c.place(skip)
	}
	value := func() {
		a.movRR(true, rax, rcx)
		a.imulRM(rax, rdi, maps.NativeOffStride)
		a.aluRM(aluAdd, true, rax, rdi, maps.NativeOffValues)
	}
	if route != 0 {
		if route == maps.RouteLRUHash || route == maps.RouteLRUPerCPUHash {
			lru()
		}
		value()
		c.valueTail(route, done)
		return
	}
	// Dynamic: the route is in r8's upper half.
	rt := func() {
		a.movRR(true, regTmp, r8)
		a.shiftRI(shShr, true, regTmp, 32)
	}
	isLRU, noLRU := c.newLabel(), c.newLabel()
	rt()
	a.aluRI(aluCmp, false, regTmp, maps.RouteLRUHash)
	c.br(&e, isLRU)
	a.aluRI(aluCmp, false, regTmp, maps.RouteLRUPerCPUHash)
	c.br(&ne, noLRU)
	c.place(isLRU)
	lru()
	c.place(noLRU)
	value()
	perCPU, ofMaps := c.newLabel(), c.newLabel()
	rt()
	a.aluRI(aluCmp, false, regTmp, maps.RoutePerCPUHash)
	c.br(&e, perCPU)
	a.aluRI(aluCmp, false, regTmp, maps.RouteLRUPerCPUHash)
	c.br(&e, perCPU)
	a.aluRI(aluCmp, false, regTmp, maps.RouteHashOfMaps)
	c.br(&e, ofMaps)
	c.br(nil, done)
	c.place(perCPU)
	c.valueTail(maps.RoutePerCPUHash, done)
	c.place(ofMaps)
	c.valueTail(maps.RouteHashOfMaps, done)
}

// hashMix emits h = (h ^ w) * K2; h ^= h >> 32 for w in regTmp (rdx holds
// K2).
func (c *compiler) hashMix() {
	a := &c.a
	a.aluRR(aluXor, true, rax, regTmp)
	a.imulRR(true, rax, rdx)
	a.movRR(true, regTmp, rax)
	a.shiftRI(shShr, true, regTmp, 32)
	a.aluRR(aluXor, true, rax, regTmp)
}

// hashFinal emits NativeHash's finalisation, leaving the u32 hash in eax
// (rax's upper half zero).
func (c *compiler) hashFinal() {
	a := &c.a
	a.movRR(true, regTmp, rax)
	a.shiftRI(shShr, true, regTmp, 29)
	a.aluRR(aluXor, true, rax, regTmp)
	a.movabs(regTmp, hashK3)
	a.imulRR(true, rax, regTmp)
	a.movRR(true, regTmp, rax)
	a.shiftRI(shShr, true, regTmp, 32)
	a.aluRR(aluXor, true, rax, regTmp)
	a.movRR(false, rax, rax)
}

// hashKeyConst emits eax = NativeHash(key at rsi, Seed) for a key of n
// bytes known at compile time: whole words, then the last partial word
// read without touching bytes past the key.
func (c *compiler) hashKeyConst(n int) {
	a := &c.a
	a.load(8, rax, rdi, maps.NativeOffSeed)
	a.movabs(regTmp, uint64(n)*hashK1)
	a.aluRR(aluXor, true, rax, regTmp)
	a.movabs(rdx, hashK2)
	i := 0
	for ; i+8 <= n; i += 8 {
		a.load(8, regTmp, rsi, int32(i))
		c.hashMix()
	}
	if t := n - i; t > 0 {
		if n >= 8 {
			// The last 8 bytes of the key, shifted down to its tail.
			a.load(8, regTmp, rsi, int32(n-8))
			a.shiftRI(shShr, true, regTmp, uint8(8*(8-t)))
		} else {
			c.loadSmall(regTmp, t)
		}
		c.hashMix()
	}
	c.hashFinal()
}

// loadSmall emits dst = the t bytes (1..7) at rsi, zero-extended, reading
// no byte past them (clobbers r11).
func (c *compiler) loadSmall(dst reg, t int) {
	a := &c.a
	switch t {
	case 1, 2, 4:
		a.load(t, dst, rsi, 0)
	case 3:
		a.load(2, dst, rsi, 0)
		a.load(1, regAux, rsi, 2)
		a.shiftRI(shShl, false, regAux, 16)
		a.aluRR(aluOr, false, dst, regAux)
	default: // 5..7: the dword at 0 and the dword ending at t, its new bytes moved up
		a.load(4, dst, rsi, 0)
		a.load(4, regAux, rsi, int32(t-4))
		a.shiftRI(shShr, false, regAux, uint8(8*(8-t)))
		a.shiftRI(shShl, true, regAux, 32)
		a.aluRR(aluOr, true, dst, regAux)
	}
}

// hashKeyDyn emits eax = NativeHash(key at rsi, Seed) for the key size in
// the descriptor: a loop over whole words, then the tail byte by byte.
// Clobbers rcx, rdx, r8, r10, r11.
func (c *compiler) hashKeyDyn() {
	a := &c.a
	b, e := condB, condE
	a.load(8, rax, rdi, maps.NativeOffSeed)
	a.load(4, regTmp, rdi, maps.NativeOffKeySize)
	a.movabs(regAux, hashK1)
	a.imulRR(true, regTmp, regAux)
	a.aluRR(aluXor, true, rax, regTmp)
	a.movabs(rdx, hashK2)
	a.load(4, rcx, rdi, maps.NativeOffKeySize)
	a.movRR(true, r8, rsi)
	words, tail, tailLoop, fin := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	c.place(words)
	a.aluRI(aluCmp, true, rcx, 8)
	c.br(&b, tail)
	a.load(8, regTmp, r8, 0)
	c.hashMix()
	a.aluRI(aluAdd, true, r8, 8)
	a.aluRI(aluSub, true, rcx, 8)
	c.br(nil, words)
	c.place(tail)
	a.testRR(false, rcx, rcx)
	c.br(&e, fin)
	// w = key[t-1]<<8(t-1) | ... | key[0], built from the last byte down
	a.aluRR(aluXor, false, regTmp, regTmp)
	c.place(tailLoop)
	a.shiftRI(shShl, true, regTmp, 8)
	a.loadX(1, regAux, r8, rcx, 1, -1)
	a.aluRR(aluOr, true, regTmp, regAux)
	a.aluRI(aluSub, true, rcx, 1)
	ne := condNE
	c.br(&ne, tailLoop)
	c.hashMix()
	c.place(fin)
	c.hashFinal()
}

// keyEqConst emits a comparison of the n-byte key at rsi with the one at
// r10, branching to ne when they differ (clobbers r11). Bytes past the
// keys are never read.
func (c *compiler) keyEqConst(n int, ne label) {
	a := &c.a
	cc := condNE
	cmp := func(size, off int) {
		a.load(size, regAux, rsi, int32(off))
		a.cmpRM(size, regAux, regTmp, int32(off))
		c.br(&cc, ne)
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		cmp(8, i)
	}
	t := n - i
	switch {
	case t == 0:
	case n >= 8:
		cmp(8, n-8) // overlaps the last whole word: harmless for equality
	case t == 1 || t == 2 || t == 4:
		cmp(t, 0)
	case t == 3:
		cmp(2, 0)
		cmp(1, 2)
	default:
		cmp(4, 0)
		cmp(4, t-4)
	}
}

// keyEqDyn emits the comparison of keyEqConst for the key size in the
// descriptor: whole words from the end, then the first bytes one by one.
// It keeps rdx (the steps left) on the stack meanwhile.
func (c *compiler) keyEqDyn(ne label) {
	a := &c.a
	b, e, nz := condB, condE, condNE
	words, bytes, differ, equal := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	a.push(rdx)
	a.load(4, rdx, rdi, maps.NativeOffKeySize)
	c.place(words)
	a.aluRI(aluCmp, true, rdx, 8)
	c.br(&b, bytes)
	a.loadX(8, regAux, rsi, rdx, 1, -8)
	a.cmpRMX(8, regAux, regTmp, rdx, 1, -8)
	c.br(&nz, differ)
	a.aluRI(aluSub, true, rdx, 8)
	c.br(nil, words)
	c.place(bytes)
	a.testRR(false, rdx, rdx)
	c.br(&e, equal)
	a.loadX(1, regAux, rsi, rdx, 1, -1)
	a.cmpRMX(1, regAux, regTmp, rdx, 1, -1)
	c.br(&nz, differ)
	a.aluRI(aluSub, true, rdx, 1)
	c.br(nil, bytes)
	c.place(differ)
	a.pop(rdx)
	c.br(nil, ne)
	c.place(equal)
	a.pop(rdx)
}
