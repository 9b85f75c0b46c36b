package jit_test

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// tailArray is a program array with a hand-made native descriptor: the
// descriptor's ID array (native route) mirrors the map (Go route), unless
// a test sets them apart on purpose with setNative.
type tailArray struct {
	m    maps.Map
	id   uint32
	blk  *offheap.Block
	desc *maps.NativeDesc
	ids  []uint32
}

func newTailArray(t *testing.T, n uint32) *tailArray {
	t.Helper()
	m, err := maps.New(maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: n}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tailRealDescs {
		if _, ok := maps.NativeDescOf(m); !ok {
			t.Fatal("the maps package publishes no prog-array descriptor")
		}
		a := &tailArray{m: m, id: maps.Register(m), ids: make([]uint32, n)}
		t.Cleanup(func() { maps.Unregister(a.id) })
		return a
	}
	blk, err := offheap.Alloc(maps.NativeDescSize + 4*int(n))
	if err != nil {
		t.Fatal(err)
	}
	a := &tailArray{m: m, id: maps.Register(m), blk: blk}
	mem := blk.Bytes()
	a.desc = (*maps.NativeDesc)(unsafe.Pointer(&mem[0]))
	a.ids = unsafe.Slice((*uint32)(unsafe.Pointer(&mem[maps.NativeDescSize])), n)
	*a.desc = maps.NativeDesc{ID: a.id, Route: maps.RouteProgArray, KeySize: 4, ValueSize: 4, MaxEntries: n,
		Values: uint64(blk.Addr()) + maps.NativeDescSize, Elem: 8, Stride: 4}
	restore := jit.SetProgArrayDesc(func(m maps.Map) (uintptr, bool) {
		if m == a.m {
			return blk.Addr(), true
		}
		return 0, false
	})
	t.Cleanup(func() {
		restore()
		maps.Unregister(a.id)
		// The descriptor stays mapped: code compiled against it may live on.
	})
	return a
}

// tailRealDescs makes newTailArray use the maps package's own descriptor
// (setNative then has no effect on the native route).
var tailRealDescs bool

// TestNativeTailCallRealDescriptors runs the tail-call tests on program
// arrays with the descriptors the maps package publishes.
func TestNativeTailCallRealDescriptors(t *testing.T) {
	tailRealDescs = true
	defer func() { tailRealDescs = false }()
	for name, f := range map[string]func(*testing.T){
		"Limit": TestNativeTailCallLimit, "Chain": TestNativeTailCallChain, "Counting": TestNativeTailCallCounting,
		"Type": TestNativeTailCallType, "Callback": TestNativeTailCallCallback, "Concurrent": TestNativeTailCallConcurrent,
		"WithdrawnWhileRunning": TestNativeTailCallWithdrawnWhileRunning, "Depth": TestNativeTailCallDepth,
	} {
		t.Run(name, f)
	}
}

// set puts program ID pid (0: delete) at index i of both routes.
func (a *tailArray) set(t testing.TB, i, pid uint32) {
	var k, v [4]byte
	binary.LittleEndian.PutUint32(k[:], i)
	binary.LittleEndian.PutUint32(v[:], pid)
	var err error
	if pid == 0 {
		if err = a.m.Delete(k[:]); err != nil && maps.ErrnoOf(err) == maps.ENOENT {
			err = nil
		}
	} else {
		err = a.m.Update(k[:], v[:], 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	atomic.StoreUint32(&a.ids[i], pid)
}

// setNative changes only the native route's view of index i.
func (a *tailArray) setNative(i, pid uint32) { atomic.StoreUint32(&a.ids[i], pid) }

// tailCallTo is r2 = the array, r3 = index, call bpf_tail_call.
func tailCallTo(a *tailArray, index int32) []isa.Instruction {
	return prog(ldImm64(2, vm.MapHandle(a.id)), mov(3, index), callHelper(helpers.FnTailCall))
}

// newProg registers a raw program and removes it at the end of the test.
func newProg(t *testing.T, name string, insns ...any) *vm.Program {
	p := &vm.Program{Name: name, Type: "raw", Insns: prog(insns...), Helpers: helpers.Generic()}
	vm.RegisterProgram(p)
	t.Cleanup(func() { vm.UnregisterProgram(p) })
	return p
}

// runTail runs p on eng with r1 = an 8-byte counter (zeroed) and returns
// the outcome and the counter.
func runTail(t testing.TB, eng vm.Engine, cpus *vm.CPUs, p *vm.Program) string {
	exe, err := eng.Prepare(p)
	if err != nil {
		t.Fatalf("%s: %v", eng.Name(), err)
	}
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	cpu.Run.Reset(p)
	mem := cpu.Ctx[:8]
	clear(mem)
	cpu.Run.Ctx, cpu.Run.CtxSize, cpu.Run.CtxWritable = vm.AddrOf(mem), 8, true
	r0, err := exe.Run(&cpu.Run, vm.AddrOf(mem), 8)
	return outcome(r0, err) + fmt.Sprintf(" count=%d", binary.LittleEndian.Uint64(mem))
}

// tailEngines are the engines every tail-call result must agree on.
func tailEngines() []vm.Engine {
	return []vm.Engine{interp.New(), jit.New(), jit.NewWithOptions(jit.Options{Blind: true}), jit.NewWithOptions(jit.Options{NoInline: true})}
}

// expectTail runs p on every engine (twice: the second run finds targets
// published) and requires want.
func expectTail(t *testing.T, p *vm.Program, want string) {
	t.Helper()
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for _, eng := range tailEngines() {
		for run := 0; run < 2; run++ {
			if got := runTail(t, eng, cpus, p); got != want {
				t.Fatalf("%s run %d: %s, want %s", eng.Name(), run, got, want)
			}
		}
	}
}

// count is *(u64 *)r6 += 1 with r6 = r1.
func count() []isa.Instruction {
	return prog(movx(6, 1), ldx64(2, 6, 0), addk(2, 1), stx64(6, 0, 2))
}

func u64(v int64) string { return fmt.Sprintf("r0=%#x", uint64(v)) }

// TestNativeTailCallLimit: a program that tail-calls itself runs 34 times
// (33 tail calls), then falls through with -E2BIG.
func TestNativeTailCallLimit(t *testing.T) {
	a := newTailArray(t, 4)
	p := newProg(t, "loop", count(), tailCallTo(a, 0), ldx64(1, 6, 0), mulk(1, 1000), addx(0, 1), exit())
	a.set(t, 0, p.ID())
	expectTail(t, p, u64(34*1000-7)+" count=34")
}

// TestNativeTailCallChain: A -> B -> C, each counting; C returns 3.
func TestNativeTailCallChain(t *testing.T) {
	a := newTailArray(t, 4)
	c := newProg(t, "c", count(), mov(0, 3), exit())
	b := newProg(t, "b", count(), tailCallTo(a, 2), mov(0, 2), exit())
	pa := newProg(t, "a", count(), tailCallTo(a, 1), mov(0, 1), exit())
	a.set(t, 1, b.ID())
	a.set(t, 2, c.ID())
	expectTail(t, pa, "r0=0x3 count=3")
	// Empty slot: B falls through with r0 = 2.
	a.set(t, 2, 0)
	expectTail(t, pa, "r0=0x2 count=2")
}

// TestNativeTailCallCounting: out-of-range indexes do not count, empty
// slots do, as in helpers.tailCall.
func TestNativeTailCallCounting(t *testing.T) {
	a := newTailArray(t, 4)
	target := newProg(t, "t", mov(0, 77), exit())
	a.set(t, 0, target.ID())
	for _, tc := range []struct {
		index int32
		n     int
		want  string
	}{
		{1, 32, "r0=0x4d count=0"},           // 32 empty slots, then the jump
		{1, 33, u64(33*-2-7) + " count=0"},   // 33 empty slots: the jump is refused
		{4, 40, "r0=0x4d count=0"},           // out of range: not counted
		{-1, 40, "r0=0x4d count=0"},          // index 0xffffffff
		{1, 0, "r0=0x4d count=0"},            // no attempt before
		{1, 34, u64(33*-2-7-7) + " count=0"}, // the 34th attempt already fails
	} {
		var insns []any
		insns = append(insns, mov(7, 0))
		for i := 0; i < tc.n; i++ {
			insns = append(insns, tailCallTo(a, tc.index), addx(7, 0))
		}
		insns = append(insns, tailCallTo(a, 0), addx(0, 7), exit())
		p := newProg(t, fmt.Sprintf("count%d_%d", tc.index, tc.n), insns...)
		t.Run(p.Name, func(t *testing.T) { expectTail(t, p, tc.want) })
	}
}

// TestNativeTailCallRoute proves the jump is native: the descriptor names
// another program than the map (which the Go route reads).
func TestNativeTailCallRoute(t *testing.T) {
	a := newTailArray(t, 4)
	viaGo := newProg(t, "go", mov(0, 10), exit())
	viaNative := newProg(t, "native", mov(0, 20), exit())
	p := newProg(t, "d", tailCallTo(a, 0), exit())
	a.set(t, 0, viaGo.ID())
	a.setNative(0, viaNative.ID())
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for _, opts := range []jit.Options{{}, {Blind: true}} {
		eng := jit.NewWithOptions(opts)
		// Not compiled yet: the table has no entry, Go decides.
		if got := runTail(t, eng, cpus, p); got != "r0=0xa count=0" {
			t.Fatalf("%+v before compiling the target: %s", opts, got)
		}
		if _, err := eng.Prepare(viaNative); err != nil {
			t.Fatal(err)
		}
		if got := runTail(t, eng, cpus, p); got != "r0=0x14 count=0" {
			t.Fatalf("%+v: %s, want the native route's target", opts, got)
		}
	}
	// NoInline keeps the Go route.
	if got := runTail(t, jit.NewWithOptions(jit.Options{NoInline: true}), cpus, p); got != "r0=0xa count=0" {
		t.Fatalf("NoInline: %s", got)
	}
	// Unregistered: the entry is withdrawn and the Go route decides (it
	// reads the map, which names viaGo).
	vm.UnregisterProgram(viaNative)
	if got := runTail(t, jit.New(), cpus, p); got != "r0=0xa count=0" {
		t.Fatalf("after unregistering the target: %s", got)
	}
}

// TestNativeTailCallType: a target of another program type is refused on
// both routes.
func TestNativeTailCallType(t *testing.T) {
	a := newTailArray(t, 4)
	other := &vm.Program{Name: "x", Type: "xdp", Insns: prog(mov(0, 5), exit()), Helpers: helpers.Generic()}
	vm.RegisterProgram(other)
	defer vm.UnregisterProgram(other)
	for _, eng := range tailEngines() {
		if _, err := eng.Prepare(other); err != nil {
			t.Fatal(err)
		}
	}
	p := newProg(t, "d", tailCallTo(a, 0), exit())
	a.set(t, 0, other.ID())
	expectTail(t, p, u64(-2)+" count=0")
}

// TestNativeTailCallCallback: a tail call inside a bpf_loop callback
// replaces the callback (its r0 is the target's), on every engine.
func TestNativeTailCallCallback(t *testing.T) {
	a := newTailArray(t, 4)
	target := newProg(t, "t", count(), mov(0, 1), exit())
	a.set(t, 0, target.ID())
	// main: r6 = r1; r1 = 5; r2 = &cb; r3 = r6; r4 = 0; bpf_loop;
	//       r0 = r0*1000 + *r6; exit
	// cb(i, ctx): r1 = ctx; tail_call(ctx, a, 0); r0 = 0; exit
	main := prog(movx(6, 1), mov(1, 5), ldImm64(2, 0), movx(3, 6), mov(4, 0), callHelper(helpers.FnLoop),
		mulk(0, 1000), ldx64(1, 6, 0), addx(0, 1), exit())
	cb := prog(movx(1, 2), tailCallTo(a, 0), mov(0, 0), exit())
	insns := prog(main, cb)
	isa.SetImm64(insns, 2, vm.FuncHandle(len(main)))
	p := newProg(t, "loop", insns)
	// The target returns 1 (stop) after the first iteration.
	expectTail(t, p, "r0=0x3e9 count=1")
}

// TestNativeTailCallConcurrent: runs on several CPUs tail-call through an
// array that another goroutine rewrites, while targets are unregistered,
// re-registered and replaced; every run must end in one of the states.
func TestNativeTailCallConcurrent(t *testing.T) {
	a := newTailArray(t, 2)
	cpus, err := vm.NewCPUs(4)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	d := newProg(t, "d", count(), tailCallTo(a, 0), addk(0, 1000), exit())
	eng := jit.New()
	var stop atomic.Bool
	var wg sync.WaitGroup
	bad := make(chan string, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				got := runTail(t, eng, cpus, d)
				switch got {
				case "r0=0xa count=2", "r0=0x14 count=2", u64(1000-2) + " count=1":
				default:
					select {
					case bad <- got:
					default:
					}
					return
				}
			}
		}()
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	reclaimed := jit.TailReclaimed()
	for i := 0; time.Now().Before(deadline); i++ {
		// A new target every round: compiled, registered, put in the
		// array, then unregistered and dropped.
		ret := int32(10)
		if i%2 == 1 {
			ret = 20
		}
		p := &vm.Program{Name: "t", Type: "raw", Insns: prog(count(), mov(0, ret), exit()), Helpers: helpers.Generic()}
		vm.RegisterProgram(p)
		if _, err := eng.Prepare(p); err != nil {
			t.Fatal(err)
		}
		a.set(t, 0, p.ID())
		time.Sleep(200 * time.Microsecond)
		if i%3 == 0 {
			a.set(t, 0, 0)
		}
		vm.UnregisterProgram(p)
		if i%8 == 0 {
			runtime.GC()
		}
	}
	stop.Store(true)
	wg.Wait()
	close(bad)
	for got := range bad {
		t.Fatalf("run ended with %s", got)
	}
	// The withdrawn entries are reclaimed once runs move on.
	for end := time.Now().Add(5 * time.Second); !jit.TailIdle() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if !jit.TailIdle() || jit.TailReclaimed() == reclaimed {
		t.Fatalf("withdrawn entries not reclaimed (idle %v, reclaimed %d -> %d)", jit.TailIdle(), reclaimed, jit.TailReclaimed())
	}
}

// BenchmarkTailCall: one run = a dispatcher that tail-calls a target
// returning a constant, natively (jit) and through Go (NoInline); "none"
// is the target alone, the fixed cost of a run.
func BenchmarkTailCall(b *testing.B) {
	m, err := maps.New(maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4}, maps.Options{})
	if err != nil {
		b.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	target := &vm.Program{Name: "t", Type: "raw", Insns: prog(mov(0, 7), exit()), Helpers: helpers.Generic()}
	vm.RegisterProgram(target)
	defer vm.UnregisterProgram(target)
	d := &vm.Program{Name: "d", Type: "raw", Insns: prog(ldImm64(2, vm.MapHandle(id)), mov(3, 0), callHelper(helpers.FnTailCall), exit()), Helpers: helpers.Generic()}
	vm.RegisterProgram(d)
	defer vm.UnregisterProgram(d)
	var k, v [4]byte
	binary.LittleEndian.PutUint32(v[:], target.ID())
	if err := m.Update(k[:], v[:], 0); err != nil {
		b.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		b.Fatal(err)
	}
	defer cpus.Close()
	for _, bc := range []struct {
		name string
		p    *vm.Program
		opts jit.Options
	}{{"none", target, jit.Options{}}, {"native", d, jit.Options{}}, {"go", d, jit.Options{NoInline: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			exe, err := jit.NewWithOptions(bc.opts).Prepare(bc.p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jit.NewWithOptions(bc.opts).Prepare(target); err != nil {
				b.Fatal(err)
			}
			cpu := cpus.Acquire()
			defer cpus.Release(cpu)
			cpu.Run.Reset(bc.p)
			for b.Loop() {
				cpu.Run.Rerun(bc.p)
				if r0, err := exe.Run(&cpu.Run, 0, 0); r0 != 7 || err != nil {
					b.Fatal(r0, err)
				}
			}
		})
	}
}

// TestNativeTailCallWithdrawnWhileRunning: a target is unregistered while
// a run is inside it (entered natively, spinning until the test says
// stop). The entry must not be reclaimed before the run ends, the run must
// finish normally, and the entry is reclaimed afterwards.
func TestNativeTailCallWithdrawnWhileRunning(t *testing.T) {
	for end := time.Now().Add(5 * time.Second); !jit.TailIdle() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	a := newTailArray(t, 2)
	// target: *(u64*)r1 += 1; while *(u64*)(r1+8) == 0 {}; r0 = 5
	jeq := isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 2, Imm: 0, Offset: -2}
	target := &vm.Program{Name: "spin", Type: "raw", Helpers: helpers.Generic(),
		Insns: prog(count(), ldx64(2, 6, 8), jeq, mov(0, 5), exit())}
	vm.RegisterProgram(target)
	d := newProg(t, "d", tailCallTo(a, 0), mov(0, 99), exit())
	a.set(t, 0, target.ID())
	eng := jit.New()
	tx, err := eng.Prepare(target)
	if err != nil {
		t.Fatal(err)
	}
	weakTarget := weak.Make(tx.(*jit.Executable))
	tx = nil
	exe, err := eng.Prepare(d)
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	mem := cpu.Ctx[:16]
	clear(mem)
	counter := (*uint64)(unsafe.Pointer(&mem[0]))
	flag := (*uint64)(unsafe.Pointer(&mem[8]))
	done := make(chan string)
	go func() {
		cpu.Run.Reset(d)
		cpu.Run.Ctx, cpu.Run.CtxSize, cpu.Run.CtxWritable = vm.AddrOf(mem), 16, true
		r0, err := exe.Run(&cpu.Run, vm.AddrOf(mem), 16)
		cpus.Release(cpu)
		done <- outcome(r0, err)
	}()
	for atomic.LoadUint64(counter) == 0 {
		time.Sleep(time.Millisecond)
	}
	reclaimed := jit.TailReclaimed()
	vm.UnregisterProgram(target)
	a.set(t, 0, 0)
	target = nil
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	time.Sleep(20 * time.Millisecond)
	if jit.TailIdle() || jit.TailReclaimed() != reclaimed {
		t.Fatalf("entry reclaimed while a run is inside its code")
	}
	atomic.StoreUint64(flag, 1)
	if got := <-done; got != "r0=0x5" {
		t.Fatalf("run: %s", got)
	}
	for end := time.Now().Add(5 * time.Second); !jit.TailIdle() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if !jit.TailIdle() || jit.TailReclaimed() == reclaimed {
		t.Fatalf("entry not reclaimed after the run")
	}
	// Nothing holds the target's executable any more: its code can go.
	for i := 0; i < 5 && weakTarget.Value() != nil; i++ {
		runtime.GC()
	}
	if weakTarget.Value() != nil {
		t.Fatalf("the withdrawn target's executable is still reachable")
	}
}

// TestNativeTailCallDepth: a tail call from a subprogram starts the target
// in the run's entry frame, so the target has the whole call depth again
// (as in the interpreter), and no more.
func TestNativeTailCallDepth(t *testing.T) {
	a := newTailArray(t, 2)
	// nested(n): n bpf-to-bpf calls deep, then r0 = 42.
	nested := func(n int) []any {
		var insns []any
		for i := 0; i < n; i++ {
			insns = append(insns, callLocal(1), exit())
		}
		return append(insns, mov(0, 42), exit())
	}
	// d: call sub; exit. sub: call sub2; exit. sub2: tail_call; r0 = 99; exit
	d := newProg(t, "d", callLocal(1), exit(), callLocal(1), exit(), tailCallTo(a, 0), mov(0, 99), exit())
	for _, tc := range []struct {
		n    int
		want string
	}{
		{vm.MaxCallDepth - 1, "r0=0x2a count=0"},
		{vm.MaxCallDepth, "error: program aborted: instruction 14: call exceeds the maximum call depth of 8 frames count=0"},
	} {
		target := newProg(t, fmt.Sprintf("nested%d", tc.n), nested(tc.n)...)
		a.set(t, 0, target.ID())
		t.Run(target.Name, func(t *testing.T) { expectTail(t, d, tc.want) })
	}
}

// TestNativeTailCallEmitted: both back ends compile a tail call through a
// constant program array natively (amd64: jmp rax; arm64: LDAR of the
// table tag), also blinded, and not with NoInline or without a
// descriptor (a register array).
func TestNativeTailCallEmitted(t *testing.T) {
	a := newTailArray(t, 2)
	native := &vm.Program{Name: "d", Type: "raw", Helpers: helpers.Generic(), Insns: prog(tailCallTo(a, 0), exit())}
	// r2 copied from another register: not provably the array.
	viaReg := &vm.Program{Name: "r", Type: "raw", Helpers: helpers.Generic(),
		Insns: prog(ldImm64(4, vm.MapHandle(a.id)), movx(2, 4), mov(3, 0), callHelper(helpers.FnTailCall), exit())}
	has := func(arch string, text []byte) bool {
		if arch == "amd64" {
			return strings.Contains(string(text), "\xff\xe0")
		}
		for i := 0; i+4 <= len(text); i += 4 {
			if binary.LittleEndian.Uint32(text[i:])&^0x3ff == 0xc8dffc00 {
				return true
			}
		}
		return false
	}
	for _, arch := range []string{"amd64", "arm64"} {
		for _, tc := range []struct {
			p    *vm.Program
			opts jit.Options
			want bool
		}{{native, jit.Options{}, true}, {native, jit.Options{Blind: true}, true}, {native, jit.Options{NoInline: true}, false}, {viaReg, jit.Options{}, false}} {
			code, err := jit.CompileFor(arch, tc.p, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := has(arch, code.Text); got != tc.want {
				t.Errorf("%s %s %+v: native tail call emitted %v, want %v", arch, tc.p.Name, tc.opts, got, tc.want)
			}
		}
	}
}
