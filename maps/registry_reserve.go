package maps

// ReserveIDs makes Register hand out only IDs above n from now on. The CLI
// restores its persisted ID counter with it so that an ID, once given to a
// map that was later destroyed, is not given again in a later process (the
// kernel does not reuse IDs quickly either, and scripts hold on to them).
func ReserveIDs(n uint32) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if n > nextID {
		nextID = n
	}
}

// LastID returns the highest ID handed out or reserved so far.
func LastID() uint32 {
	registryMu.Lock()
	defer registryMu.Unlock()
	return nextID
}
