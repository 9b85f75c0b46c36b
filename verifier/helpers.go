package verifier

import "github.com/bpfhost/bpfhost/maps"

// argKind is what a helper expects in an argument register (bpf_arg_type).
type argKind uint8

const (
	argNone            argKind = iota // unused: must not be relied upon
	argAnything                       // any initialized value (scalar for unprivileged)
	argScalar                         // a number
	argConstMap                       // a map handle
	argMapKey                         // pointer to key_size readable bytes of the map in arg 1
	argMapValue                       // pointer to value_size readable bytes of the map in arg 1
	argMapValueOut                    // pointer to value_size writable bytes (pop/peek)
	argMem                            // pointer to readable memory, size in the next argument
	argMemOrNull                      // argMem, or NULL with a zero size
	argMemOut                         // pointer to writable memory, size in the next argument
	argMemOutOrNull                   // argMemOut, or NULL with a zero size
	argConstStr                       // a constant string: fixed offset into a read-only map value
	argConstSize                      // the size of the previous memory argument, > 0
	argConstSizeOrZero                // the size of the previous memory argument, >= 0
	argConstAllocSize                 // a known constant size to allocate
	argCtx                            // the program's context pointer
	argRingbufMem                     // a ringbuf record from ringbuf_reserve (released)
	argFunc                           // a callback subprogram (ld_imm64 pseudo func)
	argCallbackCtx                    // anything passed through to the callback
	argSpinLock                       // a bpf_spin_lock inside a map value
)

// retKind is what a helper returns in r0.
type retKind uint8

const (
	retInteger        retKind = iota // unknown scalar
	retVoid                          // r0 is set to an unknown scalar too
	retMapValueOrNull                // pointer into the map of arg 1, or NULL
	retMemOrNull                     // allocated memory of the constant size in arg 2, or NULL
)

// helperProto describes one helper (bpf_func_proto).
type helperProto struct {
	name string
	args [5]argKind
	ret  retKind
	// mapTypes lists the map types argConstMap accepts (nil: any that is
	// not special-purpose, see generalMap).
	mapTypes []maps.Type
	// pktChange says the helper may move packet data (xdp_adjust_*):
	// every packet pointer is invalidated.
	pktChange bool
	// callback describes the callback's arguments: loop or for_each.
	callback callbackKind
	// retRange bounds integer results that are known to be small.
	retMax uint64
}

type callbackKind uint8

const (
	noCallback callbackKind = iota
	loopCallback
	forEachCallback
)

var queueTypes = []maps.Type{maps.Queue, maps.Stack}

// generalMap reports whether ordinary element helpers may use the map type.
func generalMap(t maps.Type) bool {
	switch t {
	case maps.RingBuf, maps.ProgArray, maps.PerfEventArray, maps.Queue, maps.Stack:
		return false
	}
	return true
}

// helperProtos are the prototypes of the helpers bpfhost implements, by
// Linux helper number.
var helperProtos = map[int32]*helperProto{
	1:   {name: "map_lookup_elem", args: [5]argKind{argConstMap, argMapKey}, ret: retMapValueOrNull},
	2:   {name: "map_update_elem", args: [5]argKind{argConstMap, argMapKey, argMapValue, argAnything}},
	3:   {name: "map_delete_elem", args: [5]argKind{argConstMap, argMapKey}},
	5:   {name: "ktime_get_ns"},
	6:   {name: "trace_printk", args: [5]argKind{argMem, argConstSize}}, // r3-r5 unchecked, as in Linux
	7:   {name: "get_prandom_u32", retMax: 1<<32 - 1},
	8:   {name: "get_smp_processor_id", retMax: 1<<32 - 1},
	9:   {name: "skb_store_bytes", args: [5]argKind{argCtx, argAnything, argMem, argConstSize, argAnything}, pktChange: true},
	10:  {name: "l3_csum_replace", args: [5]argKind{argCtx, argAnything, argAnything, argAnything, argAnything}, pktChange: true},
	11:  {name: "l4_csum_replace", args: [5]argKind{argCtx, argAnything, argAnything, argAnything, argAnything}, pktChange: true},
	12:  {name: "tail_call", args: [5]argKind{argCtx, argConstMap, argAnything}, mapTypes: []maps.Type{maps.ProgArray}},
	14:  {name: "get_current_pid_tgid"},
	18:  {name: "skb_vlan_push", args: [5]argKind{argCtx, argAnything, argAnything}, pktChange: true},
	19:  {name: "skb_vlan_pop", args: [5]argKind{argCtx}, pktChange: true},
	23:  {name: "redirect", args: [5]argKind{argAnything, argAnything}},
	25:  {name: "perf_event_output", args: [5]argKind{argCtx, argConstMap, argAnything, argMem, argConstSizeOrZero}, mapTypes: []maps.Type{maps.PerfEventArray}},
	26:  {name: "skb_load_bytes", args: [5]argKind{argCtx, argAnything, argMemOut, argConstSize}},
	28:  {name: "csum_diff", args: [5]argKind{argMemOrNull, argConstSizeOrZero, argMemOrNull, argConstSizeOrZero, argAnything}},
	31:  {name: "skb_change_proto", args: [5]argKind{argCtx, argAnything, argAnything}, pktChange: true},
	32:  {name: "skb_change_type", args: [5]argKind{argCtx, argAnything}, pktChange: true},
	34:  {name: "get_hash_recalc", args: [5]argKind{argCtx}},
	38:  {name: "skb_change_tail", args: [5]argKind{argCtx, argAnything, argAnything}, pktChange: true},
	39:  {name: "skb_pull_data", args: [5]argKind{argCtx, argAnything}, pktChange: true},
	40:  {name: "csum_update", args: [5]argKind{argCtx, argAnything}},
	41:  {name: "set_hash_invalid", args: [5]argKind{argCtx}, ret: retVoid},
	42:  {name: "get_numa_node_id"},
	43:  {name: "skb_change_head", args: [5]argKind{argCtx, argAnything, argAnything}, pktChange: true},
	44:  {name: "xdp_adjust_head", args: [5]argKind{argCtx, argAnything}, pktChange: true},
	48:  {name: "set_hash", args: [5]argKind{argCtx, argAnything}},
	50:  {name: "skb_adjust_room", args: [5]argKind{argCtx, argAnything, argAnything, argAnything}, pktChange: true},
	51:  {name: "redirect_map", args: [5]argKind{argConstMap, argAnything, argAnything}},
	54:  {name: "xdp_adjust_meta", args: [5]argKind{argCtx, argAnything}, pktChange: true},
	65:  {name: "xdp_adjust_tail", args: [5]argKind{argCtx, argAnything}, pktChange: true},
	93:  {name: "spin_lock", args: [5]argKind{argSpinLock}, ret: retVoid},
	94:  {name: "spin_unlock", args: [5]argKind{argSpinLock}, ret: retVoid},
	68:  {name: "skb_load_bytes_relative", args: [5]argKind{argCtx, argAnything, argMemOut, argConstSize, argAnything}},
	87:  {name: "map_push_elem", args: [5]argKind{argConstMap, argMapValue, argAnything}, mapTypes: queueTypes},
	88:  {name: "map_pop_elem", args: [5]argKind{argConstMap, argMapValueOut}, mapTypes: queueTypes},
	89:  {name: "map_peek_elem", args: [5]argKind{argConstMap, argMapValueOut}, mapTypes: queueTypes},
	97:  {name: "skb_ecn_set_ce", args: [5]argKind{argCtx}},
	118: {name: "jiffies64"},
	125: {name: "ktime_get_boot_ns"},
	130: {name: "ringbuf_output", args: [5]argKind{argConstMap, argMem, argConstSizeOrZero, argAnything}, mapTypes: []maps.Type{maps.RingBuf}},
	131: {name: "ringbuf_reserve", args: [5]argKind{argConstMap, argConstAllocSize, argAnything}, ret: retMemOrNull, mapTypes: []maps.Type{maps.RingBuf}},
	132: {name: "ringbuf_submit", args: [5]argKind{argRingbufMem, argAnything}, ret: retVoid},
	133: {name: "ringbuf_discard", args: [5]argKind{argRingbufMem, argAnything}, ret: retVoid},
	134: {name: "ringbuf_query", args: [5]argKind{argConstMap, argAnything}, mapTypes: []maps.Type{maps.RingBuf}},
	135: {name: "csum_level", args: [5]argKind{argCtx, argAnything}},
	152: {name: "redirect_neigh", args: [5]argKind{argAnything, argMemOrNull, argConstSizeOrZero, argAnything}},
	155: {name: "redirect_peer", args: [5]argKind{argAnything, argAnything}},
	160: {name: "ktime_get_coarse_ns"},
	164: {name: "for_each_map_elem", args: [5]argKind{argConstMap, argFunc, argCallbackCtx, argAnything}, callback: forEachCallback,
		mapTypes: []maps.Type{maps.Hash, maps.Array, maps.PerCPUHash, maps.PerCPUArray, maps.LRUHash, maps.LRUCPUHash}},
	165: {name: "snprintf", args: [5]argKind{argMemOutOrNull, argConstSizeOrZero, argConstStr, argMemOrNull, argConstSizeOrZero}},
	181: {name: "loop", args: [5]argKind{argAnything, argFunc, argCallbackCtx, argAnything}, callback: loopCallback},
	182: {name: "strncmp", args: [5]argKind{argMem, argConstSize, argConstStr}},
	188: {name: "xdp_get_buff_len", args: [5]argKind{argCtx}},
	189: {name: "xdp_load_bytes", args: [5]argKind{argCtx, argAnything, argMemOut, argConstSize}},
	190: {name: "xdp_store_bytes", args: [5]argKind{argCtx, argAnything, argMem, argConstSize}},
	195: {name: "map_lookup_percpu_elem", args: [5]argKind{argConstMap, argMapKey, argAnything}, ret: retMapValueOrNull, mapTypes: []maps.Type{maps.PerCPUArray, maps.PerCPUHash, maps.LRUCPUHash}},
	208: {name: "ktime_get_tai_ns"},
}

// HelperKnown reports whether the verifier has a prototype for the helper
// with Linux number n (a helper without one cannot be called by a verified
// program).
func HelperKnown(n int32) bool { return helperProtos[n] != nil }

// helperName returns the helper's name for the log.
func helperName(n int32) string {
	if p := helperProtos[n]; p != nil {
		return "bpf_" + p.name
	}
	return "unknown"
}
