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

// TC returns a new table of the helpers of tc programs (sched_cls and
// sched_act): Generic plus the socket-buffer helpers bpfhost has
// (skb_load_bytes, skb_load_bytes_relative, skb_store_bytes,
// l3/l4_csum_replace, csum_diff, csum_update, skb_pull_data,
// skb_change_tail, skb_change_head, skb_adjust_room, skb_change_proto,
// skb_vlan_push, skb_vlan_pop, skb_change_type, set_hash, set_hash_invalid,
// get_hash_recalc, csum_level, skb_ecn_set_ce), redirect, redirect_neigh,
// redirect_peer and the packet flavour of perf_event_output, following the
// kernel's tc_cls_act_func_proto. The helpers that change the packet or its
// metadata call refresh afterwards, so the context block stays in sync.
func TC(refresh Refresh) *vm.HelperTable {
	t := Generic()
	t[FnSkbChangeTail] = skbChangeTail(refresh)
	t[FnSkbChangeHead] = skbChangeHead(refresh)
	t[FnSkbAdjustRoom] = skbAdjustRoom(refresh)
	t[FnSkbChangeProto] = skbChangeProto(refresh)
	t[FnSkbVlanPush] = skbVlanPush(refresh)
	t[FnSkbVlanPop] = skbVlanPop(refresh)
	t[FnSetHashInvalid] = setHashInvalid(refresh)
	t[FnSetHash] = setHash(refresh)
	t[FnGetHashRecalc] = getHashRecalc(refresh)
	t[FnSkbChangeType] = skbChangeType(refresh)
	t[FnCsumLevel] = csumLevel
	t[FnSkbLoadBytes] = skbLoadBytes
	t[FnSkbLoadBytesRelative] = skbLoadBytesRelative
	t[FnSkbStoreBytes] = skbStoreBytes
	t[FnL3CsumReplace] = l3CsumReplace
	t[FnL4CsumReplace] = l4CsumReplace
	t[FnCsumDiff] = csumDiff
	t[FnCsumUpdate] = csumUpdate
	t[FnSkbPullData] = skbPullData
	t[FnRedirect] = tcRedirect
	t[FnRedirectNeigh] = redirectNeigh
	t[FnRedirectPeer] = redirectPeer
	t[FnSkbEcnSetCe] = skbEcnSetCe
	t[FnPerfEventOutput] = xdpPerfEventOutput
	return t
}

// SocketFilter returns a new table of the helpers of socket filters:
// Generic plus skb_load_bytes, skb_load_bytes_relative and the packet
// flavour of perf_event_output (the kernel's sk_filter_func_proto; filters
// cannot modify the packet).
func SocketFilter() *vm.HelperTable {
	t := Generic()
	t[FnSkbLoadBytes] = skbLoadBytes
	t[FnSkbLoadBytesRelative] = skbLoadBytesRelative
	t[FnPerfEventOutput] = xdpPerfEventOutput
	return t
}

// CgroupSKB returns a new table of the helpers of cgroup_skb programs: the
// socket-filter set plus skb_ecn_set_ce (the kernel's cg_skb_func_proto).
func CgroupSKB() *vm.HelperTable {
	t := SocketFilter()
	t[FnSkbEcnSetCe] = skbEcnSetCe
	return t
}

// Tracing returns a new table of the helpers of tracing programs (kprobe,
// tracepoint, raw_tracepoint, perf_event): Generic without
// ktime_get_coarse_ns, which the kernel refuses to tracing programs.
func Tracing() *vm.HelperTable {
	t := Generic()
	t[FnKtimeGetCoarseNs] = nil
	return t
}

// LWTOut returns a new table of the helpers of lwt_in and lwt_out programs
// (the kernel's lwt_out_func_proto, for the helpers bpfhost has): Generic
// plus skb_load_bytes, skb_pull_data, csum_diff, get_hash_recalc and the
// packet flavour of perf_event_output. refresh is called after a helper
// changes what the context shows.
func LWTOut(refresh Refresh) *vm.HelperTable {
	t := Generic()
	t[FnSkbLoadBytes] = skbLoadBytes
	t[FnSkbPullData] = skbPullData
	t[FnCsumDiff] = csumDiff
	t[FnGetHashRecalc] = getHashRecalc(refresh)
	t[FnPerfEventOutput] = xdpPerfEventOutput
	return t
}

// LWTXmit returns a new table of the helpers of lwt_xmit programs: LWTOut
// plus the helpers that rewrite or redirect the packet
// (lwt_xmit_func_proto).
func LWTXmit(refresh Refresh) *vm.HelperTable {
	t := LWTOut(refresh)
	t[FnRedirect] = tcRedirect
	t[FnSkbChangeTail] = skbChangeTail(refresh)
	t[FnSkbChangeHead] = skbChangeHead(refresh)
	t[FnSkbStoreBytes] = skbStoreBytes
	t[FnCsumUpdate] = csumUpdate
	t[FnCsumLevel] = csumLevel
	t[FnL3CsumReplace] = l3CsumReplace
	t[FnL4CsumReplace] = l4CsumReplace
	t[FnSetHashInvalid] = setHashInvalid(refresh)
	return t
}
