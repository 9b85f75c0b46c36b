package maps

import (
	"sync"
	"sync/atomic"
)

// ringBuf implements BPF_MAP_TYPE_RINGBUF with Linux's record format: each
// record starts with an 8-byte header (u32 length with BUSY bit 31 and
// DISCARD bit 30, u32 page offset) and occupies round_up(len+8, 8) bytes;
// positions only grow and are taken modulo the size.
//
// The kernel maps the data pages twice in a row so that a record crossing
// the end is contiguous; bpfhost gets the same effect by making the data
// area twice the ring size: the tail of a wrapping record lands in the
// mirror half, where the consumer reads it contiguously too. A record is
// consumed before the producer can reach its wrapped positions again, so
// the mirror never holds stale bytes that are still wanted.
//
// The consumer, producer and pending positions live in the private header;
// the data area (Regions) holds only records, whose headers a program could
// overwrite, so every length read back from it is bounds-checked.
type ringBuf struct {
	base
	prodMu sync.Mutex // serializes producers (the kernel's spinlock)
	consMu sync.Mutex // serializes user-space consumers
	size   uint64
	mask   uint64
	notify chan struct{}
	nat    *ringNative // off-heap lock and wake words shared with native code (ringbuf_native.go)
}

// Ring buffer constants of the Linux UAPI and kernel.
const (
	RingBufBusyBit    = 1 << 31
	RingBufDiscardBit = 1 << 30
	RingBufHdrSize    = 8
	// Submit/Output flags.
	RingBufNoWakeup    = 1
	RingBufForceWakeup = 2
	// Query flags.
	RingBufAvailData = 0
	RingBufRingSize  = 1
	RingBufConsPos   = 2
	RingBufProdPos   = 3

	ringbufMaxRecord = (1<<32 - 1) >> 2

	wordRBCons    = 0
	wordRBProd    = 1
	wordRBPending = 2
)

func newRingBuf(b base, opts Options, reopen bool) (*ringBuf, error) {
	n := uint64(b.spec.MaxEntries)
	st, err := newStorage(b.spec, opts, b.ncpu, 0, 2*n, reopen)
	if err != nil {
		return nil, err
	}
	m := &ringBuf{base: b, size: n, mask: n - 1, notify: make(chan struct{}, 1)}
	m.st, m.exported = st, 2*n
	m.initNative()
	cons, prod, pend := st.word(wordRBCons), st.word(wordRBProd), st.word(wordRBPending)
	if *cons > *prod || *prod-*cons > n || *pend < *cons || *pend > *prod || (*cons|*prod|*pend)%8 != 0 {
		*cons, *prod, *pend = 0, 0, 0 // damaged positions: start empty
	}
	if reopen {
		m.dropOrphans()
	}
	return m, nil
}

// dropOrphans discards records still reserved when the file was last used:
// no program holds them any more, and left BUSY they would block the
// consumer and, once the ring wraps, every producer.
func (m *ringBuf) dropOrphans() {
	cons, prod := m.st.word(wordRBCons), m.st.word(wordRBProd)
	for pos := *cons; pos < *prod; {
		l := atomic.LoadUint32(m.hdrLen(pos))
		span := recordSpan(uint64(l &^ (RingBufBusyBit | RingBufDiscardBit)))
		if span > *prod-pos {
			*cons = *prod // damaged record chain: drop the rest
			break
		}
		if l&RingBufBusyBit != 0 {
			atomic.StoreUint32(m.hdrLen(pos), l&^RingBufBusyBit|RingBufDiscardBit)
		}
		pos += span
	}
	*m.st.word(wordRBPending) = *cons
}

func (m *ringBuf) hdrLen(pos uint64) *uint32 { return u32at(m.st.vals, pos&m.mask) }

// recordSpan is the ring space of a record of size bytes.
func recordSpan(size uint64) uint64 { return round8(size + RingBufHdrSize) }

// Reserve returns the address of size bytes of record space, or 0 when
// flags are set, the record cannot fit or the ring is full.
func (m *ringBuf) Reserve(size uint64, flags uint64) uintptr {
	if flags != 0 || size > ringbufMaxRecord {
		return 0
	}
	span := recordSpan(size)
	if span > m.size {
		return 0
	}
	cons := atomic.LoadUint64(m.st.word(wordRBCons))
	prodW, pendW := m.st.word(wordRBProd), m.st.word(wordRBPending)
	// A full ring fails without the lock: the producer position only
	// grows, so if the record does not fit before the consumer position
	// read above now, it does not fit under the lock either (the same
	// test below, with the same cons, fails). A program that keeps
	// producing into a ring nobody drains pays no atomics.
	if atomic.LoadUint64(prodW)+span-cons > m.mask {
		return 0
	}
	m.lockProd() // unlocked by hand below: a defer costs a helper call 2 ns
	prod, pend := atomic.LoadUint64(prodW), *pendW
	// Advance the pending position past records already committed: the
	// span from the oldest uncommitted record to the new one's end must fit.
	for pend < prod {
		l := atomic.LoadUint32(m.hdrLen(pend))
		if l&RingBufBusyBit != 0 {
			break
		}
		s := recordSpan(uint64(l &^ RingBufDiscardBit))
		if s > prod-pend {
			s = prod - pend // a program overwrote the header: do not run past prod
		}
		pend += s
	}
	*pendW = pend
	newProd := prod + span
	if newProd-cons > m.mask || newProd-pend > m.mask {
		m.unlockProd()
		return 0
	}
	off := prod & m.mask
	// Plain stores: the record lies past the published producer position,
	// where no consumer looks, and the atomic store of the new position
	// orders them before it (a release on every architecture), as the
	// kernel's smp_store_release of producer_pos does. An atomic store
	// each would cost a full barrier (XCHG on amd64).
	*u32at(m.st.vals, off+4) = uint32(off / ringbufPage)
	*u32at(m.st.vals, off) = uint32(size) | RingBufBusyBit
	atomic.StoreUint64(prodW, newProd)
	m.unlockProd()
	return m.st.valsAddr() + uintptr(off) + RingBufHdrSize
}

// commit clears the BUSY bit of the record at addr (setting DISCARD if
// asked). Addresses that are not a reserved record are ignored.
func (m *ringBuf) commit(addr uintptr, flags uint64, discard bool) {
	base := m.st.valsAddr()
	if addr < base+RingBufHdrSize {
		return
	}
	off := uint64(addr-base) - RingBufHdrSize
	if off >= m.size || off%8 != 0 {
		return
	}
	p := u32at(m.st.vals, off)
	for {
		l := atomic.LoadUint32(p)
		if l&RingBufBusyBit == 0 {
			return // not reserved, or already committed
		}
		nl := l &^ RingBufBusyBit
		if discard {
			nl |= RingBufDiscardBit
		}
		if atomic.CompareAndSwapUint32(p, l, nl) {
			break
		}
	}
	if flags&RingBufNoWakeup == 0 {
		select {
		case m.notify <- struct{}{}:
		default:
		}
	}
}

// Submit makes the record at addr visible to consumers.
func (m *ringBuf) Submit(addr uintptr, flags uint64) { m.commit(addr, flags, false) }

// Discard drops the record at addr.
func (m *ringBuf) Discard(addr uintptr, flags uint64) { m.commit(addr, flags, true) }

// Output copies data into a new record and submits it: EINVAL for unknown
// flags, EAGAIN when the ring has no room (bpf_ringbuf_output's errors),
// as bare Errno values: the helper's path never allocates.
func (m *ringBuf) Output(data []byte, flags uint64) error {
	if flags&^(RingBufNoWakeup|RingBufForceWakeup) != 0 {
		return EINVAL
	}
	addr := m.Reserve(uint64(len(data)), 0)
	if addr == 0 {
		return EAGAIN
	}
	off := uint64(addr - m.st.valsAddr())
	copy(m.st.vals[off:off+uint64(len(data))], data)
	m.commit(addr, flags, false)
	return nil
}

// Query answers bpf_ringbuf_query.
func (m *ringBuf) Query(flags uint64) uint64 {
	m.deliverWake()
	cons := atomic.LoadUint64(m.st.word(wordRBCons))
	prod := atomic.LoadUint64(m.st.word(wordRBProd))
	switch flags {
	case RingBufAvailData:
		return prod - cons
	case RingBufRingSize:
		return m.size
	case RingBufConsPos:
		return cons
	case RingBufProdPos:
		return prod
	}
	return 0
}

// Read pops the next submitted record, skipping discarded ones, as
// libbpf's ring_buffer__consume does; ok is false when the next record is
// still being written or there is none.
func (m *ringBuf) Read() ([]byte, bool) {
	if m.live() != nil {
		return nil, false
	}
	m.consMu.Lock()
	defer m.consMu.Unlock()
	consW := m.st.word(wordRBCons)
	cons := atomic.LoadUint64(consW)
	for {
		prod := atomic.LoadUint64(m.st.word(wordRBProd))
		if cons >= prod {
			return nil, false
		}
		l := atomic.LoadUint32(m.hdrLen(cons))
		if l&RingBufBusyBit != 0 {
			return nil, false
		}
		size := uint64(l &^ RingBufDiscardBit)
		span := recordSpan(size)
		if span > prod-cons {
			// A program overwrote the header with an impossible length:
			// drop everything up to the producer rather than read garbage.
			atomic.StoreUint64(consW, prod)
			return nil, false
		}
		off := (cons & m.mask) + RingBufHdrSize
		cons += span
		if l&RingBufDiscardBit != 0 {
			atomic.StoreUint64(consW, cons)
			continue
		}
		rec := make([]byte, size)
		copy(rec, m.st.vals[off:off+size])
		atomic.StoreUint64(consW, cons)
		return rec, true
	}
}

// Notify returns a channel that receives a value after a record is
// submitted without BPF_RB_NO_WAKEUP, for consumers that block.
func (m *ringBuf) Notify() <-chan struct{} { return m.notify }

func (m *ringBuf) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "ring buffers have no elements to look up")
}

func (m *ringBuf) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "ring buffers have no elements to update")
}

func (m *ringBuf) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "ring buffers have no elements to delete")
}

func (m *ringBuf) NextKey(key, next []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "ring buffers have no keys")
}

func (m *ringBuf) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "ring buffers have no elements")
}

// LookupElem returns 0: programs use the ringbuf helpers.
func (m *ringBuf) LookupElem(key []byte, cpu int) uintptr { return 0 }

// UpdateElem returns ENOTSUPP: ring buffers have no elements.
func (m *ringBuf) UpdateElem(key, value []byte, flags uint64, cpu int) error { return ENOTSUPP }

// DeleteElem returns ENOTSUPP: ring buffers have no elements.
func (m *ringBuf) DeleteElem(key []byte) error { return ENOTSUPP }

// Close releases the map's memory.
func (m *ringBuf) Close() error { return m.close() }

var _ RingBufMap = (*ringBuf)(nil)

// AsRingBuf returns m as a RingBufMap, or nil when it is not one. It tests
// for this package's ring buffer by its concrete type first, a pointer
// comparison, where a type assertion to the interface searches the itab
// cache (ring buffer helpers resolve their map on every call).
func AsRingBuf(m Map) RingBufMap {
	if r, ok := m.(*ringBuf); ok {
		return r
	}
	r, _ := m.(RingBufMap)
	return r
}
