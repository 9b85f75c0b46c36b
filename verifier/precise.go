package verifier

import "github.com/bpfhost/bpfhost/isa"

// computePrecision finds, for every instruction, the registers whose exact
// value may matter on some path from it: values that may flow (through ALU
// operations and moves) into a branch condition, a memory address, a stack
// store, a helper or function argument, or a function's return value,
// before being overwritten. It is a static over-approximation of the
// kernel's precision marking: a scalar outside this set can take any value
// without changing which paths run or what they access, so state pruning
// may treat any scalar as covering it. Stack slots are always compared in
// full.
func (v *verifier) computePrecision() {
	n := len(v.insns)
	const clobbered = 0x3f // r0-r5
	var succ []int
	for changed := true; changed; {
		changed = false
		for pc := n - 1; pc >= 0; pc-- {
			if v.info[pc].second {
				continue
			}
			var out uint16
			for _, t := range v.successors(pc, succ[:0]) {
				if t < n {
					out |= v.info[t].preciseIn
				}
			}
			ins := v.insns[pc]
			d, s := uint16(1)<<ins.Dst, uint16(1)<<ins.Src
			x := isa.Source(ins.Opcode) == isa.SrcX
			in := out
			switch isa.Class(ins.Opcode) {
			case isa.ClassALU, isa.ClassALU64:
				switch op := isa.ALUOp(ins.Opcode); {
				case op == isa.ALUMov:
					in = out &^ d
					if out&d != 0 && x {
						in |= s
					}
				case op == isa.ALUNeg || op == isa.ALUEnd:
				default:
					if out&d != 0 && x {
						in |= s
					}
				}
			case isa.ClassLDX:
				in = out&^d | s
			case isa.ClassST:
				in = out | d
			case isa.ClassSTX:
				in = out | d | s
				if ins.Imm == isa.AtomicCmpXchg && isa.Mode(ins.Opcode) == isa.ModeATOMIC {
					in |= 1
				}
			case isa.ClassLD:
				in = out &^ d
			case isa.ClassJMP, isa.ClassJMP32:
				switch isa.ALUOp(ins.Opcode) {
				case isa.JmpJA:
				case isa.JmpCall:
					in = out&^clobbered | callArgs(ins)
					if x {
						in |= d
					}
				case isa.JmpExit:
					in = 0
					if v.info[pc].sub != 0 {
						in = 1 // returned to the caller (or checked, for callbacks)
					}
				default:
					in = out | d
					if x {
						in |= s
					}
				}
			}
			if in != v.info[pc].preciseIn {
				v.info[pc].preciseIn = in
				changed = true
			}
		}
	}
}
