package loader

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// Link produces the linked form of a converted program: map references get
// the IDs mapID returns (ld_imm64 src=PseudoMapFD imm=ID, or src=PseudoMapValue
// imm=ID with the offset in the second slot), the result is validated
// structurally, and context accesses are rewritten for the host layout with
// ctx (nil leaves them alone). c is not modified.
func Link(c *Converted, ctx ContextAccessor, mapID func(ref MapRef) (uint32, error)) ([]isa.Instruction, error) {
	insns := make([]isa.Instruction, len(c.Insns))
	copy(insns, c.Insns)
	for _, ref := range c.Maps {
		if ref.Slot < 0 || ref.Slot+1 >= len(insns) || !insns[ref.Slot].IsLdImm64() {
			return nil, fmt.Errorf("map reference to %q at instruction %d is not an ld_imm64", ref.Map, ref.Slot)
		}
		id, err := mapID(ref)
		if err != nil {
			return nil, fmt.Errorf("instruction %d: %w", ref.Slot, err)
		}
		insns[ref.Slot].Imm = int32(id)
		if ref.Value {
			insns[ref.Slot].Src = isa.PseudoMapValue
			insns[ref.Slot+1].Imm = int32(ref.Offset)
		} else {
			insns[ref.Slot].Src = isa.PseudoMapFD
			insns[ref.Slot+1].Imm = 0
		}
	}
	if err := isa.Validate(insns); err != nil {
		return nil, err
	}
	if ctx != nil {
		if err := RewriteContext(insns, ctx); err != nil {
			return nil, err
		}
	}
	return insns, nil
}
