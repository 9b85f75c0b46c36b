package arm64

import "math/bits"

// logicalImm encodes v as an A64 bitmask immediate (the N:immr:imms field
// of AND/ORR/EOR/ANDS immediate, already shifted to bit 10) if it is one: a
// 2-, 4-, ..., 64-bit element, replicated, that is a rotated run of ones.
// For 32-bit operations v must fit in 32 bits.
func logicalImm(v uint64, is64 bool) (uint32, bool) {
	size := uint(64)
	if !is64 {
		if v>>32 != 0 {
			return 0, false
		}
		size = 32
	}
	full := ^uint64(0) >> (64 - size)
	if v == 0 || v == full {
		return 0, false
	}
	// The element size: halve while both halves are equal.
	for size > 2 {
		half := size / 2
		m := uint64(1)<<half - 1
		if v&m != (v>>half)&m {
			break
		}
		size = half
	}
	mask := ^uint64(0) >> (64 - size)
	v &= mask
	// Rotation i and count of ones cto such that the element is the run
	// of cto ones rotated right by (size - i).
	var i, cto uint
	if isShiftedMask(v) {
		i = uint(bits.TrailingZeros64(v))
		cto = uint(bits.TrailingZeros64(^(v >> i)))
	} else {
		v |= ^mask
		if !isShiftedMask(^v) {
			return 0, false
		}
		clo := uint(bits.LeadingZeros64(^v))
		i = 64 - clo
		cto = clo + uint(bits.TrailingZeros64(^v)) - (64 - size)
	}
	immr := (size - i) & (size - 1)
	nimms := ^uint64(size-1)<<1 | uint64(cto-1)
	n := (nimms>>6)&1 ^ 1
	return uint32(n<<12|uint64(immr)<<6|nimms&0x3f) << 10, true
}

// isShiftedMask reports whether v is one contiguous run of ones.
func isShiftedMask(v uint64) bool {
	if v == 0 {
		return false
	}
	x := (v - 1) | v
	return (x+1)&x == 0
}

// Logical operations with a bitmask immediate (field from logicalImm).
func andImm(is64 bool, d, n Reg, field uint32) uint32 {
	return sf(is64) | 0x12000000 | field | rn(n) | rd(d)
}
func orrImm(is64 bool, d, n Reg, field uint32) uint32 {
	return sf(is64) | 0x32000000 | field | rn(n) | rd(d)
}
func eorImm(is64 bool, d, n Reg, field uint32) uint32 {
	return sf(is64) | 0x52000000 | field | rn(n) | rd(d)
}
func tstImm(is64 bool, n Reg, field uint32) uint32 {
	return sf(is64) | 0x72000000 | field | rn(n) | rd(XZR)
}
