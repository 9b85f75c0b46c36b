package link

import (
	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/progtype"
)

// CgroupAttach is a cgroup attach type.
type CgroupAttach struct {
	// Name is bpftool's name in `cgroup attach` ("ingress", "connect4").
	Name string
	// Libbpf is libbpf's name, which `link show` prints ("cgroup_inet_ingress").
	Libbpf string
	// ProgType is the program type it runs.
	ProgType string
	// Variant is the attach type whose context rules programs follow
	// (libbpf's section suffix), "" when the type has one set of rules.
	Variant string
	// Number is Linux's enum bpf_attach_type value (bpftool lists a
	// cgroup's programs in its order).
	Number uint32
}

// cgroupAttaches are the cgroup attach types of the program types bpfhost
// has (bpftool's cgroup attach_type_strings and libbpf's names).
var cgroupAttaches = []CgroupAttach{
	{"ingress", "cgroup_inet_ingress", "cgroup_skb", "", 0},
	{"egress", "cgroup_inet_egress", "cgroup_skb", "", 1},
	{"sock_create", "cgroup_inet_sock_create", "cgroup_sock", "sock_create", 2},
	{"sock_release", "cgroup_inet_sock_release", "cgroup_sock", "sock_release", 34},
	{"post_bind4", "cgroup_inet4_post_bind", "cgroup_sock", "post_bind4", 12},
	{"post_bind6", "cgroup_inet6_post_bind", "cgroup_sock", "post_bind6", 13},
	{"sock_ops", "cgroup_sock_ops", "sock_ops", "", 3},
	{"bind4", "cgroup_inet4_bind", "cgroup_sock_addr", "bind4", 8},
	{"bind6", "cgroup_inet6_bind", "cgroup_sock_addr", "bind6", 9},
	{"connect4", "cgroup_inet4_connect", "cgroup_sock_addr", "connect4", 10},
	{"connect6", "cgroup_inet6_connect", "cgroup_sock_addr", "connect6", 11},
	{"connect_unix", "cgroup_unix_connect", "cgroup_sock_addr", "connect_unix", 49},
	{"getpeername4", "cgroup_inet4_getpeername", "cgroup_sock_addr", "getpeername4", 29},
	{"getpeername6", "cgroup_inet6_getpeername", "cgroup_sock_addr", "getpeername6", 30},
	{"getpeername_unix", "cgroup_unix_getpeername", "cgroup_sock_addr", "getpeername_unix", 52},
	{"getsockname4", "cgroup_inet4_getsockname", "cgroup_sock_addr", "getsockname4", 31},
	{"getsockname6", "cgroup_inet6_getsockname", "cgroup_sock_addr", "getsockname6", 32},
	{"getsockname_unix", "cgroup_unix_getsockname", "cgroup_sock_addr", "getsockname_unix", 53},
	{"sendmsg4", "cgroup_udp4_sendmsg", "cgroup_sock_addr", "sendmsg4", 14},
	{"sendmsg6", "cgroup_udp6_sendmsg", "cgroup_sock_addr", "sendmsg6", 15},
	{"sendmsg_unix", "cgroup_unix_sendmsg", "cgroup_sock_addr", "sendmsg_unix", 50},
	{"recvmsg4", "cgroup_udp4_recvmsg", "cgroup_sock_addr", "recvmsg4", 19},
	{"recvmsg6", "cgroup_udp6_recvmsg", "cgroup_sock_addr", "recvmsg6", 20},
	{"recvmsg_unix", "cgroup_unix_recvmsg", "cgroup_sock_addr", "recvmsg_unix", 51},
}

// CgroupAttachType returns the cgroup attach type with bpftool's name name.
func CgroupAttachType(name string) (CgroupAttach, bool) {
	for _, a := range cgroupAttaches {
		if a.Name == name {
			return a, true
		}
	}
	return CgroupAttach{}, false
}

// CgroupAttachTypes lists the cgroup attach types.
func CgroupAttachTypes() []CgroupAttach { return append([]CgroupAttach(nil), cgroupAttaches...) }

func cgroupAttachByLibbpf(name string) (CgroupAttach, bool) {
	for _, a := range cgroupAttaches {
		if a.Libbpf == name {
			return a, true
		}
	}
	return CgroupAttach{}, false
}

// programAttach is the attach type whose context rules prog was loaded
// with ("" when its section names none).
func programAttach(prog *ebpf.Program) string {
	if t, ok := progtype.ForSection(prog.Section()); ok && t.Name() == prog.Type() {
		return progtype.AttachType(t)
	}
	return ""
}
