package maps

import (
	"encoding/binary"
	"sync/atomic"
)

// fdArray implements the arrays whose values are references to kernel
// objects: BPF_MAP_TYPE_PROG_ARRAY (program IDs) and ARRAY_OF_MAPS (map
// IDs). In the kernel user space writes file descriptors and reads back
// IDs; bpfhost has no descriptors, so both directions carry 4-byte IDs.
//
// Each index is one u64 in the private part: bit 32 says whether the slot
// is set, the low 32 bits hold the ID. Single-word atomic loads and stores
// make tail calls and inner-map lookups lock-free.
type fdArray struct {
	base
}

const fdPresent = 1 << 32

func newFDArray(b base, opts Options, reopen bool) (*fdArray, error) {
	st, err := newStorage(b.spec, opts, b.ncpu, 8*uint64(b.spec.MaxEntries), 0, reopen)
	if err != nil {
		return nil, err
	}
	b.st = st
	m := &fdArray{base: b}
	m.describe()
	return m, nil
}

// describe publishes the native descriptor of a prog array or array of
// maps: entry i is the u64 at Values + i*8 whose low u32 (little-endian
// hosts: the u32 at the same address) is the ID, 0 when the index is
// empty. Every entry that is set holds a non-zero ID (Update refuses
// program ID 0 and map IDs that name no map), and Delete clears the whole
// word, so the low u32 alone tells native code everything get tells Go
// (Program and Inner return that u32 too).
func (m *fdArray) describe() {
	var route uint32
	switch m.spec.Type {
	case ProgArray:
		route = RouteProgArray
	case ArrayOfMaps:
		route = RouteArrayOfMaps
	default:
		return
	}
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return // big-endian: the ID is not at the entry's address (no JIT there anyway)
	}
	d := newNativeDesc()
	if d == nil {
		return
	}
	d.Values, d.Elem, d.Stride = uint64(m.st.metaAddr()+storageHeader), 8, 8
	m.publishDesc(d, route)
}

func (m *fdArray) entry(i uint32) *uint64 { return u64at(m.st.meta, storageHeader+8*uint64(i)) }

// get returns the ID at index i and whether the slot is set.
func (m *fdArray) get(i uint32) (uint32, bool) {
	if i >= m.spec.MaxEntries {
		return 0, false
	}
	e := atomic.LoadUint64(m.entry(i))
	return uint32(e), e&fdPresent != 0
}

func (m *fdArray) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	if m.spec.Type == PerfEventArray {
		return m.errf(ENOTSUPP, "perf event array elements cannot be read")
	}
	id, ok := m.get(index(key))
	if !ok {
		return m.errf(ENOENT, "index %d is empty", index(key))
	}
	binary.NativeEndian.PutUint32(value, id)
	return nil
}

func (m *fdArray) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	if flags != UpdateAny {
		return m.errf(EINVAL, "update flags %#x (only BPF_ANY is valid for this type)", flags)
	}
	i := index(key)
	if i >= m.spec.MaxEntries {
		return m.errf(E2BIG, "index %d out of range (max_entries %d)", i, m.spec.MaxEntries)
	}
	id := binary.NativeEndian.Uint32(value)
	switch m.spec.Type {
	case ProgArray:
		if id == 0 {
			return m.errf(EINVAL, "program ID 0")
		}
	case ArrayOfMaps:
		if err := checkInner(&m.base, id); err != nil {
			return err
		}
	}
	atomic.StoreUint64(m.entry(i), fdPresent|uint64(id))
	return nil
}

func (m *fdArray) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	i := index(key)
	if i >= m.spec.MaxEntries {
		return m.errf(E2BIG, "index %d out of range (max_entries %d)", i, m.spec.MaxEntries)
	}
	if atomic.SwapUint64(m.entry(i), 0)&fdPresent == 0 {
		return m.errf(ENOENT, "index %d is empty", i)
	}
	return nil
}

func (m *fdArray) NextKey(key, next []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	return arrayNextKey(&m.base, key, next)
}
func (m *fdArray) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "lookup-and-delete is not supported by this type")
}

// LookupElem returns 0: programs reach prog arrays through bpf_tail_call
// and inner maps through Inner, which the helper layer turns into handles.
func (m *fdArray) LookupElem(key []byte, cpu int) uintptr { return 0 }

// UpdateElem returns EINVAL: programs cannot update this map type.
func (m *fdArray) UpdateElem(key, value []byte, flags uint64, cpu int) error { return EINVAL }

// DeleteElem returns EINVAL: programs cannot delete from this map type.
func (m *fdArray) DeleteElem(key []byte) error { return EINVAL }

// progArray implements BPF_MAP_TYPE_PROG_ARRAY.
type progArray struct{ *fdArray }

// Program returns the program ID at index, or 0.
func (m progArray) Program(index uint32) uint32 {
	id, _ := m.get(index)
	return id
}

// arrayOfMaps implements BPF_MAP_TYPE_ARRAY_OF_MAPS.
type arrayOfMaps struct{ *fdArray }

// Inner returns the inner map ID stored under key, or 0.
func (m arrayOfMaps) Inner(key []byte) uint32 {
	if len(key) != 4 {
		return 0
	}
	id, _ := m.get(index(key))
	return id
}

// Close releases the map's memory.
func (m *fdArray) Close() error { return m.close() }

var (
	_ ProgArrayMap = progArray{}
	_ MapOfMaps    = arrayOfMaps{}
	_ MapOfMaps    = (*hashOfMaps)(nil)
)
