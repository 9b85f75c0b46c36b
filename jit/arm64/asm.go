package arm64

// This file is a small A64 instruction encoder: only the instructions the
// back end emits, each a function returning the 32-bit word. The encodings
// follow the Arm Architecture Reference Manual (A64 base instructions); the
// golden tests decode every one of them with golang.org/x/arch's arm64asm.

// Reg is an A64 general-purpose register number. 31 is XZR or SP depending
// on the instruction (the encoder functions say which they accept).
type Reg uint8

// Register names used by the back end.
const (
	X0  Reg = 0
	X9  Reg = 9
	X10 Reg = 10
	X11 Reg = 11
	X12 Reg = 12
	X13 Reg = 13
	X19 Reg = 19
	X30 Reg = 30
	XZR Reg = 31
	SP  Reg = 31
)

// Cond is an A64 condition code.
type Cond uint8

// Condition codes.
const (
	CondEQ Cond = 0x0
	CondNE Cond = 0x1
	CondHS Cond = 0x2 // unsigned >=
	CondLO Cond = 0x3 // unsigned <
	CondMI Cond = 0x4
	CondPL Cond = 0x5
	CondHI Cond = 0x8 // unsigned >
	CondLS Cond = 0x9 // unsigned <=
	CondGE Cond = 0xa
	CondLT Cond = 0xb
	CondGT Cond = 0xc
	CondLE Cond = 0xd
)

// Invert returns the opposite condition.
func (c Cond) Invert() Cond { return c ^ 1 }

func sf(is64 bool) uint32 {
	if is64 {
		return 1 << 31
	}
	return 0
}

func rd(r Reg) uint32 { return uint32(r) & 31 }
func rn(r Reg) uint32 { return (uint32(r) & 31) << 5 }
func rm(r Reg) uint32 { return (uint32(r) & 31) << 16 }

// Data processing, register operands (shift amount 0). XZR for 31.

func addReg(is64 bool, d, n, m Reg) uint32  { return sf(is64) | 0x0b000000 | rm(m) | rn(n) | rd(d) }
func subReg(is64 bool, d, n, m Reg) uint32  { return sf(is64) | 0x4b000000 | rm(m) | rn(n) | rd(d) }
func subsReg(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x6b000000 | rm(m) | rn(n) | rd(d) }
func andReg(is64 bool, d, n, m Reg) uint32  { return sf(is64) | 0x0a000000 | rm(m) | rn(n) | rd(d) }
func orrReg(is64 bool, d, n, m Reg) uint32  { return sf(is64) | 0x2a000000 | rm(m) | rn(n) | rd(d) }
func eorReg(is64 bool, d, n, m Reg) uint32  { return sf(is64) | 0x4a000000 | rm(m) | rn(n) | rd(d) }
func andsReg(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x6a000000 | rm(m) | rn(n) | rd(d) }

// ornReg is ORN (d = n | ^m); with n = XZR it is MVN.
func ornReg(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x2a200000 | rm(m) | rn(n) | rd(d) }

// movReg is MOV (ORR d, XZR, m); the 32-bit form zero-extends.
func movReg(is64 bool, d, m Reg) uint32 { return orrReg(is64, d, XZR, m) }

// cmpReg is CMP n, m (SUBS XZR, n, m).
func cmpReg(is64 bool, n, m Reg) uint32 { return subsReg(is64, XZR, n, m) }

// tstReg is TST n, m (ANDS XZR, n, m).
func tstReg(is64 bool, n, m Reg) uint32 { return andsReg(is64, XZR, n, m) }

// Immediate add/sub: imm is 0..4095; register 31 means SP here.

func addImm(is64 bool, d, n Reg, imm uint32) uint32 {
	return sf(is64) | 0x11000000 | (imm&0xfff)<<10 | rn(n) | rd(d)
}

func subImm(is64 bool, d, n Reg, imm uint32) uint32 {
	return sf(is64) | 0x51000000 | (imm&0xfff)<<10 | rn(n) | rd(d)
}

// subsImm with d = XZR is CMP n, #imm.
func subsImm(is64 bool, d, n Reg, imm uint32) uint32 {
	return sf(is64) | 0x71000000 | (imm&0xfff)<<10 | rn(n) | rd(d)
}

// addsImm with d = XZR is CMN n, #imm: the flags of n - (-imm), which for
// 0 < imm < 4096 are exactly those of CMP n, #-imm (same result, carry and
// overflow).
func addsImm(is64 bool, d, n Reg, imm uint32) uint32 {
	return sf(is64) | 0x31000000 | (imm&0xfff)<<10 | rn(n) | rd(d)
}

// Multiply and divide.

func madd(is64 bool, d, n, m, a Reg) uint32 {
	return sf(is64) | 0x1b000000 | rm(m) | uint32(a&31)<<10 | rn(n) | rd(d)
}

// msub computes d = a - n*m.
func msub(is64 bool, d, n, m, a Reg) uint32 {
	return sf(is64) | 0x1b008000 | rm(m) | uint32(a&31)<<10 | rn(n) | rd(d)
}

func mul(is64 bool, d, n, m Reg) uint32  { return madd(is64, d, n, m, XZR) }
func udiv(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x1ac00800 | rm(m) | rn(n) | rd(d) }
func sdiv(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x1ac00c00 | rm(m) | rn(n) | rd(d) }

// Variable shifts take the amount modulo the register width, which is the
// masking eBPF requires.

func lslv(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x1ac02000 | rm(m) | rn(n) | rd(d) }
func lsrv(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x1ac02400 | rm(m) | rn(n) | rd(d) }
func asrv(is64 bool, d, n, m Reg) uint32 { return sf(is64) | 0x1ac02800 | rm(m) | rn(n) | rd(d) }

// Bitfield moves: immediate shifts and extensions are aliases of these.

func ubfm(is64 bool, d, n Reg, immr, imms uint32) uint32 {
	base := uint32(0x53000000)
	if is64 {
		base = 0xd3400000
	}
	return base | (immr&63)<<16 | (imms&63)<<10 | rn(n) | rd(d)
}

func sbfm(is64 bool, d, n Reg, immr, imms uint32) uint32 {
	base := uint32(0x13000000)
	if is64 {
		base = 0x93400000
	}
	return base | (immr&63)<<16 | (imms&63)<<10 | rn(n) | rd(d)
}

func width(is64 bool) uint32 {
	if is64 {
		return 64
	}
	return 32
}

// lslImm, lsrImm and asrImm shift by a constant (0 < s < width).
func lslImm(is64 bool, d, n Reg, s uint32) uint32 {
	w := width(is64)
	return ubfm(is64, d, n, (w-s)%w, w-1-s)
}
func lsrImm(is64 bool, d, n Reg, s uint32) uint32 { return ubfm(is64, d, n, s, width(is64)-1) }
func asrImm(is64 bool, d, n Reg, s uint32) uint32 { return sbfm(is64, d, n, s, width(is64)-1) }

// Sign and zero extension of the low bits bits of n.
func sxt(is64 bool, d, n Reg, bits uint32) uint32 { return sbfm(is64, d, n, 0, bits-1) }
func uxt(d, n Reg, bits uint32) uint32            { return ubfm(false, d, n, 0, bits-1) }

// Byte reversal.
func rev16w(d, n Reg) uint32 { return 0x5ac00400 | rn(n) | rd(d) }
func rev32w(d, n Reg) uint32 { return 0x5ac00800 | rn(n) | rd(d) } // REV Wd, Wn
func rev64(d, n Reg) uint32  { return 0xdac00c00 | rn(n) | rd(d) }

// Wide moves: hw selects the 16-bit slot (0..3 for 64-bit, 0..1 for 32-bit).

func movz(is64 bool, d Reg, imm16 uint16, hw uint32) uint32 {
	return sf(is64) | 0x52800000 | hw<<21 | uint32(imm16)<<5 | rd(d)
}
func movn(is64 bool, d Reg, imm16 uint16, hw uint32) uint32 {
	return sf(is64) | 0x12800000 | hw<<21 | uint32(imm16)<<5 | rd(d)
}
func movk(is64 bool, d Reg, imm16 uint16, hw uint32) uint32 {
	return sf(is64) | 0x72800000 | hw<<21 | uint32(imm16)<<5 | rd(d)
}

// csel: d = cond ? n : m.
func csel(is64 bool, d, n, m Reg, c Cond) uint32 {
	return sf(is64) | 0x1a800000 | rm(m) | uint32(c)<<12 | rn(n) | rd(d)
}

// Loads and stores. size is log2 of the access in bytes (0..3); opc selects
// store (0), zero-extending load (1), load sign-extended to 64 bits (2).
const (
	opcStore  = 0
	opcLoad   = 1
	opcLoadSX = 2
)

// ldstUnscaled is LDUR/STUR family with a signed 9-bit byte offset.
func ldstUnscaled(size, opc uint32, t, n Reg, off int32) uint32 {
	return size<<30 | 0x38000000 | opc<<22 | (uint32(off)&0x1ff)<<12 | rn(n) | rd(t)
}

// ldstScaled is the unsigned-offset form: off is a multiple of the size,
// off>>size below 4096.
func ldstScaled(size, opc uint32, t, n Reg, off uint32) uint32 {
	return size<<30 | 0x39000000 | opc<<22 | ((off>>size)&0xfff)<<10 | rn(n) | rd(t)
}

// ldstReg is the register-offset form [n, m] (64-bit index, no shift).
func ldstReg(size, opc uint32, t, n, m Reg) uint32 {
	return size<<30 | 0x38206800 | opc<<22 | rm(m) | rn(n) | rd(t)
}

// Pairs of 64-bit registers; off is a multiple of 8 in -512..504.
func stpPre(t1, t2, n Reg, off int32) uint32 {
	return 0xa9800000 | (uint32(off/8)&0x7f)<<15 | uint32(t2&31)<<10 | rn(n) | rd(t1)
}
func ldpPost(t1, t2, n Reg, off int32) uint32 {
	return 0xa8c00000 | (uint32(off/8)&0x7f)<<15 | uint32(t2&31)<<10 | rn(n) | rd(t1)
}
func stp(t1, t2, n Reg, off int32) uint32 {
	return 0xa9000000 | (uint32(off/8)&0x7f)<<15 | uint32(t2&31)<<10 | rn(n) | rd(t1)
}
func ldp(t1, t2, n Reg, off int32) uint32 {
	return 0xa9400000 | (uint32(off/8)&0x7f)<<15 | uint32(t2&31)<<10 | rn(n) | rd(t1)
}

// strPre is STR Xt, [n, #off]! and ldrPost LDR Xt, [n], #off.
func strPre(t, n Reg, off int32) uint32 {
	return 0xf8000c00 | (uint32(off)&0x1ff)<<12 | rn(n) | rd(t)
}
func ldrPost(t, n Reg, off int32) uint32 {
	return 0xf8400400 | (uint32(off)&0x1ff)<<12 | rn(n) | rd(t)
}

// Atomics (ARMv8.1 LSE), acquire-release forms. size is 2 or 3. op:
// 0 add, 1 clear (and-not), 2 xor, 3 set (or); s is the operand, t receives
// the old value.
func ldopal(size, op uint32, s, t, n Reg) uint32 {
	return size<<30 | 0x38e00000 | rm(s) | op<<12 | rn(n) | rd(t)
}

const (
	lseAdd = 0
	lseClr = 1
	lseEor = 2
	lseSet = 3
)

// swpal swaps s into [n] and puts the old value in t.
func swpal(size uint32, s, t, n Reg) uint32 { return size<<30 | 0x38e08000 | rm(s) | rn(n) | rd(t) }

// casal compares [n] with s, stores t if equal; s receives the old value.
func casal(size uint32, s, t, n Reg) uint32 { return size<<30 | 0x08e0fc00 | rm(s) | rn(n) | rd(t) }

// Load-acquire exclusive / store-release exclusive for LL/SC loops on CPUs
// without LSE; status (s) is 0 on success.
func ldaxr(size uint32, t, n Reg) uint32    { return size<<30 | 0x085ffc00 | rn(n) | rd(t) }
func stlxr(size uint32, s, t, n Reg) uint32 { return size<<30 | 0x0800fc00 | rm(s) | rn(n) | rd(t) }

// dmbISH is a full inner-shareable barrier.
const dmbISH uint32 = 0xd5033bbf

// Branches. Offsets are in instructions (words), relative to the branch.

func b(off int32) uint32  { return 0x14000000 | uint32(off)&0x3ffffff }
func bl(off int32) uint32 { return 0x94000000 | uint32(off)&0x3ffffff }
func bcond(c Cond, off int32) uint32 {
	return 0x54000000 | (uint32(off)&0x7ffff)<<5 | uint32(c)
}
func cbz(is64 bool, t Reg, off int32) uint32 {
	return sf(is64) | 0x34000000 | (uint32(off)&0x7ffff)<<5 | rd(t)
}
func cbnz(is64 bool, t Reg, off int32) uint32 {
	return sf(is64) | 0x35000000 | (uint32(off)&0x7ffff)<<5 | rd(t)
}
func br(n Reg) uint32  { return 0xd61f0000 | rn(n) }
func blr(n Reg) uint32 { return 0xd63f0000 | rn(n) }
func ret() uint32      { return 0xd65f0000 | rn(X30) }

// adr sets d to the address off bytes from the instruction (±1 MiB).
func adr(d Reg, off int32) uint32 {
	u := uint32(off)
	return 0x10000000 | (u&3)<<29 | ((u>>2)&0x7ffff)<<5 | rd(d)
}

// brk is a breakpoint; it pads the code after the last exit.
func brk(imm uint16) uint32 { return 0xd4200000 | uint32(imm)<<5 }

// Ranges of the branch forms, in instructions.
const (
	maxCondBranch = 1<<18 - 1 // B.cond, CBZ, ADR/4
	maxBranch     = 1<<25 - 1 // B, BL
)
