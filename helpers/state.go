package helpers

import (
	"fmt"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// cpuState is what the helpers keep per virtual CPU. Only the run holding the
// CPU touches it, so it needs no locking.
type cpuState struct {
	// reservations are the ring buffer records handed out and not yet
	// submitted or discarded, with the map each belongs to (submit and
	// discard receive only the record's address, as in the kernel).
	reservations []reservation
	// text is the formatting buffer of trace_printk and snprintf.
	text []byte
	// buf is a scratch buffer for data that never reaches the program
	// (perf samples with appended packet bytes, redirect_map keys).
	buf []byte
	// keys is off-heap memory for the keys for_each_map_elem passes to its
	// callback: the program dereferences them, so they cannot live on the
	// Go heap. It is allocated on first use and kept for the CPU's lifetime;
	// keysUsed is its bump pointer (callbacks may nest).
	keys     *offheap.Block
	keysUsed int
	// lockHeld is the address of the bpf_spin_lock the run holds, or 0.
	lockHeld uint64
	// skb is the socket-buffer state the skb helpers keep (skbstate.go).
	skb skbState
	// cpu is the virtual CPU the state belongs to (statecache.go).
	cpu *vm.CPU
}

type reservation struct {
	addr uint64
	size uint64
	rb   maps.RingBufMap
}

// stateKey identifies the helpers' entry in vm.CPU.Scratch; a zero-size key
// converts to an interface without allocating.
type stateKey struct{}

// keyScratchBytes bounds the keys of nested for_each_map_elem calls.
const keyScratchBytes = 64 << 10

// takeKeys returns two off-heap key buffers of n bytes each; release them
// with giveKeys(n) in reverse order of taking.
func (s *cpuState) takeKeys(n int) (a, b []byte, err error) {
	if s.keys == nil {
		blk, err := offheap.Alloc(keyScratchBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("allocating key scratch: %w", err)
		}
		s.keys = blk
	}
	if s.keysUsed+2*n > s.keys.Len() {
		return nil, nil, maps.E2BIG
	}
	mem := s.keys.Bytes()[s.keysUsed:]
	s.keysUsed += 2 * n
	return mem[:n:n], mem[n : 2*n : 2*n], nil
}

func (s *cpuState) giveKeys(n int) { s.keysUsed -= 2 * n }

// EndRun releases what a run left behind in the helpers' per-CPU state: ring
// buffer records reserved and never submitted or discarded are discarded, so
// a buggy unverified program cannot wedge a ring buffer. Program types call
// it after every run (the kernel's verifier makes such leaks impossible).
// A bpf_spin_lock the run still holds is released likewise.
func EndRun(ctx *vm.Context) {
	s := state(ctx)
	s.keysUsed = 0
	releaseLock(s)
	for _, r := range s.reservations {
		r.rb.Discard(uintptr(r.addr), 0)
		ctx.Revoke(r.addr)
	}
	s.reservations = s.reservations[:0]
}
