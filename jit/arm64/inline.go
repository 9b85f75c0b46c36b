package arm64

import "github.com/bpfhost/bpfhost/jit"

// inlineHelper emits a fast route for the helper call at pc when it is
// safe and reports whether it did: bpf_map_lookup_elem on a plain array
// map whose handle r1 provably holds (an ld_imm64 in the same basic block),
// compiled as the kernel's array_map_gen_lookup — a bounds check and
// address arithmetic instead of an exit to Go. r1-r5 are left as they
// are, as after the Go helper.
func (c *compiler) inlineHelper(pc int, num int32) bool {
	if c.opts.NoInline {
		return false
	}
	lk, ok := jit.InlineArrayLookup(c.prog, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	//	ldr  w9, [x2]
	//	mov  w10, #max_entries
	//	cmp  w9, w10
	//	b.hs miss
	//	lsl  x9, x9, #log2(elem) | mov x10, #elem; mul x9, x9, x10
	//	mov  x0, #base
	//	add  x0, x0, x9
	//	b    done
	// miss: mov x0, #0
	// done:
	miss, done := c.newLabel(), c.newLabel()
	c.emit(ldstUnscaled(2, opcLoad, tmp1, regMap[2], 0))
	c.movImm(false, tmp2, uint64(lk.MaxEntries))
	c.emit(cmpReg(false, tmp1, tmp2))
	c.branchTo(bcond(CondHS, 0), miss, fixCond)
	if lk.Elem&(lk.Elem-1) == 0 {
		n := uint32(0)
		for 1<<n < lk.Elem {
			n++
		}
		if n > 0 {
			c.emit(lslImm(true, tmp1, tmp1, n))
		}
	} else {
		c.movImm(true, tmp2, lk.Elem)
		c.emit(mul(true, tmp1, tmp1, tmp2))
	}
	c.movImm(true, regMap[0], uint64(lk.Base))
	c.emit(addReg(true, regMap[0], regMap[0], tmp1))
	c.branchTo(b(0), done, fixB)
	c.place(miss)
	c.emit(movz(true, regMap[0], 0, 0))
	c.place(done)
	c.inlined++
	return true
}
