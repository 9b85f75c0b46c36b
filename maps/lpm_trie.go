package maps

import (
	"encoding/binary"
	"math/bits"
)

// The trie algorithms of lpmTrie, following the kernel's lpm_trie.c so that
// matches, errors and iteration order are the same. Callers hold mu.

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
