package progtest

import (
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/jit"
)

// TestBenchNoAllocs checks that running each case's benchmark program does
// not allocate on the Go heap once warmed up, in the interpreter (verified,
// unchecked) and as native code: the repeat loop is the per-run hot path.
func TestBenchNoAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	loaders := []struct {
		name string
		load Loader
	}{{"unchecked", UncheckedLoader}, {"native", NativeLoader}}
	for _, c := range Cases() {
		prog, frame, err := BenchInput(c)
		if errors.Is(err, ErrNoBench) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range loaders {
			if l.name == "native" && !jit.Supported() {
				continue
			}
			tg, err := LoadForBench(l.load, c)
			if c.Pending(err) {
				continue
			}
			if err != nil {
				t.Fatalf("%s/%s: %v", c.Name, l.name, err)
			}
			h := tg.(*hostTarget)
			p, err := h.prog(prog)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := p.Benchmark(frame, 10, nil); err != nil {
				t.Fatalf("%s/%s: %v", c.Name, l.name, err)
			}
			allocs := testing.AllocsPerRun(5, func() {
				if _, _, err := p.Benchmark(frame, 100, nil); err != nil {
					t.Fatalf("%s/%s: %v", c.Name, l.name, err)
				}
			})
			// Per 100 runs: anything above zero is a per-run allocation
			// (or one per call, which is as bad for single-packet callers).
			if allocs != 0 {
				t.Errorf("%s/%s: %v allocations per 100 runs", c.Name, l.name, allocs)
			}
			tg.Close()
		}
	}
}
