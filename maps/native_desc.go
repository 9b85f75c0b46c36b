package maps

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
)

// Descriptor storage and publication (see native.go for the contract).
//
// Descriptors are carved from off-heap slabs that are never freed and whose
// descriptors are never reused: generated code that found a descriptor in
// the global table just before its map closed may still read it, and must
// then see RouteNone/ID 0 (which Close stores first), never another map's
// fields under a matching ID. A descriptor is NativeDescSize bytes, so the
// cost is 112 bytes per map ever created.

// nativeSlabBytes is the size of one descriptor slab.
const nativeSlabBytes = 64 << 10

var nativeSlab struct {
	mu   sync.Mutex
	mem  []byte // the rest of the current slab
	errd bool   // an allocation failed: maps get no descriptor
}

// newNativeDesc returns a zeroed descriptor, or nil when no off-heap memory
// could be had (the map then simply has no native route).
func newNativeDesc() *NativeDesc {
	s := &nativeSlab
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.mem) < NativeDescSize {
		if s.errd {
			return nil
		}
		blk, err := offheap.Alloc(nativeSlabBytes)
		if err != nil {
			s.errd = true
			return nil
		}
		s.mem = blk.Bytes() // never freed (see above)
	}
	d := (*NativeDesc)(unsafe.Pointer(unsafe.SliceData(s.mem)))
	s.mem = s.mem[NativeDescSize:]
	return d
}

// nativeDesc returns the map's descriptor (nil if it has none).
func (b *base) nativeDesc() *NativeDesc { return b.desc }

// publishDesc makes a filled-in descriptor live: route is stored last (with
// an atomic store, after every other field), so a reader that sees a route
// sees the fields it needs. The ID is stored by SetID at registration.
func (b *base) publishDesc(d *NativeDesc, route uint32) {
	if d == nil {
		return
	}
	d.KeySize, d.ValueSize, d.MaxEntries = b.spec.KeySize, b.spec.ValueSize, b.spec.MaxEntries
	b.desc = d
	atomic.StoreUint32(&d.Route, route)
}

// retireDesc is the first step of Close: the descriptor stops offering a
// route (Route, then ID, so a table reader checking the ID and then the
// route fails one test or the other) and leaves the global table, before
// any memory it points to is freed.
func (b *base) retireDesc() {
	d := b.desc
	if d == nil {
		return
	}
	atomic.StoreUint32(&d.Route, RouteNone)
	id := atomic.SwapUint32(&d.ID, 0)
	if id != 0 {
		tableClear(id, d)
	}
}

// tableSet points the global table's entry for id at d (replacing a map
// whose ID has the same low bits: that map then takes the Go route when
// reached through the table).
func tableSet(id uint32, d *NativeDesc) {
	t, err := nativeTable()
	if err != nil || d == nil {
		return
	}
	atomic.StoreUint64(&t[id&NativeTableMask], uint64(uintptr(unsafe.Pointer(d))))
}

// tableClear empties the global table's entry for id if it still points at
// d (not at a later map that took the entry over).
func tableClear(id uint32, d *NativeDesc) {
	t, err := nativeTable()
	if err != nil || d == nil {
		return
	}
	atomic.CompareAndSwapUint64(&t[id&NativeTableMask], uint64(uintptr(unsafe.Pointer(d))), 0)
}

// nativeRegister publishes m's descriptor under id (called by Register
// after SetID).
func nativeRegister(m Map, id uint32) {
	if d, ok := m.(nativeDescriber); ok {
		if desc := d.nativeDesc(); desc != nil && atomic.LoadUint32(&desc.ID) == id {
			tableSet(id, desc)
		}
	}
}

// nativeUnregister removes m's descriptor from the global table (the
// descriptor itself stays valid for constant references until Close).
func nativeUnregister(m Map, id uint32) {
	if d, ok := m.(nativeDescriber); ok {
		tableClear(id, d.nativeDesc())
	}
}
