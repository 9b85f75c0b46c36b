package jit_test

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// longLoop sums n..1 in a tight loop: one back-edge per iteration.
func longLoop(n int32) []isa.Instruction {
	return prog(
		mov(0, 0), mov(1, n),
		addx(0, 1), addk(1, -1),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 1, Offset: -3},
		exit(),
	)
}

// TestGCPressure runs long JIT loops on several goroutines while others
// allocate and force collections. Generated code cannot be preempted by a
// signal (it is not Go code), so a stop-the-world waits until the running
// code reaches a preemption exit; the back-edge budget bounds that wait.
// The test requires no crash, correct results, and a bounded stall.
func TestGCPressure(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	const iters = 50_000_000 // ~25 ms of loop per run, ~48 budget exits
	want := uint64(iters) * (iters + 1) / 2
	p := &vm.Program{Name: "loop", Type: "raw", Insns: longLoop(iters), Helpers: &vm.HelperTable{}}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	workers := 2
	cpus, err := vm.NewCPUs(workers)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	dur := time.Second
	if testing.Short() {
		dur = 200 * time.Millisecond
	}
	var stop atomic.Bool
	var runs atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				cpu := cpus.Acquire()
				cpu.Run.Reset(p)
				r0, err := exe.Run(&cpu.Run, 0, 0)
				cpus.Release(cpu)
				if err != nil || r0 != want {
					errs <- outcome(r0, err)
					return
				}
				runs.Add(1)
			}
		}()
	}
	// Collector: allocate garbage and force GCs, timing each.
	var maxGC, totalGC time.Duration
	gcs := 0
	var sink [][]byte
	deadline := time.Now().Add(dur)
	before := debug.GCStats{}
	debug.ReadGCStats(&before)
	for time.Now().Before(deadline) {
		for i := 0; i < 100; i++ {
			sink = append(sink, make([]byte, 4096))
		}
		if len(sink) > 10000 {
			sink = nil
		}
		start := time.Now()
		runtime.GC()
		d := time.Since(start)
		totalGC += d
		gcs++
		if d > maxGC {
			maxGC = d
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("JIT run under GC pressure: %s, want r0=%#x", e, want)
	}
	var after debug.GCStats
	debug.ReadGCStats(&after)
	maxPause := time.Duration(0)
	for _, p := range after.Pause[:min(len(after.Pause), int(after.NumGC-before.NumGC))] {
		maxPause = max(maxPause, p)
	}
	t.Logf("%d JIT runs of %d iterations; %d forced GCs: max runtime.GC %v, mean %v; max STW pause %v",
		runs.Load(), iters, gcs, maxGC, totalGC/time.Duration(max(gcs, 1)), maxPause)
	if runs.Load() == 0 || gcs < 5 {
		t.Fatalf("too little happened: %d runs, %d GCs", runs.Load(), gcs)
	}
	// The machine may be shared and loaded, so the bound on wall time is
	// loose here; TestPreemptLatency bounds the stall precisely.
	if maxGC > 5*time.Second {
		t.Errorf("a forced GC took %v", maxGC)
	}
}

// TestPreemptLatency shows that running native code gives the scheduler
// back the processor at every budget exit: with one P, a sleeping
// goroutine can only wake while the JIT goroutine yields, so its wake-up
// delay is the stall any stop-the-world would see. Without the budget it
// would be the whole run (hundreds of milliseconds).
func TestPreemptLatency(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const iters = 2_000_000_000
	p := &vm.Program{Name: "loop", Type: "raw", Insns: longLoop(iters), Helpers: &vm.HelperTable{}}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	done := make(chan time.Duration)
	go func() {
		cpu := cpus.Acquire()
		defer cpus.Release(cpu)
		cpu.Run.Reset(p)
		start := time.Now()
		exe.Run(&cpu.Run, 0, 0)
		done <- time.Since(start)
	}()
	var worst time.Duration
	wakes := 0
	for {
		start := time.Now()
		select {
		case d := <-done:
			// The last wait ended with the loop, not with a wake-up.
			worst = max(worst, time.Since(start)-time.Millisecond)
			t.Logf("native loop of %d back-edges ran %v; %d sleeps of 1ms woke at most %v late", iters, d, wakes, worst)
			if d < 100*time.Millisecond {
				t.Skipf("the loop ended too soon (%v) to measure", d)
			}
			// Without preemption exits the wait is the whole loop. With
			// them it is tens of microseconds plus whatever the OS adds
			// on a loaded machine, so the limit is relative to the loop.
			if limit := max(150*time.Millisecond, d/3); worst > limit {
				t.Errorf("a goroutine waited %v for the processor during a %v loop (limit %v)", worst, d, limit)
			}
			return
		case <-time.After(time.Millisecond):
		}
		wakes++
		worst = max(worst, time.Since(start)-time.Millisecond)
	}
}
