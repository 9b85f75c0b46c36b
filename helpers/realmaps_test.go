package helpers

import (
	"bytes"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Tests against the maps package's real implementations.

func newMap(t testing.TB, spec maps.Spec) maps.Map {
	t.Helper()
	m, err := maps.New(spec, maps.Options{NumCPU: 2})
	if err != nil {
		t.Fatalf("creating %s map: %v", spec.Type, err)
	}
	id := maps.Register(m)
	t.Cleanup(func() {
		maps.Unregister(id)
		m.Close()
	})
	return m
}

func TestRealHashHelpers(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	m := newMap(t, maps.Spec{Name: "h", Type: maps.Hash, KeySize: 8, ValueSize: 16, MaxEntries: 4})
	h := vm.MapHandle(m.ID())
	key := stackBuf(ctx, u64(0x1234))
	val := key + 16
	copy(vm.Bytes(val, 16), "0123456789abcdef")
	if r := call(t, tab, FnMapLookupElem, ctx, h, key); r != 0 {
		t.Fatalf("lookup of a missing key = %#x", r)
	}
	if r := call(t, tab, FnMapUpdateElem, ctx, h, key, val, maps.UpdateExist); r != errno(maps.ENOENT) {
		t.Fatalf("update BPF_EXIST of a missing key = %d, want -ENOENT", int64(r))
	}
	if r := call(t, tab, FnMapUpdateElem, ctx, h, key, val, maps.UpdateAny); r != 0 {
		t.Fatalf("update = %d", int64(r))
	}
	addr := call(t, tab, FnMapLookupElem, ctx, h, key)
	if addr == 0 || string(vm.Bytes(addr, 16)) != "0123456789abcdef" {
		t.Fatalf("lookup = %#x", addr)
	}
	// The program writes through the pointer; user space sees it.
	if !ctx.Check(addr, 16, true) {
		t.Fatal("the value is not accessible to the program")
	}
	vm.Store8(addr, 'X')
	got := make([]byte, 16)
	if err := m.Lookup(u64(0x1234), got); err != nil || got[0] != 'X' {
		t.Fatalf("user-space lookup = %q, %v", got, err)
	}
	if r := call(t, tab, FnMapDeleteElem, ctx, h, key); r != 0 {
		t.Fatalf("delete = %d", int64(r))
	}
	if r := call(t, tab, FnMapDeleteElem, ctx, h, key); r != errno(maps.ENOENT) {
		t.Fatalf("second delete = %d, want -ENOENT", int64(r))
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func TestRealMapHelpersDoNotAllocate(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	lookup, update := tab.Lookup(FnMapLookupElem), tab.Lookup(FnMapUpdateElem)
	for _, spec := range []maps.Spec{
		{Name: "a", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Name: "pa", Type: maps.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Name: "h", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Name: "lru", Type: maps.LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 4},
	} {
		m := newMap(t, spec)
		h := vm.MapHandle(m.ID())
		key := stackBuf(ctx, u32(1))
		if r := update(ctx, h, key, key, 0, 0); r != 0 {
			t.Fatalf("%s: update = %d", spec.Type, int64(r))
		}
		allocs := testing.AllocsPerRun(1000, func() {
			if lookup(ctx, h, key, 0, 0, 0) == 0 {
				t.Fatalf("%s: lookup failed", spec.Type)
			}
			update(ctx, h, key, key, 0, 0)
		})
		if allocs != 0 {
			t.Errorf("%s: map_lookup_elem + map_update_elem allocate %.1f times per call", spec.Type, allocs)
		}
	}
}

func BenchmarkMapLookupElem(b *testing.B) {
	ctx := newCtx(b)
	m := newMap(b, maps.Spec{Name: "a", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	lookup := Generic().Lookup(FnMapLookupElem)
	h := vm.MapHandle(m.ID())
	key := stackBuf(ctx, u32(1))
	b.ReportAllocs()
	for b.Loop() {
		lookup(ctx, h, key, 0, 0, 0)
	}
}

func TestRealMapInMap(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	innerSpec := maps.Spec{Name: "in", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	inner := newMap(t, innerSpec)
	outer := newMap(t, maps.Spec{Name: "out", Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &innerSpec})
	if err := outer.Update(u32(1), u32(inner.ID()), 0); err != nil {
		t.Fatal(err)
	}
	key := stackBuf(ctx, u32(1))
	got := call(t, tab, FnMapLookupElem, ctx, vm.MapHandle(outer.ID()), key)
	if got != vm.MapHandle(inner.ID()) {
		t.Fatalf("lookup in array_of_maps = %#x, want %#x", got, vm.MapHandle(inner.ID()))
	}
	copy(vm.Bytes(key, 4), u32(0))
	if v := call(t, tab, FnMapLookupElem, ctx, got, key); v == 0 {
		t.Fatal("lookup through the inner map handle failed")
	}
	if v := call(t, tab, FnMapLookupElem, ctx, vm.MapHandle(outer.ID()), key); v != 0 {
		t.Fatalf("lookup of an empty outer slot = %#x, want NULL", v)
	}
}

func TestRealQueueAndRingbuf(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	q := newMap(t, maps.Spec{Name: "q", Type: maps.Stack, ValueSize: 4, MaxEntries: 2})
	buf := stackBuf(ctx, u32(5))
	call(t, tab, FnMapPushElem, ctx, vm.MapHandle(q.ID()), buf, 0)
	copy(vm.Bytes(buf, 4), u32(6))
	call(t, tab, FnMapPushElem, ctx, vm.MapHandle(q.ID()), buf, 0)
	if r := call(t, tab, FnMapPopElem, ctx, vm.MapHandle(q.ID()), buf+8); r != 0 || vm.Load32(buf+8) != 6 {
		t.Fatalf("pop from stack = %d, %d; want 0, 6 (LIFO)", int64(r), vm.Load32(buf+8))
	}

	rb := newMap(t, maps.Spec{Name: "rb", Type: maps.RingBuf, MaxEntries: 4096})
	h := vm.MapHandle(rb.ID())
	rec := call(t, tab, FnRingbufReserve, ctx, h, 8, 0)
	if rec == 0 || !ctx.Check(rec, 8, true) {
		t.Fatalf("reserve = %#x", rec)
	}
	copy(vm.Bytes(rec, 8), "record!!")
	call(t, tab, FnRingbufSubmit, ctx, rec, 0)
	data := stackBuf(ctx, []byte("out"))
	if r := call(t, tab, FnRingbufOutput, ctx, h, data, 3, 0); r != 0 {
		t.Fatalf("output = %d", int64(r))
	}
	r := rb.(maps.RingBufMap)
	for _, want := range []string{"record!!", "out"} {
		got, ok := r.Read()
		if !ok || !bytes.Equal(got, []byte(want)) {
			t.Fatalf("read %q %v, want %q", got, ok, want)
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func TestRealTailCall(t *testing.T) {
	ctx := newCtx(t)
	target := &vm.Program{Name: "target", Type: "xdp"}
	vm.RegisterProgram(target)
	defer vm.UnregisterProgram(target)
	pa := newMap(t, maps.Spec{Name: "jmp", Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if err := pa.Update(u32(1), u32(target.ID()), 0); err != nil {
		t.Fatal(err)
	}
	tab := Generic()
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, vm.MapHandle(pa.ID()), 1); r != 0 || ctx.TailCall != target {
		t.Fatalf("tail call = %d, target %v", int64(r), ctx.TailCall)
	}
	ctx.TailCall = nil
	if r := call(t, tab, FnTailCall, ctx, ctx.Ctx, vm.MapHandle(pa.ID()), 0); r == 0 || ctx.TailCall != nil {
		t.Fatalf("tail call to an empty slot = %d", int64(r))
	}
}

func TestRealForEachHash(t *testing.T) {
	ctx := newCtx(t)
	ctx.CPU.ID = 1
	tab := Generic()
	m := newMap(t, maps.Spec{Name: "pch", Type: maps.PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 8})
	for k := uint32(1); k <= 3; k++ {
		// User space writes one value per CPU: CPU 0 gets k, CPU 1 gets 10k.
		if err := m.Update(u32(k), append(u64(uint64(k)), u64(uint64(10*k))...), 0); err != nil {
			t.Fatal(err)
		}
	}
	sum := uint64(0)
	var nested uint64
	fakeCalls(ctx, func(i int, c callRec) (uint64, error) {
		sum += vm.Load32(c.r2) * 1000
		sum += vm.Load64(c.r3)
		if i == 0 {
			// A callback may walk a map itself; the outer key must survive.
			key := vm.Load32(c.r2)
			saved := ctx.Call
			ctx.Call = func(int, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil }
			nested = call(t, tab, FnForEachMapElem, ctx, c.r1, vm.FuncHandle(2), 0, 0)
			ctx.Call = saved
			if vm.Load32(c.r2) != key {
				t.Fatal("the nested walk overwrote the outer key")
			}
		}
		return 0, nil
	})
	if r := call(t, tab, FnForEachMapElem, ctx, vm.MapHandle(m.ID()), vm.FuncHandle(1), 0, 0); r != 3 {
		t.Fatalf("for_each_map_elem = %d, want 3", r)
	}
	// Keys 1+2+3 (x1000) and CPU 1's values 10+20+30.
	if sum != 6060 || nested != 3 {
		t.Fatalf("sum %d nested %d, want 6060 and 3", sum, nested)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}
