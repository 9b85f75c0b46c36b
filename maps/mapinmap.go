package maps

import (
	"encoding/binary"
	"sync/atomic"
)

// checkInner tests that the map with ID id may be stored in the map-in-map
// b: it must exist (EBADF otherwise, as for a bad descriptor) and match the
// inner map template like the kernel's bpf_map_meta_equal (EINVAL).
func checkInner(b *base, id uint32) error {
	in := ByID(id)
	if in == nil {
		return b.errf(EBADF, "no map with ID %d", id)
	}
	got, want := in.Spec(), b.spec.InnerMap
	if want == nil {
		return b.errf(EINVAL, "no inner map template")
	}
	switch {
	case got.Type != want.Type:
		return b.errf(EINVAL, "inner map %d has type %s, the template %s", id, got.Type, want.Type)
	case got.KeySize != want.KeySize:
		return b.errf(EINVAL, "inner map %d has key size %d, the template %d", id, got.KeySize, want.KeySize)
	case got.ValueSize != want.ValueSize:
		return b.errf(EINVAL, "inner map %d has value size %d, the template %d", id, got.ValueSize, want.ValueSize)
	case got.MaxEntries != want.MaxEntries && !(want.Type == Array && want.Flags&FlagInnerMap != 0):
		return b.errf(EINVAL, "inner map %d has max_entries %d, the template %d", id, got.MaxEntries, want.MaxEntries)
	case got.Flags != want.Flags:
		return b.errf(EINVAL, "inner map %d has flags %#x, the template %#x", id, got.Flags, want.Flags)
	}
	return nil
}

// hashOfMaps implements BPF_MAP_TYPE_HASH_OF_MAPS: a hash map whose private
// 4-byte values are inner map IDs.
type hashOfMaps struct {
	*hashMap
}

func (m *hashOfMaps) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	if !validFlags(flags) {
		return m.explain(EINVAL, "update", key, flags)
	}
	if err := checkInner(&m.base, binary.NativeEndian.Uint32(value)); err != nil {
		return err
	}
	return m.hashMap.Update(key, value, flags)
}

func (m *hashOfMaps) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "lookup-and-delete is not supported by hash_of_maps")
}

// LookupElem returns 0; programs reach inner maps through Inner.
func (m *hashOfMaps) LookupElem(key []byte, cpu int) uintptr { return 0 }

// UpdateElem returns EINVAL: programs cannot update maps of maps.
func (m *hashOfMaps) UpdateElem(key, value []byte, flags uint64, cpu int) error { return EINVAL }

// DeleteElem returns EINVAL: programs cannot delete from maps of maps.
func (m *hashOfMaps) DeleteElem(key []byte) error { return EINVAL }

// Inner returns the inner map ID stored under key, or 0.
func (m *hashOfMaps) Inner(key []byte) uint32 {
	if len(key) != int(m.spec.KeySize) {
		return 0
	}
	s, ok := m.find(key)
	if !ok {
		return 0
	}
	return atomic.LoadUint32(u32at(m.st.vals, uint64(s)*m.stride))
}
