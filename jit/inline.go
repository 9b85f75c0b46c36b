package jit

import (
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// fnMapLookupElem is bpf_map_lookup_elem's Linux helper number.
const fnMapLookupElem = 1

// ArrayLookup describes a bpf_map_lookup_elem call that a back end may
// compile inline, as the kernel's array_map_gen_lookup does: if the u32 key
// at r2 is below MaxEntries, r0 = Base + key*Elem, else r0 = 0.
type ArrayLookup struct {
	Base       uint64 // address of the first value; fixed for the map's lifetime
	MaxEntries uint32
	Elem       uint64 // distance between values (value size rounded up to 8)
}

// valueAddresser is implemented by maps whose values sit in one fixed block
// for the map's lifetime (arrays).
type valueAddresser interface{ ValueAddr() uintptr }

// InlineArrayLookup reports whether the helper call num at pc can be compiled
// as an inline array lookup, and with which constants. It is the
// architecture-neutral half of the fast route: the call must be
// bpf_map_lookup_elem offered to the program, r1 must provably hold one
// plain array map's handle (an ld_imm64 in the same basic block with no write
// to r1 in between), and the map's geometry must fit. second marks the second
// slots of ld_imm64, target the jump and call targets.
func InlineArrayLookup(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (ArrayLookup, bool) {
	site, ok := MapLookupAt(p, insns, second, target, pc, num)
	if !ok || site.Map == nil {
		return ArrayLookup{}, false
	}
	spec := site.Map.Spec()
	va, ok := site.Map.(valueAddresser)
	if spec.Type != maps.Array || !ok || spec.KeySize != 4 || spec.MaxEntries == 0 {
		return ArrayLookup{}, false
	}
	elem := (uint64(spec.ValueSize) + 7) &^ 7 // values are 8-byte aligned
	if elem == 0 || elem > 1<<30 {
		return ArrayLookup{}, false
	}
	return ArrayLookup{Base: uint64(va.ValueAddr()), MaxEntries: spec.MaxEntries, Elem: elem}, true
}

// constR1 finds the value of r1 at the call at pc when an ld_imm64 in the
// same basic block sets it and nothing between writes r1.
func constR1(insns []isa.Instruction, second, target []bool, pc int) (uint64, bool) {
	if target[pc] {
		return 0, false
	}
	for i := pc - 1; i >= 0; i-- {
		if second[i] {
			continue
		}
		ins := insns[i]
		if ins.Opcode == isa.OpLdImm64 {
			if ins.Dst == isa.R1 {
				return isa.Imm64(insns, i), true
			}
		} else if writesR1(ins) {
			return 0, false
		}
		if target[i] {
			return 0, false
		}
	}
	return 0, false
}

// writesR1 reports whether ins may change r1 (conservatively: any call, and
// any atomic whose source register is r1).
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
