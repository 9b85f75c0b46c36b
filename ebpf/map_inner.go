package ebpf

import (
	"encoding/binary"

	"github.com/bpfhost/bpfhost/maps"
)

// update stores value under key. A map-in-map update from user space also
// makes the outer map hold the inner map it names (as fillContents does
// for a collection's contents): programs reach inner maps by ID through the
// outer map, on the Go route and through the native descriptor table, so
// an inner map must not be freed while the outer map can still hand out
// its ID. The reference is taken before the update, so the inner map cannot
// be freed between the two, and kept until the outer map is released
// (conservative, like holdInner: a later delete does not drop it).
func (m *mapObj) update(key, value []byte, flags uint64) error {
	if m.spec.Type != maps.ArrayOfMaps && m.spec.Type != maps.HashOfMaps || len(value) < 4 {
		return m.m.Update(key, value, flags)
	}
	var in *mapObj
	if w, ok := wrappers.Load(binary.NativeEndian.Uint32(value)); ok && w.(*mapObj).tryAcquire() {
		in = w.(*mapObj)
	}
	if err := m.m.Update(key, value, flags); err != nil {
		if in != nil {
			in.release()
		}
		return err
	}
	if in == nil {
		return nil
	}
	m.innerMu.Lock()
	for _, h := range m.inner {
		if h == in { // already held: one reference is enough
			m.innerMu.Unlock()
			in.release()
			return nil
		}
	}
	m.inner = append(m.inner, in)
	m.innerMu.Unlock()
	return nil
}

// tryAcquire takes a reference unless the last one is already gone (the
// map is being freed).
func (m *mapObj) tryAcquire() bool {
	for {
		n := m.refs.Load()
		if n <= 0 {
			return false
		}
		if m.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}
