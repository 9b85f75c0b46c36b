package loader

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// MapRef is a symbolic map reference of an ld_imm64 in a converted program:
// the loader fills in the map ID once the map exists.
type MapRef struct {
	// Slot is the index of the first slot of the ld_imm64.
	Slot int
	// Map is the name of the referenced map in the CollectionSpec (for global
	// data the section name: ".rodata", ".data", ".bss", ".data.foo"...).
	Map string
	// Value is true for a direct value reference (isa.PseudoMapValue), whose
	// second slot carries Offset; false for a map handle (isa.PseudoMapFD).
	Value  bool
	Offset uint32
}

// Converted is a program in bpfhost's instruction slots, with bpf-to-bpf
// calls and subprogram references resolved and map references symbolic.
type Converted struct {
	Name, Section, License string
	// Insns has one entry per 8-byte slot; ld_imm64 uses two.
	Insns []isa.Instruction
	// Maps lists the map references, in slot order.
	Maps []MapRef
}

// Convert turns the flattened instruction stream of a cilium/ebpf
// ProgramSpec (the entry function followed by every subprogram it reaches)
// into instruction slots. Calls and ld_imm64 pseudo-func loads get relative
// offsets; map loads are recorded in Converted.Maps and left with imm 0.
// Features bpfhost cannot honour (kfuncs, ksyms, CO-RE relocations against
// kernel types, legacy packet loads) are errors.
func Convert(ps *ebpf.ProgramSpec) (*Converted, error) {
	src := ps.Instructions
	// First pass: the slot index of every instruction and of every symbol.
	slotOf := make([]int, len(src)+1)
	symbols := map[string]int{}
	n := 0
	for i := range src {
		slotOf[i] = n
		if sym := src[i].Symbol(); sym != "" {
			if _, dup := symbols[sym]; dup {
				return nil, fmt.Errorf("duplicate symbol %q", sym)
			}
			symbols[sym] = n
		}
		n += int(src[i].Width())
	}
	slotOf[len(src)] = n
	if n > isa.MaxInstructions {
		return nil, fmt.Errorf("program has %d instructions, more than the limit of %d", n, isa.MaxInstructions)
	}
	if n == 0 {
		return nil, fmt.Errorf("program has no instructions")
	}

	out := &Converted{Name: ps.Name, Section: ps.SectionName, License: ps.License, Insns: make([]isa.Instruction, n)}
	for i := range src {
		ins := &src[i]
		at := slotOf[i]
		if err := convertOne(ins, at, symbols, out); err != nil {
			return nil, fmt.Errorf("instruction %d (%v): %w", at, *ins, err)
		}
	}
	return out, nil
}

// convertOne writes the slot(s) of one cilium instruction at index at.
func convertOne(ins *asm.Instruction, at int, symbols map[string]int, out *Converted) error {
	if relo := btf.CORERelocationMetadata(ins); relo != nil {
		return fmt.Errorf("unsupported CO-RE relocation %s: bpfhost has no kernel BTF to relocate against", relo)
	}
	op := uint32(ins.OpCode)
	if op > 0xff && !isExtendedOp(ins.OpCode) {
		return fmt.Errorf("invalid opcode %#x", op)
	}
	slot := isa.Instruction{
		Opcode: uint8(op),
		Dst:    uint8(ins.Dst),
		Src:    uint8(ins.Src),
		Offset: ins.Offset,
		Imm:    int32(ins.Constant),
	}
	if ins.Dst > asm.R10 || ins.Src > asm.R10 {
		return fmt.Errorf("invalid register")
	}
	cls := ins.OpCode.Class()
	switch {
	case ins.OpCode.IsDWordLoad():
		return convertLdImm64(ins, at, symbols, out)

	case cls == asm.LdClass:
		// BPF_LD other than ld_imm64 is the legacy cBPF packet access.
		return fmt.Errorf("legacy packet access (LD_ABS/LD_IND) is not supported")

	case cls.IsALU():
		// cilium folds the signed-division and sign-extending-move variants
		// into the opcode; the encoding keeps them in the offset.
		switch ins.OpCode.ALUOp() {
		case asm.SDiv, asm.SMod:
			slot.Offset = 1
		case asm.MovSX8:
			slot.Offset = 8
		case asm.MovSX16:
			slot.Offset = 16
		case asm.MovSX32:
			slot.Offset = 32
		}

	case cls == asm.StXClass && ins.OpCode.Mode() == asm.AtomicMode:
		// The atomic operation lives in the immediate of the encoding.
		slot.Imm = int32((op & 0x1ff00) >> 8)

	case ins.IsKfuncCall():
		return fmt.Errorf("kfunc calls are not supported")

	case ins.IsFunctionCall():
		target, err := resolveSymbol(ins, symbols)
		if err != nil {
			return err
		}
		slot.Imm = int32(target - (at + 1))

	case ins.IsBuiltinCall():
		if ins.Constant < 0 || ins.Constant > 0x0fffffff {
			// Negative or platform-tagged helper numbers are not Linux helpers.
			return fmt.Errorf("invalid helper number %d", ins.Constant)
		}

	case cls.IsJump() && ins.Reference() != "" && ins.OpCode.JumpOp() != asm.Exit:
		// Jumps to labels (assembled programs) are resolved here as well.
		target, err := resolveSymbol(ins, symbols)
		if err != nil {
			return err
		}
		rel := target - (at + 1)
		if cls == asm.Jump32Class && ins.OpCode.JumpOp() == asm.Ja {
			slot.Imm = int32(rel)
		} else {
			if rel != int(int16(rel)) {
				return fmt.Errorf("jump to %q out of range", ins.Reference())
			}
			slot.Offset = int16(rel)
		}
	}
	out.Insns[at] = slot
	return nil
}

// isExtendedOp reports whether op is one of cilium's opcodes that carry
// extra bits above the encoded byte (signed div/mod, movsx, atomics).
func isExtendedOp(op asm.OpCode) bool {
	if op.Class().IsALU() {
		switch op.ALUOp() {
		case asm.SDiv, asm.SMod, asm.MovSX8, asm.MovSX16, asm.MovSX32:
			return true
		}
		return false
	}
	return op.Class() == asm.StXClass && op.Mode() == asm.AtomicMode
}

func resolveSymbol(ins *asm.Instruction, symbols map[string]int) (int, error) {
	ref := ins.Reference()
	if ref == "" {
		return 0, fmt.Errorf("reference without a symbol name")
	}
	target, ok := symbols[ref]
	if !ok {
		return 0, fmt.Errorf("reference to unknown function %q", ref)
	}
	return target, nil
}

// convertLdImm64 writes the two slots of an ld_imm64 and resolves its
// pseudo source.
func convertLdImm64(ins *asm.Instruction, at int, symbols map[string]int, out *Converted) error {
	lo := isa.Instruction{Opcode: isa.OpLdImm64, Dst: uint8(ins.Dst), Src: uint8(ins.Src), Imm: int32(uint32(ins.Constant))}
	hi := isa.Instruction{Imm: int32(uint32(uint64(ins.Constant) >> 32))}
	switch uint8(ins.Src) {
	case 0:
		// Plain 64-bit constant.
	case isa.PseudoMapFD, isa.PseudoMapValue:
		ref := ins.Reference()
		if ref == "" {
			return fmt.Errorf("map load without a map reference")
		}
		if ref == ".kconfig" {
			return fmt.Errorf("__kconfig externs are not supported")
		}
		r := MapRef{Slot: at, Map: ref, Value: uint8(ins.Src) == isa.PseudoMapValue}
		if r.Value {
			r.Offset = uint32(uint64(ins.Constant) >> 32)
		}
		out.Maps = append(out.Maps, r)
		lo.Imm, hi.Imm = 0, int32(r.Offset)
	case isa.PseudoFunc:
		target, err := resolveSymbol(ins, symbols)
		if err != nil {
			return err
		}
		lo.Imm, hi.Imm = int32(target-(at+1)), 0
	case isa.PseudoBTFID:
		return fmt.Errorf("__ksym externs are not supported")
	default:
		return fmt.Errorf("unsupported ld_imm64 source %d", ins.Src)
	}
	if ins.Reference() != "" && ins.Src == 0 {
		return fmt.Errorf("unresolved reference to %q", ins.Reference())
	}
	out.Insns[at], out.Insns[at+1] = lo, hi
	return nil
}
