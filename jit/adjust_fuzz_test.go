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

// FuzzAdjust: three adjustments (kinds from the low 6 bits of kinds) with
// the fuzzer's deltas, from the fuzzer's packet state (clamped into the
// buffer), agree on the interpreter, the native JIT and the JIT through Go.
func FuzzAdjust(f *testing.F) {
	f.Add(uint16(256), uint16(8), uint16(100), uint16(124), uint8(0b100100), int32(-4), int32(20), int32(-8))
	f.Add(uint16(40), uint16(0), uint16(14), uint16(0), uint8(0b011000), int32(-1), int32(1), int32(0))
	f.Add(uint16(300), uint16(252), uint16(200), uint16(12), uint8(0), int32(-2147483648), int32(2147483647), int32(7))
	nums := []int32{helpers.FnXDPAdjustHead, helpers.FnXDPAdjustMeta, helpers.FnXDPAdjustTail, helpers.FnXDPAdjustHead}
	cpu := adjustCPU(f)
	f.Fuzz(func(t *testing.T, data, metaLen, frame, room uint16, kinds uint8, d1, d2, d3 int32) {
		s := adjustState{data: uint64(data) % adjustBuf}
		s.meta = s.data - min(s.data, uint64(metaLen))
		s.end = s.data + min(uint64(frame), adjustBuf-s.data)
		s.bufEnd = s.end + min(uint64(room), adjustBuf-s.end)
		insns := prog(movx(6, 1), mov(8, 0))
		for i, d := range []int32{d1, d2, d3} {
			insns = append(insns, movx(1, 6), mov(2, d), callHelper(nums[kinds>>(2*i)&3]), mulk(8, 31), addx(8, 0))
		}
		insns = append(insns, movx(0, 8), exit())
		var first string
		for _, e := range adjustEngines(t, insns, 3) {
			cpu.Run.Reset(nil)
			got := adjustRun(cpu, e.exe, s, 0)
			if e.name == "interp" {
				first = got
			} else if got != first {
				t.Fatalf("%+v %v: %s gives\n%s\nthe interpreter\n%s", s, insns, e.name, got, first)
			}
		}
	})
}
