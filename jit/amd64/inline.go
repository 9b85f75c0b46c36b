package amd64

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
// safe, and reports whether it did. Today: bpf_map_lookup_elem on a plain
// array map whose handle r1 provably holds (loaded by an ld_imm64 in the
// same basic block), compiled as the kernel's array_map_gen_lookup: a
// bounds check and address arithmetic, with no exit to Go.
func (c *compiler) inlineHelper(pc int, num int32) bool {
	if num != fnMapLookupElem || c.p.Helpers.Lookup(num) == nil {
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
	elem := (uint64(spec.ValueSize) + 7) &^ 7
	if elem == 0 || elem > 1<<30 {
		return false
	}
	a := &c.a
	// r11 = *(u32 *)r2; if r11 >= max_entries { r0 = 0 } else { r0 = base + r11*elem }
	a.load(4, regAux, regs[2], 0)
	a.aluRI(aluCmp, false, regAux, int32(spec.MaxEntries))
	miss := a.jcc8(condAE)
	if elem&(elem-1) == 0 {
		n := uint8(0)
		for 1<<n < elem {
			n++
		}
		if n > 0 {
			a.shiftRI(shShl, true, regAux, n)
		}
	} else {
		a.imulRRI(true, regAux, regAux, int32(elem))
	}
	a.movabs(rax, uint64(va.ValueAddr()))
	a.aluRR(aluAdd, true, rax, regAux)
	done := a.jmp8()
	a.patch8(miss)
	a.aluRR(aluXor, false, rax, rax)
	a.patch8(done)
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

// writesR1 reports whether ins may change r1 (conservatively).
func writesR1(ins isa.Instruction) bool {
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64, isa.ClassLDX, isa.ClassLD:
		return ins.Dst == isa.R1
	case isa.ClassSTX:
		return isa.Mode(ins.Opcode) == isa.ModeATOMIC && ins.Src == isa.R1
	case isa.ClassJMP, isa.ClassJMP32:
		return isa.ALUOp(ins.Opcode) == isa.JmpCall
	}
	return false
}
