package maps

import "unsafe"

// NativeRing is what generated code needs to answer ring buffer helpers
// without leaving native code: the addresses of the ring's consumer and
// producer positions (u64, read with plain aligned loads, which are atomic
// on amd64 and arm64), of its data area, and its size. Every address stays
// valid, at the same place, for the map's lifetime, and a program that
// embeds them holds the map (as constant array lookups embed Values).
//
// Native code only reads these words: reservations that succeed still take
// the Go route (Reserve, under the producer lock), so the positions have one
// writer protocol. What native code may conclude from them is exactly what
// Reserve concludes from the same loads (see RingReserveFails).
type NativeRing struct {
	// Cons and Prod are the addresses of the consumer and producer
	// positions.
	Cons, Prod uintptr
	// Data is the address of the data area (record headers and bodies).
	Data uintptr
	// Size is the ring's size in bytes (a power of two); Mask is Size-1.
	Size, Mask uint64
}

// RingBufMaxRecord is the largest record size bpf_ringbuf_reserve accepts
// (Reserve's bound; larger sizes give NULL).
const RingBufMaxRecord = ringbufMaxRecord

// NativeRingOf returns the native view of m when m is this package's ring
// buffer with storage, for back ends that compile ring buffer helpers.
func NativeRingOf(m Map) (NativeRing, bool) {
	r, ok := m.(*ringBuf)
	if !ok || r.st == nil || r.st.valsAddr() == 0 || r.size == 0 {
		return NativeRing{}, false
	}
	return NativeRing{
		Cons: uintptr(unsafe.Pointer(r.st.word(wordRBCons))),
		Prod: uintptr(unsafe.Pointer(r.st.word(wordRBProd))),
		Data: r.st.valsAddr(),
		Size: r.size,
		Mask: r.mask,
	}, true
}

// RingReserveFails reports whether Reserve(size, flags) certainly returns 0
// given a consumer position cons loaded first and a producer position prod
// loaded after it: the same tests, on the same values, that Reserve makes
// before and under its lock (prod only grows, so a later prod under the
// lock fails too; the pending-position test only adds failures). Native
// code evaluates exactly this and takes the Go route when it is false;
// tests use it as the reference.
func RingReserveFails(r NativeRing, size, flags, cons, prod uint64) bool {
	if flags != 0 || size > ringbufMaxRecord {
		return true
	}
	span := recordSpan(size)
	if span > r.Size {
		return true
	}
	return prod+span-cons > r.Mask
}
