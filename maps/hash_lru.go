package maps

import "sync/atomic"

// The LRU list of LRU hash maps (see doc.go): a doubly linked list over slot
// numbers on the Go heap, most recent at the head, rebuilt on Open from the
// ages stored in the slots. All functions run with mu held exclusively.

func (m *hashMap) pushHead(s uint32) {
	m.prev[s], m.next[s] = nilSlot, m.head
	if m.head != nilSlot {
		m.prev[m.head] = s
	}
	m.head = s
	if m.tail == nilSlot {
		m.tail = s
	}
}

func (m *hashMap) unlink(s uint32) {
	p, n := m.prev[s], m.next[s]
	if p != nilSlot {
		m.next[p] = n
	} else {
		m.head = n
	}
	if n != nilSlot {
		m.prev[n] = p
	} else {
		m.tail = p
	}
}

// touch makes s the most recently used element and records its age so
// that the order survives a reopen.
func (m *hashMap) touch(s uint32) {
	if m.head != s {
		m.unlink(s)
		m.pushHead(s)
	}
	*m.age(s) = atomic.AddUint64(m.st.word(wordLRUClock), 1)
}

// evict frees the least recently used slot with the kernel's second-chance
// rule: elements looked up since they last reached the tail (their
// referenced bit is set) move back to the head once.
func (m *hashMap) evict() {
	for i := uint32(0); i <= m.count; i++ {
		t := m.tail
		if atomic.LoadUint32(m.ref(t)) == 0 {
			break
		}
		atomic.StoreUint32(m.ref(t), 0)
		m.touch(t)
	}
	victim := m.tail
	m.idxUnlink(victim)
	m.release(victim)
}
