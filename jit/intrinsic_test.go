package jit_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// TestIntrinsicOffsets pins the vm.Context offsets native bpf_redirect
// writes through, and the Frame word native spin locks use.
func TestIntrinsicOffsets(t *testing.T) {
	var ctx vm.Context
	ctx.Redirect = vm.Redirect{Map: 1, Key: 2, Flags: 3}
	base := unsafe.Pointer(&ctx)
	*(*uint8)(unsafe.Add(base, jit.CtxRedirectSet)) = 1
	*(*uint32)(unsafe.Add(base, jit.CtxRedirectIfIndex)) = 0xdeadbeef
	*(*uint32)(unsafe.Add(base, jit.CtxRedirectMap)) = 7
	*(*uint32)(unsafe.Add(base, jit.CtxRedirectKey)) = 8
	*(*uint64)(unsafe.Add(base, jit.CtxRedirectFlags)) = 0x1122334455667788
	want := vm.Redirect{Set: true, IfIndex: 0xdeadbeef, Map: 7, Key: 8, Flags: 0x1122334455667788}
	if ctx.Redirect != want {
		t.Fatalf("Redirect through the offsets = %+v, want %+v", ctx.Redirect, want)
	}
	if jit.OffLockHeld < jit.OffSpare || jit.OffLockHeld+8 > jit.FrameSize {
		t.Fatalf("OffLockHeld %d is not a Spare word", jit.OffLockHeld)
	}
}

// TestIntrinsicFor: bpfhost's own helpers are intrinsics, wrapped or
// foreign implementations of the same numbers are not.
func TestIntrinsicFor(t *testing.T) {
	g := &vm.Program{Helpers: helpers.Generic()}
	for num, want := range map[int32]jit.IntrinsicKind{
		helpers.FnSpinLock:          jit.IntrinsicSpinLock,
		helpers.FnSpinUnlock:        jit.IntrinsicSpinUnlock,
		helpers.FnGetSmpProcessorID: jit.IntrinsicCPU,
		helpers.FnGetPrandomU32:     jit.IntrinsicPrandom,
		helpers.FnMapLookupElem:     jit.IntrinsicNone,
		helpers.FnRedirect:          jit.IntrinsicNone, // not offered
	} {
		if got := jit.IntrinsicFor(g, num).Kind; got != want {
			t.Errorf("generic helper %d: kind %d, want %d", num, got, want)
		}
	}
	x := jit.IntrinsicFor(&vm.Program{Helpers: helpers.XDP(nil)}, helpers.FnRedirect)
	if want := (jit.Intrinsic{Kind: jit.IntrinsicRedirect, RedirectFlags: 0, RedirectFail: 0, RedirectOK: 4}); x != want {
		t.Errorf("XDP redirect: %+v, want %+v", x, want)
	}
	for _, tab := range []*vm.HelperTable{helpers.TC(nil), helpers.LWTXmit(nil)} {
		x := jit.IntrinsicFor(&vm.Program{Helpers: tab}, helpers.FnRedirect)
		if want := (jit.Intrinsic{Kind: jit.IntrinsicRedirect, RedirectFlags: 1, RedirectFail: 2, RedirectOK: 7}); x != want {
			t.Errorf("tc redirect: %+v, want %+v", x, want)
		}
	}
	tab := helpers.Generic()
	inner := tab[helpers.FnGetSmpProcessorID]
	tab[helpers.FnGetSmpProcessorID] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		return inner(ctx, r1, r2, r3, r4, r5) + 1
	}
	tab[helpers.FnSpinLock] = tab[helpers.FnSpinUnlock] // same function, wrong number
	for _, num := range []int32{helpers.FnGetSmpProcessorID, helpers.FnSpinLock} {
		if got := jit.IntrinsicFor(&vm.Program{Helpers: tab}, num).Kind; got != jit.IntrinsicNone {
			t.Errorf("replaced helper %d compiled as intrinsic %d", num, got)
		}
	}
	if got := jit.IntrinsicFor(&vm.Program{}, helpers.FnGetSmpProcessorID).Kind; got != jit.IntrinsicNone {
		t.Errorf("no helper table: kind %d", got)
	}
}

// prepareN compiles insns with tab natively and checks how many helper
// calls were compiled inline (intrinsics and inline lookups).
func prepareN(t *testing.T, opts jit.Options, insns []isa.Instruction, tab *vm.HelperTable, inlined int) vm.Executable {
	t.Helper()
	p := &vm.Program{Name: "intrinsic", Type: "raw", Insns: insns, Helpers: tab}
	code, err := jit.Compile(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if code.Inlined != inlined {
		t.Fatalf("options %+v: %d calls inlined, want %d", opts, code.Inlined, inlined)
	}
	exe, err := jit.NewWithOptions(opts).Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// TestIntrinsicCPU: bpf_get_smp_processor_id gives each CPU's ID natively
// and through Go.
func TestIntrinsicCPU(t *testing.T) {
	insns := prog(callHelper(helpers.FnGetSmpProcessorID), exit())
	cpus, err := vm.NewCPUs(3)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	native := prepareN(t, jit.Options{}, insns, helpers.Generic(), 1)
	viaGo := prepareN(t, jit.Options{NoInline: true}, insns, helpers.Generic(), 0)
	var held []*vm.CPU
	for range 3 {
		held = append(held, cpus.Acquire())
	}
	for _, cpu := range held {
		for _, exe := range []vm.Executable{native, viaGo} {
			cpu.Run.Reset(nil)
			if got := outcome(exe.Run(&cpu.Run, 0, 0)); got != fmt.Sprintf("r0=%#x", cpu.ID) {
				t.Errorf("CPU %d: %s", cpu.ID, got)
			}
		}
		cpus.Release(cpu)
	}
}

// TestIntrinsicPrandom: native bpf_get_prandom_u32 returns exactly the
// jit.RandNext stream of the CPU's state, and the state advances.
func TestIntrinsicPrandom(t *testing.T) {
	// r6 = rand(); r0 = rand(); r0 = r0<<32 | r6: two values per run.
	insns := prog(
		callHelper(helpers.FnGetPrandomU32), movx(6, 0),
		callHelper(helpers.FnGetPrandomU32),
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 0, Imm: 32},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUOr | isa.SrcX, Dst: 0, Src: 6},
		exit(),
	)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	st, err := jit.RandState(cpu)
	if err != nil {
		t.Fatal(err)
	}
	*st = [4]uint64{0x0123456789abcdef, 0xfedcba9876543210, 5, 6}
	ref := *st
	// Reference values of RandNext from this seed, computed by hand from
	// the xorshift128+ definition, so that RandNext itself is pinned.
	first := jit.RandNext(&[4]uint64{0x0123456789abcdef, 0xfedcba9876543210})
	s1 := uint64(0x0123456789abcdef)
	s0 := uint64(0xfedcba9876543210)
	s1 ^= s1 << 23
	s1 = s1 ^ s0 ^ s1>>17 ^ s0>>26
	if want := uint32((s1 + s0) >> 32); first != want {
		t.Fatalf("RandNext = %#x, want %#x", first, want)
	}
	native := prepareN(t, jit.Options{}, insns, helpers.Generic(), 2)
	seen := map[uint64]bool{}
	for i := range 100 {
		lo := uint64(jit.RandNext(&ref))
		hi := uint64(jit.RandNext(&ref))
		cpu.Run.Reset(nil)
		r0, err := native.Run(&cpu.Run, 0, 0)
		if err != nil || r0 != hi<<32|lo {
			t.Fatalf("run %d: r0=%#x err=%v, want %#x", i, r0, err, hi<<32|lo)
		}
		if *st != ref {
			t.Fatalf("run %d: state %x, want %x", i, *st, ref)
		}
		seen[r0] = true
	}
	if len(seen) != 100 {
		t.Fatalf("%d distinct values in 100 runs", len(seen))
	}
	// The Go route returns 32-bit values too (from its own generator).
	viaGo := prepareN(t, jit.Options{NoInline: true}, prog(callHelper(helpers.FnGetPrandomU32), exit()), helpers.Generic(), 0)
	cpu.Run.Reset(nil)
	if r0, err := viaGo.Run(&cpu.Run, 0, 0); err != nil || r0>>32 != 0 {
		t.Fatalf("Go route: r0=%#x err=%v", r0, err)
	}
}

// TestIntrinsicRedirect: native bpf_redirect of XDP and tc gives the Go
// helper's r0 and redirect decision for valid and invalid flags, with the
// ifindex truncated to 32 bits, over a context with a previous decision.
func TestIntrinsicRedirect(t *testing.T) {
	insns := prog(callHelper(helpers.FnRedirect), exit())
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	prev := vm.Redirect{Set: false, IfIndex: 99, Map: 9, Key: 3, Flags: 77}
	for _, c := range []struct {
		name string
		tab  *vm.HelperTable
		// per flags value: the expected r0 and decision
		flags []uint64
		want  []string
	}{
		{"xdp", helpers.XDP(nil), []uint64{0, 1, 1 << 63},
			[]string{"r0=0x4 {Set:true IfIndex:5 Map:0 Key:0 Flags:0}", "r0=0x0 " + fmt.Sprintf("%+v", prev), "r0=0x0 " + fmt.Sprintf("%+v", prev)}},
		{"tc", helpers.TC(nil), []uint64{0, 1, 2, 3},
			[]string{"r0=0x7 {Set:true IfIndex:5 Map:0 Key:0 Flags:0}", "r0=0x7 {Set:true IfIndex:5 Map:0 Key:0 Flags:1}",
				"r0=0x2 " + fmt.Sprintf("%+v", prev), "r0=0x2 " + fmt.Sprintf("%+v", prev)}},
	} {
		pi := &vm.Program{Name: "r", Type: "raw", Insns: insns, Helpers: c.tab, Checked: true}
		ie, err := interp.New().Prepare(pi)
		if err != nil {
			t.Fatal(err)
		}
		native := prepareN(t, jit.Options{}, insns, c.tab, 1)
		viaGo := prepareN(t, jit.Options{NoInline: true}, insns, c.tab, 0)
		for i, flags := range c.flags {
			for _, e := range []struct {
				name string
				exe  vm.Executable
			}{{"interp", ie}, {"native", native}, {"go", viaGo}} {
				cpu.Run.Reset(pi)
				cpu.Run.Redirect = prev
				r0, err := e.exe.Run(&cpu.Run, 0x1_0000_0005, flags)
				got := fmt.Sprintf("%s %+v", outcome(r0, err), cpu.Run.Redirect)
				if got != c.want[i] {
					t.Errorf("%s %s flags %#x: %s, want %s", c.name, e.name, flags, got, c.want[i])
				}
			}
		}
	}
}

// spinProg looks up key 0 of the array map id, takes the bpf_spin_lock at
// offset 0 of the value, adds 1 to the u64 at offset 8 with a plain
// load/store (a lost update shows up without mutual exclusion), unlocks
// and returns the new count.
func spinProg(id uint32) []isa.Instruction {
	return prog(
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeW, Dst: 10, Offset: -4, Imm: 0},
		movx(2, 10), addk(2, -4),
		ldImm64(1, vm.MapHandle(id)),
		callHelper(helpers.FnMapLookupElem),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 0, Offset: 1},
		exit(),
		movx(6, 0),
		movx(1, 6), callHelper(helpers.FnSpinLock),
		ldx64(7, 6, 8), window(), addk(7, 1), stx64(6, 8, 7),
		movx(1, 6), callHelper(helpers.FnSpinUnlock),
		movx(0, 7),
		exit(),
	)
}

// window is filler work between the load and the store of the counter,
// which widens the window in which a broken lock would lose updates.
func window() []isa.Instruction {
	var w []isa.Instruction
	for i := range 200 {
		w = append(w, mulk(8, int32(3+i)))
	}
	return w
}

// spinMap makes a one-element array map with a lock and a counter and
// returns it with its ID and the address of the value.
func spinMap(t *testing.T) (maps.Map, uint32, uint64) { return spinMapTB(t) }

func spinMapTB(t testing.TB) (maps.Map, uint32, uint64) {
	t.Helper()
	m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	t.Cleanup(func() { maps.Unregister(id) })
	addr := uint64(m.LookupElem(make([]byte, 4), 0))
	if addr == 0 {
		t.Fatal("no value")
	}
	return m, id, addr
}

// TestSpinLockContention: goroutines on their own CPUs increment a counter
// under the lock, natively (LSE or LL/SC on arm64 per the back end's
// choice), through the Go helper (JIT without intrinsics) and in the
// interpreter at once; no increment may be lost and the lock ends free.
func TestSpinLockContention(t *testing.T) {
	_, id, addr := spinMap(t)
	insns := spinProg(id)
	tab := helpers.Generic()
	native := prepareN(t, jit.Options{}, insns, tab, 3)
	viaGo := prepareN(t, jit.Options{NoInline: true}, insns, tab, 0)
	pi := &vm.Program{Name: "intrinsic", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
	ie, err := interp.New().Prepare(pi)
	if err != nil {
		t.Fatal(err)
	}
	exes := []vm.Executable{native, native, native, viaGo, ie}
	cpus, err := vm.NewCPUs(len(exes))
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	runs := 20000
	if testing.Short() || raceEnabled {
		runs = 3000
	}
	var wg sync.WaitGroup
	var failed atomic.Value
	for _, exe := range exes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cpu := cpus.Acquire()
			defer cpus.Release(cpu)
			for range runs {
				cpu.Run.Reset(pi) // the interpreter needs the program
				if _, err := exe.Run(&cpu.Run, 0, 0); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	v := vm.Bytes(addr, 16)
	if lock, n := binary.LittleEndian.Uint32(v), binary.LittleEndian.Uint64(v[8:]); lock != 0 || n != uint64(len(exes)*runs) {
		t.Fatalf("lock word %d, count %d; want 0 and %d", lock, n, len(exes)*runs)
	}
}

// TestSpinLockSlowPath: a native bpf_spin_lock that finds the lock held
// beyond its spinning falls back to the Go helper, which waits; the native
// unlock then leaves the release to the Go helper (which recorded the
// lock), and both routes work afterwards. A lock that is never released
// ends the run with the Go helper's timeout error, as in the interpreter.
func TestSpinLockSlowPath(t *testing.T) {
	_, id, addr := spinMap(t)
	insns := spinProg(id)
	tab := helpers.Generic()
	pi := &vm.Program{Name: "intrinsic", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
	native := prepareN(t, jit.Options{}, insns, tab, 3)
	viaGo := prepareN(t, jit.Options{NoInline: true}, insns, tab, 0)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	word := vm.Atomic32(addr)

	atomic.StoreUint32(word, 1) // held by "someone else"
	released := make(chan struct{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		atomic.StoreUint32(word, 0)
		close(released)
	}()
	cpu.Run.Reset(pi)
	start := time.Now()
	r0, err := native.Run(&cpu.Run, 0, 0)
	<-released
	if err != nil || r0 != 1 {
		t.Fatalf("contended run: r0=%d err=%v", r0, err)
	}
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Fatalf("contended run returned after %v, before the lock was released", d)
	}
	if atomic.LoadUint32(word) != 0 {
		t.Fatal("lock still held after the contended run")
	}
	// The Go helper must have forgotten the lock: a Go-route run would
	// abort with "requested while lock ... is held" otherwise.
	for i, exe := range []vm.Executable{viaGo, native, viaGo} {
		cpu.Run.Reset(pi)
		if r0, err := exe.Run(&cpu.Run, 0, 0); err != nil || r0 != uint64(2+i) {
			t.Fatalf("run %d after contention: r0=%d err=%v", i, r0, err)
		}
	}

	old := helpers.SpinLockTimeout
	helpers.SpinLockTimeout = 30 * time.Millisecond
	defer func() { helpers.SpinLockTimeout = old }()
	atomic.StoreUint32(word, 1)
	defer atomic.StoreUint32(word, 0)
	cpu.Run.Reset(pi)
	_, jerr := native.Run(&cpu.Run, 0, 0)
	if jerr == nil || !strings.Contains(jerr.Error(), "still held by another run") {
		t.Fatalf("run on a lock never released: %v", jerr)
	}
	ie, err := interp.New().Prepare(pi)
	if err != nil {
		t.Fatal(err)
	}
	cpu.Run.Reset(pi)
	if _, ierr := ie.Run(&cpu.Run, 0, 0); ierr == nil || ierr.Error() != jerr.Error() {
		t.Fatalf("interpreter: %v\njit: %v", ierr, jerr)
	}
}
