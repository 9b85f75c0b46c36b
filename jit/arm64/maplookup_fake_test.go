package arm64_test

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// fakeMap is a hand-built map in off-heap memory with a maps.NativeDesc in
// the layout of maps/native.go: what the native routes read, written the
// way maps/native.go says writers write (slot contents first, then one
// atomic store that links the slot).
type fakeMap struct {
	blk  *offheap.Block
	desc *maps.NativeDesc
	addr uintptr
	used int // bump allocator offset in blk
	free int // next never-used slot
}

func round8(n int) int { return (n + 7) &^ 7 }

// newFakeMap builds a map of route with key size ks, value size vs,
// max entries max, ncpu per-CPU values and buckets buckets (a power of
// two; hash routes only).
func newFakeMap(t testing.TB, route uint32, ks, vs, max, ncpu, buckets int) *fakeMap {
	t.Helper()
	elem := round8(vs)
	stride := elem
	if route == maps.RoutePerCPUArray || route == maps.RoutePerCPUHash || route == maps.RouteLRUPerCPUHash {
		stride = elem * ncpu
	}
	slotStride := round8(8 + ks)
	size := maps.NativeDescSize + max*stride + max*slotStride + 4*buckets + 8*max + 64
	blk, err := offheap.Alloc(size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	f := &fakeMap{blk: blk, addr: blk.Addr(), used: maps.NativeDescSize}
	f.desc = (*maps.NativeDesc)(unsafe.Pointer(&blk.Bytes()[0]))
	d := f.desc
	d.Route = route
	d.KeySize, d.ValueSize, d.MaxEntries, d.NCPU = uint32(ks), uint32(vs), uint32(max), uint32(ncpu)
	d.Elem, d.Stride = uint64(elem), uint64(stride)
	d.Values = f.alloc(max * stride)
	switch route {
	case maps.RouteHash, maps.RoutePerCPUHash, maps.RouteLRUHash, maps.RouteLRUPerCPUHash, maps.RouteHashOfMaps:
		slots := f.alloc(max * slotStride)
		d.State, d.Keys, d.SlotStride = slots, slots+8, uint64(slotStride)
		d.Buckets = f.alloc(4 * buckets)
		d.Next = f.alloc(4 * max)
		d.Hashes = f.alloc(4 * max)
		d.BucketMask = uint32(buckets - 1)
		d.Seed = 0x0123456789abcdef ^ uint64(ks)<<40 ^ uint64(route)
		for b := 0; b < buckets; b++ {
			*f.u32(d.Buckets + uint64(4*b)) = maps.NativeChainEnd | uint32(b)
		}
	}
	return f
}

func (f *fakeMap) alloc(n int) uint64 {
	a := uint64(f.addr) + uint64(f.used)
	f.used += round8(n)
	return a
}

func (f *fakeMap) u32(addr uint64) *uint32 {
	return (*uint32)(unsafe.Pointer(&f.blk.Bytes()[addr-uint64(f.addr)]))
}

func (f *fakeMap) bytes(addr uint64, n int) []byte {
	return f.blk.Bytes()[addr-uint64(f.addr):][:n]
}

func (f *fakeMap) head(b uint32) *uint32 { return f.u32(f.desc.Buckets + uint64(4*b)) }
func (f *fakeMap) next(s uint32) *uint32 { return f.u32(f.desc.Next + uint64(4*s)) }
func (f *fakeMap) hash(s uint32) *uint32 { return f.u32(f.desc.Hashes + uint64(4*s)) }
func (f *fakeMap) state(s uint32) *uint32 {
	return f.u32(f.desc.State + uint64(s)*f.desc.SlotStride)
}
func (f *fakeMap) ref(s uint32) *uint32 {
	return f.u32(f.desc.State + uint64(s)*f.desc.SlotStride + 4)
}
func (f *fakeMap) key(s uint32) []byte {
	return f.bytes(f.desc.Keys+uint64(s)*f.desc.SlotStride, int(f.desc.KeySize))
}

// value returns the address of index/slot i's value (of cpu's copy).
func (f *fakeMap) value(i uint32, cpu int) uint64 {
	return f.desc.Values + uint64(i)*f.desc.Stride + uint64(cpu)*f.desc.Elem
}

// setID stores an inner map ID in index/slot i (map-in-map routes).
func (f *fakeMap) setID(i, id uint32) { atomic.StoreUint32(f.u32(f.value(i, 0)), id) }

// insert adds key to the hash index (forcing its stored hash to h when
// h is not nil) and returns its slot.
func (f *fakeMap) insert(key []byte, h *uint32) uint32 {
	s := uint32(f.free)
	f.free++
	hv := maps.NativeHash(key, f.desc.Seed)
	b := hv & f.desc.BucketMask
	if h != nil {
		hv = *h
	}
	copy(f.key(s), key)
	*f.hash(s) = hv
	atomic.StoreUint32(f.state(s), 1)
	atomic.StoreUint32(f.next(s), atomic.LoadUint32(f.head(b)))
	atomic.StoreUint32(f.head(b), s)
	return s
}

// remove unlinks slot s (hashed to bucket b) and marks it free.
func (f *fakeMap) remove(s, b uint32) {
	p := f.head(b)
	for n := atomic.LoadUint32(p); n&maps.NativeChainEnd == 0; n = atomic.LoadUint32(p) {
		if n == s {
			atomic.StoreUint32(p, atomic.LoadUint32(f.next(s)))
			break
		}
		p = f.next(n)
	}
	atomic.StoreUint32(f.state(s), 0)
}

// Outcomes of a lookup by the reference reader.
const (
	refMiss = iota
	refHit
	refSlow // restarts ran out: the Go helper decides
)

// find is the reader of maps/native.go, in Go: the reference the native
// code is held to.
func (f *fakeMap) find(key []byte) (uint32, int) {
	d := f.desc
	h := maps.NativeHash(key, d.Seed)
	b := h & d.BucketMask
	for tries := 0; tries < maps.NativeMaxRestarts; tries++ {
		n := atomic.LoadUint32(f.head(b))
		for steps := uint32(0); n&maps.NativeChainEnd == 0 && steps <= d.MaxEntries; steps++ {
			if n >= d.MaxEntries {
				return 0, refSlow // a corrupt link: the native code refuses it too
			}
			if *f.hash(n) == h && *f.state(n) == 1 && string(f.key(n)) == string(key) {
				return n, refHit
			}
			n = atomic.LoadUint32(f.next(n))
		}
		if n == maps.NativeChainEnd|b {
			return 0, refMiss
		}
	}
	return 0, refSlow
}

// nativeTable returns the global descriptor table.
func nativeTable(t testing.TB) *[maps.NativeTableSize]uint64 {
	a := maps.NativeTableAddr()
	if a == 0 {
		t.Skip("no native descriptor table")
	}
	return (*[maps.NativeTableSize]uint64)(unsafe.Add(unsafe.Pointer(nil), a))
}

// register enters f in the global table as map id (restored at the end of
// the test) and returns its handle.
func (f *fakeMap) register(t testing.TB, id uint32) uint64 {
	tbl := nativeTable(t)
	slot := &tbl[id&maps.NativeTableMask]
	old := atomic.LoadUint64(slot)
	f.desc.ID = id
	atomic.StoreUint64(slot, uint64(f.addr))
	t.Cleanup(func() { atomic.StoreUint64(slot, old) })
	return vm.MapHandle(id)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
