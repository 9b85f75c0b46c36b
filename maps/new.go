package maps

import "fmt"

// New creates a map as the kernel's BPF_MAP_CREATE would, after validating
// spec with Validate. With opts.Path set its storage is a file that Open can
// map again later.
func New(spec Spec, opts Options) (Map, error) { return create(spec, opts, false) }

// Open maps the file-backed storage of a map created earlier by New with the
// same spec and options, with its contents intact; indexes are rebuilt from
// the file.
func Open(spec Spec, opts Options) (Map, error) {
	if opts.Path == "" {
		return nil, fmt.Errorf("%w: opening map %q: no file path", EINVAL, spec.Name)
	}
	return create(spec, opts, true)
}

func create(spec Spec, opts Options, reopen bool) (Map, error) {
	if err := Validate(spec); err != nil {
		return nil, err
	}
	ncpu := opts.NumCPU
	if ncpu <= 0 {
		ncpu = PossibleCPUs()
	}
	if ncpu > 1<<16 {
		return nil, fmt.Errorf("%w: map %q: %d CPUs", EINVAL, spec.Name, ncpu)
	}
	b := base{spec: spec, ncpu: ncpu}
	if spec.InnerMap != nil {
		in := *spec.InnerMap
		b.spec.InnerMap = &in
	}
	switch spec.Type {
	case Array, PerCPUArray:
		return newArray(b, opts, reopen)
	case ProgArray, ArrayOfMaps:
		a, err := newFDArray(b, opts, reopen)
		if err != nil {
			return nil, err
		}
		if spec.Type == ProgArray {
			return progArray{a}, nil
		}
		return arrayOfMaps{a}, nil
	case PerfEventArray:
		return newPerf(b, opts, reopen)
	case Hash, PerCPUHash, LRUHash, LRUCPUHash:
		return newHash(b, opts, reopen)
	case HashOfMaps:
		h, err := newHash(b, opts, reopen)
		if err != nil {
			return nil, err
		}
		return &hashOfMaps{h}, nil
	case LPMTrie:
		return newLPM(b, opts, reopen)
	case Queue, Stack:
		return newQueue(b, opts, reopen)
	case RingBuf:
		return newRingBuf(b, opts, reopen)
	}
	return nil, fmt.Errorf("%w: map type %s is not supported", EINVAL, spec.Type)
}
