package helpers

import (
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// The helpers' own cost per call for a verified program (no run-time
// checks), without an engine's exit and re-entry around it.

func benchCtx(b *testing.B) *vm.Context {
	ctx := newCtx(b)
	ctx.Prog = &vm.Program{Name: "bench", Type: "xdp"}
	return ctx
}

func BenchmarkHelperLookupLPM(b *testing.B) {
	ctx := benchCtx(b)
	m := newMap(b, maps.Spec{Name: "t", Type: maps.LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 16, Flags: maps.FlagNoPrealloc})
	for i, p := range []uint32{8, 16, 24} {
		k := append(u32(p), 10, 1, 2, 0)
		if err := m.Update(k, u32(uint32(i)), maps.UpdateAny); err != nil {
			b.Fatal(err)
		}
	}
	key := stackBuf(ctx, append(u32(32), 10, 1, 2, 3))
	h := vm.MapHandle(m.ID())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if mapLookupElem(ctx, h, key, 0, 0, 0) == 0 {
			b.Fatal("miss")
		}
	}
}

// BenchmarkHelperRingbufReserveSubmit includes the consumer's Read to keep
// the ring from filling; Read's copy of the record is its one allocation.
func BenchmarkHelperRingbufReserveSubmit(b *testing.B) {
	ctx := benchCtx(b)
	m := newMap(b, maps.Spec{Name: "rb", Type: maps.RingBuf, MaxEntries: 1 << 16})
	h := vm.MapHandle(m.ID())
	rb := m.(maps.RingBufMap)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a := ringbufReserve(ctx, h, 16, 0, 0, 0)
		if a == 0 {
			b.Fatal("reserve failed")
		}
		ringbufSubmit(ctx, a, maps.RingBufNoWakeup, 0, 0, 0)
		rb.Read()
	}
}

func BenchmarkHelperSnprintf(b *testing.B) {
	ctx := benchCtx(b)
	f := putString(ctx, 100, "%d %5u|%-4x|%s %c")
	str := putString(ctx, 300, "ab")
	data := stackBuf(ctx, nil)
	for i, v := range []uint64{^uint64(4), 42, 255, str, 'x'} {
		vm.Store64(data+uint64(8*i), v)
	}
	out := ctx.CPU.StackTop() - 200
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r := snprintf(ctx, out, 64, f, data, 40); int64(r) <= 0 {
			b.Fatalf("snprintf = %d", int64(r))
		}
	}
}
