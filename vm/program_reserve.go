package vm

// ReserveProgramIDs makes RegisterProgram hand out only IDs above n from now
// on, so that a persisted ID counter (the CLI's state directory) survives
// across processes and IDs of destroyed programs are not reused.
func ReserveProgramIDs(n uint32) {
	programs.Lock()
	defer programs.Unlock()
	if n > programs.next {
		programs.next = n
	}
}

// LastProgramID returns the highest program ID handed out or reserved so far.
func LastProgramID() uint32 {
	programs.Lock()
	defer programs.Unlock()
	return programs.next
}
