package arm64

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// atomic compiles the atomic read-modify-write instructions. With LSE
// (ARMv8.1) each is one acquire-release instruction; otherwise an LDAXR/STLXR
// loop followed by a full barrier, the sequence the kernel's JIT uses.
func (c *compiler) atomic(ins isa.Instruction) error {
	var sz uint32
	switch isa.Size(ins.Opcode) {
	case isa.SizeW:
		sz = 2
	case isa.SizeDW:
		sz = 3
	default:
		return fmt.Errorf("atomic operations must be 32 or 64 bits wide")
	}
	is64 := sz == 3
	addr := tmp2
	s := regMap[ins.Src]
	// addr = dst + off
	switch off := int64(ins.Offset); {
	case off >= 0 && off < 4096:
		c.emit(addImm(true, addr, regMap[ins.Dst], uint32(off)))
	case off < 0 && off > -4096:
		c.emit(subImm(true, addr, regMap[ins.Dst], uint32(-off)))
	default:
		c.movImm(true, tmp1, uint64(off))
		c.emit(addReg(true, addr, regMap[ins.Dst], tmp1))
	}
	fetch := ins.Imm&isa.AtomicFetch != 0
	switch ins.Imm {
	case isa.AtomicCmpXchg:
		if c.lse {
			// CASAL compares with and returns the old value in Rs = r0.
			c.emit(casal(sz, regMap[0], s, addr))
			return nil
		}
		//	1: ldaxr x11, [addr]
		//	   cmp x11, r0
		//	   b.ne 2f
		//	   stlxr w13, src, [addr]
		//	   cbnz w13, 1b
		//	2: dmb ish
		//	   mov r0, x11
		c.emit(
			ldaxr(sz, tmp3, addr),
			cmpReg(is64, tmp3, regMap[0]),
			bcond(CondNE, 3),
			stlxr(sz, tmp5, s, addr),
			cbnz(false, tmp5, -4),
			dmbISH,
			movReg(true, regMap[0], tmp3),
		)
		return nil
	case isa.AtomicXchg:
		if c.lse {
			c.emit(swpal(sz, s, s, addr))
			return nil
		}
		c.emit(
			ldaxr(sz, tmp3, addr),
			stlxr(sz, tmp5, s, addr),
			cbnz(false, tmp5, -2),
			dmbISH,
			movReg(true, s, tmp3),
		)
		return nil
	case isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
		isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch,
		isa.AtomicAnd | isa.AtomicFetch, isa.AtomicXor | isa.AtomicFetch:
	default:
		return fmt.Errorf("unknown atomic operation %#x", ins.Imm)
	}
	op := ins.Imm &^ isa.AtomicFetch
	if c.lse {
		old := tmp3 // discarded unless fetching
		if fetch {
			old = s
		}
		val := s
		var lop uint32
		switch op {
		case isa.AtomicAdd:
			lop = lseAdd
		case isa.AtomicOr:
			lop = lseSet
		case isa.AtomicXor:
			lop = lseEor
		case isa.AtomicAnd:
			// LDCLR clears the bits set in its operand: pass ^src.
			c.emit(ornReg(true, tmp4, XZR, s))
			val, lop = tmp4, lseClr
		}
		c.emit(ldopal(sz, lop, val, old, addr))
		return nil
	}
	var opw uint32
	switch op {
	case isa.AtomicAdd:
		opw = addReg(is64, tmp4, tmp3, s)
	case isa.AtomicOr:
		opw = orrReg(is64, tmp4, tmp3, s)
	case isa.AtomicAnd:
		opw = andReg(is64, tmp4, tmp3, s)
	case isa.AtomicXor:
		opw = eorReg(is64, tmp4, tmp3, s)
	}
	//	1: ldaxr x11, [addr]
	//	   op x12, x11, src
	//	   stlxr w13, x12, [addr]
	//	   cbnz w13, 1b
	//	   dmb ish
	c.emit(
		ldaxr(sz, tmp3, addr),
		opw,
		stlxr(sz, tmp5, tmp4, addr),
		cbnz(false, tmp5, -3),
		dmbISH,
	)
	if fetch {
		c.emit(movReg(true, s, tmp3))
	}
	return nil
}
