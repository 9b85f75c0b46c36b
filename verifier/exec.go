package verifier

import (
	"math"

	"github.com/bpfhost/bpfhost/isa"
)

// step executes the instruction at v.cur.pc on the abstract state. done
// means the path ended (exit from the main program).
func (v *verifier) step() (done bool, err error) {
	st := v.cur
	pc := st.pc
	ins := v.insns[pc]
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64:
		err = v.checkALU(pc, ins)
		st.pc++
	case isa.ClassLDX:
		err = v.checkLoad(pc, ins)
		st.pc++
	case isa.ClassST, isa.ClassSTX:
		if isa.Mode(ins.Opcode) == isa.ModeATOMIC {
			err = v.checkAtomic(pc, ins)
		} else {
			err = v.checkStore(pc, ins)
		}
		st.pc++
	case isa.ClassLD:
		err = v.checkLdImm64(pc, ins)
		st.pc += 2
	default:
		return v.checkJump(pc, ins)
	}
	return false, err
}

// readReg returns register r of the current frame, refusing uninitialized ones.
func (v *verifier) readReg(pc int, r uint8) (*reg, error) {
	p := &v.cur.cur().regs[r]
	if p.typ == notInit {
		return nil, v.errAt(pc, "R%d !read_ok", r)
	}
	return p, nil
}

// operand returns the source operand of an ALU or jump instruction.
func (v *verifier) operand(pc int, ins isa.Instruction, is64 bool) (reg, error) {
	if isa.Source(ins.Opcode) == isa.SrcX {
		p, err := v.readReg(pc, ins.Src)
		if err != nil {
			return reg{}, err
		}
		return *p, nil
	}
	if is64 {
		return constScalar(uint64(int64(ins.Imm))), nil
	}
	return constScalar(uint64(uint32(ins.Imm))), nil
}

var aluNames = map[uint8]string{
	isa.ALUAdd: "+=", isa.ALUSub: "-=", isa.ALUMul: "*=", isa.ALUDiv: "/=", isa.ALUOr: "|=",
	isa.ALUAnd: "&=", isa.ALULsh: "<<=", isa.ALURsh: ">>=", isa.ALUNeg: "neg", isa.ALUMod: "%=",
	isa.ALUXor: "^=", isa.ALUMov: "=", isa.ALUArsh: "s>>=", isa.ALUEnd: "endian",
}

func (v *verifier) checkALU(pc int, ins isa.Instruction) error {
	f := v.cur.cur()
	op := isa.ALUOp(ins.Opcode)
	is64 := isa.Class(ins.Opcode) == isa.ClassALU64
	dst := &f.regs[ins.Dst]
	switch op {
	case isa.ALUMov:
		src, err := v.operand(pc, ins, is64)
		if err != nil {
			return err
		}
		if isa.Source(ins.Opcode) == isa.SrcK {
			*dst = src
			return nil
		}
		if src.typ != scalar {
			if ins.Offset != 0 || !is64 {
				if v.opts.Unprivileged {
					return v.errAt(pc, "R%d partial copy of pointer", ins.Src)
				}
				*dst = unknownScalar()
				if !is64 {
					dst.zext32()
				}
				return nil
			}
			*dst = src
			return nil
		}
		if ins.Offset == 0 && is64 {
			// A plain copy links the two scalars: what a branch learns
			// about one holds for the other.
			if src.id == 0 && !src.isConst() {
				src.id = v.newID()
				f.regs[ins.Src].id = src.id
			}
			*dst = src
			return nil
		}
		*dst = src
		dst.id = 0
		if ins.Offset != 0 {
			signExtend(dst, uint(ins.Offset))
		}
		if !is64 {
			dst.truncate32()
		}
		return nil
	case isa.ALUNeg, isa.ALUEnd:
		if dst.typ == notInit {
			return v.errAt(pc, "R%d !read_ok", ins.Dst)
		}
		if dst.typ != scalar {
			if v.opts.Unprivileged {
				return v.errAt(pc, "R%d pointer arithmetic prohibited", ins.Dst)
			}
			*dst = unknownScalar()
		}
		dst.id = 0
		if op == isa.ALUNeg {
			zero := constScalar(0)
			if is64 {
				scalarALU64(&zero, dst, isa.ALUSub, false)
			} else {
				scalarALU32(&zero, dst, isa.ALUSub, false)
			}
			*dst = zero
			return nil
		}
		w := uint(ins.Imm)
		if !is64 && isa.Source(ins.Opcode) == isa.EndToLE {
			zeroExtendWidth(dst, w) // little-endian host: truncation only
		} else {
			if w < 64 {
				zeroExtendWidth(dst, w)
			}
			byteSwap(dst, w)
		}
		return nil
	}
	if isa.Source(ins.Opcode) == isa.SrcK {
		// Checked when reached, as Linux does (dead code may hold them).
		switch op {
		case isa.ALUDiv, isa.ALUMod:
			if ins.Imm == 0 {
				return v.errAt(pc, "div by zero")
			}
		case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
			if bits := int32(32) << b2i(is64); ins.Imm < 0 || ins.Imm >= bits {
				return v.errAt(pc, "invalid shift %d", ins.Imm)
			}
		}
	}
	src, err := v.operand(pc, ins, is64)
	if err != nil {
		return err
	}
	if dst.typ == notInit {
		return v.errAt(pc, "R%d !read_ok", ins.Dst)
	}
	if dst.typ != scalar || src.typ != scalar {
		return v.pointerALU(pc, ins, dst, &src, op, is64)
	}
	dst.id = 0
	signed := ins.Offset == 1
	if is64 {
		scalarALU64(dst, &src, op, signed)
	} else {
		scalarALU32(dst, &src, op, signed)
	}
	return nil
}

// pointerALU is arithmetic with a pointer operand (adjust_ptr_min_max_vals).
func (v *verifier) pointerALU(pc int, ins isa.Instruction, dst, src *reg, op uint8, is64 bool) error {
	if !is64 {
		// 32-bit arithmetic on pointers yields meaningless numbers; the
		// kernel lets privileged programs subtract (clang emits
		// "w = data_end - data" for u32 context fields).
		if op == isa.ALUSub && !v.opts.Unprivileged {
			*dst = unknownScalar()
			dst.zext32()
			return nil
		}
		return v.errAt(pc, "R%d 32-bit pointer arithmetic prohibited", ins.Dst)
	}
	if dst.typ.isPtr() && src.typ.isPtr() {
		if op == isa.ALUSub && !v.opts.Unprivileged {
			*dst = unknownScalar()
			return nil
		}
		return v.errAt(pc, "R%d pointer %s pointer prohibited", ins.Dst, aluNames[op])
	}
	ptr, off := dst, src
	if !dst.typ.isPtr() {
		ptr, off = src, dst
	}
	switch ptr.typ {
	case ptrMapValueOrNull, ptrMemOrNull, constPtrMapOrNull:
		// An inner map handle moved by a constant would name another map.
		return v.errAt(pc, "R%d pointer arithmetic on %s prohibited, null-check it first", ins.Dst, ptr.typ)
	case constPtrMap:
		return v.errAt(pc, "R%d pointer arithmetic on map_ptr prohibited", ins.Dst)
	case ptrPacketEnd:
		return v.errAt(pc, "R%d pointer arithmetic on pkt_end prohibited", ins.Dst)
	case ptrFunc:
		return v.errAt(pc, "R%d pointer arithmetic on func prohibited", ins.Dst)
	}
	switch op {
	case isa.ALUAdd:
	case isa.ALUSub:
		if ptr == src {
			return v.errAt(pc, "R%d tried to subtract pointer from scalar", ins.Dst)
		}
		if ptr.typ == ptrStack {
			// As in Linux (JITs may not handle it), even for constants.
			return v.errAt(pc, "R%d subtraction from stack pointer prohibited", ins.Dst)
		}
	case isa.ALUAnd, isa.ALUOr, isa.ALUXor:
		return v.errAt(pc, "R%d bitwise operator %s on pointer prohibited", ins.Dst, aluNames[op])
	default:
		return v.errAt(pc, "R%d pointer arithmetic with %s operator prohibited", ins.Dst, aluNames[op])
	}
	res := *ptr
	res.id = ptr.id
	if off.isConst() {
		c := int64(off.constVal())
		if op == isa.ALUSub {
			c = -c
		}
		n := int64(res.off) + c
		if n <= -maxVarOff || n >= maxVarOff || c <= -maxVarOff || c >= maxVarOff {
			return v.errAt(pc, "value %d makes %s pointer be out of bounds", c, ptr.typ)
		}
		res.off = int32(n)
		*dst = res
		return nil
	}
	if v.opts.Unprivileged && ptr.typ == ptrStack {
		return v.errAt(pc, "R%d variable stack access prohibited for !root", ins.Dst)
	}
	if ptr.typ == ptrCtx && v.opts.Unprivileged {
		return v.errAt(pc, "R%d variable ctx access prohibited", ins.Dst)
	}
	varPart := *ptr
	varPart.typ = scalar
	scalarALU64(&varPart, off, op, false)
	if varPart.smin <= -maxVarOff || varPart.smax >= maxVarOff {
		return v.errAt(pc, "R%d unbounded variable offset makes %s pointer be out of bounds (use 'var &= const' or 'if (var < const)')", ins.Dst, ptr.typ)
	}
	res.varOff, res.smin, res.smax, res.umin, res.umax = varPart.varOff, varPart.smin, varPart.smax, varPart.umin, varPart.umax
	res.s32min, res.s32max, res.u32min, res.u32max = varPart.s32min, varPart.s32max, varPart.u32min, varPart.u32max
	if res.typ == ptrPacket || res.typ == ptrPacketMeta {
		// A new variable base: nothing is known about the bytes after it.
		res.id = v.newID()
		res.rng = 0
	}
	*dst = res
	return nil
}

func (v *verifier) checkLdImm64(pc int, ins isa.Instruction) error {
	f := v.cur.cur()
	dst := &f.regs[ins.Dst]
	switch ins.Src {
	case 0:
		*dst = constScalar(isa.Imm64(v.insns, pc))
	case isa.PseudoMapFD, isa.PseudoMapValue:
		id := uint32(ins.Imm)
		mi, ok := v.maps(id)
		if !ok {
			return v.errAt(pc, "map ID %d does not exist", id)
		}
		if ins.Src == isa.PseudoMapFD {
			*dst = pointer(constPtrMap)
			dst.mapID = id
			return nil
		}
		off := uint32(v.insns[pc+1].Imm)
		if !directValueMap(mi) {
			return v.errAt(pc, "map %d (type %s) does not support direct value access", id, mi.Type)
		}
		if off >= mi.ValueSize {
			return v.errAt(pc, "invalid access to map value pointer, value_size=%d off=%d", mi.ValueSize, off)
		}
		*dst = pointer(ptrMapValue)
		dst.mapID = id
		dst.off = int32(off)
	case isa.PseudoFunc:
		*dst = pointer(ptrFunc)
		dst.memSize = int32(pc + 1 + int(ins.Imm))
	}
	return nil
}

// loadedScalar is the value a load of size bytes yields from memory whose
// content is unknown.
func loadedScalar(size int, signExt bool) reg {
	r := unknownScalar()
	if size < 8 {
		zeroExtendWidth(&r, uint(size*8))
		if signExt {
			signExtend(&r, uint(size*8))
		}
	}
	return r
}

func (v *verifier) checkLoad(pc int, ins isa.Instruction) error {
	if _, err := v.readReg(pc, ins.Src); err != nil {
		return err
	}
	size := isa.SizeBytes(isa.Size(ins.Opcode))
	signExt := isa.Mode(ins.Opcode) == isa.ModeMEMSX
	val, err := v.checkMem(pc, ins.Src, ins.Offset, size, false, nil, signExt)
	if err != nil {
		return err
	}
	v.cur.cur().regs[ins.Dst] = val
	return nil
}

func (v *verifier) checkStore(pc int, ins isa.Instruction) error {
	if _, err := v.readReg(pc, ins.Dst); err != nil {
		return err
	}
	size := isa.SizeBytes(isa.Size(ins.Opcode))
	var val reg
	if isa.Class(ins.Opcode) == isa.ClassST {
		val = constScalar(uint64(int64(ins.Imm)))
	} else {
		p, err := v.readReg(pc, ins.Src)
		if err != nil {
			return err
		}
		val = *p
	}
	_, err := v.checkMem(pc, ins.Dst, ins.Offset, size, true, &val, false)
	return err
}

func (v *verifier) checkAtomic(pc int, ins isa.Instruction) error {
	f := v.cur.cur()
	p, err := v.readReg(pc, ins.Dst)
	if err != nil {
		return err
	}
	src, err := v.readReg(pc, ins.Src)
	if err != nil {
		return err
	}
	if ins.Imm == isa.AtomicCmpXchg {
		if _, err := v.readReg(pc, isa.R0); err != nil {
			return err
		}
	}
	if src.typ != scalar && v.opts.Unprivileged {
		return v.errAt(pc, "R%d leaks addr into mem", ins.Src)
	}
	switch p.typ {
	case ptrStack, ptrMapValue, ptrMem:
	default:
		return v.errAt(pc, "BPF_ATOMIC stores into R%d %s is not allowed", ins.Dst, p.typ)
	}
	size := isa.SizeBytes(isa.Size(ins.Opcode))
	if !v.aligned(p, ins.Offset, size) {
		return v.errAt(pc, "misaligned access off %s+%d+%d size %d", p.varOff, p.off, ins.Offset, size)
	}
	if _, err := v.checkMem(pc, ins.Dst, ins.Offset, size, false, nil, false); err != nil {
		return err
	}
	val := unknownScalar()
	if _, err := v.checkMem(pc, ins.Dst, ins.Offset, size, true, &val, false); err != nil {
		return err
	}
	old := loadedScalar(size, false)
	if ins.Imm == isa.AtomicCmpXchg {
		f.regs[0] = old
	} else if ins.Imm&isa.AtomicFetch != 0 {
		f.regs[ins.Src] = old
	}
	return nil
}

// aligned reports whether an access of size bytes through p+off is
// naturally aligned, the variable part included.
func (v *verifier) aligned(p *reg, off int16, size int) bool {
	if size == 1 {
		return true
	}
	m := uint64(size - 1)
	if (p.varOff.value|p.varOff.mask)&m != 0 {
		return false
	}
	return (int64(p.off)+int64(off))&int64(m) == 0
}

// directValueMap reports whether ld_imm64 may point directly into the map's
// value: single-element arrays, as global data maps are (Linux refuses the
// others with ENOTSUPP).
func directValueMap(mi MapInfo) bool { return mi.Type == 2 && mi.MaxEntries == 1 }

// clamp64 converts for messages.
func clamp64(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
