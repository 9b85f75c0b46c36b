package maps

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"sync/atomic"
	"unsafe"
)

// hashMap implements BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH,
// LRU_PERCPU_HASH (and the storage of HASH_OF_MAPS).
//
// Storage: max_entries slots, preallocated as the kernel does by default.
// The private part holds, per slot, a 16-byte header (u32 state, u32
// referenced bit, u64 LRU age) followed by the key padded to 8 bytes; the
// value part holds the slot's value (one per CPU for per-CPU maps, each
// padded to 8 bytes). The key index (hash_index.go) lives in its own
// off-heap block, published to generated code by the map's descriptor; the
// free-slot stack, the occupancy bitmap and the LRU list live on the Go
// heap. All are rebuilt from the slots on Open.
//
// Locking: lookups (LookupElem, Lookup, Inner) and NextKey take no lock:
// they walk the index as generated code does, and NextKey reads the
// occupancy bitmap with atomic loads. mu serializes writers (updates,
// deletes, LRU list changes) and Len. It
// is a plain lock: with readers lock-free, an RWMutex would only double
// the atomics of every program update (measured: the lock was two thirds
// of hashMap.update in the maps corpus program), and it is a spinMutex
// (queue_lock.go), whose unlock is a release store where sync.Mutex's is a
// second locked instruction. Values are shared memory, written in place
// (see doc.go).
type hashMap struct {
	base
	mu       spinMutex
	idx      hashIndex
	free     freeSlots // FIFO of free slots (hash_free.go)
	used     []uint64  // occupancy bitmap, one bit per slot
	count    uint32
	lru      bool
	percpu   bool
	elem     uint64 // round_up(value_size, 8)
	stride   uint64 // value bytes per slot
	slotSize uint64 // private bytes per slot
	// LRU list, most recent at head; nilSlot ends it.
	prev, next []uint32
	head, tail uint32
}

const (
	slotHdr  = 16
	nilSlot  = ^uint32(0)
	slotUsed = 1
	// state word 0 of the header: the LRU clock ages are drawn from.
	wordLRUClock = 0
)

func newHash(b base, opts Options, reopen bool) (*hashMap, error) {
	n := uint64(b.spec.MaxEntries)
	m := &hashMap{
		base:     b,
		lru:      b.spec.Type == LRUHash || b.spec.Type == LRUCPUHash,
		percpu:   b.spec.Type.PerCPU(),
		elem:     round8(uint64(b.spec.ValueSize)),
		slotSize: slotHdr + round8(uint64(b.spec.KeySize)),
	}
	m.stride = m.elem
	if m.percpu {
		m.stride *= uint64(b.ncpu)
	}
	if n*m.stride/n != m.stride || n*m.stride > maxStorage || n*m.slotSize > maxStorage {
		return nil, layoutError(b.spec, "slots")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, n*m.slotSize, n*m.stride, reopen)
	if err != nil {
		return nil, err
	}
	m.st = st
	if b.spec.Type != HashOfMaps {
		m.exported = n * m.stride
	}
	if m.idx, err = newHashIndex(b.spec); err != nil {
		st.free()
		return nil, err
	}
	m.used = make([]uint64, (n+63)/64)
	m.free = newFreeSlots(b.spec.MaxEntries)
	if m.lru {
		m.prev = make([]uint32, n)
		m.next = make([]uint32, n)
	}
	m.rebuild()
	m.describe()
	return m, nil
}

// describe publishes the native descriptor: the slots' keys and states in
// the private part, their values, and the index, all at the addresses Go's
// own lookups use.
func (m *hashMap) describe() {
	var route uint32
	switch m.spec.Type {
	case Hash:
		route = RouteHash
	case PerCPUHash:
		route = RoutePerCPUHash
	case LRUHash:
		route = RouteLRUHash
	case LRUCPUHash:
		route = RouteLRUPerCPUHash
	case HashOfMaps:
		route = RouteHashOfMaps
	default:
		return
	}
	d := newNativeDesc()
	if d == nil || m.st.valsAddr() == 0 {
		return
	}
	slots := uint64(m.st.metaAddr()) + storageHeader
	d.Values, d.Elem, d.Stride = uint64(m.st.valsAddr()), m.elem, m.stride
	if m.percpu {
		d.NCPU = uint32(m.ncpu)
	}
	d.Keys, d.State, d.SlotStride = slots+slotHdr, slots, m.slotSize
	x := &m.idx
	d.Buckets = uint64(uintptr(unsafe.Pointer(&x.buckets[0])))
	d.Next = uint64(uintptr(unsafe.Pointer(&x.next[0])))
	d.Hashes = uint64(uintptr(unsafe.Pointer(&x.hashes[0])))
	d.BucketMask, d.Seed = x.mask, x.seed
	m.publishDesc(d, route)
}

func (m *hashMap) slotOff(s uint32) uint64 { return storageHeader + uint64(s)*m.slotSize }

func (m *hashMap) keyAt(s uint32) []byte {
	off := m.slotOff(s) + slotHdr
	return m.st.meta[off : off+uint64(m.spec.KeySize)]
}

func (m *hashMap) state(s uint32) *uint32 { return u32at(m.st.meta, m.slotOff(s)) }
func (m *hashMap) ref(s uint32) *uint32   { return u32at(m.st.meta, m.slotOff(s)+4) }
func (m *hashMap) age(s uint32) *uint64   { return u64at(m.st.meta, m.slotOff(s)+8) }

func (m *hashMap) value(s uint32) []byte {
	off := uint64(s) * m.stride
	return m.st.vals[off : off+m.stride]
}

// rebuild derives the index, bitmap, free stack and LRU list from the
// slots (all free for a new map). Slot states other than used count as
// free, so a damaged file cannot make the index inconsistent.
func (m *hashMap) rebuild() {
	m.idx.reset()
	clear(m.used)
	m.count = 0
	var live []uint32
	for s := uint32(0); s < m.spec.MaxEntries; s++ {
		if st := m.state(s); *st != slotUsed {
			if *st != 0 {
				*st = 0 // only write when needed: untouched pages stay unallocated
			}
			continue
		}
		h := m.idx.hash(m.keyAt(s))
		if _, dup := m.findHashed(m.keyAt(s), h); dup {
			*m.state(s) = 0 // duplicate key in a damaged file: keep the first
			continue
		}
		m.idxLink(s, h)
		m.used[s/64] |= 1 << (s % 64)
		m.count++
		live = append(live, s)
	}
	m.free.reset()
	for s := uint32(0); s < m.spec.MaxEntries; s++ {
		if m.used[s/64]&(1<<(s%64)) == 0 {
			m.free.push(s) // lowest first: a new map fills slots in order
		}
	}
	if m.lru {
		m.head, m.tail = nilSlot, nilSlot
		sort.Slice(live, func(i, j int) bool { return *m.age(live[i]) < *m.age(live[j]) })
		for _, s := range live { // oldest first, so the newest ends at the head
			m.pushHead(s)
		}
	}
}

// release frees slot s (already out of the index, so that no new walk can
// reach it; walks standing on it see the state change).
func (m *hashMap) release(s uint32) {
	atomic.StoreUint32(m.state(s), 0)
	atomic.StoreUint32(m.ref(s), 0)
	atomic.AndUint64(&m.used[s/64], ^(uint64(1) << (s % 64)))
	m.count--
	if m.lru {
		m.unlink(s)
	}
	m.free.push(s)
}

// update is the common body of Update and UpdateElem; cpu < 0 means a
// user-space update carrying every CPU's value. It returns bare Errno
// values so that programs' updates never allocate.
func (m *hashMap) update(key, value []byte, flags uint64, cpu int) error {
	if !validFlags(flags) {
		return EINVAL
	}
	h := m.idx.hash(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.findHashed(key, h); ok {
		if flags == UpdateNoExist {
			return EEXIST
		}
		m.storeValue(s, value, cpu, false)
		if m.lru {
			m.touch(s)
		}
		return nil
	}
	if flags == UpdateExist {
		return ENOENT
	}
	switch {
	case m.free.n > 0:
	case m.lru:
		m.evict()
	default:
		return E2BIG
	}
	s := m.free.pop()
	// Fill the slot, then publish it (native.go: key, value, state, then
	// the hash, link and head stores of idxLink).
	copy(m.keyAt(s), key)
	m.storeValue(s, value, cpu, true)
	atomic.StoreUint32(m.state(s), slotUsed)
	m.idxLink(s, h)
	atomic.OrUint64(&m.used[s/64], 1<<(s%64))
	m.count++
	if m.lru {
		m.pushHead(s)
		*m.age(s) = atomic.AddUint64(m.st.word(wordLRUClock), 1)
	}
	return nil
}

func (m *hashMap) storeValue(s uint32, value []byte, cpu int, fresh bool) {
	v := m.value(s)
	switch {
	case m.spec.Type == HashOfMaps:
		// One atomic store: Inner and native code read the ID with one
		// load, and a torn ID could name an unrelated map.
		atomic.StoreUint32(u32at(v, 0), binary.NativeEndian.Uint32(value))
	case !m.percpu || cpu < 0:
		copy(v, value)
	default:
		// A program sets its own CPU's value; a new element starts with
		// the other CPUs' values zeroed, as the kernel's pcpu_init_value.
		if fresh {
			clear(v)
		}
		off := uint64(cpu) * m.elem
		copy(v[off:off+m.elem], value)
	}
}

func (m *hashMap) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	s, ok := m.find(key)
	if !ok {
		return m.errf(ENOENT, "no such key")
	}
	copy(value, m.value(s))
	return nil
}

func (m *hashMap) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.update(key, value, flags, -1), "update", key, flags)
}

func (m *hashMap) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	return m.explain(m.DeleteElem(key), "delete", key, 0)
}

func (m *hashMap) deleteLocked(key []byte) error {
	s, ok := m.findLocked(key)
	if !ok {
		return ENOENT
	}
	m.idxUnlink(s)
	m.release(s)
	return nil
}

// NextKey walks the slots in slot order: a nil or missing key yields the
// first key, as the kernel's htab_map_get_next_key does. It takes no lock
// (bpf_for_each_map_elem calls it once per element): the occupancy bitmap
// is read with atomic loads, and a key is returned only if its slot still
// holds it, in use, after the copy, so a slot freed or refilled meanwhile
// is skipped rather than yielding a torn key.
func (m *hashMap) NextKey(key, next []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	if err := m.live(); err != nil {
		return err
	}
	if key != nil {
		if err := m.checkKey(key); err != nil {
			return err
		}
	}
	if len(next) != int(m.spec.KeySize) {
		return m.errf(EINVAL, "next key buffer of %d bytes, expected %d", len(next), m.spec.KeySize)
	}
	from := uint32(0)
	if key != nil {
		if s, ok := m.find(key); ok {
			from = s + 1
		}
	}
	for {
		s, ok := m.nextUsed(from)
		if !ok {
			return ENOENT // the end of every walk: bare, so walks never allocate
		}
		k := m.keyAt(s)
		copy(next, k)
		if atomic.LoadUint32(m.state(s)) == slotUsed && string(k) == string(next) {
			return nil
		}
		from = s + 1
	}
}

// nextUsed returns the first occupied slot >= from.
func (m *hashMap) nextUsed(from uint32) (uint32, bool) {
	for w := uint64(from) / 64; w < uint64(len(m.used)); w++ {
		bitsLeft := atomic.LoadUint64(&m.used[w])
		if w == uint64(from)/64 {
			bitsLeft &= ^uint64(0) << (from % 64)
		}
		if bitsLeft != 0 {
			return uint32(w*64) + uint32(bits.TrailingZeros64(bitsLeft)), true
		}
	}
	return 0, false
}

func (m *hashMap) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.findLocked(key)
	if !ok {
		return m.explain(ENOENT, "lookup-and-delete", key, 0)
	}
	copy(value, m.value(s))
	m.idxUnlink(s)
	m.release(s)
	return nil
}

// LookupElem returns the address of key's value for cpu (any cpu for maps
// that are not per-CPU), marking LRU elements referenced as the native
// route does. It takes no lock and does not allocate.
func (m *hashMap) LookupElem(key []byte, cpu int) uintptr {
	if len(key) != int(m.spec.KeySize) {
		return 0
	}
	off := uint64(0)
	if m.percpu {
		if cpu < 0 || cpu >= m.ncpu {
			return 0
		}
		off = uint64(cpu) * m.elem
	}
	s, ok := m.find(key)
	if !ok {
		return 0
	}
	if m.lru {
		if r := m.ref(s); atomic.LoadUint32(r) == 0 {
			atomic.StoreUint32(r, 1)
		}
	}
	return m.st.valsAddr() + uintptr(uint64(s)*m.stride+off)
}

// UpdateElem is a program's update; it returns bare Errno values.
func (m *hashMap) UpdateElem(key, value []byte, flags uint64, cpu int) error {
	if len(key) != int(m.spec.KeySize) || len(value) != int(m.spec.ValueSize) {
		return EINVAL
	}
	if m.percpu && (cpu < 0 || cpu >= m.ncpu) {
		return EINVAL
	}
	if !m.percpu {
		cpu = 0
	}
	return m.update(key, value, flags, cpu)
}

// DeleteElem is a program's delete; it returns bare Errno values.
func (m *hashMap) DeleteElem(key []byte) error {
	if len(key) != int(m.spec.KeySize) {
		return EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deleteLocked(key)
}

// Len returns the number of elements.
func (m *hashMap) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int(m.count)
}

// Close releases the map's memory: the descriptor is retired first
// (base.close), then the slots and the index are unmapped.
func (m *hashMap) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.close()
	if ierr := m.idx.free(); err == nil {
		err = ierr
	}
	return err
}
