package progtest

import (
	"errors"
	"fmt"
	"path/filepath"
)

// ErrNoBench is returned by BenchInput for cases without a benchmark step.
var ErrNoBench = errors.New("no benchmark step")

// BenchInput returns the program and frame c is benchmarked with: those of
// step c.Bench.
func BenchInput(c *Case) (prog string, frame []byte, err error) {
	if c.Bench == -1 {
		return "", nil, fmt.Errorf("%s: %w", c.Name, ErrNoBench)
	}
	if c.Bench < 0 || c.Bench >= len(c.Steps) {
		return "", nil, fmt.Errorf("%s: benchmark step %d out of range", c.Name, c.Bench)
	}
	s := c.Steps[c.Bench]
	if s.Out != nil {
		return "", nil, fmt.Errorf("%s: benchmark step %d changes the frame; pick one that does not (see Case.Bench)", c.Name, c.Bench)
	}
	return s.Prog, s.In, nil
}

// LoadForBench loads c's object with load and applies its setup, ready
// for Target.Bench on BenchInput's program and frame.
func LoadForBench(load Loader, c *Case) (Target, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	t, err := load(filepath.Join(root, c.Object), c.Vars)
	if err != nil {
		return nil, err
	}
	if err := Setup(t, c); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Bench loads c and runs its benchmark program repeat times on its frame,
// returning the average time of one run in nanoseconds.
//
// Both targets measure the same thing: BPF_PROG_TEST_RUN's repeat (and
// bpfhost's Program.Benchmark, which follows it) builds the packet and
// context once, reruns the program on that one buffer, and times the run
// loop only. Map state evolves over the repetitions alike. BenchInput's
// rule that the step leaves the frame unchanged keeps every repetition on
// the step's frame, so the figure is that of the step's run.
func Bench(load Loader, c *Case, repeat int) (float64, error) {
	prog, frame, err := BenchInput(c)
	if err != nil {
		return 0, err
	}
	t, err := LoadForBench(load, c)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	return t.Bench(prog, frame, repeat)
}
