package maps

import "fmt"

// More creation flags of the Linux UAPI, used by validation.
const (
	FlagNumaNode      uint32 = 1 << 2
	FlagRdOnly        uint32 = 1 << 3
	FlagWrOnly        uint32 = 1 << 4
	FlagStackBuildID  uint32 = 1 << 5
	FlagZeroSeed      uint32 = 1 << 6
	FlagPreserveElems uint32 = 1 << 11
	FlagInnerMap      uint32 = 1 << 12
)

// Kernel size limits the validation reproduces.
const (
	kmallocMax      = 4 << 20  // KMALLOC_MAX_SIZE with 4 KiB pages
	pcpuMinUnitSize = 32 << 10 // PCPU_MIN_UNIT_SIZE
	lpmDataSizeMax  = 256
	ringbufPage     = 4096 // Linux's page size, which ring buffer sizes are written against
)

const (
	accessMask    = FlagRdOnly | FlagWrOnly | FlagRdOnlyProg | FlagWrOnlyProg
	arrayFlags    = FlagNumaNode | FlagMmapable | accessMask | FlagPreserveElems | FlagInnerMap
	hashFlags     = FlagNoPrealloc | FlagNoCommonLRU | FlagNumaNode | accessMask | FlagZeroSeed
	lpmFlags      = FlagNoPrealloc | FlagNumaNode | accessMask
	queueFlags    = FlagNumaNode | accessMask
	ringbufFlags  = FlagNumaNode
	maxRingBufLen = 1 << 31
)

// invalid builds the EINVAL error of a refused creation, naming the field.
func invalid(spec Spec, field string, format string, args ...any) error {
	return fmt.Errorf("%w: %s map %q: %s: %s", EINVAL, spec.Type, spec.Name, field, fmt.Sprintf(format, args...))
}

func tooBig(spec Spec, field string, format string, args ...any) error {
	return fmt.Errorf("%w: %s map %q: %s: %s", E2BIG, spec.Type, spec.Name, field, fmt.Sprintf(format, args...))
}

// Validate checks spec the way the kernel's map_create and the type's
// alloc_check do, returning an EINVAL (or E2BIG) error naming the field.
func Validate(spec Spec) error {
	f := spec.Flags
	if f&FlagRdOnly != 0 && f&FlagWrOnly != 0 {
		return invalid(spec, "flags", "BPF_F_RDONLY and BPF_F_WRONLY together")
	}
	if f&FlagRdOnlyProg != 0 && f&FlagWrOnlyProg != 0 {
		return invalid(spec, "flags", "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together")
	}
	if spec.InnerMap != nil && spec.Type != ArrayOfMaps && spec.Type != HashOfMaps {
		return invalid(spec, "inner map", "only map-in-map types take an inner map")
	}
	switch spec.Type {
	case Array, PerCPUArray, ProgArray, PerfEventArray, ArrayOfMaps:
		return validateArray(spec)
	case Hash, PerCPUHash, LRUHash, LRUCPUHash, HashOfMaps:
		return validateHash(spec)
	case LPMTrie:
		return validateLPM(spec)
	case Queue, Stack:
		return validateQueue(spec)
	case RingBuf:
		return validateRingBuf(spec)
	}
	return invalid(spec, "type", "map type %d is not supported", uint32(spec.Type))
}

func checkMaxEntries(spec Spec) error {
	if spec.MaxEntries == 0 {
		return invalid(spec, "max_entries", "must be greater than 0")
	}
	return nil
}

func validateArray(spec Spec) error {
	if err := checkMaxEntries(spec); err != nil {
		return err
	}
	if spec.KeySize != 4 {
		return invalid(spec, "key_size", "%d, array keys are 4-byte indexes", spec.KeySize)
	}
	if spec.ValueSize == 0 {
		return invalid(spec, "value_size", "must be greater than 0")
	}
	if spec.Flags&^arrayFlags != 0 {
		return invalid(spec, "flags", "%#x has flags arrays do not take", spec.Flags)
	}
	if spec.Type != Array && spec.Flags&(FlagMmapable|FlagInnerMap) != 0 {
		return invalid(spec, "flags", "BPF_F_MMAPABLE and BPF_F_INNER_MAP are for plain arrays only")
	}
	if spec.Type != PerfEventArray && spec.Flags&FlagPreserveElems != 0 {
		return invalid(spec, "flags", "BPF_F_PRESERVE_ELEMS is for perf event arrays only")
	}
	if spec.Type == PerCPUArray && spec.Flags&FlagNumaNode != 0 {
		return invalid(spec, "flags", "BPF_F_NUMA_NODE is not valid for per-CPU maps")
	}
	if spec.ValueSize > 1<<31-1 {
		return tooBig(spec, "value_size", "%d exceeds INT_MAX", spec.ValueSize)
	}
	if spec.Type == PerCPUArray && round8(uint64(spec.ValueSize)) > pcpuMinUnitSize {
		return tooBig(spec, "value_size", "%d exceeds the per-CPU limit of %d", spec.ValueSize, pcpuMinUnitSize)
	}
	switch spec.Type {
	case ProgArray, PerfEventArray, ArrayOfMaps:
		if spec.ValueSize != 4 {
			return invalid(spec, "value_size", "%d, values of this type are 4-byte IDs", spec.ValueSize)
		}
		if spec.Flags&(FlagRdOnlyProg|FlagWrOnlyProg) != 0 {
			return invalid(spec, "flags", "BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG are not valid for this type")
		}
	}
	if spec.Type == ArrayOfMaps {
		return validateInner(spec)
	}
	return nil
}

func validateHash(spec Spec) error {
	lru := spec.Type == LRUHash || spec.Type == LRUCPUHash
	percpu := spec.Type.PerCPU()
	if spec.Flags&^hashFlags != 0 {
		return invalid(spec, "flags", "%#x has flags hash maps do not take", spec.Flags)
	}
	if !lru && spec.Flags&FlagNoCommonLRU != 0 {
		return invalid(spec, "flags", "BPF_F_NO_COMMON_LRU is for LRU maps only")
	}
	if lru && spec.Flags&FlagNoPrealloc != 0 {
		return fmt.Errorf("%w: %s map %q: flags: LRU maps are always preallocated (BPF_F_NO_PREALLOC)", ENOTSUPP, spec.Type, spec.Name)
	}
	if percpu && spec.Flags&FlagNumaNode != 0 {
		return invalid(spec, "flags", "BPF_F_NUMA_NODE is not valid for per-CPU maps")
	}
	if err := checkMaxEntries(spec); err != nil {
		return err
	}
	if spec.KeySize == 0 {
		return invalid(spec, "key_size", "must be greater than 0")
	}
	if spec.ValueSize == 0 {
		return invalid(spec, "value_size", "must be greater than 0")
	}
	if uint64(spec.KeySize)+uint64(spec.ValueSize) >= kmallocMax-48 {
		return tooBig(spec, "key_size+value_size", "%d exceeds the kernel's element limit", uint64(spec.KeySize)+uint64(spec.ValueSize))
	}
	if percpu && round8(uint64(spec.ValueSize)) > pcpuMinUnitSize {
		return tooBig(spec, "value_size", "%d exceeds the per-CPU limit of %d", spec.ValueSize, pcpuMinUnitSize)
	}
	if spec.Type == HashOfMaps {
		if spec.ValueSize != 4 {
			return invalid(spec, "value_size", "%d, values of hash_of_maps are 4-byte map IDs", spec.ValueSize)
		}
		return validateInner(spec)
	}
	return nil
}

func validateInner(spec Spec) error {
	in := spec.InnerMap
	if in == nil {
		return invalid(spec, "inner map", "a map-in-map needs an inner map template")
	}
	if in.Type == ArrayOfMaps || in.Type == HashOfMaps {
		return invalid(spec, "inner map", "maps of maps cannot nest more than one level")
	}
	if err := Validate(*in); err != nil {
		return fmt.Errorf("inner map of %q: %w", spec.Name, err)
	}
	return nil
}

func validateLPM(spec Spec) error {
	if err := checkMaxEntries(spec); err != nil {
		return err
	}
	if spec.Flags&FlagNoPrealloc == 0 {
		return invalid(spec, "flags", "LPM tries require BPF_F_NO_PREALLOC")
	}
	if spec.Flags&^lpmFlags != 0 {
		return invalid(spec, "flags", "%#x has flags LPM tries do not take", spec.Flags)
	}
	if spec.KeySize < 4+1 || spec.KeySize > 4+lpmDataSizeMax {
		return invalid(spec, "key_size", "%d, must be 4 (prefix length) plus 1 to %d data bytes", spec.KeySize, lpmDataSizeMax)
	}
	if spec.ValueSize < 1 || spec.ValueSize > kmallocMax-lpmDataSizeMax-64 {
		return invalid(spec, "value_size", "%d, must be between 1 and %d", spec.ValueSize, kmallocMax-lpmDataSizeMax-64)
	}
	return nil
}

func validateQueue(spec Spec) error {
	if err := checkMaxEntries(spec); err != nil {
		return err
	}
	if spec.KeySize != 0 {
		return invalid(spec, "key_size", "%d, queues and stacks have no key (key_size must be 0)", spec.KeySize)
	}
	if spec.ValueSize == 0 {
		return invalid(spec, "value_size", "must be greater than 0")
	}
	if spec.Flags&^queueFlags != 0 {
		return invalid(spec, "flags", "%#x has flags queues and stacks do not take", spec.Flags)
	}
	if spec.ValueSize > kmallocMax {
		return tooBig(spec, "value_size", "%d exceeds %d", spec.ValueSize, kmallocMax)
	}
	return nil
}

func validateRingBuf(spec Spec) error {
	if spec.Flags&^ringbufFlags != 0 {
		return invalid(spec, "flags", "%#x has flags ring buffers do not take", spec.Flags)
	}
	if spec.KeySize != 0 {
		return invalid(spec, "key_size", "%d, ring buffers have no key (key_size must be 0)", spec.KeySize)
	}
	if spec.ValueSize != 0 {
		return invalid(spec, "value_size", "%d, ring buffers have no value (value_size must be 0)", spec.ValueSize)
	}
	n := spec.MaxEntries
	if n == 0 || n&(n-1) != 0 || n%ringbufPage != 0 {
		return invalid(spec, "max_entries", "%d, must be a power of 2 and a multiple of the %d-byte page", n, ringbufPage)
	}
	if n > maxRingBufLen {
		return tooBig(spec, "max_entries", "%d exceeds %d", n, uint64(maxRingBufLen))
	}
	return nil
}
