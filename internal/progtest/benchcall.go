package progtest

import (
	"fmt"
	"time"

	"github.com/bpfhost/bpfhost/ebpf"
)

// callBencher is a Target that can time whole test-run calls.
type callBencher interface {
	// BenchCall makes calls test-run calls of prog on data, each with
	// Repeat 1, and returns the wall time of one call.
	BenchCall(prog string, data []byte, calls int) (perCallNs float64, err error)
}

// BenchCall loads c and times calls whole calls of its benchmark program on
// its frame (one run each: building the context, the run, copying the
// outputs and, for the kernel, the bpf() syscall), in nanoseconds per call.
// It is what a caller running one packet at a time pays, where Bench gives
// the run loop's cost alone.
func BenchCall(load Loader, c *Case, calls int) (float64, error) {
	prog, frame, err := BenchInput(c)
	if err != nil {
		return 0, err
	}
	t, err := LoadForBench(load, c)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	cb, ok := t.(callBencher)
	if !ok {
		return 0, fmt.Errorf("%s: target %T cannot time whole calls", c.Name, t)
	}
	return cb.BenchCall(prog, frame, calls)
}

// BenchCall implements callBencher with reused output buffers, so the
// calls do not allocate.
func (h *hostTarget) BenchCall(prog string, data []byte, calls int) (float64, error) {
	p, err := h.prog(prog)
	if err != nil {
		return 0, err
	}
	opts := ebpf.RunOptions{Data: data, DataOut: make([]byte, len(data)+4096)}
	start := time.Now()
	for i := 0; i < calls; i++ {
		opts.DataOut = opts.DataOut[:cap(opts.DataOut)]
		if _, err := p.Run(&opts); err != nil {
			return 0, fmt.Errorf("bpfhost: running %s: %w", prog, err)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(max(calls, 1)), nil
}

// BenchCall implements callBencher: one BPF_PROG_TEST_RUN syscall per call
// (internal/kernel's Run, which also allocates the output buffer).
func (k kernelTarget) BenchCall(prog string, data []byte, calls int) (float64, error) {
	start := time.Now()
	for i := 0; i < calls; i++ {
		if _, _, err := k.Collection.Run(prog, data, nil); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(max(calls, 1)), nil
}
