package kernel

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
)

// Available reports whether the bpf() syscall can be used, by creating a
// small array map. The error says why not (tests print it when skipping).
func Available() error {
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("bpf() not available: removing the memlock limit: %w", err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		return fmt.Errorf("bpf() not available (needs Linux and CAP_BPF/root): creating an array map: %w", err)
	}
	m.Close()
	return nil
}

// Collection is an object loaded into the kernel.
type Collection struct {
	coll *ebpf.Collection
	// perf holds a reader per perf event array, created at load so that
	// every CPU's slot has a perf event for programs to write to.
	perf map[string]perfReader
}

// Load loads the object file obj into the kernel after setting the given
// global variables (const volatile settings), by name.
func Load(obj string, vars map[string]any) (*Collection, error) {
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return nil, fmt.Errorf("kernel: reading %s: %w", obj, err)
	}
	for name, v := range vars {
		vs, ok := spec.Variables[name]
		if !ok {
			return nil, fmt.Errorf("kernel: %s has no global variable %q", obj, name)
		}
		if err := vs.Set(v); err != nil {
			return nil, fmt.Errorf("kernel: setting %s in %s: %w", name, obj, err)
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("kernel: loading %s: %+v", obj, ve)
		}
		return nil, fmt.Errorf("kernel: loading %s: %w", obj, err)
	}
	c := &Collection{coll: coll, perf: map[string]perfReader{}}
	for name, m := range coll.Maps {
		if m.Type() != ebpf.PerfEventArray {
			continue
		}
		rd, err := newPerfReader(m, 4*os.Getpagesize())
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("kernel: perf reader for %s in %s: %w", name, obj, err)
		}
		c.perf[name] = rd
	}
	return c, nil
}

// Close unloads the collection.
func (c *Collection) Close() {
	for _, rd := range c.perf {
		rd.Close()
	}
	c.coll.Close()
}

func (c *Collection) prog(name string) (*ebpf.Program, error) {
	p, ok := c.coll.Programs[name]
	if !ok {
		return nil, fmt.Errorf("kernel: no program %q", name)
	}
	return p, nil
}

func (c *Collection) m(name string) (*ebpf.Map, error) {
	m, ok := c.coll.Maps[name]
	if !ok {
		return nil, fmt.Errorf("kernel: no map %q", name)
	}
	return m, nil
}

// Run runs program prog once with BPF_PROG_TEST_RUN on a copy of data, with
// the context ctx (nil: none; for XDP a struct xdp_md), and returns its
// return value and output frame.
func (c *Collection) Run(prog string, data, ctx []byte) (ret uint32, out []byte, err error) {
	p, err := c.prog(prog)
	if err != nil {
		return 0, nil, err
	}
	// Room for tail growth; the kernel reports the real output length.
	out = make([]byte, len(data)+4096)
	opts := ebpf.RunOptions{Data: data, DataOut: out, Repeat: 1}
	if ctx != nil {
		opts.Context = ctx
	}
	ret, err = p.Run(&opts)
	if err != nil {
		return 0, nil, fmt.Errorf("kernel: running %s: %w", prog, err)
	}
	return ret, opts.DataOut, nil
}

// Bench runs program prog repeat times on data inside the kernel and returns
// the kernel's average time per run.
func (c *Collection) Bench(prog string, data []byte, repeat int) (uint32, time.Duration, error) {
	p, err := c.prog(prog)
	if err != nil {
		return 0, 0, err
	}
	ret, d, err := p.Benchmark(data, repeat, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("kernel: benchmarking %s: %w", prog, err)
	}
	return ret, d, nil
}

// Update stores value under key in map m. For per-CPU maps value is the
// value of one CPU and is stored for every CPU.
func (c *Collection) Update(m string, key, value []byte) error {
	mp, err := c.m(m)
	if err != nil {
		return err
	}
	var v any = value
	if isPerCPU(mp.Type()) {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		vals := make([][]byte, n)
		for i := range vals {
			vals[i] = value
		}
		v = vals
	}
	if err := mp.Update(key, v, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("kernel: updating %s: %w", m, err)
	}
	return nil
}

// SetProgram puts program prog at index idx of the program array m.
func (c *Collection) SetProgram(m string, idx uint32, prog string) error {
	mp, err := c.m(m)
	if err != nil {
		return err
	}
	p, err := c.prog(prog)
	if err != nil {
		return err
	}
	if err := mp.Update(idx, p, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("kernel: setting %s[%d] = %s: %w", m, idx, prog, err)
	}
	return nil
}

// SetInner puts map inner at index idx of the map-in-map m.
func (c *Collection) SetInner(m string, idx uint32, inner string) error {
	mp, err := c.m(m)
	if err != nil {
		return err
	}
	in, err := c.m(inner)
	if err != nil {
		return err
	}
	if err := mp.Update(idx, in, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("kernel: setting %s[%d] = %s: %w", m, idx, inner, err)
	}
	return nil
}

func isPerCPU(t ebpf.MapType) bool {
	return t == ebpf.PerCPUHash || t == ebpf.PerCPUArray || t == ebpf.LRUCPUHash
}

// PossibleCPUs returns the kernel's number of possible CPUs (the length of
// per-CPU map values).
func PossibleCPUs() (int, error) { return ebpf.PossibleCPU() }

// Release returns the running kernel's version (major, minor), from
// /proc/sys/kernel/osrelease.
func Release() (major, minor int, err error) {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return 0, 0, fmt.Errorf("kernel release: %w", err)
	}
	if _, err := fmt.Sscanf(string(b), "%d.%d", &major, &minor); err != nil {
		return 0, 0, fmt.Errorf("kernel release %q: %w", b, err)
	}
	return major, minor, nil
}
