package maps

import (
	"encoding/binary"
	"math/bits"
	"sync"
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
	mu        sync.RWMutex
	dataSize  uint64
	maxPrefix uint32
	elem      uint64
	slotSize  uint64
	count     uint32
	freeSlots []uint32

	root      int32
	nPrefix   []uint32
	nChild    [][2]int32
	nSlot     []int32 // entry slot of a real node, -1 for an intermediate node
	nData     []byte  // dataSize bytes per node
	freeNodes []int32
}

const noNode = -1

func newLPM(b base, opts Options, reopen bool) (*lpmTrie, error) {
	n := uint64(b.spec.MaxEntries)
	m := &lpmTrie{
		base:      b,
		dataSize:  uint64(b.spec.KeySize) - 4,
		elem:      round8(uint64(b.spec.ValueSize)),
		slotSize:  8 + round8(uint64(b.spec.KeySize)),
		maxPrefix: 8 * (b.spec.KeySize - 4),
		root:      noNode,
	}
	if n*m.elem > maxStorage || n*m.slotSize > maxStorage || 2*n*m.dataSize > maxStorage {
		return nil, layoutError(b.spec, "entries")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, n*m.slotSize, n*m.elem, reopen)
	if err != nil {
		return nil, err
	}
	m.st, m.exported = st, n*m.elem
	nodes := 2 * n
	m.nPrefix = make([]uint32, nodes)
	m.nChild = make([][2]int32, nodes)
	m.nSlot = make([]int32, nodes)
	m.nData = make([]byte, nodes*m.dataSize)
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
func (m *lpmTrie) data(n int32) []byte {
	off := uint64(n) * m.dataSize
	return m.nData[off : off+m.dataSize]
}

func extractBit(data []byte, i uint32) int { return int(data[i/8]>>(7-i%8)) & 1 }

// prefixMatch is the kernel's longest_prefix_match: how many leading bits
// of node n and of data agree, up to the shorter of the two prefixes.
func (m *lpmTrie) prefixMatch(n int32, data []byte, prefix uint32) uint32 {
	limit := min(m.nPrefix[n], prefix)
	nd := m.data(n)
	var match uint32
	for i := uint32(0); match < limit; i++ {
		if x := nd[i] ^ data[i]; x != 0 {
			match += uint32(bits.LeadingZeros8(x))
			break
		}
		match += 8
	}
	return min(match, limit)
}

func (m *lpmTrie) newNode(key []byte, prefix uint32, slot int32) int32 {
	n := m.freeNodes[len(m.freeNodes)-1]
	m.freeNodes = m.freeNodes[:len(m.freeNodes)-1]
	m.nPrefix[n], m.nSlot[n], m.nChild[n] = prefix, slot, [2]int32{noNode, noNode}
	copy(m.data(n), key)
	return n
}

func (m *lpmTrie) freeNode(n int32) { m.freeNodes = append(m.freeNodes, n) }

// lookup returns the slot of the longest prefix matching key, or -1.
func (m *lpmTrie) lookup(key []byte) int32 {
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	if prefix > m.maxPrefix {
		return -1 // the kernel refuses such lookups outright
	}
	found := int32(-1)
	for n := m.root; n != noNode; {
		match := m.prefixMatch(n, data, prefix)
		if match == m.maxPrefix {
			return m.nSlot[n]
		}
		if match < m.nPrefix[n] {
			break
		}
		if m.nSlot[n] >= 0 {
			found = m.nSlot[n]
		}
		n = m.nChild[n][extractBit(data, m.nPrefix[n])]
	}
	return found
}

// update inserts or replaces key exactly as trie_update_elem does. Like
// remove it returns bare Errno values: programs' calls must not allocate.
func (m *lpmTrie) update(key, value []byte, flags uint64) error {
	if !validFlags(flags) || binary.NativeEndian.Uint32(key) > m.maxPrefix {
		return EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	var parent int32 = noNode
	var bit int
	n := m.root
	var match uint32
	for n != noNode {
		match = m.prefixMatch(n, data, prefix)
		if m.nPrefix[n] != match || m.nPrefix[n] == prefix || m.nPrefix[n] == m.maxPrefix {
			break
		}
		parent, bit = n, extractBit(data, m.nPrefix[n])
		n = m.nChild[n][bit]
	}
	set := func(x int32) {
		if parent == noNode {
			m.root = x
		} else {
			m.nChild[parent][bit] = x
		}
	}
	if n != noNode && m.nPrefix[n] == match && m.nSlot[n] >= 0 {
		// Exact match of an entry: replace it in place.
		if flags == UpdateNoExist {
			return EEXIST
		}
		s := uint32(m.nSlot[n])
		copy(m.keyAt(s), key)
		copy(m.data(n), data)
		copy(m.value(s), value)
		return nil
	}
	if flags == UpdateExist {
		return ENOENT
	}
	if m.count == m.spec.MaxEntries {
		return ENOSPC
	}
	s := m.freeSlots[len(m.freeSlots)-1]
	m.freeSlots = m.freeSlots[:len(m.freeSlots)-1]
	copy(m.keyAt(s), key)
	copy(m.value(s), value)
	*m.state(s) = slotUsed
	m.count++
	switch {
	case n == noNode:
		set(m.newNode(data, prefix, int32(s)))
	case m.nPrefix[n] == match:
		// An intermediate node with exactly this prefix becomes the entry.
		m.nSlot[n] = int32(s)
		copy(m.data(n), data)
	case match == prefix:
		// The new entry is a prefix of n: insert it above n.
		nn := m.newNode(data, prefix, int32(s))
		m.nChild[nn][extractBit(m.data(n), match)] = n
		set(nn)
	default:
		// Join n and the new entry under an intermediate node at the first
		// differing bit.
		nn := m.newNode(data, prefix, int32(s))
		im := m.newNode(m.data(n), match, -1)
		if extractBit(data, match) == 1 {
			m.nChild[im] = [2]int32{n, nn}
		} else {
			m.nChild[im] = [2]int32{nn, n}
		}
		set(im)
	}
	return nil
}

// attach links stored entry s into the trie while rebuilding: it frees
// the slot and inserts the entry again, which takes the same slot (the top
// of the free stack). A duplicate prefix from a damaged file stays freed.
func (m *lpmTrie) attach(key []byte, s uint32) {
	*m.state(s) = 0
	m.freeSlots = append(m.freeSlots, s)
	val := append([]byte(nil), m.value(s)...)
	m.update(append([]byte(nil), key...), val, UpdateNoExist)
}

// remove deletes the entry with exactly key's prefix, as trie_delete_elem.
func (m *lpmTrie) remove(key []byte) error {
	if binary.NativeEndian.Uint32(key) > m.maxPrefix {
		return EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	var parent, grand int32 = noNode, noNode
	var bit, pbit int
	n := m.root
	var match uint32
	for n != noNode {
		match = m.prefixMatch(n, data, prefix)
		if m.nPrefix[n] != match || m.nPrefix[n] == prefix {
			break
		}
		grand, pbit = parent, bit
		parent, bit = n, extractBit(data, m.nPrefix[n])
		n = m.nChild[n][bit]
	}
	if n == noNode || m.nPrefix[n] != prefix || m.nPrefix[n] != match || m.nSlot[n] < 0 {
		return ENOENT
	}
	s := uint32(m.nSlot[n])
	*m.state(s) = 0
	m.freeSlots = append(m.freeSlots, s)
	m.count--
	c := m.nChild[n]
	if c[0] != noNode && c[1] != noNode {
		m.nSlot[n] = -1 // keep it as an intermediate node
		return nil
	}
	if parent != noNode && m.nSlot[parent] < 0 && c[0] == noNode && c[1] == noNode {
		// Drop the intermediate parent too, promoting n's sibling.
		sib := m.nChild[parent][1-bit]
		if grand == noNode {
			m.root = sib
		} else {
			m.nChild[grand][pbit] = sib
		}
		m.freeNode(parent)
		m.freeNode(n)
		return nil
	}
	repl := c[0]
	if repl == noNode {
		repl = c[1]
	}
	if parent == noNode {
		m.root = repl
	} else {
		m.nChild[parent][bit] = repl
	}
	m.freeNode(n)
	return nil
}

// nextKey follows trie_get_next_key: entries in post-order (more specific
// prefixes before less specific ones, 0-branches first); a nil, invalid or
// absent key yields the first entry.
func (m *lpmTrie) nextKey(key []byte) (int32, bool) {
	if m.root == noNode {
		return noNode, false
	}
	leftmost := func(n int32) int32 {
		next := int32(noNode)
		for n != noNode {
			if m.nSlot[n] < 0 {
				n = m.nChild[n][0]
				continue
			}
			next = n
			n = m.nChild[n][0]
			if n == noNode {
				n = m.nChild[next][1]
			}
		}
		return next
	}
	if key == nil || binary.NativeEndian.Uint32(key) > m.maxPrefix {
		return leftmost(m.root), true
	}
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	stack := make([]int32, 0, 16)
	n := m.root
	var match uint32
	for n != noNode {
		stack = append(stack, n)
		match = m.prefixMatch(n, data, prefix)
		if m.nPrefix[n] != match || m.nPrefix[n] == prefix {
			break
		}
		n = m.nChild[n][extractBit(data, m.nPrefix[n])]
	}
	if n == noNode || m.nPrefix[n] != match || m.nSlot[n] < 0 {
		return leftmost(m.root), true
	}
	for i := len(stack) - 1; i > 0; i-- {
		node, parent := stack[i], stack[i-1]
		if m.nChild[parent][0] == node && m.nChild[parent][1] != noNode {
			return leftmost(m.nChild[parent][1]), true
		}
		if m.nSlot[parent] >= 0 {
			return parent, true
		}
	}
	return noNode, false
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.lookup(key)
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nextKey(key)
	if !ok || n == noNode {
		return m.errf(ENOENT, "no more keys")
	}
	binary.NativeEndian.PutUint32(next, m.nPrefix[n])
	copy(next[4:], m.data(n))
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
	m.mu.RLock()
	s := m.lookup(key)
	m.mu.RUnlock()
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int(m.count)
}

// Close releases the map's memory.
func (m *lpmTrie) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.close()
}
