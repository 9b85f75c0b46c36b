package progtest

import "github.com/bpfhost/bpfhost/internal/kernel"

// KernelLoader loads objects into the running kernel (see kernel.Available).
func KernelLoader(obj string, vars map[string]any) (Target, error) {
	c, err := kernel.Load(obj, vars)
	if err != nil {
		return nil, err
	}
	return kernelTarget{c}, nil
}

type kernelTarget struct{ *kernel.Collection }

// Bench implements Target.
func (k kernelTarget) Bench(prog string, data []byte, repeat int) (float64, error) {
	_, d, err := k.Collection.Bench(prog, data, repeat)
	return float64(d.Nanoseconds()), err
}
