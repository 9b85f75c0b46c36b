package progtest

import (
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/jit"
)

// BenchmarkCorpus measures every case's benchmark program on its frame, in
// bpfhost's interpreter (as ebpf loads programs, and "unchecked": verified
// by this package, without run-time checks), as native code (where a JIT
// exists) and, where bpf() works, in the kernel:
//
//	go test -bench Corpus -run '^$' ./internal/progtest
func BenchmarkCorpus(b *testing.B) {
	targets := []struct {
		name string
		load Loader
	}{{"interpreter", HostLoaderWith("interpreter")}, {"unchecked", UncheckedLoader}, {"native", NativeLoader}, {"kernel", KernelLoader}}
	for _, c := range Cases() {
		for _, tg := range targets {
			b.Run(c.Name+"/"+tg.name, func(b *testing.B) {
				if tg.name == "kernel" {
					needKernel(b)
				}
				if tg.name == "native" && !jit.Supported() {
					b.Skip("no JIT on this platform")
				}
				prog, frame, err := BenchInput(c)
				if errors.Is(err, ErrNoBench) {
					b.Skip(err)
				}
				if err != nil {
					b.Fatal(err)
				}
				t, err := LoadForBench(tg.load, c)
				if c.Pending(err) {
					b.Skip(err)
				}
				if err != nil {
					b.Fatal(err)
				}
				defer t.Close()
				b.SetBytes(int64(len(frame)))
				b.ResetTimer()
				ns, err := t.Bench(prog, frame, b.N)
				if err != nil {
					b.Fatal(err)
				}
				// The target's own figure: for the kernel, BPF_PROG_TEST_RUN's
				// duration, which leaves out the syscall and loop overhead that
				// the wall-clock ns/op includes.
				b.ReportMetric(ns, "ns/run")
			})
		}
	}
}

// TestBenchSmoke runs the benchmark path briefly so that it stays working
// without the cost of a real measurement in CI.
func TestBenchSmoke(t *testing.T) {
	for _, c := range Cases() {
		ns, err := Bench(HostLoaderWith("interpreter"), c, 3)
		if errors.Is(err, ErrNoBench) || c.Pending(err) {
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
		} else if ns < 0 {
			// Zero is possible with a coarse clock and three short runs.
			t.Errorf("%s: %v ns per run", c.Name, ns)
		}
	}
}
