package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// mapLookupElem is bpf_map_lookup_elem(map, key): the address of the value,
// or NULL. For a map of maps the "value" is the inner map, which the program
// passes on to other helpers, so the result is the inner map's handle.
func mapLookupElem(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	m := mapArg(r1)
	if m == nil {
		return 0
	}
	typ, keySize, _, _ := maps.Dims(m)
	key, ok := mem(ctx, FnMapLookupElem, "key", r2, int(keySize), false)
	if !ok {
		return 0
	}
	switch typ {
	case maps.ArrayOfMaps, maps.HashOfMaps:
		if mm := maps.AsMapOfMaps(m); mm != nil {
			if id := mm.Inner(key); id != 0 {
				return vm.MapHandle(id)
			}
		}
		return 0
	case maps.ProgArray, maps.PerfEventArray, maps.Queue, maps.Stack, maps.RingBuf:
		// The kernel's verifier refuses lookups in these maps; they hold no
		// values a program may address.
		return 0
	}
	return uint64(m.LookupElem(key, ctx.CPU.ID))
}

// mapUpdateElem is bpf_map_update_elem(map, key, value, flags).
func mapUpdateElem(ctx *vm.Context, r1, r2, r3, r4, _ uint64) uint64 {
	m := mapArg(r1)
	if m == nil {
		return neg(maps.EINVAL)
	}
	_, keySize, valueSize, _ := maps.Dims(m)
	key, ok := mem(ctx, FnMapUpdateElem, "key", r2, int(keySize), false)
	if !ok {
		return 0
	}
	value, ok := mem(ctx, FnMapUpdateElem, "value", r3, int(valueSize), false)
	if !ok {
		return 0
	}
	return errRet(m.UpdateElem(key, value, r4, ctx.CPU.ID))
}

// mapDeleteElem is bpf_map_delete_elem(map, key).
func mapDeleteElem(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	m := mapArg(r1)
	if m == nil {
		return neg(maps.EINVAL)
	}
	_, keySize, _, _ := maps.Dims(m)
	key, ok := mem(ctx, FnMapDeleteElem, "key", r2, int(keySize), false)
	if !ok {
		return 0
	}
	return errRet(m.DeleteElem(key))
}

// queueArg resolves the map of push/pop/peek and its value memory.
func queueArg(ctx *vm.Context, fn int32, h, value uint64, write bool) (maps.QueueMap, []byte, uint64) {
	m := mapArg(h)
	if m == nil {
		return nil, nil, neg(maps.EINVAL)
	}
	q := maps.AsQueue(m)
	if q == nil {
		return nil, nil, neg(maps.EINVAL)
	}
	_, _, valueSize, _ := maps.Dims(m)
	b, ok := mem(ctx, fn, "value", value, int(valueSize), write)
	if !ok {
		return nil, nil, 0
	}
	return q, b, 0
}

// mapPushElem is bpf_map_push_elem(map, value, flags) for queues and stacks;
// flags BPF_EXIST makes a full map drop its oldest element.
func mapPushElem(ctx *vm.Context, r1, r2, r3, _, _ uint64) uint64 {
	q, v, ret := queueArg(ctx, FnMapPushElem, r1, r2, false)
	if q == nil {
		return ret
	}
	return errRet(q.Push(v, r3))
}

// mapPopElem is bpf_map_pop_elem(map, value).
func mapPopElem(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	q, v, ret := queueArg(ctx, FnMapPopElem, r1, r2, true)
	if q == nil {
		return ret
	}
	return errRet(q.Pop(v))
}

// mapPeekElem is bpf_map_peek_elem(map, value).
func mapPeekElem(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	q, v, ret := queueArg(ctx, FnMapPeekElem, r1, r2, true)
	if q == nil {
		return ret
	}
	return errRet(q.Peek(v))
}
