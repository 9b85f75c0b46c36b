package maps

// freeSlots is the queue of a hash map's free slots (writers only). It is
// first-in first-out, unlike the kernel's per-CPU free lists, to delay the
// reuse of a deleted slot for as long as the map has other free slots: a
// lock-free walk (Go's or native code's) standing on a slot that a writer
// unlinks walks on along the old chain unless the slot is reused in another
// chain first, which makes the walk restart, and native code gives up (a
// miss) after NativeMaxRestarts restarts. Only a full map (an LRU map
// evicting, say) reuses a slot at once.
type freeSlots struct {
	ring    []uint32 // max_entries entries
	head, n uint32   // oldest free slot's position, number of free slots
}

func newFreeSlots(capacity uint32) freeSlots { return freeSlots{ring: make([]uint32, capacity)} }

// reset empties the queue.
func (f *freeSlots) reset() { f.head, f.n = 0, 0 }

// push queues slot s (there is room: at most max_entries slots are free).
func (f *freeSlots) push(s uint32) {
	i := uint64(f.head) + uint64(f.n)
	if i >= uint64(len(f.ring)) {
		i -= uint64(len(f.ring))
	}
	f.ring[i] = s
	f.n++
}

// pop returns the slot that has been free longest (the queue is not empty).
func (f *freeSlots) pop() uint32 {
	s := f.ring[f.head]
	f.head++
	if f.head == uint32(len(f.ring)) {
		f.head = 0
	}
	f.n--
	return s
}
