package interp

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

// loopIters is the iteration count of loopProg.
const loopIters = 1000

// loopProg is a loop-heavy program mixing ALU, stack stores and loads and a
// conditional backward jump; it returns a checksum. loopInsns is the number
// of instructions one run executes.
var loopProg = prog(
	mov64(r0, 0), mov64(r1, loopIters),
	// loop (2):
	movReg(r2, r1), alu64K(isa.ALUMul, r2, 3), alu64X(isa.ALUXor, r2, r0), alu64X(isa.ALUAdd, r0, r2),
	alu64K(isa.ALURsh, r0, 1), stx(isa.SizeDW, r10, r0, -8), ldx(isa.SizeDW, r3, r10, -8),
	alu64X(isa.ALUAdd, r0, r3), alu64K(isa.ALUSub, r1, 1), jmpK(isa.JmpJNE, r1, 0, -10),
	exit())

const loopInsns = 2 + loopIters*10 + 1

// loopWant is loopProg's result, computed in Go.
func loopWant() uint64 {
	var r0 uint64
	for r1 := uint64(loopIters); r1 != 0; r1-- {
		r2 := r1*3 ^ r0
		r0 += r2
		r0 >>= 1
		r0 += r0
	}
	return r0
}

func TestLoopProgram(t *testing.T) {
	newEnv(t).mustRun("loop", loopProg, loopWant())
}

func benchmarkLoop(b *testing.B, checked bool) {
	e := newEnv(b)
	p := &vm.Program{Name: "loop", Insns: loopProg, Checked: checked}
	exe, err := New().Prepare(p)
	if err != nil {
		b.Fatal(err)
	}
	want := loopWant()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got, err := e.exec(exe, p)
		if err != nil || got != want {
			b.Fatalf("got %d, %v; want %d", got, err, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/loopInsns, "ns/insn")
}

func BenchmarkInterpreterLoopChecked(b *testing.B)   { benchmarkLoop(b, true) }
func BenchmarkInterpreterLoopUnchecked(b *testing.B) { benchmarkLoop(b, false) }

// BenchmarkInterpreterShortRun measures the fixed cost of a run: a program
// of a few instructions, as a small XDP filter would be.
func BenchmarkInterpreterShortRun(b *testing.B) {
	e := newEnv(b)
	p := &vm.Program{Name: "short", Insns: prog(ldx(isa.SizeB, r0, r1, 0), alu64K(isa.ALUAnd, r0, 1), exit()), Checked: true}
	exe, err := New().Prepare(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.exec(exe, p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNoAllocations runs a program that uses every kind of control transfer
// (helper call publishing ctx.Call, callback, local call) and memory, and
// requires that runs after the first allocate nothing.
func TestNoAllocations(t *testing.T) {
	e := newEnv(t)
	var target *vm.Program
	insns := prog(
		movReg(r6, r1),
		ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(14)), mov64(r2, 3), call(4), // callback 3 times
		callLocal(5), alu64X(isa.ALUAdd, r0, r7), st(isa.SizeDW, r6, 0, 1),
		mov64(r2, 1), atomicOp(isa.SizeDW, r6, r2, 0, isa.AtomicAdd), exit(),
		// local subprogram at 11
		mov64(r7, 100), mov64(r0, 5), exit(), // r7 is restored on return
		// callback at 14: returns 2, so r0 is 6 after the helper
		st(isa.SizeDW, r10, -8, 2), ldx(isa.SizeDW, r0, r10, -8), exit())
	for _, checked := range []bool{true, false} {
		p := &vm.Program{Name: "allocs", Insns: insns, Helpers: helpers(&target), Checked: checked}
		exe, err := New().Prepare(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.exec(exe, p); err != nil || got != 5 {
			t.Fatalf("checked=%v: got %d, %v; want 5", checked, got, err)
		}
		if n := testing.AllocsPerRun(100, func() { e.exec(exe, p) }); n != 0 {
			t.Errorf("checked=%v: %v allocations per run, want 0", checked, n)
		}
	}
}

// TestConcurrentRuns runs one program on 4 goroutines holding 4 CPUs; each
// run also adds atomically to a counter shared by all of them (granted to
// the checked runs like a map value). Run with -race.
func TestConcurrentRuns(t *testing.T) {
	const workers, runs = 4, 200
	cpus, err := vm.NewCPUs(workers)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	shared, err := offheap.Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Free()
	counter := vm.AddrOf(shared.Bytes())
	insns := append(prog(ldImm64(r8, counter), mov64(r9, 1), atomicOp(isa.SizeDW, r8, r9, 0, isa.AtomicAdd)), loopProg...)
	p := &vm.Program{Name: "concurrent", Insns: insns, Checked: true}
	exe, err := New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	want := loopWant()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < runs; i++ {
				cpu := cpus.Acquire()
				ctx := &cpu.Run
				ctx.Reset(p)
				ctx.Grant(counter, 8)
				got, err := exe.Run(ctx, 0, 0)
				cpus.Release(cpu)
				if err != nil || got != want {
					t.Errorf("got %d, %v; want %d", got, err, want)
					failures.Add(1)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := atomic.LoadUint64(vm.Atomic64(counter)); failures.Load() == 0 && n != workers*runs {
		t.Errorf("shared counter = %d, want %d", n, workers*runs)
	}
}

// pktLen is the packet size of BenchmarkInterpreterPacket.
const pktLen = 1500

// pktProg sums the bytes of a packet [r1, r2) one byte at a time, the way a
// parser walks headers: a bounds test against the end, a packet load and
// ALU work per byte.
var pktProg = prog(
	mov64(r0, 0),
	// loop (1):
	movReg(r3, r1), alu64K(isa.ALUAdd, r3, 1), jmpX(isa.JmpJGT, r3, r2, 4),
	ldx(isa.SizeB, r4, r1, 0), alu64X(isa.ALUAdd, r0, r4), movReg(r1, r3), ja(-7),
	exit())

// pktInsns is the number of instructions pktProg executes.
const pktInsns = 1 + pktLen*7 + 3 + 1

func benchmarkPacket(b *testing.B, checked bool) {
	e := newEnv(b)
	pkt := e.cpu.Packet[vm.PacketHeadroom : vm.PacketHeadroom+pktLen]
	var want uint64
	for i := range pkt {
		pkt[i] = byte(i * 7)
		want += uint64(pkt[i])
	}
	p := &vm.Program{Name: "pkt", Insns: pktProg, Checked: checked}
	exe, err := New().Prepare(p)
	if err != nil {
		b.Fatal(err)
	}
	start := vm.AddrOf(pkt)
	b.ReportAllocs()
	for b.Loop() {
		ctx := &e.cpu.Run
		ctx.Reset(p)
		ctx.HasPacket = true
		ctx.Pkt = vm.Packet{Meta: start, Data: start, End: start + pktLen}
		got, err := exe.Run(ctx, start, start+pktLen)
		if err != nil || got != want {
			b.Fatalf("got %d, %v; want %d", got, err, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/pktInsns, "ns/insn")
}

func BenchmarkInterpreterPacketChecked(b *testing.B)   { benchmarkPacket(b, true) }
func BenchmarkInterpreterPacketUnchecked(b *testing.B) { benchmarkPacket(b, false) }

// BenchmarkInterpreterHelperCall measures a helper call (the pure helper 1
// of the fake table) inside a loop, per call.
func BenchmarkInterpreterHelperCall(b *testing.B) {
	e := newEnv(b)
	var target *vm.Program
	const calls = 100
	p := &vm.Program{Name: "calls", Insns: prog(mov64(r6, calls),
		mov64(r1, 1), mov64(r2, 2), call(1), alu64K(isa.ALUSub, r6, 1), jmpK(isa.JmpJNE, r6, 0, -5),
		exit()), Helpers: helpers(&target), Checked: true}
	exe, err := New().Prepare(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got, err := e.exec(exe, p); err != nil || got != 3 {
			b.Fatalf("got %d, %v; want 3", got, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/calls, "ns/call")
}
