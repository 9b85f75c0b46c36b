package progtype

import (
	"encoding/binary"
	"fmt"
)

// This file is the table-driven form of the kernel's *_is_valid_access
// functions, shared by every program type whose context is a Linux UAPI
// structure (struct __sk_buff, bpf_sock, bpf_sock_addr, bpf_sock_ops,
// pt_regs, ...). Each type lists its structure's fields with what a program
// may do with them; ctxLayout.access applies the kernel's size and alignment
// rules and names the field when it refuses an access.
//
// Host context blocks keep Linux's layout, so most fields map to
// themselves. Pointer fields that Linux declares as u32 (data, data_end,
// data_meta of __sk_buff) are 64-bit host addresses kept after the end of
// the structure; the loader widens the program's 4-byte loads of them.

// ctxField is one field (or array of fields) of a Linux context structure.
type ctxField struct {
	name string
	off  int32 // offset in the Linux structure
	size int32 // bytes in the Linux structure (the whole array for arrays)
	// elem is the element size of an array (cb[5], ip6[4]); 0 for scalars.
	elem int32
	// first is the index of the array's first element, for arrays whose
	// element 0 is a field of its own (bpf_sock_ops.args[0] is reply).
	first int32
	// host is the offset of the field in the host block; -1 means "at off".
	host int16
	// ptr marks a pointer the program may only load whole; a 4-byte Linux
	// pointer is widened to an 8-byte load of a host address.
	ptr         bool
	read, write bool
	// narrow allows loads smaller than the element (the kernel rewrites
	// them as a load and shift of the whole field).
	narrow bool
	// anySize allows 1, 2, 4 and 8-byte loads and stores at any aligned
	// offset inside the field (__sk_buff.cb).
	anySize bool
	// wide allows aligned 8-byte loads and stores across two u32 elements
	// (bpf_sock_addr.user_ip6 and msg_src_ip6).
	wide bool
	// store16 marks a u32 field the kernel stores as a u16 (tc_index,
	// tc_classid, queue_mapping): a 4-byte store becomes a 2-byte store of
	// the low half of the host's 4-byte slot, whose upper half stays 0.
	store16 bool
	// lowHalf limits narrow loads to the first two bytes (bpf_sock's
	// dst_port, a u16 followed by two bytes of padding).
	lowHalf bool
	// narrowAtStart limits narrow loads to the field's first byte (the
	// kernel matches some fields by their exact offset, so a load inside
	// them takes the whole-field rule).
	narrowAtStart bool
	// why replaces the generic refusal text when the field is refused.
	why string
}

// ctxLayout is a context structure as one program type sees it.
type ctxLayout struct {
	structName string // "__sk_buff"
	typeName   string // program type, for messages
	size       int32
	fields     []ctxField
}

// hostBigEndian says whether the host stores the most significant byte
// first; the low half of a u32 slot is then at offset 2.
var hostBigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// field returns the field containing offset off, or nil for padding.
func (l *ctxLayout) field(off int32) *ctxField {
	for i := range l.fields {
		f := &l.fields[i]
		if off >= f.off && off < f.off+f.size {
			return f
		}
	}
	return nil
}

// access is ContextAccess for the layout.
func (l *ctxLayout) access(off int32, size int, write bool) (int16, int, error) {
	if off < 0 || off >= l.size {
		return 0, 0, fmt.Errorf("access at offset %d is outside struct %s (%d bytes)", off, l.structName, l.size)
	}
	f := l.field(off)
	if f == nil {
		return 0, 0, fmt.Errorf("access at offset %d is padding in struct %s", off, l.structName)
	}
	kind, what := "load", "load of"
	if write {
		kind, what = "store", "store to"
	}
	fname := l.structName + "." + f.name
	if f.elem != 0 {
		fname = fmt.Sprintf("%s.%s[%d]", l.structName, f.name, (off-f.off)/f.elem+f.first)
	}
	if (write && !f.write) || (!write && !f.read) {
		if f.why != "" {
			return 0, 0, fmt.Errorf("%s %s (offset %d): %s", what, fname, off, f.why)
		}
		if write && f.read {
			return 0, 0, fmt.Errorf("store to %s (offset %d): the field is read-only in %s programs", fname, off, l.typeName)
		}
		return 0, 0, fmt.Errorf("%s %s (offset %d): the field is not accessible in %s programs", what, fname, off, l.typeName)
	}
	rel := off - f.off
	if size <= 0 || size > 8 || size&(size-1) != 0 || off%int32(size) != 0 || rel+int32(size) > f.size {
		return 0, 0, fmt.Errorf("%d-byte %s at offset %d of %s is misaligned or crosses the field's end", size, kind, off, fname)
	}
	unit := f.size
	if f.elem != 0 {
		unit = f.elem
	}
	ok := size == int(unit)
	switch {
	case f.anySize:
		ok = true
	case f.wide && size == 8:
		ok = true
	case f.narrow && !write && size < int(unit):
		ok = (!f.lowHalf || rel+int32(size) <= 2) && (!f.narrowAtStart || rel == 0)
	}
	if f.ptr {
		ok = size == int(f.size) && rel == 0
	}
	if !ok {
		return 0, 0, fmt.Errorf("%d-byte %s at offset %d of %s: only %s", size, kind, off, fname, f.allowed(write))
	}
	host := f.host
	if host < 0 {
		host = int16(f.off)
	}
	switch {
	case f.ptr:
		return host, 8, nil
	case write && f.store16:
		if hostBigEndian {
			host += 2
		}
		return host, 2, nil
	}
	return host + int16(rel), size, nil
}

// allowed describes the accesses a field permits, for messages.
func (f *ctxField) allowed(write bool) string {
	unit := f.size
	if f.elem != 0 {
		unit = f.elem
	}
	switch {
	case f.ptr:
		return fmt.Sprintf("aligned %d-byte loads of the whole pointer are allowed", f.size)
	case f.wide:
		return fmt.Sprintf("aligned %d-byte and 8-byte accesses are allowed", unit)
	case f.narrow && !write:
		return fmt.Sprintf("aligned loads of up to %d bytes are allowed", unit)
	}
	return fmt.Sprintf("aligned %d-byte %ss are allowed", unit, map[bool]string{false: "load", true: "store"}[write])
}

// u32s returns read-only u32 fields at consecutive offsets from off.
func u32s(off int32, narrow bool, names ...string) []ctxField {
	out := make([]ctxField, len(names))
	for i, n := range names {
		out[i] = ctxField{name: n, off: off + int32(4*i), size: 4, host: -1, read: true, narrow: narrow}
	}
	return out
}

// withFields returns a copy of fields with f applied to the named ones.
func withFields(fields []ctxField, f func(*ctxField), names ...string) []ctxField {
	out := append([]ctxField(nil), fields...)
	for i := range out {
		for _, n := range names {
			if out[i].name == n {
				f(&out[i])
			}
		}
	}
	return out
}

// writable makes fields writable.
func writable(f *ctxField) { f.write = true }

// refused makes fields inaccessible.
func refused(f *ctxField) { f.read, f.write = false, false }
