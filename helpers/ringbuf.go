package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Ring buffer flags (BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP).
const rbWakeupFlags = 1 | 2

func ringbufArg(h uint64) maps.RingBufMap {
	return maps.AsRingBuf(mapArg(h))
}

// ringbufOutput is bpf_ringbuf_output(ringbuf, data, size, flags): copy data
// into a new record and submit it; -EAGAIN when the buffer is full.
func ringbufOutput(ctx *vm.Context, r1, r2, r3, r4, _ uint64) uint64 {
	rb := ringbufArg(r1)
	if rb == nil || r4&^rbWakeupFlags != 0 {
		return neg(maps.EINVAL)
	}
	if r3 > 1<<32 {
		return neg(maps.E2BIG)
	}
	data, ok := mem(ctx, FnRingbufOutput, "data", r2, int(r3), false)
	if !ok {
		return 0
	}
	return errRet(rb.Output(data, r4))
}

// ringbufReserve is bpf_ringbuf_reserve(ringbuf, size, flags): the address
// of a record of size bytes the program fills and then submits or
// discards, or NULL when the buffer is full or flags are not 0. The record is
// granted to the run until then.
func ringbufReserve(ctx *vm.Context, r1, r2, r3, _, _ uint64) uint64 {
	rb := ringbufArg(r1)
	if rb == nil || r3 != 0 {
		return 0
	}
	addr := uint64(rb.Reserve(r2, r3))
	if addr == 0 {
		return 0
	}
	s := state(ctx)
	s.reservations = append(s.reservations, reservation{addr: addr, size: r2, rb: rb})
	if ctx.Prog.Checked {
		// Only checked runs test accesses against grants; the verifier
		// tracked the record of a verified program.
		ctx.Grant(addr, r2)
	}
	return addr
}

// release finds and forgets the reservation at addr.
func release(ctx *vm.Context, fn int32, addr uint64) (maps.RingBufMap, bool) {
	s := state(ctx)
	for i, r := range s.reservations {
		if r.addr == addr {
			last := len(s.reservations) - 1
			s.reservations[i] = s.reservations[last]
			s.reservations[last] = reservation{}
			s.reservations = s.reservations[:last]
			if ctx.Prog.Checked {
				ctx.Revoke(addr)
			}
			return r.rb, true
		}
	}
	// The kernel's verifier guarantees the argument is an unreleased
	// record; an unverified program can pass anything.
	ctx.Abort("helper bpf_%s: %#x is not a ring buffer record reserved by this run", name(fn), addr)
	return nil, false
}

// ringbufSubmit is bpf_ringbuf_submit(data, flags).
func ringbufSubmit(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	if rb, ok := release(ctx, FnRingbufSubmit, r1); ok {
		rb.Submit(uintptr(r1), r2)
	}
	return 0
}

// ringbufDiscard is bpf_ringbuf_discard(data, flags).
func ringbufDiscard(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	if rb, ok := release(ctx, FnRingbufDiscard, r1); ok {
		rb.Discard(uintptr(r1), r2)
	}
	return 0
}

// ringbufQuery is bpf_ringbuf_query(ringbuf, flags).
func ringbufQuery(_ *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	rb := ringbufArg(r1)
	if rb == nil {
		return 0
	}
	return rb.Query(r2)
}
