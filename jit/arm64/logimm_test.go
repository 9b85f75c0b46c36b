package arm64

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestLogicalImm encodes bitmask immediates and checks with arm64asm that
// the instruction carries exactly the value; values that are not bitmask
// immediates must be refused (checked against a brute-force enumeration of
// every encodable pattern).
func TestLogicalImm(t *testing.T) {
	valid := map[uint64]bool{}
	// Every element size, run length and rotation.
	for size := uint(2); size <= 64; size *= 2 {
		for ones := uint(1); ones < size; ones++ {
			for rot := uint(0); rot < size; rot++ {
				mask := ^uint64(0) >> (64 - size)
				e := (uint64(1)<<ones - 1)
				e = (e>>rot | e<<(size-rot)) & mask
				v := uint64(0)
				for k := uint(0); k < 64; k += size {
					v |= e << k
				}
				valid[v] = true
			}
		}
	}
	if len(valid) != 5334 {
		t.Fatalf("%d distinct 64-bit bitmask immediates, want 5334", len(valid))
	}
	check := func(v uint64, is64 bool) {
		field, ok := logicalImm(v, is64)
		want := valid[v]
		if !is64 {
			want = v>>32 == 0 && valid[v|v<<32]
		}
		if ok != want {
			t.Fatalf("%#x (64-bit %v): encodable %v, want %v", v, is64, ok, want)
		}
		if !ok {
			return
		}
		reg := "x"
		if !is64 {
			reg = "w"
		}
		for _, tc := range []struct {
			w    uint32
			name string
		}{{andImm(is64, 1, 2, field), "and"}, {orrImm(is64, 1, 2, field), "orr"}, {eorImm(is64, 1, 2, field), "eor"}} {
			want := fmt.Sprintf("%s %s1, %s2, #%#x", tc.name, reg, reg, v)
			if got := disasm(t, tc.w); got != want {
				t.Fatalf("%#x: %q, want %q", v, got, want)
			}
		}
		if got, want := disasm(t, tstImm(is64, 2, field)), fmt.Sprintf("tst %s2, #%#x", reg, v); got != want {
			t.Fatalf("%#x: %q, want %q", v, got, want)
		}
	}
	for v := range valid {
		check(v, true)
		check(v&0xffffffff, false)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		v := r.Uint64()
		check(v, true)
		check(v&0xffffffff, false)
		check(v>>uint(r.IntN(64)), true)
	}
	for _, v := range []uint64{0, ^uint64(0), 0xffffffff, 0xff, 0x5555555555555555, 0x8000000000000000} {
		check(v, true)
		check(v&0xffffffff, false)
	}
}
