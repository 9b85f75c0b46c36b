package amd64

import "encoding/binary"

// reg is an x86-64 general-purpose register number as encoded in ModRM
// (the fourth bit goes to the REX prefix).
type reg uint8

const (
	rax reg = iota
	rcx
	rdx
	rbx
	rsp
	rbp
	rsi
	rdi
	r8
	r9
	r10
	r11
	r12
	r13
	r14
	r15
)

// cond is an x86 condition code (the low nibble of Jcc).
type cond uint8

const (
	condB  cond = 0x2
	condAE cond = 0x3
	condE  cond = 0x4
	condNE cond = 0x5
	condBE cond = 0x6
	condA  cond = 0x7
	condL  cond = 0xc
	condGE cond = 0xd
	condLE cond = 0xe
	condG  cond = 0xf
)

// invert returns the opposite condition (codes come in pairs differing in
// the low bit).
func (c cond) invert() cond { return c ^ 1 }

// Group-1 ALU operations: the /digit of opcodes 81/83 and, shifted left by
// three plus one, the "r/m, reg" opcode (add 01, or 09, and 21, sub 29,
// xor 31, cmp 39).
const (
	aluAdd = 0
	aluOr  = 1
	aluAnd = 4
	aluSub = 5
	aluXor = 6
	aluCmp = 7
)

// Group-2 shift operations: the /digit of C1/D3.
const (
	shRol = 0
	shRor = 1
	shShl = 4
	shShr = 5
	shSar = 7
)

// asm accumulates machine code. Methods append one instruction each.
type asm struct {
	b []byte
}

func (a *asm) pos() int { return len(a.b) }

func (a *asm) byte1(v ...byte) { a.b = append(a.b, v...) }

func (a *asm) imm32(v int32) { a.b = binary.LittleEndian.AppendUint32(a.b, uint32(v)) }

func (a *asm) imm64(v uint64) { a.b = binary.LittleEndian.AppendUint64(a.b, v) }

// rex emits a REX prefix when needed: w selects 64-bit operands, r extends
// ModRM.reg, b extends ModRM.rm (or the opcode register); force emits it
// even when it would be 0x40, which byte operands on spl/bpl/sil/dil need.
func (a *asm) rex(w bool, r, b reg, force bool) {
	v := byte(0x40)
	if w {
		v |= 8
	}
	if r >= 8 {
		v |= 4
	}
	if b >= 8 {
		v |= 1
	}
	if v != 0x40 || force {
		a.b = append(a.b, v)
	}
}

// modrmReg emits ModRM for a register-direct operand.
func (a *asm) modrmReg(r, rm reg) { a.b = append(a.b, 0xc0|byte(r&7)<<3|byte(rm&7)) }

// modrmMem emits ModRM (and SIB, displacement) for [base+disp].
func (a *asm) modrmMem(r, base reg, disp int32) {
	mod := byte(0x80)
	switch {
	case disp == 0 && base&7 != rbp:
		mod = 0
	case disp >= -128 && disp <= 127:
		mod = 0x40
	}
	a.b = append(a.b, mod|byte(r&7)<<3|byte(base&7))
	if base&7 == rsp {
		a.b = append(a.b, 0x24) // SIB: no index, base
	}
	switch mod {
	case 0x40:
		a.b = append(a.b, byte(int8(disp)))
	case 0x80:
		a.imm32(disp)
	}
}

// opRR emits op with a register ModRM: reg field r, rm field rm.
func (a *asm) opRR(w bool, op []byte, r, rm reg, byteOp bool) {
	if len(op) > 0 && op[0] == 0x66 {
		a.b = append(a.b, 0x66)
		op = op[1:]
	}
	a.rex(w, r, rm, byteOp && (r >= 4 || rm >= 4))
	a.b = append(a.b, op...)
	a.modrmReg(r, rm)
}

// opRM emits op with a memory ModRM: reg field r, operand [base+disp].
func (a *asm) opRM(w bool, op []byte, r, base reg, disp int32, byteReg bool) {
	if len(op) > 0 && op[0] == 0x66 {
		a.b = append(a.b, 0x66)
		op = op[1:]
	}
	a.rex(w, r, base, byteReg && r >= 4)
	a.b = append(a.b, op...)
	a.modrmMem(r, base, disp)
}

// aluRR: dst op= src (add, or, and, sub, xor, cmp), 64-bit if w.
func (a *asm) aluRR(op int, w bool, dst, src reg) {
	a.opRR(w, []byte{byte(op<<3 | 1)}, src, dst, false)
}

// aluRI: dst op= imm (sign-extended to 64 bits if w).
func (a *asm) aluRI(op int, w bool, dst reg, imm int32) {
	if imm >= -128 && imm <= 127 {
		a.opRR(w, []byte{0x83}, reg(op), dst, false)
		a.b = append(a.b, byte(int8(imm)))
		return
	}
	a.opRR(w, []byte{0x81}, reg(op), dst, false)
	a.imm32(imm)
}

// testRR: flags of dst & src.
func (a *asm) testRR(w bool, dst, src reg) { a.opRR(w, []byte{0x85}, src, dst, false) }

// testRI: flags of dst & imm.
func (a *asm) testRI(w bool, dst reg, imm int32) {
	a.opRR(w, []byte{0xf7}, 0, dst, false)
	a.imm32(imm)
}

// movRR: dst = src (32-bit form zero-extends).
func (a *asm) movRR(w bool, dst, src reg) { a.opRR(w, []byte{0x89}, src, dst, false) }

// movRI32: dst = uint32 imm, zero-extended.
func (a *asm) movRI32(dst reg, imm uint32) {
	a.rex(false, 0, dst, false)
	a.b = append(a.b, 0xb8+byte(dst&7))
	a.imm32(int32(imm))
}

// movRIsx: dst = imm sign-extended to 64 bits.
func (a *asm) movRIsx(dst reg, imm int32) {
	a.opRR(true, []byte{0xc7}, 0, dst, false)
	a.imm32(imm)
}

// movabs: dst = imm64.
func (a *asm) movabs(dst reg, imm uint64) {
	a.rex(true, 0, dst, false)
	a.b = append(a.b, 0xb8+byte(dst&7))
	a.imm64(imm)
}

// movImm64 loads a 64-bit constant with the shortest encoding.
func (a *asm) movImm64(dst reg, v uint64) {
	switch {
	case v == 0:
		a.aluRR(aluXor, false, dst, dst)
	case v <= 0xffffffff:
		a.movRI32(dst, uint32(v))
	case int64(v) == int64(int32(v)):
		a.movRIsx(dst, int32(v))
	default:
		a.movabs(dst, v)
	}
}

// imulRR: dst *= src.
func (a *asm) imulRR(w bool, dst, src reg) { a.opRR(w, []byte{0x0f, 0xaf}, dst, src, false) }

// imulRRI: dst = src * imm.
func (a *asm) imulRRI(w bool, dst, src reg, imm int32) {
	if imm >= -128 && imm <= 127 {
		a.opRR(w, []byte{0x6b}, dst, src, false)
		a.b = append(a.b, byte(int8(imm)))
		return
	}
	a.opRR(w, []byte{0x69}, dst, src, false)
	a.imm32(imm)
}

// shiftRI: dst shifted by a constant count.
func (a *asm) shiftRI(op int, w bool, dst reg, n uint8) {
	if n == 1 {
		a.opRR(w, []byte{0xd1}, reg(op), dst, false)
		return
	}
	a.opRR(w, []byte{0xc1}, reg(op), dst, false)
	a.b = append(a.b, n)
}

// shiftRCL: dst shifted by CL.
func (a *asm) shiftRCL(op int, w bool, dst reg) { a.opRR(w, []byte{0xd3}, reg(op), dst, false) }

// ror16by8 swaps the two low bytes of dst (ror dst16, 8).
func (a *asm) ror16by8(dst reg) {
	a.opRR(false, []byte{0x66, 0xc1}, shRor, dst, false)
	a.b = append(a.b, 8)
}

// neg: dst = -dst.
func (a *asm) neg(w bool, dst reg) { a.opRR(w, []byte{0xf7}, 3, dst, false) }

// div: unsigned (or signed) division of rdx:rax by src.
func (a *asm) div(w, signed bool, src reg) {
	d := reg(6)
	if signed {
		d = 7
	}
	a.opRR(w, []byte{0xf7}, d, src, false)
}

// cqo sign-extends rax into rdx (cdq: eax into edx).
func (a *asm) cqo(w bool) {
	if w {
		a.b = append(a.b, 0x48)
	}
	a.b = append(a.b, 0x99)
}

// movzxRR: dst = zero-extended low 8 or 16 bits of src.
func (a *asm) movzxRR(bits int, dst, src reg) {
	if bits == 8 {
		a.opRR(false, []byte{0x0f, 0xb6}, dst, src, true)
		return
	}
	a.opRR(false, []byte{0x0f, 0xb7}, dst, src, false)
}

// movsxRR: dst = sign-extended low 8, 16 or 32 bits of src, to 64 bits if
// w (else to 32 bits, zero-extended).
func (a *asm) movsxRR(bits int, w bool, dst, src reg) {
	switch bits {
	case 8:
		// REX for the byte register is forced only for the source (rm).
		a.rex(w, dst, src, src >= 4)
		a.b = append(a.b, 0x0f, 0xbe)
		a.modrmReg(dst, src)
	case 16:
		a.opRR(w, []byte{0x0f, 0xbf}, dst, src, false)
	default:
		a.opRR(true, []byte{0x63}, dst, src, false)
	}
}

// bswap reverses the bytes of dst (32 bits zero-extended, or 64).
func (a *asm) bswap(w bool, dst reg) {
	a.rex(w, 0, dst, false)
	a.b = append(a.b, 0x0f, 0xc8+byte(dst&7))
}

// load: dst = zero-extended bytes at [base+disp].
func (a *asm) load(size int, dst, base reg, disp int32) {
	switch size {
	case 1:
		a.opRM(false, []byte{0x0f, 0xb6}, dst, base, disp, false)
	case 2:
		a.opRM(false, []byte{0x0f, 0xb7}, dst, base, disp, false)
	case 4:
		a.opRM(false, []byte{0x8b}, dst, base, disp, false)
	default:
		a.opRM(true, []byte{0x8b}, dst, base, disp, false)
	}
}

// loadSX: dst = sign-extended bytes at [base+disp].
func (a *asm) loadSX(size int, dst, base reg, disp int32) {
	switch size {
	case 1:
		a.opRM(true, []byte{0x0f, 0xbe}, dst, base, disp, false)
	case 2:
		a.opRM(true, []byte{0x0f, 0xbf}, dst, base, disp, false)
	default:
		a.opRM(true, []byte{0x63}, dst, base, disp, false)
	}
}

// store: [base+disp] = low size bytes of src.
func (a *asm) store(size int, base reg, disp int32, src reg) {
	switch size {
	case 1:
		a.opRM(false, []byte{0x88}, src, base, disp, true)
	case 2:
		a.opRM(false, []byte{0x66, 0x89}, src, base, disp, false)
	case 4:
		a.opRM(false, []byte{0x89}, src, base, disp, false)
	default:
		a.opRM(true, []byte{0x89}, src, base, disp, false)
	}
}

// storeImm: [base+disp] = imm (sign-extended for 8 bytes).
func (a *asm) storeImm(size int, base reg, disp int32, imm int32) {
	switch size {
	case 1:
		a.opRM(false, []byte{0xc6}, 0, base, disp, false)
		a.b = append(a.b, byte(imm))
	case 2:
		a.opRM(false, []byte{0x66, 0xc7}, 0, base, disp, false)
		a.b = binary.LittleEndian.AppendUint16(a.b, uint16(imm))
	case 4:
		a.opRM(false, []byte{0xc7}, 0, base, disp, false)
		a.imm32(imm)
	default:
		a.opRM(true, []byte{0xc7}, 0, base, disp, false)
		a.imm32(imm)
	}
}

// lea: dst = base+disp.
func (a *asm) lea(dst, base reg, disp int32) { a.opRM(true, []byte{0x8d}, dst, base, disp, false) }

// leaRIP emits lea dst, [rip+rel32] and returns the offset of rel32 for
// patching (relative to the end of the instruction, which is rel32+4).
func (a *asm) leaRIP(dst reg) int {
	a.rex(true, dst, 0, false)
	a.b = append(a.b, 0x8d, 0x05|byte(dst&7)<<3)
	p := a.pos()
	a.imm32(0)
	return p
}

// lockOp emits a locked read-modify-write [base+disp] op= src (add, or,
// and, xor), 64-bit if w.
func (a *asm) lockOp(op int, w bool, base reg, disp int32, src reg) {
	a.b = append(a.b, 0xf0)
	a.opRM(w, []byte{byte(op<<3 | 1)}, src, base, disp, false)
}

// lockXadd: src, [m] = [m], [m]+src atomically.
func (a *asm) lockXadd(w bool, base reg, disp int32, src reg) {
	a.b = append(a.b, 0xf0)
	a.opRM(w, []byte{0x0f, 0xc1}, src, base, disp, false)
}

// xchg: src, [m] = [m], src (implicitly locked).
func (a *asm) xchg(w bool, base reg, disp int32, src reg) {
	a.opRM(w, []byte{0x87}, src, base, disp, false)
}

// lockCmpxchg: if [m] == rax { [m] = src } else { rax = [m] }.
func (a *asm) lockCmpxchg(w bool, base reg, disp int32, src reg) {
	a.b = append(a.b, 0xf0)
	a.opRM(w, []byte{0x0f, 0xb1}, src, base, disp, false)
}

// aluRM: dst op= [base+disp] (or, and, xor with a memory source).
func (a *asm) aluRM(op int, w bool, dst, base reg, disp int32) {
	a.opRM(w, []byte{byte(op<<3 | 3)}, dst, base, disp, false)
}

func (a *asm) push(r reg) {
	a.rex(false, 0, r, false)
	a.b = append(a.b, 0x50+byte(r&7))
}

func (a *asm) pop(r reg) {
	a.rex(false, 0, r, false)
	a.b = append(a.b, 0x58+byte(r&7))
}

func (a *asm) ret() { a.b = append(a.b, 0xc3) }

// decR: r -= 1.
func (a *asm) decR(r reg) { a.opRR(true, []byte{0xff}, 1, r, false) }

// callMem: call [base+disp].
func (a *asm) callMem(base reg, disp int32) { a.opRM(false, []byte{0xff}, 2, base, disp, false) }

// jmpMem: jmp [base+disp].
func (a *asm) jmpMem(base reg, disp int32) { a.opRM(false, []byte{0xff}, 4, base, disp, false) }

// jmp32, jcc32 and call32 emit a rel32 branch and return the offset of
// rel32 for patching.
func (a *asm) jmp32() int {
	a.b = append(a.b, 0xe9)
	p := a.pos()
	a.imm32(0)
	return p
}

func (a *asm) jcc32(c cond) int {
	a.b = append(a.b, 0x0f, 0x80|byte(c))
	p := a.pos()
	a.imm32(0)
	return p
}

func (a *asm) call32() int {
	a.b = append(a.b, 0xe8)
	p := a.pos()
	a.imm32(0)
	return p
}

// jcc8 emits a short conditional branch and returns the offset of rel8.
func (a *asm) jcc8(c cond) int {
	a.b = append(a.b, 0x70|byte(c), 0)
	return a.pos() - 1
}

// jmp8 emits a short jump and returns the offset of rel8.
func (a *asm) jmp8() int {
	a.b = append(a.b, 0xeb, 0)
	return a.pos() - 1
}

// patch8 points the rel8 at p to the current position.
func (a *asm) patch8(p int) {
	d := a.pos() - (p + 1)
	if d > 127 {
		panic("amd64: short branch out of range") // a bug in the fixed sequences
	}
	a.b[p] = byte(int8(d))
}

// patch32 points the rel32 at p to target.
func (a *asm) patch32(p, target int) {
	binary.LittleEndian.PutUint32(a.b[p:], uint32(int32(target-(p+4))))
}
