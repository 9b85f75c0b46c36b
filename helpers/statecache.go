package helpers

import (
	"sync/atomic"

	"github.com/bpfhost/bpfhost/vm"
)

// stateCacheSize is how many CPU IDs the state cache covers.
const stateCacheSize = 64

// stateCache remembers each CPU ID's helper state, so that EndRun (after
// every run) and the helpers find it without vm.CPU.Scratch's search. CPUs
// of different pools share IDs, hence the check that the cached state is
// this CPU's and the atomic slots.
var stateCache [stateCacheSize]atomic.Pointer[cpuState]

func state(ctx *vm.Context) *cpuState {
	cpu := ctx.CPU
	id := cpu.ID
	if uint(id) < stateCacheSize {
		if s := stateCache[id].Load(); s != nil && s.cpu == cpu {
			return s
		}
	}
	s := cpu.Scratch(stateKey{}, func() any { return &cpuState{text: make([]byte, 0, printfBufSize), cpu: cpu} }).(*cpuState)
	if uint(id) < stateCacheSize {
		stateCache[id].Store(s)
	}
	return s
}
