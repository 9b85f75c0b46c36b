package arm64

import (
	"strings"
	"testing"
)

// TestIntrinsicEncodings checks the encoders of intrinsic.go against the
// disassembler.
func TestIntrinsicEncodings(t *testing.T) {
	for _, c := range []struct {
		w    uint32
		want string
	}{
		{yield, "yield"},
		{stlrW(XZR, 1), "stlr wzr, [x1]"},
		{stlrW(9, 3), "stlr w9, [x3]"},
		{eorShift(true, 0, 0, 0, shiftLSL, 23), "eor x0, x0, x0, lsl #23"},
		{eorShift(true, 0, 0, 9, shiftLSR, 26), "eor x0, x0, x9, lsr #26"},
		{eorShift(true, 0, 0, 9, shiftLSL, 0), "eor x0, x0, x9"},
	} {
		if got := strings.TrimSpace(disasm(t, c.w)); got != c.want {
			t.Errorf("%#08x: %q, want %q", c.w, got, c.want)
		}
	}
}
