package isa

import "fmt"

// ValidationError reports the first structural defect Validate found.
type ValidationError struct {
	// Index is the instruction slot at fault (-1 for whole-program defects).
	Index int
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Index < 0 {
		return e.Reason
	}
	return fmt.Sprintf("instruction %d: %s", e.Index, e.Reason)
}

func invalid(i int, format string, args ...any) error {
	return &ValidationError{Index: i, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks the structure of a program against RFC 9669: every opcode
// is defined, registers are in range and r10 is never written, the fields an
// instruction form does not use are zero, ld_imm64 pairs are intact, jump and
// local call targets land on an instruction inside the program (not on the
// second half of an ld_imm64), and the last instruction cannot fall off the
// end. It does not track values (that is the verifier's job); engines rely on
// it so that decoding never meets an undefined encoding.
func Validate(insns []Instruction) error {
	n := len(insns)
	if n == 0 {
		return &ValidationError{Index: -1, Reason: "program has no instructions"}
	}
	if n > MaxInstructions {
		return &ValidationError{Index: -1, Reason: fmt.Sprintf("program has %d instructions, more than the limit of %d", n, MaxInstructions)}
	}
	// Pass 1: mark the second slots of ld_imm64 so that pass 2 can refuse
	// jumps into them and check them in place.
	second := make([]bool, n)
	for i := 0; i < n; i++ {
		if insns[i].Opcode == OpLdImm64 {
			if i+1 >= n {
				return invalid(i, "ld_imm64 is missing its second slot")
			}
			second[i+1] = true
			i++
		}
	}
	for i := 0; i < n; i++ {
		if second[i] {
			continue
		}
		if err := validateOne(insns, i, second); err != nil {
			return err
		}
	}
	last := n - 1
	if second[last] {
		last--
	}
	switch op := insns[last].Opcode; op {
	case OpExit, OpJA, OpJA32:
	default:
		return invalid(last, "last instruction (opcode %#02x) is neither exit nor an unconditional jump", op)
	}
	return nil
}

// validateOne checks the instruction at insns[i] (not a second slot).
func validateOne(insns []Instruction, i int, second []bool) error {
	ins := insns[i]
	if ins.Dst >= NumRegs {
		return invalid(i, "invalid destination register r%d", ins.Dst)
	}
	if ins.Src >= NumRegs && !(ins.Opcode == OpLdImm64 || ins.Opcode == OpCall) {
		return invalid(i, "invalid source register r%d", ins.Src)
	}
	switch Class(ins.Opcode) {
	case ClassALU, ClassALU64:
		return validateALU(ins, i)
	case ClassJMP, ClassJMP32:
		return validateJump(insns, i, second)
	case ClassLD:
		return validateLD(insns, i, second)
	case ClassLDX:
		return validateLDX(ins, i)
	case ClassST:
		return validateST(ins, i)
	default: // ClassSTX
		return validateSTX(ins, i)
	}
}

// writesDst refuses r10 as a destination: the frame pointer is read-only.
func writesDst(ins Instruction, i int) error {
	if ins.Dst == R10 {
		return invalid(i, "cannot write to the read-only frame pointer r10")
	}
	return nil
}

func validateALU(ins Instruction, i int) error {
	op, src := ALUOp(ins.Opcode), Source(ins.Opcode)
	alu64 := Class(ins.Opcode) == ClassALU64
	name := "ALU"
	if alu64 {
		name = "ALU64"
	}
	if op > ALUEnd {
		return invalid(i, "unknown %s operation (opcode %#02x)", name, ins.Opcode)
	}
	if err := writesDst(ins, i); err != nil {
		return err
	}
	switch op {
	case ALUNeg:
		if src != SrcK {
			return invalid(i, "neg with the register source bit set (opcode %#02x)", ins.Opcode)
		}
		return zeroFields(ins, i, "neg", false, true, true, true)
	case ALUEnd:
		if alu64 && src != SrcK {
			return invalid(i, "unknown ALU64 byte swap (opcode %#02x)", ins.Opcode)
		}
		if ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64 {
			return invalid(i, "byte swap width %d is not 16, 32 or 64", ins.Imm)
		}
		return zeroFields(ins, i, "byte swap", false, true, true, false)
	}
	// Offsets: zero except the signed division/modulo and sign-extending
	// move forms, which RFC 9669 encodes in the offset field.
	switch {
	case ins.Offset == 0:
	case (op == ALUDiv || op == ALUMod) && ins.Offset == 1:
	case op == ALUMov && src == SrcX && (ins.Offset == 8 || ins.Offset == 16 || (alu64 && ins.Offset == 32)):
	default:
		form := "immediate"
		if src == SrcX {
			form = "register"
		}
		return invalid(i, "%s %s form with invalid offset %d", name, form, ins.Offset)
	}
	if src == SrcK {
		if ins.Src != 0 {
			return invalid(i, "%s immediate form with nonzero source register", name)
		}
		return nil
	}
	if ins.Imm != 0 {
		return invalid(i, "%s register form with nonzero immediate", name)
	}
	return nil
}

// zeroFields refuses nonzero dst, src, offset and imm fields the form does
// not use (each flag says whether that field must be zero).
func zeroFields(ins Instruction, i int, what string, dst, src, off, imm bool) error {
	switch {
	case dst && ins.Dst != 0:
		return invalid(i, "%s with nonzero destination register", what)
	case src && ins.Src != 0:
		return invalid(i, "%s with nonzero source register", what)
	case off && ins.Offset != 0:
		return invalid(i, "%s with nonzero offset", what)
	case imm && ins.Imm != 0:
		return invalid(i, "%s with nonzero immediate", what)
	}
	return nil
}

// target checks that a jump or local call from i by rel lands on the first
// slot of an instruction inside the program.
func target(insns []Instruction, i int, rel int64, second []bool, what string) error {
	t := int64(i) + rel + 1
	if t < 0 || t >= int64(len(insns)) {
		return invalid(i, "%s target %d is outside the program (0..%d)", what, t, len(insns)-1)
	}
	if second[t] {
		return invalid(i, "%s target %d is the second slot of an ld_imm64", what, t)
	}
	return nil
}

func validateJump(insns []Instruction, i int, second []bool) error {
	ins := insns[i]
	op, src := ALUOp(ins.Opcode), Source(ins.Opcode)
	jmp32 := Class(ins.Opcode) == ClassJMP32
	switch op {
	case JmpJA:
		if src != SrcK {
			return invalid(i, "unknown jump opcode %#02x", ins.Opcode)
		}
		if jmp32 {
			// gotol: the offset lives in imm.
			if err := zeroFields(ins, i, "gotol", true, true, true, false); err != nil {
				return err
			}
			return target(insns, i, int64(ins.Imm), second, "jump")
		}
		if err := zeroFields(ins, i, "ja", true, true, false, true); err != nil {
			return err
		}
		return target(insns, i, int64(ins.Offset), second, "jump")
	case JmpCall:
		if jmp32 {
			return invalid(i, "unknown jump opcode %#02x", ins.Opcode)
		}
		if src == SrcX {
			// callx: helper number in register dst.
			return zeroFields(ins, i, "callx", false, true, true, true)
		}
		if err := zeroFields(ins, i, "call", true, false, true, false); err != nil {
			return err
		}
		switch ins.Src {
		case CallHelper:
			if ins.Imm < 0 {
				return invalid(i, "call to negative helper number %d", ins.Imm)
			}
			return nil
		case CallLocal:
			return target(insns, i, int64(ins.Imm), second, "local call")
		case CallKfunc:
			return invalid(i, "kernel function calls (call with source 2) are not supported")
		default:
			return invalid(i, "call with invalid source field %d", ins.Src)
		}
	case JmpExit:
		if jmp32 || src != SrcK {
			return invalid(i, "unknown jump opcode %#02x", ins.Opcode)
		}
		return zeroFields(ins, i, "exit", true, true, true, true)
	case 0xe0, 0xf0:
		return invalid(i, "unknown jump opcode %#02x", ins.Opcode)
	}
	// Conditional jumps read dst (r10 allowed) and src or imm.
	name := "JMP"
	if jmp32 {
		name = "JMP32"
	}
	if src == SrcK {
		if ins.Src != 0 {
			return invalid(i, "%s immediate form with nonzero source register", name)
		}
	} else if ins.Imm != 0 {
		return invalid(i, "%s register form with nonzero immediate", name)
	}
	return target(insns, i, int64(ins.Offset), second, "jump")
}

func validateLD(insns []Instruction, i int, second []bool) error {
	ins := insns[i]
	if ins.Opcode != OpLdImm64 {
		switch Mode(ins.Opcode) {
		case ModeABS, ModeIND:
			return invalid(i, "legacy packet access (opcode %#02x) is not supported", ins.Opcode)
		}
		return invalid(i, "unknown load opcode %#02x", ins.Opcode)
	}
	if err := writesDst(ins, i); err != nil {
		return err
	}
	if ins.Offset != 0 {
		return invalid(i, "ld_imm64 with nonzero offset")
	}
	next := insns[i+1]
	if next.Opcode != 0 || next.Dst != 0 || next.Src != 0 || next.Offset != 0 {
		return invalid(i+1, "second slot of ld_imm64 has nonzero opcode, registers or offset")
	}
	switch ins.Src {
	case 0, PseudoMapFD, PseudoMapValue:
		return nil
	case PseudoFunc:
		return target(insns, i, int64(ins.Imm), second, "subprogram reference")
	case PseudoBTFID, PseudoMapIdx, PseudoMapIdxValue:
		return invalid(i, "ld_imm64 with source %d (BTF ID or map index) is not supported", ins.Src)
	default:
		return invalid(i, "ld_imm64 with invalid source field %d", ins.Src)
	}
}

func validateLDX(ins Instruction, i int) error {
	switch Mode(ins.Opcode) {
	case ModeMEM:
	case ModeMEMSX:
		if Size(ins.Opcode) == SizeDW {
			return invalid(i, "sign-extending load of 8 bytes (opcode %#02x) is undefined", ins.Opcode)
		}
	default:
		return invalid(i, "unknown load opcode %#02x", ins.Opcode)
	}
	if err := writesDst(ins, i); err != nil {
		return err
	}
	if ins.Imm != 0 {
		return invalid(i, "load with nonzero immediate")
	}
	return nil
}

func validateST(ins Instruction, i int) error {
	if Mode(ins.Opcode) != ModeMEM {
		return invalid(i, "unknown store opcode %#02x", ins.Opcode)
	}
	if ins.Src != 0 {
		return invalid(i, "store immediate with nonzero source register")
	}
	return nil
}

func validateSTX(ins Instruction, i int) error {
	switch Mode(ins.Opcode) {
	case ModeMEM:
		if ins.Imm != 0 {
			return invalid(i, "store register with nonzero immediate")
		}
		return nil
	case ModeATOMIC:
	default:
		return invalid(i, "unknown store opcode %#02x", ins.Opcode)
	}
	if s := Size(ins.Opcode); s != SizeW && s != SizeDW {
		return invalid(i, "atomic operation of %d bytes (opcode %#02x) is undefined", SizeBytes(s), ins.Opcode)
	}
	switch ins.Imm {
	case AtomicAdd, AtomicOr, AtomicAnd, AtomicXor:
		return nil
	case AtomicAdd | AtomicFetch, AtomicOr | AtomicFetch, AtomicAnd | AtomicFetch, AtomicXor | AtomicFetch, AtomicXchg:
		// The old value goes to src, which therefore must be writable.
		if ins.Src == R10 {
			return invalid(i, "atomic fetch into the read-only frame pointer r10")
		}
		return nil
	case AtomicCmpXchg:
		return nil
	default:
		return invalid(i, "unknown atomic operation %#x", ins.Imm)
	}
}
