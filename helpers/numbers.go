package helpers

// Helper numbers, as in the Linux UAPI (enum bpf_func_id, include/uapi/linux/bpf.h).
const (
	FnMapLookupElem        = 1
	FnMapUpdateElem        = 2
	FnMapDeleteElem        = 3
	FnKtimeGetNs           = 5
	FnTracePrintk          = 6
	FnGetPrandomU32        = 7
	FnGetSmpProcessorID    = 8
	FnSkbStoreBytes        = 9
	FnL3CsumReplace        = 10
	FnL4CsumReplace        = 11
	FnTailCall             = 12
	FnGetCurrentPidTgid    = 14
	FnSkbVlanPush          = 18
	FnSkbVlanPop           = 19
	FnRedirect             = 23
	FnPerfEventOutput      = 25
	FnSkbLoadBytes         = 26
	FnCsumDiff             = 28
	FnSkbChangeProto       = 31
	FnSkbChangeType        = 32
	FnGetHashRecalc        = 34
	FnSkbChangeTail        = 38
	FnSkbPullData          = 39
	FnCsumUpdate           = 40
	FnSetHashInvalid       = 41
	FnSkbChangeHead        = 43
	FnXDPAdjustHead        = 44
	FnSetHash              = 48
	FnSkbAdjustRoom        = 50
	FnRedirectMap          = 51
	FnXDPAdjustMeta        = 54
	FnXDPAdjustTail        = 65
	FnSkbLoadBytesRelative = 68
	FnMapPushElem          = 87
	FnMapPopElem           = 88
	FnMapPeekElem          = 89
	FnSpinLock             = 93
	FnSpinUnlock           = 94
	FnSkbEcnSetCe          = 97
	FnJiffies64            = 118
	FnKtimeGetBootNs       = 125
	FnRingbufOutput        = 130
	FnRingbufReserve       = 131
	FnRingbufSubmit        = 132
	FnRingbufDiscard       = 133
	FnRingbufQuery         = 134
	FnCsumLevel            = 135
	FnRedirectNeigh        = 152
	FnRedirectPeer         = 155
	FnKtimeGetCoarseNs     = 160
	FnForEachMapElem       = 164
	FnSnprintf             = 165
	FnLoop                 = 181
	FnStrncmp              = 182
	FnXDPGetBuffLen        = 188
	FnXDPLoadBytes         = 189
	FnXDPStoreBytes        = 190
	FnMapLookupPercpuElem  = 195
)

// Names maps helper numbers to the kernel's names (without the bpf_ prefix),
// for error messages, disassembly and `prog dump`.
var Names = map[int32]string{
	FnMapLookupElem:        "map_lookup_elem",
	FnMapUpdateElem:        "map_update_elem",
	FnMapDeleteElem:        "map_delete_elem",
	FnKtimeGetNs:           "ktime_get_ns",
	FnTracePrintk:          "trace_printk",
	FnGetPrandomU32:        "get_prandom_u32",
	FnGetSmpProcessorID:    "get_smp_processor_id",
	FnSkbStoreBytes:        "skb_store_bytes",
	FnL3CsumReplace:        "l3_csum_replace",
	FnL4CsumReplace:        "l4_csum_replace",
	FnTailCall:             "tail_call",
	FnGetCurrentPidTgid:    "get_current_pid_tgid",
	FnSkbVlanPush:          "skb_vlan_push",
	FnSkbVlanPop:           "skb_vlan_pop",
	FnRedirect:             "redirect",
	FnPerfEventOutput:      "perf_event_output",
	FnSkbLoadBytes:         "skb_load_bytes",
	FnCsumDiff:             "csum_diff",
	FnSkbChangeProto:       "skb_change_proto",
	FnSkbChangeType:        "skb_change_type",
	FnGetHashRecalc:        "get_hash_recalc",
	FnSkbChangeTail:        "skb_change_tail",
	FnSkbPullData:          "skb_pull_data",
	FnCsumUpdate:           "csum_update",
	FnSetHashInvalid:       "set_hash_invalid",
	FnSkbChangeHead:        "skb_change_head",
	FnXDPAdjustHead:        "xdp_adjust_head",
	FnSetHash:              "set_hash",
	FnSkbAdjustRoom:        "skb_adjust_room",
	FnRedirectMap:          "redirect_map",
	FnXDPAdjustMeta:        "xdp_adjust_meta",
	FnXDPAdjustTail:        "xdp_adjust_tail",
	FnSkbLoadBytesRelative: "skb_load_bytes_relative",
	FnMapPushElem:          "map_push_elem",
	FnMapPopElem:           "map_pop_elem",
	FnMapPeekElem:          "map_peek_elem",
	FnSpinLock:             "spin_lock",
	FnSpinUnlock:           "spin_unlock",
	FnSkbEcnSetCe:          "skb_ecn_set_ce",
	FnJiffies64:            "jiffies64",
	FnKtimeGetBootNs:       "ktime_get_boot_ns",
	FnRingbufOutput:        "ringbuf_output",
	FnRingbufReserve:       "ringbuf_reserve",
	FnRingbufSubmit:        "ringbuf_submit",
	FnRingbufDiscard:       "ringbuf_discard",
	FnRingbufQuery:         "ringbuf_query",
	FnCsumLevel:            "csum_level",
	FnRedirectNeigh:        "redirect_neigh",
	FnRedirectPeer:         "redirect_peer",
	FnKtimeGetCoarseNs:     "ktime_get_coarse_ns",
	FnForEachMapElem:       "for_each_map_elem",
	FnSnprintf:             "snprintf",
	FnLoop:                 "loop",
	FnStrncmp:              "strncmp",
	FnXDPGetBuffLen:        "xdp_get_buff_len",
	FnXDPLoadBytes:         "xdp_load_bytes",
	FnXDPStoreBytes:        "xdp_store_bytes",
	FnMapLookupPercpuElem:  "map_lookup_percpu_elem",
}
