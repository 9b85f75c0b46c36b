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
// When the program may hold native records (nativeRecords: one ring, all
// its ring helpers bpfhost's own, no run-time checks) and the back end
// supports it (amd64), a reservation that fits is made natively too
// ("Native records" below) instead of the Go exit.
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
// Native records (amd64). Under the ring's producer lock (the off-heap
// word Go's Reserve takes too, maps.NativeRing.Lock; taken with one
// compare-and-swap, the Go helper on contention), with the consumer
// position loaded before the lock as Reserve does: newProd = prod + span;
// newProd - cons > Mask -> NULL; newProd - pend > Mask -> the Go helper
// (which advances the pending position native code never moves);
// otherwise the header gets size|BUSY and (off/4096)|RingBufNativeBit,
// the producer position newProd (release), the lock 0, r0 = Data+off+8.
// Such a record is not in the Go helper's reservation list, so submit
// and discard (RingSubmit, RingDiscard) handle exactly the records whose
// header carries the native bit and that lie in the ring (8-aligned,
// offset below Size): a compare-and-swap clears BUSY (sets DISCARD), as
// maps' commit; any other record goes to the Go helper, which reserved it.
// Wakeups follow the kernel: none with BPF_RB_NO_WAKEUP; with
// BPF_RB_FORCE_WAKEUP, or when the consumer position (loaded after the
// compare-and-swap, a full barrier) is the record's, the code stores 1 in
// the ring's Wake word and exits to the Go bpf_ringbuf_query (r1 = the
// ring, r2 = 0), which delivers it on the Notify channel; r0 = 0. A
// consumer that finds the record busy stored its position before reading
// the header, so either it sees the record committed or the committer sees
// its position: no wakeup is lost. The verifier guarantees that a verified
// run releases every record it reserves, and native records are only
// allowed in programs that call none of the helpers through which a
// verified run can end early with an error (see nativeRecords): EndRun
// does not know native records, and one left busy would stall the
// consumer at it.
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
	// RingSubmit and RingDiscard are bpf_ringbuf_submit/discard of
	// records native code reserved (see "Native records").
	RingSubmit
	RingDiscard
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
	// code; the program holds the map); for RingSubmit and RingDiscard,
	// the program's only ring buffer.
	Ring maps.NativeRing
	// Records (RingReserve): the code may reserve records itself (see
	// "Native records"); otherwise only its refusals are native.
	Records bool
	// Handle is the ring's map handle (the Go helper exits of
	// RingReserve's fallback and of a wakeup pass it in r1).
	Handle uint64
}

// ringHelpers are bpfhost's own implementations of the helpers RingBufAt
// compiles, by helper number.
var ringHelpers = sync.OnceValue(func() map[int32]uintptr {
	g := helpers.Generic()
	m := map[int32]uintptr{}
	for _, n := range []int32{helpers.FnRingbufReserve, helpers.FnRingbufQuery, helpers.FnRingbufOutput,
		helpers.FnRingbufSubmit, helpers.FnRingbufDiscard} {
		if h := g.Lookup(n); h != nil {
			m[n] = reflect.ValueOf(h).Pointer()
		}
	}
	return m
})

// ownHelper reports whether p's helper num is bpfhost's own.
func ownHelper(p *vm.Program, num int32) bool {
	want, ok := ringHelpers()[num]
	h := p.Helpers.Lookup(num)
	return ok && h != nil && reflect.ValueOf(h).Pointer() == want
}

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
	case helpers.FnRingbufSubmit, helpers.FnRingbufDiscard:
		if !ownHelper(p, num) {
			return RingSite{}, false
		}
		r, h, ok := nativeRecords(p, insns, second, target)
		if !ok {
			return RingSite{}, false
		}
		kind = RingSubmit
		if num == helpers.FnRingbufDiscard {
			kind = RingDiscard
		}
		return RingSite{Kind: kind, Ring: r, Handle: h}, true
	default:
		return RingSite{}, false
	}
	if !ownHelper(p, num) {
		return RingSite{}, false
	}
	v, ok := constReg(insns, second, target, pc, isa.R1)
	if !ok {
		return RingSite{}, false
	}
	r, ok := ringOf(v)
	if !ok {
		return RingSite{}, false
	}
	site := RingSite{Kind: kind, Ring: r, Handle: v}
	if kind == RingReserve {
		_, h, ok := nativeRecords(p, insns, second, target)
		site.Records = ok && h == v
	}
	return site, true
}

// ringOf is the native view of the ring buffer with handle v.
func ringOf(v uint64) (maps.NativeRing, bool) {
	m := vm.MapFromHandle(v)
	if m == nil || m.Spec().Type != maps.RingBuf {
		return maps.NativeRing{}, false
	}
	return maps.NativeRingOf(m)
}

// nativeRecords reports whether native code may reserve records in p, and
// in which ring (and its handle): p runs without run-time checks, its
// reserve, submit, discard and query helpers (query delivers wakeups) are
// bpfhost's own, every bpf_ringbuf_reserve names the same ring buffer
// with an ld_imm64 in its basic block, that ring has a lock word, and p
// calls no dynptr ring buffer helper and none of the helpers that can end
// a verified run with an error (bpf_spin_lock/unlock's timeout, the
// callback helpers bpf_loop and bpf_for_each_map_elem). Then every record a submit or
// discard receives comes from that ring: native records (RingBufNativeBit)
// are released natively, the Go helper's go back to it.
func nativeRecords(p *vm.Program, insns []isa.Instruction, second, target []bool) (maps.NativeRing, uint64, bool) {
	if p.Checked {
		return maps.NativeRing{}, 0, false
	}
	for _, n := range []int32{helpers.FnRingbufReserve, helpers.FnRingbufSubmit, helpers.FnRingbufDiscard, helpers.FnRingbufQuery} {
		if !ownHelper(p, n) {
			return maps.NativeRing{}, 0, false
		}
	}
	var handle uint64
	for pc, ins := range insns {
		if second[pc] || ins.Opcode != isa.OpCall || ins.Src != isa.CallHelper {
			continue
		}
		switch ins.Imm {
		case fnRingbufReserveDynptr, fnRingbufSubmitDynptr, fnRingbufDiscardDynptr,
			// The helpers that can end a verified run early with an
			// error (a lock timeout, a callback's error): EndRun
			// discards the Go helper's unreleased records, but a
			// native record would stay busy and stall the consumer.
			helpers.FnSpinLock, helpers.FnSpinUnlock, helpers.FnLoop, helpers.FnForEachMapElem:
			return maps.NativeRing{}, 0, false
		case helpers.FnRingbufReserve:
			v, ok := constReg(insns, second, target, pc, isa.R1)
			if !ok || handle != 0 && v != handle {
				return maps.NativeRing{}, 0, false
			}
			handle = v
		}
	}
	if handle == 0 {
		return maps.NativeRing{}, 0, false
	}
	r, ok := ringOf(handle)
	if !ok || r.Lock == 0 || r.Wake == 0 {
		return maps.NativeRing{}, 0, false
	}
	return r, handle, true
}

// The dynptr ring buffer helpers (Linux numbers; bpfhost may not offer
// them): a program that calls any of them keeps Go ring buffer records.
const (
	fnRingbufReserveDynptr = 198
	fnRingbufSubmitDynptr  = 199
	fnRingbufDiscardDynptr = 200
)
