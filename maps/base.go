package maps

import (
	"fmt"
	"sync/atomic"
)

// base is what every map implementation shares: its description, CPU
// count, registry ID and storage.
type base struct {
	spec Spec
	ncpu int
	id   uint32 // atomic
	// closed is set (atomically) by Close; user-space calls then fail
	// with EBADF instead of touching unmapped memory.
	closed uint32
	st     *storage
	// exported is how many bytes at the start of the value part programs
	// may address (Regions); 0 for types whose values are private.
	exported uint64
	// desc is the map's native descriptor (native_desc.go), nil for types
	// without a native route. Set at creation, before the map is shared.
	desc *NativeDesc
}

// Spec returns the map's description.
func (b *base) Spec() Spec {
	s := b.spec
	if s.InnerMap != nil {
		in := *s.InnerMap
		s.InnerMap = &in
	}
	return s
}

// ID returns the map's registry ID (0 before Register).
func (b *base) ID() uint32 { return atomic.LoadUint32(&b.id) }

// SetID records the registry ID (called by Register), also in the native
// descriptor, unless the map is closed.
func (b *base) SetID(id uint32) {
	atomic.StoreUint32(&b.id, id)
	if b.desc != nil && atomic.LoadUint32(&b.closed) == 0 {
		atomic.StoreUint32(&b.desc.ID, id)
	}
}

// Regions lists the program-addressable value memory of the map.
func (b *base) Regions() []Region {
	if b.exported == 0 || b.st == nil || uint64(len(b.st.vals)) < b.exported {
		return nil
	}
	start := b.st.valsAddr()
	return []Region{{Start: start, End: start + uintptr(b.exported)}}
}

// Sync flushes a file-backed map's storage to stable storage.
func (b *base) Sync() error { return b.st.blk.Sync() }

// errf wraps an errno with a message naming the map and operation.
func (b *base) errf(e Errno, format string, args ...any) error {
	return fmt.Errorf("%w: %s map %q: %s", e, b.spec.Type, b.spec.Name, fmt.Sprintf(format, args...))
}

// userValueSize is the size of a value buffer in user-space calls: for
// per-CPU maps one value per CPU, each rounded up to 8 bytes.
func (b *base) userValueSize() int {
	if b.spec.Type.PerCPU() {
		return b.ncpu * int(round8(uint64(b.spec.ValueSize)))
	}
	return int(b.spec.ValueSize)
}

// live returns EBADF once the map is closed.
func (b *base) live() error {
	if atomic.LoadUint32(&b.closed) != 0 {
		return b.errf(EBADF, "map is closed")
	}
	return nil
}

// close marks the map closed and frees its storage (idempotent). The native
// descriptor is retired first, so generated code that reaches the map
// through the global table from now on takes the Go route, which fails
// cleanly. See storage.free for why unmapping is safe.
func (b *base) close() error {
	if atomic.SwapUint32(&b.closed, 1) != 0 {
		return nil
	}
	b.retireDesc()
	return b.st.free()
}

// access enforces BPF_F_RDONLY and BPF_F_WRONLY on user-space calls as
// the kernel's map_get_sys_perms does: EPERM for a read of a write-only map
// or a write to a read-only one. Programs are not affected.
func (b *base) access(read, write bool) error {
	if read && b.spec.Flags&FlagWrOnly != 0 {
		return b.errf(EPERM, "map is write-only for user space (BPF_F_WRONLY)")
	}
	if write && b.spec.Flags&FlagRdOnly != 0 {
		return b.errf(EPERM, "map is read-only for user space (BPF_F_RDONLY)")
	}
	return nil
}

func (b *base) checkKey(key []byte) error {
	if err := b.live(); err != nil {
		return err
	}
	if len(key) != int(b.spec.KeySize) {
		return b.errf(EINVAL, "key of %d bytes, the map's key size is %d", len(key), b.spec.KeySize)
	}
	return nil
}

func (b *base) checkUserValue(value []byte) error {
	if err := b.live(); err != nil {
		return err
	}
	if n := b.userValueSize(); len(value) != n {
		return b.errf(EINVAL, "value buffer of %d bytes, expected %d", len(value), n)
	}
	return nil
}

func (b *base) checkProgValue(value []byte) error {
	if len(value) != int(b.spec.ValueSize) {
		return b.errf(EINVAL, "value of %d bytes, the map's value size is %d", len(value), b.spec.ValueSize)
	}
	return nil
}

// validFlags reports whether update flags are BPF_ANY, BPF_NOEXIST or
// BPF_EXIST (BPF_F_LOCK needs a bpf_spin_lock in the value, which bpfhost
// maps never have, so the kernel refuses it too).
func validFlags(flags uint64) bool { return flags <= UpdateExist }

var flagNames = [...]string{"BPF_ANY", "BPF_NOEXIST", "BPF_EXIST"}

var errnoHints = map[Errno]string{
	ENOENT: "no such element",
	EEXIST: "element exists",
	E2BIG:  "map full or index out of range",
	ENOSPC: "map full",
	EINVAL: "invalid argument or flags",
}

// explain turns the bare Errno of a program-side operation (which must not
// allocate) into a descriptive error for user space, naming the map, the
// operation, the key and the flags.
func (b *base) explain(err error, op string, key []byte, flags uint64) error {
	e, ok := err.(Errno)
	if !ok {
		return err
	}
	f := fmt.Sprintf("flags %#x", flags)
	if flags < uint64(len(flagNames)) {
		f = flagNames[flags]
	}
	what := op
	if key != nil {
		what = fmt.Sprintf("%s key %x", op, key)
	}
	if op == "update" || op == "push" {
		what += " (" + f + ")"
	}
	hint := errnoHints[e]
	if hint == "" {
		hint = e.Error()
	}
	return fmt.Errorf("%w: %s map %q: %s: %s", e, b.spec.Type, b.spec.Name, what, hint)
}
