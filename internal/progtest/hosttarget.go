package progtest

import (
	"errors"
	"fmt"
	"sort"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/maps"
)

// HostLoader loads objects into bpfhost through the public ebpf API, with
// the engine named by BPFHOST_ENGINE (default: auto).
func HostLoader(obj string, vars map[string]any) (Target, error) {
	return loadHost(obj, vars, "")
}

// HostLoaderWith is HostLoader with an explicit engine ("interpreter", "jit", "auto").
func HostLoaderWith(engine string) Loader {
	return func(obj string, vars map[string]any) (Target, error) { return loadHost(obj, vars, engine) }
}

func loadHost(obj string, vars map[string]any, engine string) (Target, error) {
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return nil, err
	}
	for name, v := range vars {
		vs, ok := spec.Variables[name]
		if !ok {
			return nil, fmt.Errorf("bpfhost: %s has no global variable %q", obj, name)
		}
		if err := vs.Set(v); err != nil {
			return nil, fmt.Errorf("bpfhost: setting %s in %s: %w", name, obj, err)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Engine: engine})
	if err != nil {
		return nil, err
	}
	// Attach a reader to every slot of perf event arrays, as the kernel
	// side's perf.NewReader installs a perf event per CPU.
	for name, m := range coll.Maps {
		if m.Type() != maps.PerfEventArray {
			continue
		}
		for i := uint32(0); i < m.MaxEntries(); i++ {
			if err := m.Update(i, i, ebpf.UpdateAny); err != nil {
				coll.Close()
				return nil, fmt.Errorf("bpfhost: attaching a reader to %s[%d]: %w", name, i, err)
			}
		}
	}
	return &hostTarget{coll: coll}, nil
}

type hostTarget struct {
	coll *ebpf.Collection
	out  []byte
}

// prog implements Target.
func (h *hostTarget) prog(name string) (*ebpf.Program, error) {
	p, ok := h.coll.Programs[name]
	if !ok {
		return nil, fmt.Errorf("bpfhost: no program %q", name)
	}
	return p, nil
}

// m implements Target.
func (h *hostTarget) m(name string) (*ebpf.Map, error) {
	m, ok := h.coll.Maps[name]
	if !ok {
		return nil, fmt.Errorf("bpfhost: no map %q", name)
	}
	return m, nil
}

// Run implements Target.
func (h *hostTarget) Run(prog string, data, ctx []byte) (uint32, []byte, error) {
	p, err := h.prog(prog)
	if err != nil {
		return 0, nil, err
	}
	opts := ebpf.RunOptions{Data: data, DataOut: make([]byte, len(data)+4096), Context: ctx, Repeat: 1}
	ret, err := p.Run(&opts)
	if err != nil {
		return 0, nil, fmt.Errorf("bpfhost: running %s: %w", prog, err)
	}
	return ret, opts.DataOut, nil
}

// Bench implements Target.
func (h *hostTarget) Bench(prog string, data []byte, repeat int) (float64, error) {
	p, err := h.prog(prog)
	if err != nil {
		return 0, err
	}
	_, d, err := p.Benchmark(data, repeat, nil)
	return float64(d.Nanoseconds()), err
}

// Update implements Target.
func (h *hostTarget) Update(m string, key, value []byte) error {
	mp, err := h.m(m)
	if err != nil {
		return err
	}
	var v any = value
	if mp.Type().PerCPU() {
		vals := make([][]byte, maps.PossibleCPUs())
		for i := range vals {
			vals[i] = value
		}
		v = vals
	}
	return mp.Update(key, v, ebpf.UpdateAny)
}

// SetProgram implements Target.
func (h *hostTarget) SetProgram(m string, idx uint32, prog string) error {
	mp, err := h.m(m)
	if err != nil {
		return err
	}
	p, err := h.prog(prog)
	if err != nil {
		return err
	}
	return mp.Update(idx, p.ID(), ebpf.UpdateAny)
}

// SetInner implements Target.
func (h *hostTarget) SetInner(m string, idx uint32, inner string) error {
	mp, err := h.m(m)
	if err != nil {
		return err
	}
	in, err := h.m(inner)
	if err != nil {
		return err
	}
	return mp.Update(idx, in.ID(), ebpf.UpdateAny)
}

// MapNames implements Target.
func (h *hostTarget) MapNames() []string {
	var names []string
	for name, m := range h.coll.Maps {
		switch m.Type() {
		case maps.ProgArray, maps.ArrayOfMaps, maps.HashOfMaps:
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Dump implements Target.
func (h *hostTarget) Dump(m string) ([]Entry, error) {
	mp, err := h.m(m)
	if err != nil {
		return nil, err
	}
	es, err := hostDump(mp)
	if err != nil {
		return nil, fmt.Errorf("bpfhost: dumping %s: %w", m, err)
	}
	return es, nil
}

func hostDump(mp *ebpf.Map) ([]Entry, error) {
	in := mp.Internal()
	switch mp.Type() {
	case maps.Queue, maps.Stack:
		var es []Entry
		for {
			v := make([]byte, mp.ValueSize())
			if err := in.LookupAndDelete(nil, v); err != nil {
				if errors.Is(err, maps.ENOENT) {
					return es, nil
				}
				return nil, err
			}
			es = append(es, V(v))
		}
	case maps.PerfEventArray:
		pm, ok := in.(maps.PerfEventArrayMap)
		if !ok {
			return nil, fmt.Errorf("perf event array %T has no reader", in)
		}
		var es []Entry
		for {
			_, sample, ok := pm.Read()
			if !ok {
				kernel.SortValues(es)
				return es, nil
			}
			es = append(es, V(append([]byte(nil), sample...)))
		}
	case maps.RingBuf:
		rb, ok := in.(maps.RingBufMap)
		if !ok {
			return nil, fmt.Errorf("ring buffer map %T has no reader", in)
		}
		var es []Entry
		for {
			rec, ok := rb.Read()
			if !ok {
				return es, nil
			}
			es = append(es, V(append([]byte(nil), rec...)))
		}
	}
	var es []Entry
	it := mp.Iterate()
	key := make([]byte, mp.KeySize())
	perCPU := mp.Type().PerCPU()
	stride := int(mp.ValueSize()+7) &^ 7
	val := make([]byte, int(mp.ValueSize()))
	if perCPU {
		val = make([]byte, stride*maps.PossibleCPUs())
	}
	for it.Next(key, val) {
		v := append([]byte(nil), val...)
		if perCPU {
			vals := make([][]byte, 0, maps.PossibleCPUs())
			for off := 0; off < len(val); off += stride {
				vals = append(vals, val[off:off+int(mp.ValueSize())])
			}
			var err error
			if v, err = kernel.SumPerCPU(vals, int(mp.ValueSize())); err != nil {
				return nil, err
			}
		}
		es = append(es, E(append([]byte(nil), key...), v))
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	SortEntries(es)
	return es, nil
}

// Close implements Target.
func (h *hostTarget) Close() { h.coll.Close() }
