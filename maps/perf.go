package maps

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// perfArray implements BPF_MAP_TYPE_PERF_EVENT_ARRAY. In the kernel each
// index holds a perf event whose ring buffer a reader mmaps; here each index
// owns a bounded ring in the map's private storage. Installing a value at
// an index (Update, with any 4-byte value such as a CPU number) attaches a
// reader there, as installing a perf event descriptor does; Output to an
// index without one fails with ENOENT like the kernel's.
//
// Ring i: a 32-byte header in the private part (u64 head, u64 tail, u64
// lost) and ringBytes of records in the (unexported) value part. A record is
// a u32 length, 4 bytes of padding and the sample padded to 8 bytes; head
// and tail are byte positions that only grow.
type perfArray struct {
	*fdArray
	ringBytes uint64
	rings     []sync.Mutex
	cursor    atomic.Uint32 // where Read starts looking, for fairness
}

const (
	perfRingHdr       = 32
	defaultPerfRing   = 64 << 10
	perfRecordHdr     = 8
	perfFieldHead     = 0
	perfFieldTail     = 8
	perfFieldLost     = 16
	perfEntriesPerHdr = 8
)

func newPerf(b base, opts Options, reopen bool) (*perfArray, error) {
	rb := uint64(opts.PerfRingBytes)
	if rb == 0 {
		rb = defaultPerfRing
	}
	rb = round8(rb)
	n := uint64(b.spec.MaxEntries)
	if n*rb/n != rb || n*rb > maxStorage {
		return nil, layoutError(b.spec, "perf rings")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, n*(perfEntriesPerHdr+perfRingHdr), n*rb, reopen)
	if err != nil {
		return nil, err
	}
	b.st = st
	m := &perfArray{fdArray: &fdArray{base: b}, ringBytes: rb, rings: make([]sync.Mutex, n)}
	for i := uint32(0); i < b.spec.MaxEntries; i++ {
		// Positions from a damaged file must describe a possible ring.
		h, t := m.field(i, perfFieldHead), m.field(i, perfFieldTail)
		if *h < *t || *h-*t > rb || *h%8 != 0 || *t%8 != 0 {
			*h, *t = 0, 0
		}
	}
	return m, nil
}

func (m *perfArray) field(i uint32, f uint64) *uint64 {
	return u64at(m.st.meta, storageHeader+8*uint64(m.spec.MaxEntries)+uint64(i)*perfRingHdr+f)
}

func (m *perfArray) ring(i uint32) []byte {
	off := uint64(i) * m.ringBytes
	return m.st.vals[off : off+m.ringBytes]
}

// Output appends a sample to the ring at index cpu: E2BIG for an index out
// of range or a sample larger than the ring, ENOENT if no reader is
// attached there, ENOSPC (counted as lost) when the ring is full. The
// errors are bare Errno values: the helper's path never allocates.
func (m *perfArray) Output(cpu int, data []byte) error { return m.output(cpu, data, nil) }

// PerfOutputParts is Output of a sample made of data followed by extra
// (the packet bytes the XDP and socket-buffer flavours of
// bpf_perf_event_output append), written into the ring without joining the
// parts first. handled is false when m is not this package's perf array;
// the caller then joins them and calls Output.
func PerfOutputParts(m PerfEventArrayMap, cpu int, data, extra []byte) (handled bool, err error) {
	p, ok := m.(*perfArray)
	if !ok {
		return false, nil
	}
	return true, p.output(cpu, data, extra)
}

// output writes the sample data+extra to the ring at index cpu.
func (m *perfArray) output(cpu int, data, extra []byte) error {
	size := uint64(len(data)) + uint64(len(extra))
	if cpu < 0 || uint64(cpu) >= uint64(m.spec.MaxEntries) {
		return E2BIG
	}
	i := uint32(cpu)
	if _, ok := m.get(i); !ok {
		return ENOENT
	}
	need := perfRecordHdr + round8(size)
	if need > m.ringBytes || size > 1<<31 {
		return E2BIG
	}
	ring := &m.rings[i]
	ring.Lock() // unlocked by hand: a defer costs the helper 2 ns
	head, tail := m.field(i, perfFieldHead), m.field(i, perfFieldTail)
	if *head-*tail+need > m.ringBytes {
		atomic.AddUint64(m.field(i, perfFieldLost), 1)
		ring.Unlock()
		return ENOSPC
	}
	r := m.ring(i)
	var hdr [perfRecordHdr]byte
	binary.NativeEndian.PutUint32(hdr[:], uint32(size))
	off := *head % m.ringBytes // the one division: the parts step by compare
	off = m.putRing(r, off, hdr[:])
	off = m.putRing(r, off, data)
	m.putRing(r, off, extra)
	*head += need
	ring.Unlock()
	return nil
}

// putRing copies b into ring r at offset off (below ringBytes), wrapping,
// and returns the offset after it. (b is never longer than the ring.)
func (m *perfArray) putRing(r []byte, off uint64, b []byte) uint64 {
	n := copy(r[off:], b)
	copy(r, b[n:])
	if off += uint64(len(b)); off >= m.ringBytes {
		off -= m.ringBytes
	}
	return off
}

func (m *perfArray) getRing(r []byte, pos uint64, b []byte) {
	off := pos % m.ringBytes
	n := copy(b, r[off:])
	copy(b[n:], r)
}

// Read pops the oldest sample of the first non-empty ring, starting after
// the ring read last so that no index starves.
func (m *perfArray) Read() (cpu int, sample []byte, ok bool) {
	if m.live() != nil {
		return 0, nil, false
	}
	n := m.spec.MaxEntries
	start := m.cursor.Load()
	for k := uint32(0); k < n; k++ {
		i := (start + k) % n
		if s, ok := m.pop(i); ok {
			m.cursor.Store((i + 1) % n)
			return int(i), s, true
		}
	}
	return 0, nil, false
}

func (m *perfArray) pop(i uint32) ([]byte, bool) {
	m.rings[i].Lock()
	defer m.rings[i].Unlock()
	head, tail := m.field(i, perfFieldHead), m.field(i, perfFieldTail)
	if *tail >= *head {
		return nil, false
	}
	r := m.ring(i)
	var hdr [perfRecordHdr]byte
	m.getRing(r, *tail, hdr[:])
	size := uint64(binary.NativeEndian.Uint32(hdr[:]))
	need := perfRecordHdr + round8(size)
	if need > *head-*tail {
		*tail = *head // damaged ring: drop its contents rather than read garbage
		return nil, false
	}
	s := make([]byte, size)
	m.getRing(r, *tail+perfRecordHdr, s)
	*tail += need
	return s, true
}

// Lost returns how many samples Output dropped at index i because its ring
// was full.
func (m *perfArray) Lost(i int) uint64 {
	if i < 0 || uint64(i) >= uint64(m.spec.MaxEntries) {
		return 0
	}
	return atomic.LoadUint64(m.field(uint32(i), perfFieldLost))
}

var _ PerfEventArrayMap = (*perfArray)(nil)

// AsPerfArray returns m as a PerfEventArrayMap, or nil when it is not one,
// testing this package's type first (a pointer comparison, where an
// assertion to the interface searches the itab cache).
func AsPerfArray(m Map) PerfEventArrayMap {
	if p, ok := m.(*perfArray); ok {
		return p
	}
	p, _ := m.(PerfEventArrayMap)
	return p
}
