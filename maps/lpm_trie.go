package maps

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"
)

// The trie algorithms of lpmTrie, following the kernel's lpm_trie.c so that
// matches, errors and iteration order are the same. Writers hold mu and
// bracket their changes (not their failed attempts) with
// beginWrite/endWrite; user-space readers hold mu too (a plain mutex: an
// RWMutex costs writers two more atomics, and programs' readers do not
// need it); programs' lookups (LookupElem) take no lock at all: they read
// the trie optimistically under the sequence counter seq, as the kernel's
// readers walk it under RCU.
//
// Every trie field a lock-free reader loads (root, the nodes' prefix,
// slot and children, nData) is loaded and stored atomically, so a reader
// that races with a writer sees whole values (node indices, prefixes at
// most maxPrefix), its walk stays in bounds and ends, and the race
// detector sees no data race; whether what it saw was one consistent trie
// is what the sequence check decides. A node freed and reused during a
// walk is such a change: the counter moved.

func extractBit(data []byte, i uint32) int { return int(data[i/8]>>(7-i%8)) & 1 }

// keyWord returns bytes [8i, 8i+8) of data as a big-endian word, zero past
// the end, the form node data is stored in.
func keyWord(data []byte, i uint32) uint64 {
	off := 8 * int(i)
	rem := len(data) - off
	if rem >= 8 {
		return binary.BigEndian.Uint64(data[off:])
	}
	var w uint64
	j := 0
	if rem >= 4 { // IPv4 keys: one load
		w, j = uint64(binary.BigEndian.Uint32(data[off:]))<<32, 4
	}
	for ; j < rem; j++ {
		w |= uint64(data[off+j]) << (56 - 8*j)
	}
	return w
}

// word returns data word i of node n.
func (m *lpmTrie) word(n int32, i uint32) uint64 {
	return atomic.LoadUint64(&m.nData[uint64(n)*m.dataWords+uint64(i)])
}

// dataBit is extractBit of node n's data.
func (m *lpmTrie) dataBit(n int32, i uint32) int {
	return int(m.word(n, i/64)>>(63-i%64)) & 1
}

// setData stores data (dataSize bytes) as node n's data.
func (m *lpmTrie) setData(n int32, data []byte) {
	for i := uint32(0); i < uint32(m.dataWords); i++ {
		atomic.StoreUint64(&m.nData[uint64(n)*m.dataWords+uint64(i)], keyWord(data, i))
	}
}

// copyData makes node dst's data that of node src.
func (m *lpmTrie) copyData(dst, src int32) {
	for i := uint32(0); i < uint32(m.dataWords); i++ {
		atomic.StoreUint64(&m.nData[uint64(dst)*m.dataWords+uint64(i)], m.word(src, i))
	}
}

// putData writes node n's data bytes to out (dataSize bytes).
func (m *lpmTrie) putData(n int32, out []byte) {
	for j := range out {
		w := m.word(n, uint32(j/8))
		out[j] = byte(w >> (56 - 8*(j%8)))
	}
}

func (m *lpmTrie) setChild(n int32, b int, c int32) { atomic.StoreInt32(&m.nodes[n].child[b], c) }
func (m *lpmTrie) setSlot(n, s int32)               { atomic.StoreInt32(&m.nodes[n].slot, s) }

// beginWrite and endWrite bracket every change to the trie: the counter is
// odd while a change is under way, and differs afterwards, so a reader
// that saw the same even value before and after its walk saw no change.
func (m *lpmTrie) beginWrite() { m.seq.Add(1) }
func (m *lpmTrie) endWrite()   { m.seq.Add(1) }

// prefixMatch is the kernel's longest_prefix_match: how many leading bits
// of node n and of data agree, up to the shorter of the two prefixes.
func (m *lpmTrie) prefixMatch(n int32, data []byte, prefix uint32) uint32 {
	limit := min(m.nodes[n].prefix, prefix)
	var match uint32
	for i := uint32(0); match < limit; i++ {
		if x := m.word(n, i) ^ keyWord(data, i); x != 0 {
			match += uint32(bits.LeadingZeros64(x))
			break
		}
		match += 64
	}
	return min(match, limit)
}

func (m *lpmTrie) newNode(key []byte, prefix uint32, slot int32) int32 {
	n := m.freeNodes[len(m.freeNodes)-1]
	m.freeNodes = m.freeNodes[:len(m.freeNodes)-1]
	atomic.StoreUint32(&m.nodes[n].prefix, prefix)
	m.setSlot(n, slot)
	m.setChild(n, 0, noNode)
	m.setChild(n, 1, noNode)
	m.setData(n, key)
	return n
}

// newNodeFrom is newNode with the data of node src.
func (m *lpmTrie) newNodeFrom(src int32, prefix uint32, slot int32) int32 {
	n := m.newNode(nil, prefix, slot)
	m.copyData(n, src)
	return n
}

func (m *lpmTrie) freeNode(n int32) { m.freeNodes = append(m.freeNodes, n) }

// lpmKeyWords is how many words of key data lookup keeps in registers or
// on the stack (32 bytes: IPv4 and IPv6 keys); longer keys use
// lpmMaxWords.
const (
	lpmKeyWords = 4
	lpmMaxWords = 32 // the kernel's LPM_DATA_SIZE_MAX of 256 bytes
)

// lookup returns the slot of the longest prefix matching key, or -1; ok
// is false when the walk met something no consistent trie holds (a path
// longer than maxPrefix+1 nodes), which only a racing writer can cause.
func (m *lpmTrie) lookup(key []byte) (slot int32, ok bool) {
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	if prefix > m.maxPrefix {
		return -1, true // the kernel refuses such lookups outright
	}
	if m.dataWords == 1 {
		return m.walk1(prefix, keyWord(data, 0))
	}
	if m.dataWords <= lpmKeyWords {
		var kw [lpmKeyWords]uint64
		for i := range uint32(m.dataWords) {
			kw[i] = keyWord(data, i)
		}
		return m.walk(prefix, kw[:m.dataWords])
	}
	var kw [lpmMaxWords]uint64
	for i := range uint32(min(m.dataWords, lpmMaxWords)) {
		kw[i] = keyWord(data, i)
	}
	return m.walk(prefix, kw[:min(m.dataWords, lpmMaxWords)])
}

// walk1 is walk for keys of at most 8 data bytes (IPv4 and the like):
// the whole key in one register, one compare per node.
func (m *lpmTrie) walk1(prefix uint32, k uint64) (slot int32, ok bool) {
	found := int32(-1)
	steps := m.maxPrefix + 1
	nodes, data := m.nodes, m.nData
	// Node indices and prefixes are whole values even in a torn read
	// (valid indices, prefixes at most maxPrefix), so Go's bounds checks
	// never fire and every shift below is in range.
	for n := m.root.Load(); n != noNode; {
		if steps == 0 {
			return -1, false
		}
		steps--
		nd := &nodes[n]
		np := atomic.LoadUint32(&nd.prefix)
		// longest_prefix_match is min(common bits, np, prefix); the walk
		// goes on only when it reaches np.
		if np > prefix || uint32(bits.LeadingZeros64(atomic.LoadUint64(&data[n])^k)) < np {
			break
		}
		s := atomic.LoadInt32(&nd.slot)
		if np == m.maxPrefix { // the match is the whole key
			return s, true
		}
		if s >= 0 {
			found = s
		}
		n = atomic.LoadInt32(&nd.child[k>>(63-np)&1])
	}
	return found, true
}

// walk is lookup's trie walk over the key data as words (keyWord).
func (m *lpmTrie) walk(prefix uint32, kw []uint64) (slot int32, ok bool) {
	found := int32(-1)
	steps := m.maxPrefix + 1 // prefixes grow strictly along a path
	nodes := m.nodes
	for n := m.root.Load(); n != noNode; {
		if steps == 0 || uint(n) >= uint(len(nodes)) {
			return -1, false
		}
		steps--
		nd := &nodes[n]
		np := atomic.LoadUint32(&nd.prefix)
		// The kernel's longest_prefix_match, a word at a time.
		limit := min(np, prefix)
		var match uint32
		base := uint64(n) * m.dataWords
		for i := 0; match < limit && i < len(kw); i++ {
			if x := atomic.LoadUint64(&m.nData[base+uint64(i)]) ^ kw[i]; x != 0 {
				match += uint32(bits.LeadingZeros64(x))
				break
			}
			match += 64
		}
		match = min(match, limit)
		if match == m.maxPrefix {
			return atomic.LoadInt32(&nd.slot), true
		}
		if match < np {
			break
		}
		if s := atomic.LoadInt32(&nd.slot); s >= 0 {
			found = s
		}
		if uint64(np/64) >= uint64(len(kw)) {
			return -1, false // np < maxPrefix in a consistent trie
		}
		bit := kw[np/64] >> (63 - np%64) & 1
		n = atomic.LoadInt32(&nd.child[bit])
	}
	return found, true
}

// lookupFast is lookup without a lock: a walk whose sequence counter was
// even and unchanged around it saw one consistent trie. After a few walks
// spoiled by writers it waits for them on the lock instead.
func (m *lpmTrie) lookupFast(key []byte) int32 {
	for try := 0; try < lpmOptimisticTries; try++ {
		seq := m.seq.Load()
		if seq&1 != 0 {
			continue
		}
		s, ok := m.lookup(key)
		if ok && m.seq.Load() == seq {
			return s
		}
	}
	m.mu.Lock()
	s, _ := m.lookup(key)
	m.mu.Unlock()
	return s
}

// lpmOptimisticTries bounds lock-free walks before lookupFast locks.
const lpmOptimisticTries = 4

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
	n := m.root.Load()
	var match uint32
	for n != noNode {
		match = m.prefixMatch(n, data, prefix)
		if m.nodes[n].prefix != match || m.nodes[n].prefix == prefix || m.nodes[n].prefix == m.maxPrefix {
			break
		}
		parent, bit = n, extractBit(data, m.nodes[n].prefix)
		n = m.nodes[n].child[bit]
	}
	set := func(x int32) {
		if parent == noNode {
			m.root.Store(x)
		} else {
			m.setChild(parent, bit, x)
		}
	}
	if n != noNode && m.nodes[n].prefix == match && m.nodes[n].slot >= 0 {
		// Exact match of an entry: replace it in place.
		if flags == UpdateNoExist {
			return EEXIST
		}
		m.beginWrite()
		defer m.endWrite()
		s := uint32(m.nodes[n].slot)
		copy(m.keyAt(s), key)
		m.setData(n, data)
		copy(m.value(s), value)
		return nil
	}
	if flags == UpdateExist {
		return ENOENT
	}
	if m.count == m.spec.MaxEntries {
		return ENOSPC
	}
	// Only changes move the counter: a failed update or delete costs
	// readers nothing.
	m.beginWrite()
	defer m.endWrite()
	s := m.freeSlots[len(m.freeSlots)-1]
	m.freeSlots = m.freeSlots[:len(m.freeSlots)-1]
	copy(m.keyAt(s), key)
	copy(m.value(s), value)
	*m.state(s) = slotUsed
	m.count++
	switch {
	case n == noNode:
		set(m.newNode(data, prefix, int32(s)))
	case m.nodes[n].prefix == match:
		// An intermediate node with exactly this prefix becomes the entry.
		m.setSlot(n, int32(s))
		m.setData(n, data)
	case match == prefix:
		// The new entry is a prefix of n: insert it above n.
		nn := m.newNode(data, prefix, int32(s))
		m.setChild(nn, m.dataBit(n, match), n)
		set(nn)
	default:
		// Join n and the new entry under an intermediate node at the first
		// differing bit.
		nn := m.newNode(data, prefix, int32(s))
		im := m.newNodeFrom(n, match, -1)
		if extractBit(data, match) == 1 {
			m.setChild(im, 0, n)
			m.setChild(im, 1, nn)
		} else {
			m.setChild(im, 0, nn)
			m.setChild(im, 1, n)
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
	n := m.root.Load()
	var match uint32
	for n != noNode {
		match = m.prefixMatch(n, data, prefix)
		if m.nodes[n].prefix != match || m.nodes[n].prefix == prefix {
			break
		}
		grand, pbit = parent, bit
		parent, bit = n, extractBit(data, m.nodes[n].prefix)
		n = m.nodes[n].child[bit]
	}
	if n == noNode || m.nodes[n].prefix != prefix || m.nodes[n].prefix != match || m.nodes[n].slot < 0 {
		return ENOENT
	}
	m.beginWrite()
	defer m.endWrite()
	s := uint32(m.nodes[n].slot)
	*m.state(s) = 0
	m.freeSlots = append(m.freeSlots, s)
	m.count--
	c := m.nodes[n].child
	if c[0] != noNode && c[1] != noNode {
		m.setSlot(n, -1) // keep it as an intermediate node
		return nil
	}
	if parent != noNode && m.nodes[parent].slot < 0 && c[0] == noNode && c[1] == noNode {
		// Drop the intermediate parent too, promoting n's sibling.
		sib := m.nodes[parent].child[1-bit]
		if grand == noNode {
			m.root.Store(sib)
		} else {
			m.setChild(grand, pbit, sib)
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
		m.root.Store(repl)
	} else {
		m.setChild(parent, bit, repl)
	}
	m.freeNode(n)
	return nil
}

// nextKey follows trie_get_next_key: entries in post-order (more specific
// prefixes before less specific ones, 0-branches first); a nil, invalid or
// absent key yields the first entry.
func (m *lpmTrie) nextKey(key []byte) (int32, bool) {
	root := m.root.Load()
	if root == noNode {
		return noNode, false
	}
	leftmost := func(n int32) int32 {
		next := int32(noNode)
		for n != noNode {
			if m.nodes[n].slot < 0 {
				n = m.nodes[n].child[0]
				continue
			}
			next = n
			n = m.nodes[n].child[0]
			if n == noNode {
				n = m.nodes[next].child[1]
			}
		}
		return next
	}
	if key == nil || binary.NativeEndian.Uint32(key) > m.maxPrefix {
		return leftmost(root), true
	}
	prefix, data := binary.NativeEndian.Uint32(key), key[4:]
	stack := make([]int32, 0, 16)
	n := root
	var match uint32
	for n != noNode {
		stack = append(stack, n)
		match = m.prefixMatch(n, data, prefix)
		if m.nodes[n].prefix != match || m.nodes[n].prefix == prefix {
			break
		}
		n = m.nodes[n].child[extractBit(data, m.nodes[n].prefix)]
	}
	if n == noNode || m.nodes[n].prefix != match || m.nodes[n].slot < 0 {
		return leftmost(root), true
	}
	for i := len(stack) - 1; i > 0; i-- {
		node, parent := stack[i], stack[i-1]
		if m.nodes[parent].child[0] == node && m.nodes[parent].child[1] != noNode {
			return leftmost(m.nodes[parent].child[1]), true
		}
		if m.nodes[parent].slot >= 0 {
			return parent, true
		}
	}
	return noNode, false
}
