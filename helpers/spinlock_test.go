package helpers

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// TestSpinLockMutualExclusion runs lock/increment/unlock on four virtual CPUs
// at once; the counter next to the lock must count every increment.
func TestSpinLockMutualExclusion(t *testing.T) {
	arr := newFakeArray(t, maps.Array, 16, 1)
	lock := uint64(arr.addr(0, 0))
	counter := lock + 8
	cpus, err := vm.NewCPUs(4)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	tab := Generic()
	const perCPU = 2000
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cpu := cpus.Acquire()
			defer cpus.Release(cpu)
			ctx := &cpu.Run
			ctx.Reset(&vm.Program{Name: "lock", Checked: true})
			for j := 0; j < perCPU; j++ {
				call(t, tab, FnSpinLock, ctx, lock)
				// A non-atomic read-modify-write, as a program does it.
				vm.Store64(counter, vm.Load64(counter)+1)
				call(t, tab, FnSpinUnlock, ctx, lock)
			}
			if err := ctx.Err(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := vm.Load64(counter); got != 4*perCPU {
		t.Fatalf("counter = %d, want %d", got, 4*perCPU)
	}
	if w := vm.Load32(lock); w != 0 {
		t.Fatalf("lock word = %d after the last unlock", w)
	}
}

func TestSpinLockMisuse(t *testing.T) {
	arr := newFakeArray(t, maps.Array, 16, 1)
	lock := uint64(arr.addr(0, 0))
	tab := Generic()
	check := func(ctx *vm.Context, want string) {
		t.Helper()
		err := ctx.Err()
		if err == nil || !errors.Is(err, vm.ErrAborted) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error = %v, want one containing %q", err, want)
		}
	}

	ctx := newCtx(t)
	call(t, tab, FnSpinLock, ctx, lock)
	call(t, tab, FnSpinLock, ctx, lock+4)
	check(ctx, "requested while lock")
	// A run that ends holding the lock has it released.
	EndRun(ctx)
	if w := vm.Load32(lock); w != 0 {
		t.Fatalf("lock word = %d after EndRun", w)
	}

	ctx.Reset(ctx.Prog)
	call(t, tab, FnSpinUnlock, ctx, lock)
	check(ctx, "is not held by this run")

	ctx.Reset(ctx.Prog)
	call(t, tab, FnSpinLock, ctx, lock+2)
	check(ctx, "is not 4-byte aligned")

	ctx.Reset(ctx.Prog)
	call(t, tab, FnSpinLock, ctx, 0x1000)
	check(ctx, "is not writable program memory")

	// A lock held elsewhere for longer than the timeout aborts the waiter.
	defer func(d time.Duration) { SpinLockTimeout = d }(SpinLockTimeout)
	SpinLockTimeout = 20 * time.Millisecond
	vm.Store32(lock, 1)
	ctx.Reset(ctx.Prog)
	start := time.Now()
	call(t, tab, FnSpinLock, ctx, lock)
	check(ctx, "still held by another run")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("waited %v", d)
	}
	EndRun(ctx)
	if w := vm.Load32(lock); w != 1 {
		t.Fatalf("EndRun released a lock the run never took (word %d)", w)
	}
}

func TestXDPLoadStoreBytes(t *testing.T) {
	ctx := newCtx(t)
	buf := vm.Bytes(vm.AddrOf(ctx.CPU.Packet), 100)
	for i := range buf {
		buf[i] = byte(i)
	}
	base := vm.AddrOf(ctx.CPU.Packet)
	ctx.HasPacket = true
	ctx.Pkt = vm.Packet{HardStart: base, Meta: base + 10, Data: base + 10, End: base + 70, BufEnd: base + 100}
	tab := XDP(func(*vm.Context) {})
	dst := ctx.CPU.StackTop() - 16
	cases := []struct {
		fn       int32
		off, n   uint64
		want     uint64
		wantByte byte // byte at dst (load) or in the frame at off (store)
	}{
		{FnXDPLoadBytes, 0, 4, 0, 10},
		{FnXDPLoadBytes, 56, 4, 0, 66},
		{FnXDPLoadBytes, 57, 4, errno(maps.EINVAL), 66},
		{FnXDPLoadBytes, 0x10000, 1, errno(eFAULT), 66},
		{FnXDPLoadBytes, 0, 0x10000, errno(eFAULT), 66},
		{FnXDPStoreBytes, 2, 4, 0, 66},
		{FnXDPStoreBytes, 59, 2, errno(maps.EINVAL), 0},
	}
	for _, c := range cases {
		if got := call(t, tab, c.fn, ctx, 0, c.off, dst, c.n); got != c.want {
			t.Errorf("%s(%d, %d) = %#x, want %#x", Names[c.fn], c.off, c.n, got, c.want)
		}
		var b byte
		if c.fn == FnXDPLoadBytes {
			b = byte(vm.Load8(dst))
		} else if c.want == 0 {
			b = byte(vm.Load8(ctx.Pkt.Data + c.off))
		}
		if b != c.wantByte {
			t.Errorf("%s(%d, %d): byte %d, want %d", Names[c.fn], c.off, c.n, b, c.wantByte)
		}
	}
	if err := ctx.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestMapLookupPercpuElem(t *testing.T) {
	ctx := newCtx(t)
	pc := newFakeArray(t, maps.PerCPUArray, 8, 2)
	plain := newFakeArray(t, maps.Array, 8, 2)
	key := stackBuf(ctx, u32(1))
	tab := Generic()
	if got := call(t, tab, FnMapLookupPercpuElem, ctx, vm.MapHandle(pc.ID()), key, 0); got != uint64(pc.addr(1, 0)) {
		t.Errorf("cpu 0: %#x, want %#x", got, pc.addr(1, 0))
	}
	if vm.PossibleCPUs() > 1 {
		if got := call(t, tab, FnMapLookupPercpuElem, ctx, vm.MapHandle(pc.ID()), key, 1); got != uint64(pc.addr(1, 1)) {
			t.Errorf("cpu 1: %#x, want %#x", got, pc.addr(1, 1))
		}
	}
	for _, c := range []struct {
		h, cpu uint64
	}{{vm.MapHandle(pc.ID()), 100000}, {vm.MapHandle(plain.ID()), 0}, {12345, 0}} {
		if got := call(t, tab, FnMapLookupPercpuElem, ctx, c.h, key, c.cpu); got != 0 {
			t.Errorf("lookup(%#x, cpu %d) = %#x, want NULL", c.h, c.cpu, got)
		}
	}
}
