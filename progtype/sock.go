package progtype

import (
	"strings"

	"github.com/bpfhost/bpfhost/helpers"
)

// Socket program types: cgroup_sock (struct bpf_sock), cgroup_sock_addr
// (struct bpf_sock_addr) and sock_ops (struct bpf_sock_ops). The kernel
// checks their context accesses against the attach type the program was
// loaded for; ForSection returns a type restricted to the attach type its
// section names, ByName one that allows what any attach type allows.

// bpfSockFields is struct bpf_sock as bpf_sock_is_valid_access checks it.
func bpfSockFields() []ctxField {
	f := []ctxField{
		{name: "bound_dev_if", off: 0, size: 4, host: -1, read: true},
		{name: "family", off: 4, size: 4, host: -1, read: true, narrow: true},
		{name: "type", off: 8, size: 4, host: -1, read: true, narrow: true},
		{name: "protocol", off: 12, size: 4, host: -1, read: true, narrow: true},
		{name: "mark", off: 16, size: 4, host: -1, read: true},
		{name: "priority", off: 20, size: 4, host: -1, read: true},
		{name: "src_ip4", off: 24, size: 4, host: -1, read: true, narrow: true},
		{name: "src_ip6", off: 28, size: 16, elem: 4, host: -1, read: true, narrow: true},
		{name: "src_port", off: 44, size: 4, host: -1, read: true, narrow: true},
		{name: "dst_port", off: 48, size: 4, host: -1, read: true, narrow: true, lowHalf: true},
		{name: "dst_ip4", off: 52, size: 4, host: -1, read: true, narrow: true},
		{name: "dst_ip6", off: 56, size: 16, elem: 4, host: -1, read: true, narrow: true},
		{name: "state", off: 72, size: 4, host: -1, read: true, narrow: true},
		{name: "rx_queue_mapping", off: 76, size: 4, host: -1, read: true, narrow: true},
	}
	// bpf_sock_is_valid_access matches these by their exact offset.
	return withFields(f, func(f *ctxField) { f.narrowAtStart = true }, "family", "type", "protocol", "src_port", "state", "rx_queue_mapping")
}

// cgroupSockLayout follows __sock_filter_check_attach_type: bound_dev_if,
// mark and priority are writable at socket creation and release only, the
// source address and port readable after bind only.
func cgroupSockLayout(attach string) *ctxLayout {
	f := bpfSockFields()
	create := attach == "" || attach == "sock_create" || attach == "sock_release"
	if create {
		f = withFields(f, writable, "bound_dev_if", "mark", "priority")
	} else {
		f = withFields(f, refused, "bound_dev_if", "mark", "priority")
	}
	if attach != "" && attach != "post_bind4" {
		f = withFields(f, refused, "src_ip4")
	}
	if attach != "" && attach != "post_bind6" {
		f = withFields(f, refused, "src_ip6")
	}
	if attach != "" && !strings.HasPrefix(attach, "post_bind") {
		f = withFields(f, refused, "src_port")
	}
	return &ctxLayout{structName: "bpf_sock", typeName: typeAttach("cgroup_sock", attach), size: 80, fields: f}
}

// typeAttach names a type and attach type for messages.
func typeAttach(typ, attach string) string {
	if attach == "" {
		return typ
	}
	return typ + " (" + attach + ")"
}

// sockAddrLayout follows sock_addr_is_valid_access: user_ip4 for the IPv4
// hooks, user_ip6 for the IPv6 ones, msg_src_ip4/6 for sendmsg4/6; the
// addresses and user_port are writable (4 bytes, or 8 for IPv6 halves).
func sockAddrLayout(attach string) *ctxLayout {
	rw := func(name string, off, size int32) ctxField {
		f := ctxField{name: name, off: off, size: size, host: -1, read: true, write: true, narrow: true}
		if size == 16 {
			f.elem, f.wide = 4, true
		}
		return f
	}
	f := []ctxField{
		{name: "user_family", off: 0, size: 4, host: -1, read: true},
		rw("user_ip4", 4, 4),
		rw("user_ip6", 8, 16),
		rw("user_port", 24, 4),
		{name: "family", off: 28, size: 4, host: -1, read: true},
		{name: "type", off: 32, size: 4, host: -1, read: true},
		{name: "protocol", off: 36, size: 4, host: -1, read: true},
		rw("msg_src_ip4", 40, 4),
		rw("msg_src_ip6", 44, 16),
		{name: "sk", off: 64, size: 8, host: -1, read: true, ptr: true},
	}
	restrict := func(field, why string, ok bool) {
		if !ok {
			f = withFields(f, func(f *ctxField) { refused(f); f.why = why }, field)
		}
	}
	v4, v6 := strings.HasSuffix(attach, "4"), strings.HasSuffix(attach, "6")
	all := attach == ""
	restrict("user_ip4", "only IPv4 hooks (bind4, connect4, getpeername4, getsockname4, sendmsg4, recvmsg4) may access it", all || v4)
	restrict("user_ip6", "only IPv6 hooks (bind6, connect6, getpeername6, getsockname6, sendmsg6, recvmsg6) may access it", all || v6)
	restrict("msg_src_ip4", "only sendmsg4 programs may access it", all || attach == "sendmsg4")
	restrict("msg_src_ip6", "only sendmsg6 programs may access it", all || attach == "sendmsg6")
	return &ctxLayout{structName: "bpf_sock_addr", typeName: typeAttach("cgroup_sock_addr", attach), size: 72, fields: f}
}

// sockOpsLayout follows sock_ops_is_valid_access: u32 fields are read
// whole (skb_tcp_flags also narrower), u64 fields and pointers as 8 bytes;
// only reply (args[0]) and sk_txhash are writable.
func sockOpsLayout() *ctxLayout {
	f := []ctxField{
		{name: "op", off: 0, size: 4, host: -1, read: true},
		{name: "reply", off: 4, size: 4, host: -1, read: true, write: true},
		{name: "args", off: 8, size: 12, elem: 4, first: 1, host: -1, read: true},
	}
	f = append(f, u32s(20, false, "family", "remote_ip4", "local_ip4")...)
	f = append(f,
		ctxField{name: "remote_ip6", off: 32, size: 16, elem: 4, host: -1, read: true},
		ctxField{name: "local_ip6", off: 48, size: 16, elem: 4, host: -1, read: true})
	f = append(f, u32s(64, false, "remote_port", "local_port", "is_fullsock", "snd_cwnd", "srtt_us",
		"bpf_sock_ops_cb_flags", "state", "rtt_min", "snd_ssthresh", "rcv_nxt", "snd_nxt", "snd_una",
		"mss_cache", "ecn_flags", "rate_delivered", "rate_interval_us", "packets_out", "retrans_out",
		"total_retrans", "segs_in", "data_segs_in", "segs_out", "data_segs_out", "lost_out",
		"sacked_out", "sk_txhash")...)
	f = withFields(f, writable, "sk_txhash")
	u64 := func(name string, off int32, ptr bool) ctxField {
		return ctxField{name: name, off: off, size: 8, host: -1, read: true, ptr: ptr}
	}
	f = append(f, u64("bytes_received", 168, false), u64("bytes_acked", 176, false),
		u64("sk", 184, true), u64("skb_data", 192, true), u64("skb_data_end", 200, true))
	f = append(f, u32s(208, false, "skb_len")...)
	f = append(f, u32s(212, true, "skb_tcp_flags")...)
	f[len(f)-1].narrowAtStart = true // matched by its exact offset
	f = append(f, u64("skb_hwtstamp", 216, false))
	return &ctxLayout{structName: "bpf_sock_ops", typeName: "sock_ops", size: 224, fields: f}
}

func sockType(name, attach string, l *ctxLayout) *layoutType {
	return &layoutType{name: name, attach: attach, layout: l, helpers: helpers.Generic()}
}

// Socket program types (no test run, as in the kernel).
var (
	// CgroupSock is "cgroup_sock" with the rules of any attach type.
	CgroupSock Type = sockType("cgroup_sock", "", cgroupSockLayout(""))
	// CgroupSockAddr is "cgroup_sock_addr" with the rules of any attach type.
	CgroupSockAddr Type = sockType("cgroup_sock_addr", "", sockAddrLayout(""))
	// SockOps is "sock_ops" (section "sockops").
	SockOps Type = sockType("sock_ops", "", sockOpsLayout())
)

// cgroupSockAttach and sockAddrAttach are the attach-specific variants,
// by attach type name (libbpf's section suffix).
var (
	cgroupSockAttach = variants("cgroup_sock", cgroupSockLayout, "sock_create", "sock_release", "post_bind4", "post_bind6")
	sockAddrAttach   = variants("cgroup_sock_addr", sockAddrLayout, "bind4", "bind6", "connect4", "connect6",
		"getpeername4", "getpeername6", "getsockname4", "getsockname6", "sendmsg4", "sendmsg6", "recvmsg4", "recvmsg6",
		"connect_unix", "sendmsg_unix", "recvmsg_unix", "getpeername_unix", "getsockname_unix")
)

func variants(name string, layout func(string) *ctxLayout, attach ...string) map[string]Type {
	m := map[string]Type{}
	for _, a := range attach {
		m[a] = sockType(name, a, layout(a))
	}
	return m
}

// ForAttach returns the variant of the program type named name whose
// context rules are those of the attach type attach (libbpf's section
// suffix: "connect4", "sendmsg6", "post_bind4", "sock_create", ...), for
// callers that keep the type and attach type apart, as bpftool does. An
// empty attach gives ByName's type.
func ForAttach(name, attach string) (Type, bool) {
	if attach == "" {
		return ByName(name)
	}
	var t Type
	switch name {
	case "cgroup_sock":
		t = cgroupSockAttach[attach]
	case "cgroup_sock_addr":
		t = sockAddrAttach[attach]
	}
	return t, t != nil
}

// AttachType returns the attach type whose context rules t applies, or ""
// for types that have one set of rules or allow what any attach type allows.
func AttachType(t Type) string {
	if lt, ok := t.(*layoutType); ok {
		return lt.attach
	}
	return ""
}
