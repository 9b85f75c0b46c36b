package helpers

import (
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

type callRec struct {
	pc                 int
	r1, r2, r3, r4, r5 uint64
}

// fakeCalls installs a ctx.Call that records its arguments and answers
// with ret(i) for the i-th call.
func fakeCalls(ctx *vm.Context, ret func(i int, c callRec) (uint64, error)) *[]callRec {
	var calls []callRec
	ctx.Call = func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
		c := callRec{pc, r1, r2, r3, r4, r5}
		calls = append(calls, c)
		return ret(len(calls)-1, c)
	}
	return &calls
}

func TestLoop(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	cb := vm.FuncHandle(17)
	calls := fakeCalls(ctx, func(i int, _ callRec) (uint64, error) { return 0, nil })
	if r := call(t, tab, FnLoop, ctx, 5, cb, 0xc0ffee, 0); r != 5 {
		t.Fatalf("loop(5) = %d, want 5", r)
	}
	for i, c := range *calls {
		if c != (callRec{pc: 17, r1: uint64(i), r2: 0xc0ffee}) {
			t.Fatalf("call %d = %+v", i, c)
		}
	}
	// A callback returning 1 stops the loop; the count includes that call.
	calls = fakeCalls(ctx, func(i int, _ callRec) (uint64, error) {
		if i == 2 {
			return 1, nil
		}
		return 0, nil
	})
	if r := call(t, tab, FnLoop, ctx, 10, cb, 0, 0); r != 3 || len(*calls) != 3 {
		t.Fatalf("loop stopped at the third call = %d after %d calls, want 3", r, len(*calls))
	}
	// nr_loops is a u32: the upper half of the register is ignored.
	calls = fakeCalls(ctx, func(int, callRec) (uint64, error) { return 0, nil })
	if r := call(t, tab, FnLoop, ctx, 1<<32|2, cb, 0, 0); r != 2 {
		t.Fatalf("loop(1<<32|2) = %d, want 2", r)
	}
	if r := call(t, tab, FnLoop, ctx, maxLoops+1, cb, 0, 0); r != errno(maps.E2BIG) {
		t.Fatalf("loop(1<<23 + 1) = %d, want -E2BIG", int64(r))
	}
	if r := call(t, tab, FnLoop, ctx, 1, cb, 0, 1); r != errno(maps.EINVAL) {
		t.Fatalf("loop with flags = %d, want -EINVAL", int64(r))
	}
	if r := call(t, tab, FnLoop, ctx, 0, cb, 0, 0); r != 0 {
		t.Fatalf("loop(0) = %d, want 0", r)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	// An error inside the callback ends the run with that error.
	boom := errors.New("boom")
	fakeCalls(ctx, func(int, callRec) (uint64, error) { return 0, boom })
	call(t, tab, FnLoop, ctx, 3, cb, 0, 0)
	if ctx.Err() != boom {
		t.Fatalf("err = %v, want the callback's error", ctx.Err())
	}
}

func TestLoopBadCallback(t *testing.T) {
	ctx := newCtx(t)
	fakeCalls(ctx, func(int, callRec) (uint64, error) { return 0, nil })
	call(t, Generic(), FnLoop, ctx, 1, vm.MapHandle(1), 0, 0)
	if ctx.Err() == nil {
		t.Fatal("loop with a map handle as callback did not abort")
	}
	ctx = newCtx(t) // no ctx.Call
	call(t, Generic(), FnLoop, ctx, 1, vm.FuncHandle(1), 0, 0)
	if ctx.Err() == nil {
		t.Fatal("loop without engine callback support did not abort")
	}
}

func TestForEachMapElem(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	arr := newFakeArray(t, maps.Array, 8, 4)
	for i := uint32(0); i < 4; i++ {
		vm.Store64(uint64(arr.addr(i, 0)), uint64(100+i))
	}
	h := vm.MapHandle(arr.ID())
	var keys, values []uint64
	fakeCalls(ctx, func(i int, c callRec) (uint64, error) {
		// The key and value must be readable program memory during the call.
		if !ctx.Check(c.r2, 4, false) || !ctx.Check(c.r3, 8, false) {
			t.Fatalf("call %d: key %#x or value %#x not accessible", i, c.r2, c.r3)
		}
		if c.r1 != h || c.r4 != 0xabc || c.pc != 9 {
			t.Fatalf("call %d: %+v", i, c)
		}
		keys = append(keys, vm.Load32(c.r2))
		values = append(values, vm.Load64(c.r3))
		if i == 2 {
			return 1, nil
		}
		return 0, nil
	})
	if r := call(t, tab, FnForEachMapElem, ctx, h, vm.FuncHandle(9), 0xabc, 0); r != 3 {
		t.Fatalf("for_each_map_elem = %d, want 3 (stopped by the third element)", r)
	}
	if len(keys) != 3 || keys[0] != 0 || keys[2] != 2 || values[1] != 101 {
		t.Fatalf("keys %v values %v", keys, values)
	}
	if r := call(t, tab, FnForEachMapElem, ctx, h, vm.FuncHandle(9), 0xabc, 1); r != errno(maps.EINVAL) {
		t.Fatalf("for_each_map_elem with flags = %d, want -EINVAL", int64(r))
	}
	q := newFakeQueue(t, 4, 4)
	if r := call(t, tab, FnForEachMapElem, ctx, vm.MapHandle(q.ID()), vm.FuncHandle(9), 0, 0); r != errno(maps.EINVAL) {
		t.Fatalf("for_each_map_elem over a queue = %d, want -EINVAL", int64(r))
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	// After the walk the key memory is no longer granted.
	s := state(ctx)
	if ctx.Check(vm.AddrOf(s.keys.Bytes()), 4, false) {
		t.Fatal("the key scratch stayed accessible after the walk")
	}
	if s.keysUsed != 0 {
		t.Fatalf("key scratch not released: %d bytes in use", s.keysUsed)
	}
}

func TestRingbuf(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	rb := newFakeRing(t, 64)
	h := vm.MapHandle(rb.ID())
	rec := call(t, tab, FnRingbufReserve, ctx, h, 16, 0)
	if rec == 0 || !ctx.Check(rec, 16, true) {
		t.Fatalf("reserve = %#x, accessible %v", rec, rec != 0 && ctx.Check(rec, 16, true))
	}
	rec2 := call(t, tab, FnRingbufReserve, ctx, h, 16, 0)
	call(t, tab, FnRingbufSubmit, ctx, rec, 0)
	if ctx.Check(rec, 16, true) {
		t.Fatal("a submitted record is still accessible")
	}
	call(t, tab, FnRingbufDiscard, ctx, rec2, 0)
	if len(rb.submitted) != 1 || uint64(rb.submitted[0]) != rec || len(rb.discarded) != 1 || uint64(rb.discarded[0]) != rec2 {
		t.Fatalf("submitted %v discarded %v", rb.submitted, rb.discarded)
	}
	if r := call(t, tab, FnRingbufReserve, ctx, h, 16, 1); r != 0 {
		t.Fatalf("reserve with flags = %#x, want NULL", r)
	}
	if r := call(t, tab, FnRingbufReserve, ctx, h, 64, 0); r != 0 {
		t.Fatalf("reserve beyond capacity = %#x, want NULL", r)
	}
	data := stackBuf(ctx, []byte("sample"))
	if r := call(t, tab, FnRingbufOutput, ctx, h, data, 6, 2); r != 0 || string(rb.outputs[0]) != "sample" {
		t.Fatalf("output = %d, %q", int64(r), rb.outputs)
	}
	if r := call(t, tab, FnRingbufOutput, ctx, h, data, 6, 4); r != errno(maps.EINVAL) {
		t.Fatalf("output with bad flags = %d, want -EINVAL", int64(r))
	}
	if r := call(t, tab, FnRingbufQuery, ctx, h, 2); r != 1002 {
		t.Fatalf("query = %d, want the map's answer 1002", r)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	// Submitting twice aborts an unverified program.
	call(t, tab, FnRingbufSubmit, ctx, rec, 0)
	if ctx.Err() == nil {
		t.Fatal("double submit did not abort")
	}
}

func TestEndRunDiscardsLeakedRecords(t *testing.T) {
	ctx := newCtx(t)
	rb := newFakeRing(t, 64)
	rec := call(t, Generic(), FnRingbufReserve, ctx, vm.MapHandle(rb.ID()), 8, 0)
	EndRun(ctx)
	if len(rb.discarded) != 1 || uint64(rb.discarded[0]) != rec || ctx.Check(rec, 8, false) {
		t.Fatalf("leaked record not discarded: %v", rb.discarded)
	}
}
