package jit

import "fmt"

// decodeLSE names the ARMv8.1 LSE atomics the arm64 back end emits
// (LDADDAL, LDCLRAL, LDEORAL, LDSETAL, SWPAL, CASAL), which arm64asm, an
// ARMv8.0 decoder, does not know.
func decodeLSE(w uint32) (string, bool) {
	sz := w >> 30
	if sz < 2 {
		return "", false
	}
	r := func(n uint32) string {
		prefix := "w"
		if sz == 3 {
			prefix = "x"
		}
		if n&31 == 31 {
			return prefix + "zr"
		}
		return fmt.Sprintf("%s%d", prefix, n&31)
	}
	rs, rn, rt := w>>16&31, w>>5&31, w&31
	switch {
	case w&0x3fe0fc00 == 0x08e0fc00:
		return fmt.Sprintf("casal %s, %s, [x%d]", r(rs), r(rt), rn), true
	case w&0x3fe0fc00 == 0x38e08000:
		return fmt.Sprintf("swpal %s, %s, [x%d]", r(rs), r(rt), rn), true
	case w&0x3fe08c00 == 0x38e00000:
		names := [4]string{"ldaddal", "ldclral", "ldeoral", "ldsetal"}
		return fmt.Sprintf("%s %s, %s, [x%d]", names[w>>12&3], r(rs), r(rt), rn), true
	}
	return "", false
}
