package arm64

// Encodings only the native map lookup routes use (see maplookup.go). Like
// asm.go they follow the Arm Architecture Reference Manual; the encoding
// tests decode each with arm64asm.

// Shift types of the shifted-register data-processing forms.
const (
	shiftLSL = 0
	shiftLSR = 1
)

// eorShift is EOR d, n, m, <shift> #amount.
func eorShift(is64 bool, d, n, m Reg, shift, amount uint32) uint32 {
	return eorReg(is64, d, n, m) | shift<<22 | (amount&63)<<10
}

// orrShift is ORR d, n, m, <shift> #amount.
func orrShift(is64 bool, d, n, m Reg, shift, amount uint32) uint32 {
	return orrReg(is64, d, n, m) | shift<<22 | (amount&63)<<10
}

// addShift is ADD d, n, m, <shift> #amount (XZR for 31, not SP).
func addShift(is64 bool, d, n, m Reg, shift, amount uint32) uint32 {
	return addReg(is64, d, n, m) | shift<<22 | (amount&63)<<10
}

// ldpW is LDP Wt1, Wt2, [n, #off] (off a multiple of 4 in -256..252).
func ldpW(t1, t2, n Reg, off int32) uint32 {
	return 0x29400000 | (uint32(off/4)&0x7f)<<15 | uint32(t2&31)<<10 | rn(n) | rd(t1)
}

// ldstRegScaled is the register-offset form [n, m, LSL #size]: the index
// register is scaled by the access size.
func ldstRegScaled(size, opc uint32, t, n, m Reg) uint32 {
	return ldstReg(size, opc, t, n, m) | 1<<12
}

// ldstPost is the post-index form: access [n], then n += off (-256..255).
func ldstPost(size, opc uint32, t, n Reg, off int32) uint32 {
	return size<<30 | 0x38000400 | opc<<22 | (uint32(off)&0x1ff)<<12 | rn(n) | rd(t)
}

// tbz and tbnz branch when bit of t is zero / not zero (±32 KiB; off in
// words).
func tbz(t Reg, bit uint32, off int32) uint32 {
	return 0x36000000 | (bit>>5)<<31 | (bit&31)<<19 | (uint32(off)&0x3fff)<<5 | rd(t)
}
func tbnz(t Reg, bit uint32, off int32) uint32 { return tbz(t, bit, off) | 1<<24 }
