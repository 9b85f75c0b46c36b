package maps

import (
	"sync/atomic"
	"unsafe"
)

// NativeReference performs, in Go, the lookup generated code performs
// through the descriptor at desc, reading only the descriptor and the
// memory it points to, step by step as native.go documents. It is the
// executable specification of the native routes, for tests (of this
// package and of the JIT back ends) that compare native code, Go's own
// LookupElem and this walk.
//
// It returns, for the value routes, the address of the value of key for
// cpu, or 0 on a miss (out-of-range index, missing key, CPU not below
// NCPU); for RouteArrayOfMaps and RouteHashOfMaps the inner map ID (the
// lookup's result is MapHandle of it), for RouteProgArray the program ID,
// 0 when empty. ok is false when the descriptor offers no route (RouteNone,
// an unknown route, or desc 0): the caller must take the Go route.
//
// desc must be the address of a descriptor returned by NativeDescOf or
// found in the global table, of a map that stays open during the call.
func NativeReference(desc uintptr, key []byte, cpu int) (result uint64, ok bool) {
	if desc == 0 {
		return 0, false
	}
	d := (*NativeDesc)(offheapPtr(uint64(desc)))
	route := atomic.LoadUint32(&d.Route)
	switch route {
	case RouteArray, RoutePerCPUArray, RouteArrayOfMaps, RouteProgArray:
		if len(key) < 4 {
			return 0, true
		}
		i := uint32(key[0]) | uint32(key[1])<<8 | uint32(key[2])<<16 | uint32(key[3])<<24
		if i >= d.MaxEntries {
			return 0, true
		}
		addr := d.Values + uint64(i)*d.Stride
		switch route {
		case RouteArray:
			return addr, true
		case RoutePerCPUArray:
			if cpu < 0 || uint64(cpu) >= uint64(d.NCPU) {
				return 0, true
			}
			return addr + uint64(cpu)*d.Elem, true
		default:
			return uint64(atomic.LoadUint32((*uint32)(offheapPtr(addr)))), true
		}
	case RouteHash, RoutePerCPUHash, RouteLRUHash, RouteLRUPerCPUHash, RouteHashOfMaps:
		if uint32(len(key)) != d.KeySize {
			return 0, true
		}
		s, found, _ := nativeHashFind(d, key)
		if !found {
			return 0, true
		}
		if route == RouteLRUHash || route == RouteLRUPerCPUHash {
			ref := (*uint32)(offheapPtr(d.State + uint64(s)*d.SlotStride + 4))
			if atomic.LoadUint32(ref) == 0 {
				atomic.StoreUint32(ref, 1)
			}
		}
		addr := d.Values + uint64(s)*d.Stride
		switch route {
		case RoutePerCPUHash, RouteLRUPerCPUHash:
			if cpu < 0 || uint64(cpu) >= uint64(d.NCPU) {
				return 0, true
			}
			return addr + uint64(cpu)*d.Elem, true
		case RouteHashOfMaps:
			return uint64(atomic.LoadUint32((*uint32)(offheapPtr(addr)))), true
		}
		return addr, true
	}
	return 0, false
}

// nativeHashFind is the documented reader of the hash index, reading only
// through the descriptor (the reference for hashMap.find). It also returns
// how many times the walk restarted, for tests.
func nativeHashFind(d *NativeDesc, key []byte) (slot uint32, found bool, restarts int) {
	h := NativeHash(key, d.Seed)
	b := h & d.BucketMask
	u32 := func(base uint64, i uint32) uint32 {
		return atomic.LoadUint32((*uint32)(offheapPtr(base + 4*uint64(i))))
	}
	for tries := 0; tries < NativeMaxRestarts; tries++ {
		n := u32(d.Buckets, b)
		for steps := uint32(0); n&NativeChainEnd == 0 && steps <= d.MaxEntries; steps++ {
			if u32(d.Hashes, n) == h && atomic.LoadUint32((*uint32)(offheapPtr(d.State+uint64(n)*d.SlotStride))) == slotUsed &&
				string(unsafe.Slice((*byte)(offheapPtr(d.Keys+uint64(n)*d.SlotStride)), len(key))) == string(key) {
				return n, true, tries
			}
			n = u32(d.Next, n)
		}
		if n == NativeChainEnd|b {
			return 0, false, tries
		}
	}
	return 0, false, NativeMaxRestarts
}

// offheapPtr turns the address of off-heap memory into a pointer. Written
// as a load rather than a conversion, because the address is an integer
// that came from memory the garbage collector does not manage (vet's
// unsafeptr check cannot know that).
func offheapPtr(addr uint64) unsafe.Pointer {
	p := uintptr(addr)
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}
