package loader

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// ContextAccessor maps a program's access to the Linux context layout to the
// host's context block. progtype.Type implements it.
type ContextAccessor interface {
	// ContextAccess returns the host offset and size to access instead of
	// size bytes at Linux offset off, or an error naming the refused field.
	ContextAccess(off int32, size int, write bool) (hostOff int16, hostSize int, err error)
}

// RewriteContext rewrites, in place, every load and store whose base register
// holds the context pointer so that it addresses the host context block
// (pointer fields, u32 in Linux's layout, become u64 loads). An access
// through a register that is the context on one path and something else on
// another is refused, as the kernel refuses it.
func RewriteContext(insns []isa.Instruction, t ContextAccessor) error {
	f := analyze(insns)
	visit := func(pc int, base val) error {
		switch base.k {
		case kCtx:
			return rewriteAccess(&insns[pc], base.off, t)
		case kCtxVar:
			return fmt.Errorf("instruction %d: dereference of modified context pointer", pc)
		case kMixed:
			return fmt.Errorf("instruction %d: same instruction used with context and non-context pointer", pc)
		}
		return nil
	}
	for pc, in := range f.in {
		if in == nil {
			continue
		}
		s := *in
		if err := f.runBlock(pc, &s, visit); err != nil {
			return err
		}
	}
	return nil
}

// rewriteAccess rewrites one access through a register holding ctx+base.
func rewriteAccess(ins *isa.Instruction, base int32, t ContextAccessor) error {
	cls := isa.Class(ins.Opcode)
	mode := isa.Mode(ins.Opcode)
	write := cls == isa.ClassST || cls == isa.ClassSTX
	if mode == isa.ModeATOMIC {
		return fmt.Errorf("atomic operation on the context is not allowed")
	}
	if mode != isa.ModeMEM && mode != isa.ModeMEMSX {
		return fmt.Errorf("invalid access mode %#x on the context", mode)
	}
	size := isa.SizeBytes(isa.Size(ins.Opcode))
	off := base + int32(ins.Offset)
	hostOff, hostSize, err := t.ContextAccess(off, size, write)
	if err != nil {
		return fmt.Errorf("context access at offset %d, size %d: %w", off, size, err)
	}
	newOff := int32(hostOff) - base
	if newOff != int32(int16(newOff)) {
		return fmt.Errorf("context access at offset %d: rewritten offset out of range", off)
	}
	ins.Offset = int16(newOff)
	if hostSize != size {
		if mode == isa.ModeMEMSX {
			return fmt.Errorf("sign-extending load of context pointer field at offset %d", off)
		}
		sz, ok := sizeBits(hostSize)
		if !ok {
			return fmt.Errorf("context access at offset %d: host size %d is invalid", off, hostSize)
		}
		ins.Opcode = ins.Opcode&^0x18 | sz
	}
	return nil
}

func sizeBits(n int) (uint8, bool) {
	switch n {
	case 1:
		return isa.SizeB, true
	case 2:
		return isa.SizeH, true
	case 4:
		return isa.SizeW, true
	case 8:
		return isa.SizeDW, true
	}
	return 0, false
}
