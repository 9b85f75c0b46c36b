package helpers

import "github.com/bpfhost/bpfhost/vm"

// Generic returns a new table of the helpers every program type offers:
// maps (lookup, update, delete, push, pop, peek, for_each), tail calls,
// clocks, random numbers, the CPU number, pid/tgid, trace_printk, snprintf,
// strncmp, bpf_loop, ring buffers, spin locks, map_lookup_percpu_elem and
// (tracing-style) perf_event_output.
// Program types copy it and add their own helpers.
func Generic() *vm.HelperTable {
	t := &vm.HelperTable{}
	t[FnMapLookupElem] = mapLookupElem
	t[FnMapUpdateElem] = mapUpdateElem
	t[FnMapDeleteElem] = mapDeleteElem
	t[FnKtimeGetNs] = ktimeGetNs
	t[FnTracePrintk] = tracePrintk
	t[FnGetPrandomU32] = getPrandomU32
	t[FnGetSmpProcessorID] = getSmpProcessorID
	t[FnTailCall] = tailCall
	t[FnGetCurrentPidTgid] = getCurrentPidTgid
	t[FnPerfEventOutput] = perfEventOutput
	t[FnMapPushElem] = mapPushElem
	t[FnMapPopElem] = mapPopElem
	t[FnMapPeekElem] = mapPeekElem
	t[FnJiffies64] = jiffies64
	t[FnKtimeGetBootNs] = ktimeGetBootNs
	t[FnRingbufOutput] = ringbufOutput
	t[FnRingbufReserve] = ringbufReserve
	t[FnRingbufSubmit] = ringbufSubmit
	t[FnRingbufDiscard] = ringbufDiscard
	t[FnRingbufQuery] = ringbufQuery
	t[FnKtimeGetCoarseNs] = ktimeGetCoarseNs
	t[FnForEachMapElem] = forEachMapElem
	t[FnSnprintf] = snprintf
	t[FnLoop] = loop
	t[FnStrncmp] = strncmp
	t[FnSpinLock] = spinLock
	t[FnSpinUnlock] = spinUnlock
	t[FnMapLookupPercpuElem] = mapLookupPercpuElem
	return t
}

// XDP returns a new table of the helpers of XDP programs: Generic plus
// csum_diff, the adjust_head/tail/meta helpers (which call refresh after
// moving the packet so the context block stays in sync), redirect,
// redirect_map, xdp_get_buff_len, xdp_load_bytes/store_bytes and the XDP
// flavour of perf_event_output.
func XDP(refresh Refresh) *vm.HelperTable {
	t := Generic()
	t[FnCsumDiff] = csumDiff
	t[FnXDPAdjustHead] = xdpAdjustHead(refresh)
	t[FnXDPAdjustTail] = xdpAdjustTail(refresh)
	t[FnXDPAdjustMeta] = xdpAdjustMeta(refresh)
	t[FnXDPGetBuffLen] = xdpGetBuffLen
	t[FnXDPLoadBytes] = xdpLoadBytes
	t[FnXDPStoreBytes] = xdpStoreBytes
	t[FnRedirect] = xdpRedirect
	t[FnRedirectMap] = xdpRedirectMap
	t[FnPerfEventOutput] = xdpPerfEventOutput
	return t
}
