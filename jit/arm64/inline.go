package arm64

import (
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// fnMapLookupElem is bpf_map_lookup_elem's Linux helper number.
const fnMapLookupElem = 1

// valueAddresser is implemented by maps whose values sit in one fixed
// block for the map's lifetime (arrays).
type valueAddresser interface{ ValueAddr() uintptr }

// inlineHelper emits a fast route for the helper call at pc when it is
// safe and reports whether it did: bpf_map_lookup_elem on a plain array
// map whose handle r1 provably holds (an ld_imm64 in the same basic block),
// compiled as the kernel's array_map_gen_lookup — a bounds check and
// address arithmetic instead of an exit to Go. r1-r5 are left as they
// are, as after the Go helper.
func (c *compiler) inlineHelper(pc int, num int32) bool {
	if c.opts.NoInline || num != fnMapLookupElem || c.prog.Helpers.Lookup(num) == nil {
		return false
	}
	h, ok := c.constR1(pc)
	if !ok {
		return false
	}
	m := vm.MapFromHandle(h)
	if m == nil {
		return false
	}
	spec := m.Spec()
	va, ok := m.(valueAddresser)
	if spec.Type != maps.Array || !ok || spec.KeySize != 4 || spec.MaxEntries == 0 {
		return false
	}
	elem := (uint64(spec.ValueSize) + 7) &^ 7 // values are 8-byte aligned
	if elem == 0 || elem > 1<<30 {
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
	c.movImm(false, tmp2, uint64(spec.MaxEntries))
	c.emit(cmpReg(false, tmp1, tmp2))
	c.branchTo(bcond(CondHS, 0), miss, fixCond)
	if elem&(elem-1) == 0 {
		n := uint32(0)
		for 1<<n < elem {
			n++
		}
		if n > 0 {
			c.emit(lslImm(true, tmp1, tmp1, n))
		}
	} else {
		c.movImm(true, tmp2, elem)
		c.emit(mul(true, tmp1, tmp1, tmp2))
	}
	c.movImm(true, regMap[0], uint64(va.ValueAddr()))
	c.emit(addReg(true, regMap[0], regMap[0], tmp1))
	c.branchTo(b(0), done, fixB)
	c.place(miss)
	c.emit(movz(true, regMap[0], 0, 0))
	c.place(done)
	c.inlined++
	return true
}

// constR1 finds the value of r1 at the call at pc when an ld_imm64 in the
// same basic block sets it and nothing between writes r1.
func (c *compiler) constR1(pc int) (uint64, bool) {
	if c.target[pc] {
		return 0, false
	}
	for i := pc - 1; i >= 0; i-- {
		if c.second[i] {
			continue
		}
		ins := c.insns[i]
		if ins.Opcode == isa.OpLdImm64 {
			if ins.Dst == isa.R1 {
				return isa.Imm64(c.insns, i), true
			}
		} else if writesR1(ins) {
			return 0, false
		}
		if c.target[i] {
			return 0, false
		}
	}
	return 0, false
}

// writesR1 reports whether ins may change r1 (conservatively: any call).
func writesR1(ins isa.Instruction) bool {
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64, isa.ClassLDX, isa.ClassLD:
		return ins.Dst == isa.R1
	case isa.ClassSTX:
		return isa.Mode(ins.Opcode) == isa.ModeATOMIC && (ins.Src == isa.R1 && ins.Imm&isa.AtomicFetch != 0)
	case isa.ClassJMP, isa.ClassJMP32:
		return isa.ALUOp(ins.Opcode) == isa.JmpCall
	}
	return false
}
