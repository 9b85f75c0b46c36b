package jit

import (
	"reflect"
	"sync"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Native ring buffer helpers: the architecture-neutral half.
//
// A back end compiles a ring buffer helper call natively when RingBufAt
// says the call site qualifies: the program's helper is bpfhost's own Go
// implementation (so the native code can give its exact results), r1
// provably holds a ring buffer's handle (an ld_imm64 in the same basic
// block, as clang emits for &map), and the map publishes a maps.NativeRing.
//
// bpf_ringbuf_reserve (RingReserve): the native code answers only the
// reservations the Go helper would refuse, and exits to the Go helper
// otherwise:
//
//	flags (r3) != 0                        -> r0 = 0
//	size (r2) > maps.RingBufMaxRecord      -> r0 = 0
//	span = (size + 8 + 7) &^ 7; span > Size -> r0 = 0
//	cons = load(Cons) (acquire); prod = load(Prod)
//	prod + span - cons > Mask              -> r0 = 0   (the ring is full)
//	else                                   -> the Go helper (r1-r3 intact)
//
// This is maps.RingReserveFails: Reserve loads the consumer position before
// taking its lock and the producer position under it, and fails on the same
// test; a producer position loaded earlier than Reserve's is never larger,
// so a native "full" is one Reserve would also answer from that consumer
// position. The consumer position is loaded first (a load-acquire on arm64),
// so prod >= cons and the subtraction cannot wrap. A refused reservation
// grants nothing and reserves nothing, so the Go side's reservation records
// (helpers' cpuState, EndRun, checked-run grants) are untouched: records
// are only ever handed out by the Go helper. A ring that no consumer
// drains (a benchmark, or a consumer that fell behind) spends every run
// here, as the kernel's bpf_ringbuf_reserve does when it fails.
//
// bpf_ringbuf_output (RingOutput, programs without run-time checks only:
// a checked run's Go helper tests the data range first): the same
// refusals, with the Go helper's errors, in its order:
//
//	flags (r4) &^ (BPF_RB_NO_WAKEUP|BPF_RB_FORCE_WAKEUP) != 0 -> r0 = -EINVAL
//	size (r3) > 1<<32                                         -> r0 = -E2BIG
//	the reserve tests above on size (flags 0) refuse          -> r0 = -EAGAIN
//	else                                                      -> the Go helper
//
// bpf_ringbuf_query (RingQuery): r0 from r2 = flags, as Query:
// 0 -> prod - cons, 1 -> Size, 2 -> cons, 3 -> prod, else 0 (cons loaded
// before prod, as Query does).

// RingKind names a natively compiled ring buffer helper.
type RingKind uint8

// The native ring buffer helpers.
const (
	// RingNone: take the Go route.
	RingNone RingKind = iota
	// RingReserve is bpf_ringbuf_reserve's refusals (see above).
	RingReserve
	// RingQuery is bpf_ringbuf_query.
	RingQuery
	// RingOutput is bpf_ringbuf_output's refusals (see above).
	RingOutput
)

// Return values of bpf_ringbuf_output's native refusals (the Go helper's
// -errno values).
const (
	RingOutputEINVAL = -int64(maps.EINVAL)
	RingOutputE2BIG  = -int64(maps.E2BIG)
	RingOutputEAGAIN = -int64(maps.EAGAIN)
	// RingOutputFlags are the flags bpf_ringbuf_output accepts.
	RingOutputFlags = maps.RingBufNoWakeup | maps.RingBufForceWakeup
	// RingOutputMaxSize is the largest size the Go helper passes on to
	// the ring (larger: -E2BIG).
	RingOutputMaxSize = 1 << 32
)

// RingSite describes a ring buffer helper call compiled natively.
type RingSite struct {
	Kind RingKind
	// Ring is the ring buffer r1 names (its addresses are embedded in the
	// code; the program holds the map).
	Ring maps.NativeRing
}

// ringHelpers are bpfhost's own implementations of the helpers RingBufAt
// compiles, by helper number.
var ringHelpers = sync.OnceValue(func() map[int32]uintptr {
	g := helpers.Generic()
	m := map[int32]uintptr{}
	for _, n := range []int32{helpers.FnRingbufReserve, helpers.FnRingbufQuery, helpers.FnRingbufOutput} {
		if h := g.Lookup(n); h != nil {
			m[n] = reflect.ValueOf(h).Pointer()
		}
	}
	return m
})

// RingBufAt reports whether the helper call num at pc of p is a ring
// buffer helper that can be compiled natively, and how. insns are p's
// instructions, second marks the second halves of ld_imm64 and target the
// jump and call targets.
func RingBufAt(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (RingSite, bool) {
	var kind RingKind
	switch num {
	case helpers.FnRingbufReserve:
		kind = RingReserve
	case helpers.FnRingbufQuery:
		kind = RingQuery
	case helpers.FnRingbufOutput:
		if p.Checked {
			return RingSite{}, false
		}
		kind = RingOutput
	default:
		return RingSite{}, false
	}
	want, ok := ringHelpers()[num]
	h := p.Helpers.Lookup(num)
	if !ok || h == nil || reflect.ValueOf(h).Pointer() != want {
		return RingSite{}, false
	}
	v, ok := constReg(insns, second, target, pc, isa.R1)
	if !ok {
		return RingSite{}, false
	}
	m := vm.MapFromHandle(v)
	if m == nil || m.Spec().Type != maps.RingBuf {
		return RingSite{}, false
	}
	r, ok := maps.NativeRingOf(m)
	if !ok {
		return RingSite{}, false
	}
	return RingSite{Kind: kind, Ring: r}, true
}
