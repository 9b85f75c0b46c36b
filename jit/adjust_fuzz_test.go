package jit_test

import (
	"math/rand/v2"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
)

// TestAdjustDifferential runs random sequences of three adjustments with
// random deltas from random packet states (with and without metadata,
// aligned or not, with little or much head- and tailroom) on the
// interpreter, the native JIT and the JIT through Go: r0 (a hash of every
// helper's return), the packet, the context block and the buffer's bytes
// must agree.
func TestAdjustDifferential(t *testing.T) {
	cpu := adjustCPU(t)
	rng := rand.New(rand.NewPCG(7, 11))
	nums := []int32{helpers.FnXDPAdjustHead, helpers.FnXDPAdjustMeta, helpers.FnXDPAdjustTail}
	delta := func() int32 {
		switch rng.IntN(8) {
		case 0:
			return int32(rng.Uint32())
		case 1:
			return int32(rng.IntN(9)) - 4
		default:
			return int32(rng.IntN(601)) - 300
		}
	}
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	for round := 0; round < rounds; round++ {
		insns := prog(movx(6, 1), mov(8, 0))
		for i := 0; i < 3; i++ {
			insns = append(insns, movx(1, 6), mov(2, delta()), callHelper(nums[rng.IntN(3)]),
				mulk(8, 31), addx(8, 0))
		}
		insns = append(insns, movx(0, 8), exit())
		data := uint64(rng.IntN(adjustBuf))
		s := adjustState{data: data, meta: data - min(data, uint64(rng.IntN(64))),
			end: data + uint64(rng.IntN(adjustBuf-int(data)+1))}
		s.bufEnd = s.end + uint64(rng.IntN(adjustBuf-int(s.end)+1))
		if rng.IntN(4) == 0 {
			s.meta = s.data
		}
		var first string
		for _, e := range adjustEngines(t, insns, 3) {
			cpu.Run.Reset(nil)
			got := adjustRun(cpu, e.exe, s, 0)
			if e.name == "interp" {
				first = got
			} else if got != first {
				t.Fatalf("round %d %+v %v: %s gives\n%s\nthe interpreter\n%s", round, s, insns, e.name, got, first)
			}
		}
	}
}
