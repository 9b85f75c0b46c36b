package arm64

import "testing"

// TestMapLookupEncodings checks the lookup routes' extra encodings against
// the disassembler.
func TestMapLookupEncodings(t *testing.T) {
	tests := []struct {
		w    uint32
		want string
	}{
		{eorShift(true, 7, 7, 7, shiftLSR, 32), "eor x7, x7, x7, lsr #32"},
		{eorShift(true, 7, 7, 7, shiftLSR, 29), "eor x7, x7, x7, lsr #29"},
		{orrShift(true, 17, 17, 16, shiftLSL, 48), "orr x17, x17, x16, lsl #48"},
		{addShift(true, 0, 0, 9, shiftLSL, 3), "add x0, x0, x9, lsl #3"},
		{addShift(true, 10, 10, 12, shiftLSL, 2), "add x10, x10, x12, lsl #2"},
		{ldpW(10, 12, 9, 0), "ldp w10, w12, [x9]"},
		{ldpW(10, 12, 9, 8), "ldp w10, w12, [x9,#8]"},
		{ldstRegScaled(3, opcLoad, 9, 9, 10), "ldr x9, [x9,x10,lsl #3]"},
		{ldstRegScaled(2, opcLoad, 12, 10, 6), "ldr w12, [x10,x6,lsl #2]"},
		{ldstPost(3, opcLoad, 17, 15, 8), "ldr x17, [x15],#8"},
		{ldstPost(2, opcLoad, 17, 15, 4), "ldr w17, [x15],#4"},
		{ldstPost(1, opcLoad, 10, 15, 2), "ldrh w10, [x15],#2"},
		{ldstPost(0, opcLoad, 10, 15, 1), "ldrb w10, [x15],#1"},
		{tbz(16, 2, 3), "tbz w16, #2, .+0xc"},
		{tbnz(16, 0, -2), "tbnz w16, #0, .+0xfffffffffffffff8"},
		{tbz(16, 33, 1), "tbz x16, #33, .+0x4"},
	}
	for _, tc := range tests {
		if got := disasm(t, tc.w); got != tc.want {
			t.Errorf("%#08x: got %q, want %q", tc.w, got, tc.want)
		}
	}
}
