package jit

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/vm"
)

// Intrinsics are helpers that the back ends compile to a few native
// instructions instead of an exit to Go, as the kernel's JIT inlines
// bpf_get_smp_processor_id and friends. A call is compiled natively only
// when the program's helper table holds exactly bpfhost's own
// implementation (the same Go function), so a program type that wraps or
// replaces a helper keeps its Go route; the native code then gives the
// same r0 and the same side effects as that function.

// IntrinsicKind names a natively compiled helper.
type IntrinsicKind uint8

// The intrinsics.
const (
	// IntrinsicNone: not an intrinsic; take the Go route.
	IntrinsicNone IntrinsicKind = iota
	// IntrinsicSpinLock is bpf_spin_lock(lock): a compare-and-swap of the
	// u32 at r1 from 0 to 1 (the word the Go helper uses); on success
	// Frame word OffLockHeld = r1, r0 = 0. After SpinLockTries failed
	// attempts (spinning with pause/yield) the code takes the Go route
	// (helper FnSpinLock), which yields to the scheduler and times out
	// as the Go helper does, and records the lock on the Go side.
	IntrinsicSpinLock
	// IntrinsicSpinUnlock is bpf_spin_unlock(lock): if the Frame word
	// OffLockHeld equals r1 (the lock was taken natively), zero it and
	// store 0 to the u32 at r1 with release semantics, r0 = 0; otherwise
	// take the Go route, which releases a lock the Go helper took.
	IntrinsicSpinUnlock
	// IntrinsicCPU is bpf_get_smp_processor_id(): r0 = Frame.CPU.
	IntrinsicCPU
	// IntrinsicPrandom is bpf_get_prandom_u32(): r0 = RandNext(&Frame.Rand).
	IntrinsicPrandom
	// IntrinsicRedirect is bpf_redirect(ifindex, flags) of XDP and tc (see
	// Intrinsic's Redirect fields).
	IntrinsicRedirect
	// IntrinsicLoop is bpf_loop(nr_loops, callback, ctx, flags), compiled
	// as a native loop when InlineLoop also allows it (intrinsic_loop.go).
	IntrinsicLoop
	// IntrinsicForEach is bpf_for_each_map_elem, compiled as a native walk
	// when InlineArrayWalk allows it (constant plain arrays).
	IntrinsicForEach
)

// Intrinsic is how to compile one helper call natively.
type Intrinsic struct {
	Kind IntrinsicKind
	// For IntrinsicRedirect: if r2 &^ RedirectFlags != 0, r0 =
	// RedirectFail and nothing is written; otherwise the run's
	// vm.Context (address in Frame.Ctx) gets Redirect = {Set: true,
	// IfIndex: uint32(r1), Flags: r2} (Map and Key zero) and r0 =
	// RedirectOK. See the CtxRedirect* offsets.
	RedirectFlags, RedirectFail, RedirectOK uint64
}

// OffLockHeld is the Frame word (the last Spare slot) holding the address
// of the bpf_spin_lock the current run took natively, or 0: unlock takes
// the native route only for that lock, so a lock the Go helper took (after
// contention) is released by the Go helper, which keeps its own record
// for EndRun. The verifier guarantees that a run releases every lock it
// takes, in the same function and with no call in between, so the word is
// 0 again at the end of every run.
const OffLockHeld = OffSpare + 8*7

// SpinLockTries is how many times the native bpf_spin_lock tries to take a
// contended lock (with a pause/yield hint between tries, about 1-5 µs in
// all) before it takes the Go route, which yields to the scheduler: the
// holder may be a goroutine waiting for this processor.
const SpinLockTries = 64

// Offsets of vm.Context.Redirect's fields from the start of vm.Context,
// for the native bpf_redirect. They are pointer-free fields, so native
// stores need no write barrier; intrinsic_test.go pins them by writing
// through them and reading the struct back.
const (
	CtxRedirectSet     = int32(unsafe.Offsetof(vm.Context{}.Redirect) + unsafe.Offsetof(vm.Redirect{}.Set))
	CtxRedirectIfIndex = int32(unsafe.Offsetof(vm.Context{}.Redirect) + unsafe.Offsetof(vm.Redirect{}.IfIndex))
	CtxRedirectMap     = int32(unsafe.Offsetof(vm.Context{}.Redirect) + unsafe.Offsetof(vm.Redirect{}.Map))
	CtxRedirectKey     = int32(unsafe.Offsetof(vm.Context{}.Redirect) + unsafe.Offsetof(vm.Redirect{}.Key))
	CtxRedirectFlags   = int32(unsafe.Offsetof(vm.Context{}.Redirect) + unsafe.Offsetof(vm.Redirect{}.Flags))
)

// IntrinsicFor reports how to compile a call of helper num in p natively,
// or IntrinsicNone when it must exit to Go. Back ends call it at every
// helper call unless Options.NoInline is set.
func IntrinsicFor(p *vm.Program, num int32) Intrinsic {
	h := p.Helpers.Lookup(num)
	if h == nil {
		return Intrinsic{}
	}
	in, ok := intrinsicTable()[helperKey{num, reflect.ValueOf(h).Pointer()}]
	if !ok {
		return Intrinsic{}
	}
	return in
}

// helperKey identifies a helper implementation: its number and the code
// address of its Go function.
type helperKey struct {
	num int32
	pc  uintptr
}

// intrinsicTable maps bpfhost's own helper implementations to their
// native form. The functions are taken from the helper tables the program
// types use, so a renamed or replaced implementation simply stops
// matching (and takes the Go route) instead of being compiled wrongly.
var intrinsicTable = sync.OnceValue(func() map[helperKey]Intrinsic {
	m := map[helperKey]Intrinsic{}
	add := func(t *vm.HelperTable, num int32, in Intrinsic) {
		if h := t.Lookup(num); h != nil {
			m[helperKey{num, reflect.ValueOf(h).Pointer()}] = in
		}
	}
	g := helpers.Generic()
	add(g, helpers.FnSpinLock, Intrinsic{Kind: IntrinsicSpinLock})
	add(g, helpers.FnSpinUnlock, Intrinsic{Kind: IntrinsicSpinUnlock})
	add(g, helpers.FnGetSmpProcessorID, Intrinsic{Kind: IntrinsicCPU})
	add(g, helpers.FnGetPrandomU32, Intrinsic{Kind: IntrinsicPrandom})
	add(g, helpers.FnLoop, Intrinsic{Kind: IntrinsicLoop})
	add(g, helpers.FnForEachMapElem, Intrinsic{Kind: IntrinsicForEach})
	// bpf_redirect: XDP allows no flags (else XDP_ABORTED), tc only
	// BPF_F_INGRESS (else TC_ACT_SHOT); helpers/xdp.go and helpers/skb.go.
	add(helpers.XDP(nil), helpers.FnRedirect, Intrinsic{Kind: IntrinsicRedirect,
		RedirectFlags: 0, RedirectFail: helpers.XDPAborted, RedirectOK: helpers.XDPRedirect})
	add(helpers.TC(nil), helpers.FnRedirect, Intrinsic{Kind: IntrinsicRedirect,
		RedirectFlags: redirectIngress, RedirectFail: helpers.TCActShot, RedirectOK: helpers.TCActRedirect})
	return m
})

// redirectIngress is BPF_F_INGRESS, the one flag tc's bpf_redirect takes.
const redirectIngress = 1

// RandNext advances the native bpf_get_prandom_u32 generator state st
// (Frame.Rand; only st[0] and st[1] are used) and returns the next value:
// xorshift128+ (Vigna, 2014), of which the upper 32 bits of the 64-bit
// output are returned (its low bits are the weak ones). The back ends
// emit exactly this sequence; tests compare them with this function.
//
// The Go helper (interpreter, and JIT programs compiled with NoInline)
// draws from math/rand/v2 instead: it has no access to the Frame, and a
// program cannot tell the streams apart (both are unpredictable, seeded
// at random), as the kernel's per-CPU prandom state cannot be reproduced
// either.
func RandNext(st *[4]uint64) uint32 {
	s1, s0 := st[0], st[1]
	st[0] = s0
	s1 ^= s1 << 23
	s1 ^= s1>>17 ^ s0 ^ s0>>26
	st[1] = s1
	return uint32((s1 + s0) >> 32)
}

// RandState returns the address of the native generator state of cpu's
// JIT state (Frame.Rand), for tests that predict bpf_get_prandom_u32. Only
// the goroutine holding cpu may use it.
func RandState(cpu *vm.CPU) (*[4]uint64, error) {
	s, err := stateFor(cpu)
	if err != nil {
		return nil, err
	}
	return &s.f.Rand, nil
}
