package jit

import "github.com/bpfhost/bpfhost/maps"

// SetProgArrayDesc replaces the source of prog-array descriptors (tests
// use hand-made ones) and returns a function restoring it.
func SetProgArrayDesc(f func(maps.Map) (uintptr, bool)) (restore func()) {
	old := progArrayDesc
	progArrayDesc = f
	return func() { progArrayDesc = old }
}

// TailReclaimed is the number of tail-table entries reclaimed so far.
func TailReclaimed() uint64 { return tails.reclaimed.Load() }

// TailIdle reports whether no withdrawn entry awaits reclamation.
func TailIdle() bool {
	tails.mu.Lock()
	defer tails.mu.Unlock()
	return !tails.busy && len(tails.retired) == 0
}
