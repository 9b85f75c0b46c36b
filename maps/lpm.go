package maps

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// lpmTrie implements BPF_MAP_TYPE_LPM_TRIE with the kernel's algorithm
// (lpm_trie.c): a binary Patricia trie whose real nodes are the entries
// and whose intermediate nodes join two subtrees at the bit where they
// differ. Keys are struct bpf_lpm_trie_key: a u32 prefix length followed
// by data_size bytes of data.
//
// Storage: max_entries entry slots (u32 state, padding, the key as given)
// in the private part, their values in the value part. The trie itself is a
// derived index on the Go heap in preallocated arrays (at most 2*max_entries
// nodes: every intermediate node has two children), rebuilt on Open by
// inserting the stored entries; it never allocates after creation.
type lpmTrie struct {
	base
	mu        sync.Mutex    // writers; user-space readers; programs' readers only after failed optimistic walks
	seq       atomic.Uint64 // odd while a writer changes the trie (lpm_trie.go)
	dataSize  uint64
	dataWords uint64 // 64-bit words of node data: dataSize rounded up
	maxPrefix uint32
	elem      uint64
	slotSize  uint64
	count     uint32
	freeSlots []uint32

	root      atomic.Int32
	nodes     []lpmNode
	nData     []uint64 // dataWords big-endian words per node, zero past dataSize
	freeNodes []int32
}

const noNode = -1

// lpmNode is one trie node: its prefix length, its entry slot (-1 for an
// intermediate node) and its children (noNode when absent), together in
// 16 bytes so that a walk touches one cache line per node. Its data is in
// nData.
type lpmNode struct {
	prefix uint32
	slot   int32
	child  [2]int32
}

func newLPM(b base, opts Options, reopen bool) (*lpmTrie, error) {
	n := uint64(b.spec.MaxEntries)
	m := &lpmTrie{
		base:      b,
		dataSize:  uint64(b.spec.KeySize) - 4,
		elem:      round8(uint64(b.spec.ValueSize)),
		slotSize:  8 + round8(uint64(b.spec.KeySize)),
		dataWords: (uint64(b.spec.KeySize) - 4 + 7) / 8,
		maxPrefix: 8 * (b.spec.KeySize - 4),
	}
	m.root.Store(noNode)
	if n*m.elem > maxStorage || n*m.slotSize > maxStorage || 2*n*8*m.dataWords > maxStorage {
		return nil, layoutError(b.spec, "entries")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, n*m.slotSize, n*m.elem, reopen)
	if err != nil {
		return nil, err
	}
	m.st, m.exported = st, n*m.elem
	nodes := 2 * n
	m.nodes = make([]lpmNode, nodes)
	m.nData = make([]uint64, nodes*m.dataWords)
	m.freeNodes = make([]int32, 0, nodes)
	for i := nodes; i > 0; i-- {
		m.freeNodes = append(m.freeNodes, int32(i-1))
	}
	m.freeSlots = make([]uint32, 0, n)
	var live []uint32
	for s := uint32(n); s > 0; s-- {
		if *m.state(s - 1) == slotUsed {
			live = append(live, s-1)
		} else {
			if *m.state(s - 1) != 0 {
				*m.state(s - 1) = 0 // only write when needed: untouched pages stay unallocated
			}
			m.freeSlots = append(m.freeSlots, s-1)
		}
	}
	// Rebuild the trie from the stored entries, lowest slot first.
	for i := len(live) - 1; i >= 0; i-- {
		s := live[i]
		key := m.keyAt(s)
		if binary.NativeEndian.Uint32(key) > m.maxPrefix {
			*m.state(s) = 0 // invalid entry in a damaged file
			m.freeSlots = append(m.freeSlots, s)
			continue
		}
		m.attach(key, s)
	}
	return m, nil
}

func (m *lpmTrie) slotOff(s uint32) uint64 { return storageHeader + uint64(s)*m.slotSize }
func (m *lpmTrie) state(s uint32) *uint32  { return u32at(m.st.meta, m.slotOff(s)) }
func (m *lpmTrie) keyAt(s uint32) []byte {
	off := m.slotOff(s) + 8
	return m.st.meta[off : off+uint64(m.spec.KeySize)]
}
func (m *lpmTrie) value(s uint32) []byte {
	off := uint64(s) * m.elem
	return m.st.vals[off : off+uint64(m.spec.ValueSize)]
}

func (m *lpmTrie) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
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
	s, _ := m.lookup(key)
	if s < 0 {
		return m.errf(ENOENT, "no matching prefix")
	}
	copy(value, m.value(uint32(s)))
	return nil
}

func (m *lpmTrie) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.update(key, value, flags), "update", key, flags)
}

func (m *lpmTrie) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkKey(key); err != nil {
		return err
	}
	return m.explain(m.remove(key), "delete", key, 0)
}

func (m *lpmTrie) NextKey(key, next []byte) error {
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
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nextKey(key)
	if !ok || n == noNode {
		return ENOENT // the end of every walk: bare, so walks never allocate
	}
	binary.NativeEndian.PutUint32(next, m.nodes[n].prefix)
	m.putData(n, next[4:])
	return nil
}

func (m *lpmTrie) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	return m.errf(ENOTSUPP, "lookup-and-delete is not supported by LPM tries")
}

// LookupElem returns the value address of the longest matching prefix.
func (m *lpmTrie) LookupElem(key []byte, cpu int) uintptr {
	if len(key) != int(m.spec.KeySize) {
		return 0
	}
	s := m.lookupFast(key)
	if s < 0 {
		return 0
	}
	return m.st.valsAddr() + uintptr(uint64(s)*m.elem)
}

// UpdateElem is a program's update; it returns bare Errno values.
func (m *lpmTrie) UpdateElem(key, value []byte, flags uint64, cpu int) error {
	if len(key) != int(m.spec.KeySize) || len(value) != int(m.spec.ValueSize) {
		return EINVAL
	}
	return m.update(key, value, flags)
}

// DeleteElem is a program's delete; it returns bare Errno values.
func (m *lpmTrie) DeleteElem(key []byte) error {
	if len(key) != int(m.spec.KeySize) {
		return EINVAL
	}
	return m.remove(key)
}

// Len returns the number of entries.
func (m *lpmTrie) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int(m.count)
}

// Close releases the map's memory.
func (m *lpmTrie) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.close()
}
