package progtype

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/vm"
)

// Host context block of the socket-buffer types (sched_cls, sched_act,
// socket_filter, cgroup_skb): Linux's struct __sk_buff at its own offsets,
// then the 64-bit packet pointers the loader widens data, data_end and
// data_meta to. __sk_buff.sk reads as NULL: there are no sockets here.
const (
	SKBHostData     = skbSize
	SKBHostDataEnd  = skbSize + 8
	SKBHostDataMeta = skbSize + 16
	// SKBHostSize is the part of the block the program may address.
	SKBHostSize = skbSize + 24
	// Past SKBHostSize, invisible to the program: whether the run was
	// given a ctx_in (so Finish knows to write ctx_out).
	skbHostHasCtx = SKBHostSize
)

// Offsets in Linux's struct __sk_buff (192 bytes).
const (
	skbLen            = 0
	skbPktType        = 4
	skbMark           = 8
	skbQueueMapping   = 12
	skbProtocol       = 16
	skbVlanPresent    = 20
	skbVlanTCI        = 24
	skbVlanProto      = 28
	skbPriority       = 32
	skbIngressIfindex = 36
	skbIfindex        = 40
	skbTCIndex        = 44
	skbCB             = 48
	skbCBSize         = 20
	skbHash           = 68
	skbTCClassid      = 72
	skbFamily         = 88
	skbRemoteIP4      = 92
	skbLocalIP4       = 96
	skbRemoteIP6      = 100
	skbLocalIP6       = 116
	skbTstamp         = 152
	skbWireLen        = 160
	skbGSOSegs        = 164
	skbGSOSize        = 176
	skbHwtstamp       = 184
	skbSize           = 192
)

// skbFields is struct __sk_buff with every field readable and none
// writable, as the kernel's bpf_skb_is_valid_access checks it; the types
// restrict and extend it.
var skbFields = func() []ctxField {
	f := u32s(0, true, "len", "pkt_type", "mark", "queue_mapping", "protocol", "vlan_present",
		"vlan_tci", "vlan_proto", "priority", "ingress_ifindex", "ifindex", "tc_index")
	f = append(f, ctxField{name: "cb", off: skbCB, size: skbCBSize, elem: 4, host: -1, read: true, anySize: true})
	f = append(f, u32s(68, true, "hash", "tc_classid")...)
	f = append(f,
		ctxField{name: "data", off: 76, size: 4, host: SKBHostData, ptr: true, read: true},
		ctxField{name: "data_end", off: 80, size: 4, host: SKBHostDataEnd, ptr: true, read: true})
	f = append(f, u32s(84, true, "napi_id", "family")...)
	f = append(f, u32s(skbRemoteIP4, false, "remote_ip4", "local_ip4")...)
	f = append(f,
		ctxField{name: "remote_ip6", off: skbRemoteIP6, size: 16, elem: 4, host: -1, read: true},
		ctxField{name: "local_ip6", off: skbLocalIP6, size: 16, elem: 4, host: -1, read: true})
	f = append(f, u32s(132, true, "remote_port", "local_port")...)
	f = append(f,
		ctxField{name: "data_meta", off: 140, size: 4, host: SKBHostDataMeta, ptr: true, read: true},
		ctxField{name: "flow_keys", off: 144, size: 8, host: -1, why: "only flow_dissector programs may access it"},
		ctxField{name: "tstamp", off: skbTstamp, size: 8, host: -1, read: true})
	f = append(f, u32s(skbWireLen, true, "wire_len", "gso_segs")...)
	f = append(f,
		ctxField{name: "sk", off: 168, size: 8, host: -1, ptr: true, read: true},
		ctxField{name: "gso_size", off: skbGSOSize, size: 4, host: -1, read: true, narrow: true},
		ctxField{name: "tstamp_type", off: 180, size: 1, host: -1},
		ctxField{name: "hwtstamp", off: skbHwtstamp, size: 8, host: -1, read: true})
	f = withFields(f, func(f *ctxField) { f.store16 = true }, "queue_mapping", "tc_index", "tc_classid")
	return f
}()

// skbSocketFields are the fields read from the socket the packet belongs to.
var skbSocketFields = []string{"family", "remote_ip4", "local_ip4", "remote_ip6", "local_ip6", "remote_port", "local_port"}

func skbLayout(typ string, fields []ctxField) *ctxLayout {
	return &ctxLayout{structName: "__sk_buff", typeName: typ, size: skbSize, fields: fields}
}

// tcFields follows tc_cls_act_is_valid_access: no socket fields; mark,
// tc_index, priority, tc_classid, cb, tstamp and queue_mapping writable;
// tstamp_type readable as one byte.
func tcFields(typ string) *ctxLayout {
	f := withFields(skbFields, refused, skbSocketFields...)
	f = withFields(f, writable, "mark", "tc_index", "priority", "tc_classid", "cb", "tstamp", "queue_mapping")
	f = withFields(f, func(f *ctxField) { f.read = true }, "tstamp_type")
	return skbLayout(typ, f)
}

// socketFilterFields follows sk_filter_is_valid_access: no packet
// pointers, no tc or time fields; only cb writable.
func socketFilterFields() *ctxLayout {
	f := withFields(skbFields, refused, append([]string{"tc_classid", "data", "data_end", "data_meta",
		"tstamp", "wire_len", "hwtstamp"}, skbSocketFields...)...)
	return skbLayout("socket_filter", withFields(f, writable, "cb"))
}

// cgroupSKBFields follows cg_skb_is_valid_access (for a privileged
// loader): packet pointers but no data_meta; mark, priority, cb and tstamp
// writable.
func cgroupSKBFields() *ctxLayout {
	f := withFields(skbFields, refused, "tc_classid", "data_meta", "wire_len")
	return skbLayout("cgroup_skb", withFields(f, writable, "mark", "priority", "cb", "tstamp"))
}

// lwtFields follows lwt_is_valid_access (lwt_in, lwt_out, lwt_xmit): no
// tc, socket or time fields, no data_meta; mark, priority and cb writable.
func lwtFields(typ string) *ctxLayout {
	f := withFields(skbFields, refused, append([]string{"tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp"}, skbSocketFields...)...)
	return skbLayout(typ, withFields(f, writable, "mark", "priority", "cb"))
}

// skbType is a program type whose context is struct __sk_buff.
type skbType struct {
	name    string
	layout  *ctxLayout
	helpers *vm.HelperTable
	// l2 says whether the program sees the frame from its Ethernet header
	// (tc); the others see it from the network header, as the kernel's
	// test run pulls the Ethernet header off for them.
	l2 bool
}

// Socket-buffer program types.
var (
	// SchedCls is "sched_cls" (tc classifier, libbpf sections "tc",
	// "classifier", "tc/ingress", "tcx/ingress", ...).
	SchedCls Type = &skbType{name: "sched_cls", layout: tcFields("sched_cls"), helpers: helpers.TC(syncSKB), l2: true}
	// SchedAct is "sched_act" (tc action, section "action").
	SchedAct Type = &skbType{name: "sched_act", layout: tcFields("sched_act"), helpers: helpers.TC(syncSKB), l2: true}
	// SocketFilter is "socket_filter" (section "socket").
	SocketFilter Type = &skbType{name: "socket_filter", layout: socketFilterFields(), helpers: helpers.SocketFilter()}
	// CgroupSKB is "cgroup_skb" (sections "cgroup_skb/ingress", "cgroup_skb/egress").
	CgroupSKB Type = &skbType{name: "cgroup_skb", layout: cgroupSKBFields(), helpers: helpers.CgroupSKB()}
	// LWTIn, LWTOut and LWTXmit are the lightweight-tunnel types "lwt_in",
	// "lwt_out" and "lwt_xmit" (sections of the same names): packets from
	// the network header, as routes see them.
	LWTIn   Type = &skbType{name: "lwt_in", layout: lwtFields("lwt_in"), helpers: helpers.LWTOut(syncSKB)}
	LWTOut  Type = &skbType{name: "lwt_out", layout: lwtFields("lwt_out"), helpers: helpers.LWTOut(syncSKB)}
	LWTXmit Type = &skbType{name: "lwt_xmit", layout: lwtFields("lwt_xmit"), helpers: helpers.LWTXmit(syncSKB)}
)

// syncSKB copies into the context block what the helpers may change: the
// packet's length and bounds, protocol, pkt_type, hash and VLAN tag.
func syncSKB(ctx *vm.Context) {
	pk := ctx.Pkt
	f := helpers.SKBFields(ctx)
	var vlan uint64
	if f.VlanPresent {
		vlan = 1
	}
	for _, w := range [...]struct {
		off int
		v   uint64
	}{
		{skbLen, pk.End - pk.Data}, {skbProtocol, uint64(f.Protocol)}, {skbPktType, uint64(f.PktType)},
		{skbHash, uint64(f.Hash)}, {skbVlanPresent, vlan}, {skbVlanTCI, uint64(f.VlanTCI)}, {skbVlanProto, uint64(f.VlanProto)},
	} {
		vm.Store32(ctx.Ctx+uint64(w.off), w.v)
	}
	vm.Store64(ctx.Ctx+SKBHostData, pk.Data)
	vm.Store64(ctx.Ctx+SKBHostDataEnd, pk.End)
	vm.Store64(ctx.Ctx+SKBHostDataMeta, pk.Meta)
}

func (t *skbType) Name() string             { return t.name }
func (t *skbType) Helpers() *vm.HelperTable { return t.helpers }

// ContextAccess applies the type's rules for struct __sk_buff; packet
// pointers become 8-byte loads of host addresses, u16 members of the
// kernel's sk_buff take 2-byte stores.
func (t *skbType) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	return t.layout.access(off, size, write)
}
