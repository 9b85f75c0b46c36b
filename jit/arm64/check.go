package arm64

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// check refuses what the code generator relies on not meeting, with the
// same acceptance as the interpreter: registers beyond r10, writes to r10,
// a truncated ld_imm64, and jump or call targets outside the program or on
// the second slot of an ld_imm64. Encodings are checked as they are
// compiled.
func check(insns []isa.Instruction) (second, target []bool, err error) {
	n := len(insns)
	second = make([]bool, n+1)
	target = make([]bool, n+1)
	for i := 0; i < n; i++ {
		if insns[i].Opcode == isa.OpLdImm64 {
			if i+1 >= n {
				return nil, nil, fmt.Errorf("instruction %d: ld_imm64 is truncated (its second slot is missing)", i)
			}
			second[i+1] = true
			i++
		}
	}
	for i := 0; i < n; i++ {
		ins := insns[i]
		if ins.Dst > isa.R10 || ins.Src > isa.R10 && ins.Opcode != isa.OpLdImm64 && ins.Opcode != isa.OpCall {
			return nil, nil, fmt.Errorf("instruction %d (opcode %#02x): invalid register (dst r%d, src r%d)", i, ins.Opcode, ins.Dst, ins.Src)
		}
		if writesR10(ins) {
			return nil, nil, fmt.Errorf("instruction %d (opcode %#02x): r10 is the read-only frame pointer", i, ins.Opcode)
		}
		if rel, ok := relTarget(ins); ok {
			t := int64(i) + 1 + rel
			if t < 0 || t >= int64(n) {
				return nil, nil, fmt.Errorf("instruction %d: target %d is outside the program (0..%d)", i, t, n-1)
			}
			if second[t] {
				return nil, nil, fmt.Errorf("instruction %d: target %d is the second slot of an ld_imm64", i, t)
			}
			target[t] = true
		}
		if ins.Opcode == isa.OpLdImm64 {
			i++
		}
	}
	return second, target, nil
}

// relTarget returns the relative target of a jump or local call.
func relTarget(ins isa.Instruction) (int64, bool) {
	cls := isa.Class(ins.Opcode)
	if cls != isa.ClassJMP && cls != isa.ClassJMP32 {
		return 0, false
	}
	switch {
	case ins.Opcode == isa.OpJA32:
		return int64(ins.Imm), true
	case ins.Opcode == isa.OpCall:
		return int64(ins.Imm), ins.Src == isa.CallLocal
	case ins.Opcode == isa.OpExit || ins.Opcode == isa.OpCallX:
		return 0, false
	}
	return int64(ins.Offset), true
}

// writesR10 reports whether ins would write the frame pointer.
func writesR10(ins isa.Instruction) bool {
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64, isa.ClassLDX:
		return ins.Dst == isa.R10
	case isa.ClassLD:
		return ins.Opcode == isa.OpLdImm64 && ins.Dst == isa.R10
	case isa.ClassSTX:
		if isa.Mode(ins.Opcode) == isa.ModeATOMIC && ins.Imm&isa.AtomicFetch != 0 {
			return ins.Src == isa.R10 && ins.Imm != isa.AtomicCmpXchg
		}
	}
	return false
}
