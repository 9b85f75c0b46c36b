package helpers

import (
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

func TestMapLookupUpdateDelete(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	arr := newFakeArray(t, maps.Array, 8, 4)
	h := vm.MapHandle(arr.ID())

	key := stackBuf(ctx, u32(2))
	val := key + 8
	copy(vm.Bytes(val, 8), u64(0x1122334455667788))
	if r := call(t, tab, FnMapUpdateElem, ctx, h, key, val, maps.UpdateAny); r != 0 {
		t.Fatalf("update = %#x, want 0", r)
	}
	addr := call(t, tab, FnMapLookupElem, ctx, h, key)
	if addr != uint64(arr.addr(2, 0)) {
		t.Fatalf("lookup = %#x, want %#x", addr, arr.addr(2, 0))
	}
	if got := vm.Load64(addr); got != 0x1122334455667788 {
		t.Fatalf("value = %#x", got)
	}
	// Errors from the map come back as -errno.
	if r := call(t, tab, FnMapUpdateElem, ctx, h, key, val, maps.UpdateNoExist); r != errno(maps.EEXIST) {
		t.Fatalf("update NOEXIST = %d, want -EEXIST", int64(r))
	}
	if r := call(t, tab, FnMapDeleteElem, ctx, h, key); r != errno(maps.EINVAL) {
		t.Fatalf("delete from array = %d, want -EINVAL", int64(r))
	}
	copy(vm.Bytes(key, 4), u32(4))
	if r := call(t, tab, FnMapLookupElem, ctx, h, key); r != 0 {
		t.Fatalf("lookup out of range = %#x, want NULL", r)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func TestMapBadHandleAndPointer(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	key := stackBuf(ctx, u32(0))
	for _, h := range []uint64{0, 12345, vm.FuncHandle(3), vm.MapHandle(0xfffffff)} {
		if r := call(t, tab, FnMapLookupElem, ctx, h, key); r != 0 {
			t.Errorf("lookup with handle %#x = %#x, want NULL", h, r)
		}
		if r := call(t, tab, FnMapUpdateElem, ctx, h, key, key, 0); r != errno(maps.EINVAL) {
			t.Errorf("update with handle %#x = %d, want -EINVAL", h, int64(r))
		}
		if r := call(t, tab, FnMapDeleteElem, ctx, h, key); r != errno(maps.EINVAL) {
			t.Errorf("delete with handle %#x = %d, want -EINVAL", h, int64(r))
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}

	// A key pointer outside program memory aborts the run in checked mode.
	arr := newFakeArray(t, maps.Array, 8, 4)
	call(t, tab, FnMapLookupElem, ctx, vm.MapHandle(arr.ID()), 0x10)
	err := ctx.Err()
	if !errors.Is(err, vm.ErrAborted) {
		t.Fatalf("err = %v, want an abort", err)
	}
	want := "program aborted: helper bpf_map_lookup_elem: key 0x10 is not readable program memory for 4 bytes"
	if err.Error() != want {
		t.Fatalf("err = %q\nwant  %q", err, want)
	}
}

func TestMapUpdateValueMustBeReadable(t *testing.T) {
	ctx := newCtx(t)
	arr := newFakeArray(t, maps.Array, 8, 4)
	key := stackBuf(ctx, u32(0))
	// The value would run 4 bytes past the top of the stack.
	call(t, Generic(), FnMapUpdateElem, ctx, vm.MapHandle(arr.ID()), key, ctx.CPU.StackTop()-4, 0)
	if ctx.Err() == nil {
		t.Fatal("update with a value straddling the stack end was accepted")
	}
}

func TestPerCPULookupUsesCPU(t *testing.T) {
	ctx := newCtx(t)
	ctx.CPU.ID = 3 // a private CPU; only this test sees it
	arr := newFakeArray(t, maps.PerCPUArray, 8, 2)
	key := stackBuf(ctx, u32(1))
	if got, want := call(t, Generic(), FnMapLookupElem, ctx, vm.MapHandle(arr.ID()), key), uint64(arr.addr(1, 3)); got != want {
		t.Fatalf("per-CPU lookup = %#x, want %#x (CPU 3's value)", got, want)
	}
}

func TestMapInMapLookupReturnsHandle(t *testing.T) {
	ctx := newCtx(t)
	inner := newFakeArray(t, maps.Array, 4, 1)
	outer := &fakeMapOfMaps{fakeBase: fakeBase{spec: maps.Spec{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2}},
		inner: map[uint32]uint32{1: inner.ID()}}
	register(t, outer)
	tab := Generic()
	key := stackBuf(ctx, u32(1))
	h := call(t, tab, FnMapLookupElem, ctx, vm.MapHandle(outer.ID()), key)
	if h != vm.MapHandle(inner.ID()) {
		t.Fatalf("lookup in array_of_maps = %#x, want handle %#x", h, vm.MapHandle(inner.ID()))
	}
	// The program passes the result on as a map.
	copy(vm.Bytes(key, 4), u32(0))
	if got := call(t, tab, FnMapLookupElem, ctx, h, key); got != uint64(inner.addr(0, 0)) {
		t.Fatalf("lookup in inner map = %#x, want %#x", got, inner.addr(0, 0))
	}
	copy(vm.Bytes(key, 4), u32(0))
	if got := call(t, tab, FnMapLookupElem, ctx, vm.MapHandle(outer.ID()), key); got != 0 {
		t.Fatalf("lookup of an empty slot = %#x, want NULL", got)
	}
}

func TestQueueHelpers(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	q := newFakeQueue(t, 4, 2)
	h := vm.MapHandle(q.ID())
	buf := stackBuf(ctx, u32(7))
	for _, v := range []uint32{7, 8} {
		copy(vm.Bytes(buf, 4), u32(v))
		if r := call(t, tab, FnMapPushElem, ctx, h, buf, 0); r != 0 {
			t.Fatalf("push %d = %d", v, int64(r))
		}
	}
	copy(vm.Bytes(buf, 4), u32(9))
	if r := call(t, tab, FnMapPushElem, ctx, h, buf, 0); r != errno(maps.E2BIG) {
		t.Fatalf("push to full queue = %d, want -E2BIG", int64(r))
	}
	if r := call(t, tab, FnMapPushElem, ctx, h, buf, maps.UpdateExist); r != 0 {
		t.Fatalf("push BPF_EXIST = %d", int64(r))
	}
	out := buf + 16
	if r := call(t, tab, FnMapPeekElem, ctx, h, out); r != 0 || vm.Load32(out) != 8 {
		t.Fatalf("peek = %d, value %d; want 0, 8", int64(r), vm.Load32(out))
	}
	for _, want := range []uint64{8, 9} {
		if r := call(t, tab, FnMapPopElem, ctx, h, out); r != 0 || vm.Load32(out) != want {
			t.Fatalf("pop = %d, value %d; want 0, %d", int64(r), vm.Load32(out), want)
		}
	}
	if r := call(t, tab, FnMapPopElem, ctx, h, out); r != errno(maps.ENOENT) {
		t.Fatalf("pop from empty = %d, want -ENOENT", int64(r))
	}
	// Not a queue.
	arr := newFakeArray(t, maps.Array, 4, 1)
	if r := call(t, tab, FnMapPopElem, ctx, vm.MapHandle(arr.ID()), out); r != errno(maps.EINVAL) {
		t.Fatalf("pop from array = %d, want -EINVAL", int64(r))
	}
	// pop writes: the destination must be writable program memory.
	call(t, tab, FnMapPopElem, ctx, h, ctx.CPU.StackTop())
	if ctx.Err() == nil {
		t.Fatal("pop into memory past the stack was accepted")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	arr := newFakeArray(t, maps.Array, 8, 4)
	h := vm.MapHandle(arr.ID())
	key := stackBuf(ctx, u32(1))
	lookup := tab.Lookup(FnMapLookupElem)
	update := tab.Lookup(FnMapUpdateElem)
	allocs := testing.AllocsPerRun(1000, func() {
		if lookup(ctx, h, key, 0, 0, 0) == 0 {
			t.Fatal("lookup failed")
		}
		if update(ctx, h, key, key, 0, 0) != 0 {
			t.Fatal("update failed")
		}
	})
	if allocs != 0 {
		t.Fatalf("map_lookup_elem + map_update_elem allocate %.1f times per call", allocs)
	}
}
