package amd64

import "github.com/bpfhost/bpfhost/jit"

// nativeHelper emits a native route for the helper call at pc when one
// exists and reports whether it did: the inline array lookup, then the
// descriptor-driven map lookups (maplookup.go). Inline code counts in
// Code.Inlined; a call of the shared lookup routine does not.
func (c *compiler) nativeHelper(pc int, num int32) bool {
	if c.inlineHelper(pc, num) {
		c.inlined++
		return true
	}
	return c.mapLookup(pc, num)
}

// inlineHelper emits a fast route for the helper call at pc when it is
// safe, and reports whether it did. Today: bpf_map_lookup_elem on a plain
// array map whose handle r1 provably holds (loaded by an ld_imm64 in the
// same basic block), compiled as the kernel's array_map_gen_lookup: a
// bounds check and address arithmetic, with no exit to Go.
func (c *compiler) inlineHelper(pc int, num int32) bool {
	lk, ok := jit.InlineArrayLookup(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	a := &c.a
	// r11 = *(u32 *)r2; if r11 >= max_entries { r0 = 0 } else { r0 = base + r11*lk.Elem }
	a.load(4, regAux, regs[2], 0)
	a.aluRI(aluCmp, false, regAux, int32(lk.MaxEntries))
	miss := a.jcc8(condAE)
	if lk.Elem&(lk.Elem-1) == 0 {
		n := uint8(0)
		for 1<<n < lk.Elem {
			n++
		}
		if n > 0 {
			a.shiftRI(shShl, true, regAux, n)
		}
	} else {
		a.imulRRI(true, regAux, regAux, int32(lk.Elem))
	}
	a.movabs(rax, uint64(lk.Base))
	a.aluRR(aluAdd, true, rax, regAux)
	done := a.jmp8()
	a.patch8(miss)
	a.aluRR(aluXor, false, rax, rax)
	a.patch8(done)
	return true
}
