package amd64

import (
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/maps"
)

// fakeMap is a map laid out by hand, as the maps package lays out a map
// with a native route (maps/native.go): a descriptor followed by its
// blocks in one off-heap block. Tests use it to drive every route,
// including states (collisions, deleted slots, broken chains) that a real
// map reaches only under races.
type fakeMap struct {
	blk  *offheap.Block
	desc *maps.NativeDesc
	addr uintptr
	mem  []byte
	// free lists the unused hash slots (for the concurrent writer).
	free []uint32
}

// newFakeMap builds a map of route with the given geometry; buckets is a
// power of two (hash routes only).
func newFakeMap(t testing.TB, id, route uint32, keySize, valueSize, maxEntries, buckets, ncpu int) *fakeMap {
	t.Helper()
	elem := (valueSize + 7) &^ 7
	stride := elem
	switch route {
	case maps.RoutePerCPUArray, maps.RoutePerCPUHash, maps.RouteLRUPerCPUHash:
		stride = elem * ncpu
	case maps.RouteArrayOfMaps, maps.RouteHashOfMaps:
		elem, stride = 8, 8
	}
	slotStride := 8 + (keySize+7)&^7
	off := 128
	take := func(n int) int { o := off; off += (n + 63) &^ 63; return o }
	keys := take(maxEntries * slotStride)
	bk := take(buckets * 4)
	next := take(maxEntries * 4)
	hashes := take(maxEntries * 4)
	values := take(maxEntries * stride)
	blk, err := offheap.Alloc(off)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	f := &fakeMap{blk: blk, addr: blk.Addr(), mem: blk.Bytes()}
	f.desc = (*maps.NativeDesc)(unsafe.Pointer(&f.mem[0]))
	d := f.desc
	a := uint64(f.addr)
	*d = maps.NativeDesc{ID: id, Route: route, KeySize: uint32(keySize), ValueSize: uint32(valueSize),
		MaxEntries: uint32(maxEntries), NCPU: uint32(ncpu), Values: a + uint64(values), Elem: uint64(elem), Stride: uint64(stride)}
	if route >= maps.RouteHash && route != maps.RouteArrayOfMaps {
		d.Keys, d.State, d.SlotStride = a+uint64(keys)+8, a+uint64(keys), uint64(slotStride)
		d.Buckets, d.Next, d.Hashes = a+uint64(bk), a+uint64(next), a+uint64(hashes)
		d.BucketMask = uint32(buckets - 1)
		d.Seed = 0x1234_5678_9abc_def1 ^ uint64(keySize)
		for b := 0; b < buckets; b++ {
			f.setHead(uint32(b), maps.NativeChainEnd|uint32(b))
		}
		for s := maxEntries - 1; s >= 0; s-- {
			f.free = append(f.free, uint32(s))
		}
	}
	return f
}

// u32 returns the u32 at address a inside the map's block.
func (f *fakeMap) u32(a uint64) *uint32 {
	return (*uint32)(unsafe.Pointer(&f.mem[uintptr(a)-f.addr]))
}

func (f *fakeMap) head(b uint32) *uint32 { return f.u32(f.desc.Buckets + 4*uint64(b)) }
func (f *fakeMap) next(s uint32) *uint32 { return f.u32(f.desc.Next + 4*uint64(s)) }
func (f *fakeMap) hash(s uint32) *uint32 { return f.u32(f.desc.Hashes + 4*uint64(s)) }
func (f *fakeMap) state(s uint32) *uint32 {
	return f.u32(f.desc.State + uint64(s)*f.desc.SlotStride)
}
func (f *fakeMap) ref(s uint32) *uint32 {
	return f.u32(f.desc.State + uint64(s)*f.desc.SlotStride + 4)
}
func (f *fakeMap) setHead(b, v uint32) { atomic.StoreUint32(f.head(b), v) }

// keyBytes returns slot s's key.
func (f *fakeMap) keyBytes(s uint32) []byte {
	o := uintptr(f.desc.Keys+uint64(s)*f.desc.SlotStride) - f.addr
	return f.mem[o : o+uintptr(f.desc.KeySize)]
}

// valueAddr is the address the lookup returns for index/slot s on cpu.
func (f *fakeMap) valueAddr(s uint32, cpu int) uint64 {
	v := f.desc.Values + uint64(s)*f.desc.Stride
	switch f.desc.Route {
	case maps.RoutePerCPUArray, maps.RoutePerCPUHash, maps.RouteLRUPerCPUHash:
		v += uint64(cpu) * f.desc.Elem
	}
	return v
}

// setID stores an inner map ID at index/slot s (maps of maps).
func (f *fakeMap) setID(s, id uint32) { atomic.StoreUint32(f.u32(f.valueAddr(s, 0)), id) }

// insert writes key into slot s and publishes it at the head of its
// bucket, as the writer protocol says: slot contents first, then one
// atomic store of the link.
func (f *fakeMap) insert(s uint32, key []byte) {
	copy(f.keyBytes(s), key)
	h := maps.NativeHash(key, f.desc.Seed)
	atomic.StoreUint32(f.hash(s), h)
	atomic.StoreUint32(f.state(s), 1)
	atomic.StoreUint32(f.ref(s), 0)
	b := h & f.desc.BucketMask
	atomic.StoreUint32(f.next(s), atomic.LoadUint32(f.head(b)))
	f.setHead(b, s)
}

// unlink removes slot s from its bucket's chain with one atomic store and
// marks it unused.
func (f *fakeMap) unlink(s uint32) {
	b := atomic.LoadUint32(f.hash(s)) & f.desc.BucketMask
	p := f.head(b)
	for n := atomic.LoadUint32(p); n&maps.NativeChainEnd == 0; n = atomic.LoadUint32(p) {
		if n == s {
			atomic.StoreUint32(p, atomic.LoadUint32(f.next(s)))
			atomic.StoreUint32(f.state(s), 0)
			return
		}
		p = f.next(n)
	}
	panic("fakeMap.unlink: slot not linked")
}

// install puts f's descriptor into the global table (for dynamic
// lookups) until the test ends.
func (f *fakeMap) install(t testing.TB) {
	t.Helper()
	e := tableEntry(t, f.desc.ID)
	old := atomic.LoadUint64(e)
	atomic.StoreUint64(e, uint64(f.addr))
	t.Cleanup(func() { atomic.StoreUint64(e, old) })
}

// tableEntry returns the global table's entry for id.
func tableEntry(t testing.TB, id uint32) *uint64 {
	tab := maps.NativeTableAddr()
	if tab == 0 {
		t.Fatal("no native table")
	}
	return (*uint64)(unsafe.Add(unsafe.Pointer(nil), tab+uintptr(id&maps.NativeTableMask)*8))
}

// keyOf returns an n-byte key, different for each seed.
func keyOf(n int, seed byte) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = seed*31 + byte(i)*7 + byte(n)
	}
	return k
}
