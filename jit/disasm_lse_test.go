package jit

import "testing"

// TestDecodeLSE checks the names of the LSE atomics against words that
// llvm-mc-19 -triple=aarch64 -mattr=+lse assembled from the same text.
func TestDecodeLSE(t *testing.T) {
	for _, tc := range []struct {
		w    uint32
		want string
	}{
		{0xf8e10009, "ldaddal x1, x9, [x0]"},
		{0xb8e11009, "ldclral w1, w9, [x0]"},
		{0xf8e12009, "ldeoral x1, x9, [x0]"},
		{0xb8e13009, "ldsetal w1, w9, [x0]"},
		{0xf8e18009, "swpal x1, x9, [x0]"},
		{0x88e9fd41, "casal w9, w1, [x10]"},
		{0xc8e9fd41, "casal x9, x1, [x10]"},
	} {
		if got, ok := decodeLSE(tc.w); !ok || got != tc.want {
			t.Errorf("%#08x: got %q, want %q", tc.w, got, tc.want)
		}
	}
	if s, ok := decodeLSE(0xd503201f); ok { // nop
		t.Errorf("nop decoded as %q", s)
	}
}
