package amd64

// Encodings the native map lookups need beyond asm's: memory operands with
// an index register ([base + index*scale + disp], a SIB byte) and a few
// operations with a memory source.

// opRMX emits op with the memory operand [base + index*scale + disp]
// (scale 1, 2, 4 or 8; index must not be rsp).
func (a *asm) opRMX(w bool, op []byte, r, base, index reg, scale uint8, disp int32) {
	if len(op) > 0 && op[0] == 0x66 {
		a.b = append(a.b, 0x66)
		op = op[1:]
	}
	rex := byte(0x40)
	if w {
		rex |= 8
	}
	if r >= 8 {
		rex |= 4
	}
	if index >= 8 {
		rex |= 2
	}
	if base >= 8 {
		rex |= 1
	}
	if rex != 0x40 {
		a.b = append(a.b, rex)
	}
	a.b = append(a.b, op...)
	mod := byte(0x80)
	switch {
	case disp == 0 && base&7 != rbp: // rbp/r13 with mod 00 would mean "no base"
		mod = 0
	case disp >= -128 && disp <= 127:
		mod = 0x40
	}
	ss := byte(0)
	for 1<<ss < scale {
		ss++
	}
	a.b = append(a.b, mod|byte(r&7)<<3|4, ss<<6|byte(index&7)<<3|byte(base&7))
	switch mod {
	case 0x40:
		a.b = append(a.b, byte(int8(disp)))
	case 0x80:
		a.imm32(disp)
	}
}

// loadX: dst = zero-extended size bytes at [base + index*scale + disp].
func (a *asm) loadX(size int, dst, base, index reg, scale uint8, disp int32) {
	switch size {
	case 1:
		a.opRMX(false, []byte{0x0f, 0xb6}, dst, base, index, scale, disp)
	case 4:
		a.opRMX(false, []byte{0x8b}, dst, base, index, scale, disp)
	default:
		a.opRMX(true, []byte{0x8b}, dst, base, index, scale, disp)
	}
}

// cmpRMX: flags of r - [base + index*scale + disp] (size 1, 4 or 8).
func (a *asm) cmpRMX(size int, r, base, index reg, scale uint8, disp int32) {
	switch size {
	case 1:
		a.opRMX(false, []byte{0x3a}, r, base, index, scale, disp)
	case 4:
		a.opRMX(false, []byte{0x3b}, r, base, index, scale, disp)
	default:
		a.opRMX(true, []byte{0x3b}, r, base, index, scale, disp)
	}
}

// cmpMI8X: flags of the u32 at [base + index*scale + disp] - imm.
func (a *asm) cmpMI8X(base, index reg, scale uint8, disp int32, imm int8) {
	a.opRMX(false, []byte{0x83}, 7, base, index, scale, disp)
	a.b = append(a.b, byte(imm))
}

// cmpMI8: flags of the u32 at [base + disp] - imm.
func (a *asm) cmpMI8(base reg, disp int32, imm int8) {
	a.opRM(false, []byte{0x83}, 7, base, disp, false)
	a.b = append(a.b, byte(imm))
}

// cmpRM: flags of r - [base + disp] (size 1, 2, 4 or 8 bytes).
func (a *asm) cmpRM(size int, r, base reg, disp int32) {
	switch size {
	case 1:
		a.opRM(false, []byte{0x3a}, r, base, disp, true)
	case 2:
		a.opRM(false, []byte{0x66, 0x3b}, r, base, disp, false)
	case 4:
		a.opRM(false, []byte{0x3b}, r, base, disp, false)
	default:
		a.opRM(true, []byte{0x3b}, r, base, disp, false)
	}
}

// imulRM: dst *= the u64 at [base + disp].
func (a *asm) imulRM(dst, base reg, disp int32) {
	a.opRM(true, []byte{0x0f, 0xaf}, dst, base, disp, false)
}

// cmpMI32: flags of the u32 at [base + disp] - imm.
func (a *asm) cmpMI32(base reg, disp int32, imm int32) {
	a.opRM(false, []byte{0x81}, 7, base, disp, false)
	a.imm32(imm)
}
