package maps

import "encoding/binary"

// arrayMap implements BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.
// Every element exists from creation and is zeroed; elements are
// round_up(value_size, 8) apart, per-CPU elements hold one such value per
// CPU in CPU order. No lock: values are shared memory that programs and user
// space read and write concurrently, exactly as with the kernel's arrays.
type arrayMap struct {
	base
	elem   uint64 // round_up(value_size, 8)
	stride uint64 // bytes per index (elem, or elem*ncpu for per-CPU)
}

func newArray(b base, opts Options, reopen bool) (*arrayMap, error) {
	m := &arrayMap{base: b, elem: round8(uint64(b.spec.ValueSize))}
	m.stride = m.elem
	if b.spec.Type.PerCPU() {
		m.stride *= uint64(b.ncpu)
	}
	size := m.stride * uint64(b.spec.MaxEntries)
	if size/uint64(b.spec.MaxEntries) != m.stride || size > maxStorage {
		return nil, layoutError(b.spec, "values")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, 0, size, reopen)
	if err != nil {
		return nil, err
	}
	m.st, m.exported = st, size
	m.describe()
	return m, nil
}

// describe publishes the array's native descriptor: value i (of CPU c) is
// at Values + i*Stride (+ c*Elem), the addresses LookupElem computes.
func (m *arrayMap) describe() {
	d := newNativeDesc()
	if d == nil || m.st.valsAddr() == 0 {
		return
	}
	d.Values, d.Elem, d.Stride = uint64(m.st.valsAddr()), m.elem, m.stride
	route := uint32(RouteArray)
	if m.spec.Type.PerCPU() {
		d.NCPU = uint32(m.ncpu)
		route = RoutePerCPUArray
	}
	m.publishDesc(d, route)
}

// index decodes an array key (a native-endian u32).
func index(key []byte) uint32 { return binary.NativeEndian.Uint32(key) }

func (m *arrayMap) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	i := index(key)
	if i >= m.spec.MaxEntries {
		return m.errf(ENOENT, "index %d out of range (max_entries %d)", i, m.spec.MaxEntries)
	}
	m.copyOut(value, i)
	return nil
}

func (m *arrayMap) copyOut(value []byte, i uint32) {
	off := uint64(i) * m.stride
	if m.spec.Type.PerCPU() {
		copy(value, m.st.vals[off:off+m.stride])
	} else {
		copy(value, m.st.vals[off:off+uint64(m.spec.ValueSize)])
	}
}

func (m *arrayMap) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	i, err := m.checkUpdate(key, flags)
	if err != nil {
		return m.explain(err, "update", key, flags)
	}
	off := uint64(i) * m.stride
	copy(m.st.vals[off:off+m.stride], value)
	return nil
}

// checkUpdate applies the kernel's checks of an array update; it returns
// bare Errno values (programs' updates must not allocate).
func (m *arrayMap) checkUpdate(key []byte, flags uint64) (uint32, error) {
	if !validFlags(flags) {
		return 0, EINVAL
	}
	i := index(key)
	if i >= m.spec.MaxEntries {
		return 0, E2BIG
	}
	if flags == UpdateNoExist {
		return 0, EEXIST
	}
	return i, nil
}

func (m *arrayMap) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	return m.errf(EINVAL, "array elements cannot be deleted")
}

func (m *arrayMap) NextKey(key, next []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	return arrayNextKey(&m.base, key, next)
}

// arrayNextKey implements get_next_key of every array-like map: a missing
// or out-of-range key yields index 0, the last index ENOENT.
func arrayNextKey(b *base, key, next []byte) error {
	if err := b.live(); err != nil {
		return err
	}
	if key != nil {
		if err := b.checkKey(key); err != nil {
			return err
		}
	}
	if len(next) != 4 {
		return b.errf(EINVAL, "next key buffer of %d bytes, expected 4", len(next))
	}
	n := uint32(0)
	if key != nil {
		if i := index(key); i < b.spec.MaxEntries {
			if i == b.spec.MaxEntries-1 {
				return ENOENT // the end of every walk: bare, so walks never allocate
			}
			n = i + 1
		}
	}
	binary.NativeEndian.PutUint32(next, n)
	return nil
}

func (m *arrayMap) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "lookup-and-delete is not supported by arrays")
}

func (m *arrayMap) LookupElem(key []byte, cpu int) uintptr {
	if len(key) < 4 {
		return 0
	}
	i := index(key)
	if i >= m.spec.MaxEntries {
		return 0
	}
	off := uint64(i) * m.stride
	if m.spec.Type.PerCPU() {
		if cpu < 0 || cpu >= m.ncpu {
			return 0
		}
		off += uint64(cpu) * m.elem
	}
	return m.st.valsAddr() + uintptr(off)
}

// UpdateElem is a program's update; it returns bare Errno values.
func (m *arrayMap) UpdateElem(key, value []byte, flags uint64, cpu int) error {
	if len(key) != 4 || len(value) != int(m.spec.ValueSize) {
		return EINVAL
	}
	i, err := m.checkUpdate(key, flags)
	if err != nil {
		return err
	}
	off := uint64(i) * m.stride
	if m.spec.Type.PerCPU() {
		if cpu < 0 || cpu >= m.ncpu {
			return EINVAL
		}
		off += uint64(cpu) * m.elem
	}
	copy(m.st.vals[off:off+uint64(len(value))], value)
	return nil
}

// DeleteElem is a program's delete: always EINVAL for arrays.
func (m *arrayMap) DeleteElem(key []byte) error { return EINVAL }

// Close releases the map's memory.
func (m *arrayMap) Close() error { return m.close() }

// ValueAddr returns the address of the first value (for global data:
// ld_imm64 pseudo map value references offset into it).
func (m *arrayMap) ValueAddr() uintptr { return m.st.valsAddr() }
