package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// maxLoops is BPF_MAX_LOOPS, the most iterations bpf_loop performs.
const maxLoops = 1 << 23

// callbackArg resolves the callback_fn argument (a vm.FuncHandle) and makes
// sure the engine can call back into the program.
func callbackArg(ctx *vm.Context, fn int32, h uint64) (pc int, ok bool) {
	pc, ok = vm.FuncFromHandle(h)
	if !ok {
		ctx.Abort("helper bpf_%s: callback argument %#x is not a subprogram reference", name(fn), h)
		return 0, false
	}
	if ctx.Call == nil {
		ctx.Abort("helper bpf_%s: the execution engine does not support callbacks", name(fn))
		return 0, false
	}
	return pc, true
}

// loop is bpf_loop(nr_loops, callback_fn, callback_ctx, flags): it calls
// callback_fn(i, callback_ctx) for i in [0, nr_loops) until the callback
// returns non-zero, and returns the number of iterations performed.
func loop(ctx *vm.Context, r1, r2, r3, r4, _ uint64) uint64 {
	if r4 != 0 {
		return neg(maps.EINVAL)
	}
	n := uint32(r1) // nr_loops is a u32 in the kernel's prototype
	if n > maxLoops {
		return neg(maps.E2BIG)
	}
	pc, ok := callbackArg(ctx, FnLoop, r2)
	if !ok {
		return 0
	}
	for i := uint32(0); i < n; i++ {
		ret, err := ctx.Call(pc, uint64(i), r3, 0, 0, 0)
		if err != nil {
			ctx.AbortWith(err)
			return 0
		}
		if ret != 0 {
			return uint64(i) + 1
		}
	}
	return uint64(n)
}

// forEachMapElem is bpf_for_each_map_elem(map, callback_fn, callback_ctx,
// flags): it calls callback_fn(map, &key, value, callback_ctx) for each
// element until the callback returns non-zero, and returns the number of
// elements visited (the one that stopped the walk included).
func forEachMapElem(ctx *vm.Context, r1, r2, r3, r4, _ uint64) uint64 {
	if r4 != 0 {
		return neg(maps.EINVAL)
	}
	m := mapArg(r1)
	if m == nil {
		return neg(maps.EINVAL)
	}
	typ, keySize, _, maxEntries := maps.Dims(m)
	switch typ {
	case maps.Hash, maps.Array, maps.PerCPUHash, maps.PerCPUArray, maps.LRUHash, maps.LRUCPUHash:
	default:
		// The kernel offers the walk only for these map types.
		return neg(maps.EINVAL)
	}
	pc, ok := callbackArg(ctx, FnForEachMapElem, r2)
	if !ok {
		return 0
	}
	s := state(ctx)
	n := int(keySize)
	cur, next, err := s.takeKeys(n)
	if err != nil {
		return neg(maps.ErrnoOf(err))
	}
	defer s.giveKeys(n)

	// The walk follows NextKey, bounded by max_entries so that a callback
	// deleting elements (which restarts a hash walk) cannot loop forever.
	var prev []byte
	var visited uint64
	// Only checked runs test accesses against grants; the verifier
	// typed the callback's key pointer of a verified program.
	checked := ctx.Prog.Checked
	for i := uint32(0); i < maxEntries; i++ {
		if err := m.NextKey(prev, next); err != nil {
			break
		}
		cur, next = next, cur
		prev = cur
		value := m.LookupElem(cur, ctx.CPU.ID)
		if value == 0 {
			continue // deleted since NextKey
		}
		visited++
		key := vm.AddrOf(cur)
		if checked {
			ctx.Grant(key, uint64(n))
		}
		ret, err := ctx.Call(pc, r1, key, uint64(value), r3, 0)
		if checked {
			ctx.Revoke(key)
		}
		if err != nil {
			ctx.AbortWith(err)
			return 0
		}
		if ret != 0 {
			break
		}
	}
	return visited
}
