package maps

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// NativeRing is what generated code needs to answer ring buffer helpers
// without leaving native code: the addresses of the ring's consumer and
// producer positions (u64, read with plain aligned loads, which are atomic
// on amd64 and arm64), of its data area, and its size. Every address stays
// valid, at the same place, for the map's lifetime, and a program that
// embeds them holds the map (as constant array lookups embed Values).
//
// Native code may reserve records itself (when Lock is not 0): it takes the
// producer lock word with an atomic compare-and-swap 0 -> 1, exactly as
// Reserve does (lockProd), so native and Go producers exclude each other,
// writes the record header as Reserve does but with RingBufNativeBit in the
// page-offset word, publishes the producer position with a release store
// and releases the lock with a release store of 0. It never advances the
// pending position (Reserve does, under the same lock) and takes the Go
// route when the record does not fit before the stale pending position.
// Submit and discard of a native record clear BUSY (set DISCARD) with a
// compare-and-swap, as commit does; a wakeup is asked for by storing 1 in
// the Wake word and calling Query (the Go helper bpf_ringbuf_query), which
// delivers it (deliverWake). What native code may conclude from the
// positions without the lock is exactly what Reserve concludes from the
// same loads (see RingReserveFails).
type NativeRing struct {
	// Cons and Prod are the addresses of the consumer and producer
	// positions.
	Cons, Prod uintptr
	// Data is the address of the data area (record headers and bodies).
	Data uintptr
	// Pend is the address of the pending position (read under the lock).
	Pend uintptr
	// Lock and Wake are the addresses of the u32 producer lock and wakeup
	// words (off-heap, never freed), or 0 when the ring has none (native
	// code then never reserves).
	Lock, Wake uintptr
	// Size is the ring's size in bytes (a power of two); Mask is Size-1.
	Size, Mask uint64
}

// RingBufNativeBit is set in the page-offset word (the header's second
// u32) of records that native code reserved: their submit and discard
// stay native, while records the Go helper reserved (and recorded for
// release and EndRun) go back to the Go helper. Consumers ignore the word.
const RingBufNativeBit = 1 << 31

// RingBufPage is the page size of the header's page-offset word.
const RingBufPage = ringbufPage

// ringNative is the off-heap part of a ring buffer that native code
// writes: the producer lock and the wakeup request.
type ringNative struct {
	lock uint32 // 1 while a producer (Go or native) holds it
	wake uint32 // 1: native code committed a record that needs a wakeup
}

// initNative gives m its off-heap lock and wake words (from the
// descriptor slabs, never freed: code that embedded their addresses may
// outlive the map's Go object only while a program holds the map, but the
// words must never become another map's). Without them m uses prodMu and
// has no native reservations.
func (m *ringBuf) initNative() {
	if d := newNativeDesc(); d != nil {
		m.nat = (*ringNative)(unsafe.Pointer(d))
	}
}

// lockProdSpins is how many failed attempts Go's lockProd makes before it
// yields to the scheduler between attempts (native holders hold the lock
// for a few instructions; a Go holder may have been descheduled).
const lockProdSpins = 64

// lockProd takes the producer lock.
func (m *ringBuf) lockProd() {
	n := m.nat
	if n == nil {
		m.prodMu.Lock()
		return
	}
	for i := 0; !atomic.CompareAndSwapUint32(&n.lock, 0, 1); i++ {
		if i >= lockProdSpins {
			runtime.Gosched()
		}
	}
}

// unlockProd releases the producer lock.
func (m *ringBuf) unlockProd() {
	if n := m.nat; n != nil {
		atomic.StoreUint32(&n.lock, 0)
		return
	}
	m.prodMu.Unlock()
}

// deliverWake sends the wakeup native code asked for (see NativeRing).
func (m *ringBuf) deliverWake() {
	n := m.nat
	if n == nil || atomic.LoadUint32(&n.wake) == 0 || atomic.SwapUint32(&n.wake, 0) == 0 {
		return
	}
	select {
	case m.notify <- struct{}{}:
	default:
	}
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
	n := NativeRing{
		Cons: uintptr(unsafe.Pointer(r.st.word(wordRBCons))),
		Prod: uintptr(unsafe.Pointer(r.st.word(wordRBProd))),
		Pend: uintptr(unsafe.Pointer(r.st.word(wordRBPending))),
		Data: r.st.valsAddr(),
		Size: r.size,
		Mask: r.mask,
	}
	if r.nat != nil {
		n.Lock, n.Wake = uintptr(unsafe.Pointer(&r.nat.lock)), uintptr(unsafe.Pointer(&r.nat.wake))
	}
	return n, true
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
