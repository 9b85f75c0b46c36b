package helpers

import (
	"math/rand"
	"testing"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/vm"
)

// strLenRef is strLen byte by byte, as the helpers tested strings before.
func strLenRef(ctx *vm.Context, addr uint64, max int) (int, bool) {
	for n := 0; n < max; n++ {
		if !ctx.Check(addr+uint64(n), 1, false) {
			return n, false
		}
		if vm.Load8(addr+uint64(n)) == 0 {
			return n, true
		}
	}
	return max, true
}

// TestStrLen compares strLen with the byte-by-byte test on memory made of
// granted regions that touch (so a chunk can be readable byte by byte but
// not as a whole), a gap, and NULs at random places, for every start and
// many limits.
func TestStrLen(t *testing.T) {
	ctx := newCtx(t)
	blk, err := offheap.Alloc(4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	base := uint64(blk.Addr())
	// Readable: [0,100) and [100,300) (touching), then a gap [300,320),
	// then [320,700).
	ctx.Grant(base, 100)
	ctx.Grant(base+100, 200)
	ctx.Grant(base+320, 380)
	rng := rand.New(rand.NewSource(3))
	mem := blk.Bytes()
	for round := 0; round < 4; round++ {
		for i := range mem[:720] {
			mem[i] = byte('a' + rng.Intn(26))
		}
		for k := 0; k < round*3; k++ {
			mem[rng.Intn(720)] = 0
		}
		for start := 0; start < 720; start += 1 + rng.Intn(7) {
			for _, max := range []int{0, 1, 5, 63, 64, 65, 130, 511, 1000} {
				gotN, gotOK := strLen(ctx, base+uint64(start), max)
				wantN, wantOK := strLenRef(ctx, base+uint64(start), max)
				if gotN != wantN || gotOK != wantOK {
					t.Fatalf("round %d: strLen(+%d, %d) = %d %v, want %d %v", round, start, max, gotN, gotOK, wantN, wantOK)
				}
			}
		}
	}
	// Fixed cases: a string across the two touching regions, one running
	// into the gap, one cut by max.
	for i := range mem[:720] {
		mem[i] = 'x'
	}
	mem[150] = 0
	for _, c := range []struct {
		start, max, n int
		ok            bool
	}{
		{90, 511, 60, true},    // crosses from the first region into the second
		{160, 511, 140, false}, // no NUL before the gap at 300
		{160, 100, 100, true},  // cut at max before the gap
		{310, 10, 0, false},    // starts in the gap
		{150, 10, 0, true},     // empty string
	} {
		n, ok := strLen(ctx, base+uint64(c.start), c.max)
		if n != c.n || ok != c.ok {
			t.Errorf("strLen(+%d, %d) = %d %v, want %d %v", c.start, c.max, n, ok, c.n, c.ok)
		}
	}
}

// TestCStringUnchecked checks the verified programs' string scan: a NUL
// found across a page boundary, and none within max.
func TestCStringUnchecked(t *testing.T) {
	ctx := newCtx(t)
	ctx.Prog = &vm.Program{Name: "test", Type: "xdp"}
	blk, err := offheap.Alloc(3 * minPage)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	mem := blk.Bytes()
	for i := range mem {
		mem[i] = 'y'
	}
	mem[minPage+5] = 0
	start := blk.Addr() + minPage - 7
	s, ok := cString(ctx, FnSnprintf, "fmt", uint64(start), 100)
	if !ok || len(s) != 12 || vm.AddrOf(s) != uint64(start) {
		t.Fatalf("cString across a page = %d bytes, %v; want 12, true", len(s), ok)
	}
	if _, ok := cString(ctx, FnSnprintf, "fmt", uint64(start), 12); ok {
		t.Fatal("cString found a NUL beyond max")
	}
	if s, ok := cString(ctx, FnSnprintf, "fmt", uint64(start), 13); !ok || len(s) != 12 {
		t.Fatalf("cString with max just past the NUL = %d, %v", len(s), ok)
	}
}
