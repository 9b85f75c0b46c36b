package maps

// queueMap implements BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK
// (LIFO) like the kernel's queue_stack_maps.c: a circular buffer of
// max_entries+1 slots with head (next push) and tail (oldest element)
// positions, kept in the private header so they survive a reopen. Values are
// copied in and out, never addressed by programs, so the buffer is private.
type queueMap struct {
	base
	mu    spinMutex
	stack bool
	size  uint64 // slots: max_entries + 1
	elem  uint64
}

const (
	wordQueueHead = 0
	wordQueueTail = 1
)

func newQueue(b base, opts Options, reopen bool) (*queueMap, error) {
	m := &queueMap{base: b, stack: b.spec.Type == Stack, size: uint64(b.spec.MaxEntries) + 1, elem: round8(uint64(b.spec.ValueSize))}
	if m.size*m.elem/m.elem != m.size || m.size*m.elem > maxStorage {
		return nil, layoutError(b.spec, "elements")
	}
	st, err := newStorage(b.spec, opts, b.ncpu, 0, m.size*m.elem, reopen)
	if err != nil {
		return nil, err
	}
	m.st = st
	if h, t := st.word(wordQueueHead), st.word(wordQueueTail); *h >= m.size || *t >= m.size {
		*h, *t = 0, 0 // positions from a damaged file: start empty
	}
	return m, nil
}

// next and prev step a position around the ring, as the kernel's
// queue_stack_maps.c does, by comparing instead of a modulo: a 64-bit
// division costs tens of cycles, and Push, Pop and Peek took up to three.
// (Positions are below size: newQueue resets damaged ones and every store
// goes through these.)
func (m *queueMap) next(i uint64) uint64 {
	if i+1 >= m.size {
		return 0
	}
	return i + 1
}

func (m *queueMap) prev(i uint64) uint64 {
	if i == 0 {
		return m.size - 1
	}
	return i - 1
}

func (m *queueMap) slot(i uint64) []byte {
	off := i * m.elem
	return m.st.vals[off : off+uint64(m.spec.ValueSize)]
}

// Push adds value; with BPF_EXIST a full map overwrites its oldest element
// (E2BIG without it); BPF_NOEXIST and unknown flags are EINVAL. Push, Pop
// and Peek back helpers: they return bare Errno values and never allocate.
func (m *queueMap) Push(value []byte, flags uint64) error {
	if len(value) != int(m.spec.ValueSize) || flags&UpdateNoExist != 0 || flags > UpdateExist {
		return EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	head, tail := m.st.word(wordQueueHead), m.st.word(wordQueueTail)
	next := m.next(*head)
	if next == *tail {
		if flags != UpdateExist {
			return E2BIG
		}
		*tail = m.next(*tail)
	}
	copy(m.slot(*head), value)
	*head = next
	return nil
}

// Pop removes the next element (oldest for a queue, newest for a stack)
// into value; ENOENT when empty.
func (m *queueMap) Pop(value []byte) error { return m.take(value, true) }

// Peek copies the next element into value without removing it.
func (m *queueMap) Peek(value []byte) error { return m.take(value, false) }

func (m *queueMap) take(value []byte, remove bool) error {
	if len(value) != int(m.spec.ValueSize) {
		return EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	head, tail := m.st.word(wordQueueHead), m.st.word(wordQueueTail)
	if *head == *tail {
		return ENOENT
	}
	if !m.stack {
		copy(value, m.slot(*tail))
		if remove {
			*tail = m.next(*tail)
		}
		return nil
	}
	i := m.prev(*head)
	copy(value, m.slot(i))
	if remove {
		*head = i
	}
	return nil
}

// Len returns the number of elements.
func (m *queueMap) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int((*m.st.word(wordQueueHead) + m.size - *m.st.word(wordQueueTail)) % m.size)
}

func (m *queueMap) checkNoKey(key []byte) error {
	if len(key) != 0 {
		return m.errf(EINVAL, "%s maps take no key", m.spec.Type)
	}
	return nil
}

// Lookup peeks (the syscall's BPF_MAP_LOOKUP_ELEM on a queue or stack).
func (m *queueMap) Lookup(key, value []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	if err := m.checkNoKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.Peek(value), "peek", nil, 0)
}

// Update pushes (the syscall's BPF_MAP_UPDATE_ELEM).
func (m *queueMap) Update(key, value []byte, flags uint64) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	if err := m.checkNoKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.Push(value, flags), "push", nil, flags)
}

func (m *queueMap) Delete(key []byte) error {
	if err := m.access(false, true); err != nil {
		return err
	}
	return m.errf(EINVAL, "elements of a %s cannot be deleted by key", m.spec.Type)
}

func (m *queueMap) NextKey(key, next []byte) error {
	if err := m.access(true, false); err != nil {
		return err
	}
	return m.errf(EINVAL, "%s maps have no keys", m.spec.Type)
}

// LookupAndDelete pops (key must be nil).
func (m *queueMap) LookupAndDelete(key, value []byte) error {
	if err := m.access(true, true); err != nil {
		return err
	}
	if err := m.checkNoKey(key); err != nil {
		return err
	}
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.Pop(value), "pop", nil, 0)
}

// LookupElem returns 0: programs use bpf_map_peek_elem instead.
func (m *queueMap) LookupElem(key []byte, cpu int) uintptr { return 0 }

// UpdateElem pushes, as the kernel's map_update_elem on these types does.
func (m *queueMap) UpdateElem(key, value []byte, flags uint64, cpu int) error {
	if err := m.checkUserValue(value); err != nil {
		return err
	}
	return m.explain(m.Push(value, flags), "push", nil, flags)
}

// DeleteElem returns EINVAL: queue elements have no keys.
func (m *queueMap) DeleteElem(key []byte) error { return EINVAL }

// Close releases the map's memory.
func (m *queueMap) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.close()
}

var _ QueueMap = (*queueMap)(nil)
