package progtype

import "strings"

// sectionDef is one of libbpf's section-name rules. As in libbpf, a pattern
// ending in '/' matches any name with that prefix, one ending in '+' matches
// the name exactly or followed by "/extras", and any other pattern matches
// only exactly.
type sectionDef struct {
	pattern string
	typ     Type
}

// sectionDefs follows libbpf's table for the types bpfhost supports, in
// libbpf's order (the first match wins). Sections that name an attach type
// map to the type restricted to that attach type's context rules.
var sectionDefs = []sectionDef{
	{"socket", SocketFilter},
	{"kprobe+", Kprobe},
	{"uprobe+", Kprobe},
	{"uprobe.s+", Kprobe},
	{"kretprobe+", Kprobe},
	{"uretprobe+", Kprobe},
	{"uretprobe.s+", Kprobe},
	{"kprobe.multi+", Kprobe},
	{"kretprobe.multi+", Kprobe},
	{"kprobe.session+", Kprobe},
	{"uprobe.multi+", Kprobe},
	{"uretprobe.multi+", Kprobe},
	{"uprobe.multi.s+", Kprobe},
	{"uretprobe.multi.s+", Kprobe},
	{"uprobe.session+", Kprobe},
	{"uprobe.session.s+", Kprobe},
	{"ksyscall+", Kprobe},
	{"kretsyscall+", Kprobe},
	{"usdt+", Kprobe},
	{"usdt.s+", Kprobe},
	{"tc/ingress", SchedCls},
	{"tc/egress", SchedCls},
	{"tcx/ingress", SchedCls},
	{"tcx/egress", SchedCls},
	{"netkit/primary", SchedCls},
	{"netkit/peer", SchedCls},
	{"tc", SchedCls},
	{"classifier", SchedCls},
	{"action", SchedAct},
	{"tracepoint+", Tracepoint},
	{"tp+", Tracepoint},
	{"raw_tracepoint+", RawTracepoint},
	{"raw_tp+", RawTracepoint},
	{"xdp.frags/devmap", XDP},
	{"xdp/devmap", XDP},
	{"xdp.frags/cpumap", xdpNoEgress},
	{"xdp/cpumap", xdpNoEgress},
	{"xdp.frags", xdpNoEgress},
	{"xdp+", xdpNoEgress},
	{"perf_event", PerfEvent},
	{"lwt_in", LWTIn},
	{"lwt_out", LWTOut},
	{"lwt_xmit", LWTXmit},
	{"sockops", SockOps},
	{"cgroup_skb/ingress", CgroupSKB},
	{"cgroup_skb/egress", CgroupSKB},
	{"cgroup/skb", CgroupSKB},
	{"cgroup/sock_create", cgroupSockAttach["sock_create"]},
	{"cgroup/sock_release", cgroupSockAttach["sock_release"]},
	{"cgroup/sock", cgroupSockAttach["sock_create"]},
	{"cgroup/post_bind4", cgroupSockAttach["post_bind4"]},
	{"cgroup/post_bind6", cgroupSockAttach["post_bind6"]},
	{"cgroup/bind4", sockAddrAttach["bind4"]},
	{"cgroup/bind6", sockAddrAttach["bind6"]},
	{"cgroup/connect4", sockAddrAttach["connect4"]},
	{"cgroup/connect6", sockAddrAttach["connect6"]},
	{"cgroup/connect_unix", sockAddrAttach["connect_unix"]},
	{"cgroup/sendmsg4", sockAddrAttach["sendmsg4"]},
	{"cgroup/sendmsg6", sockAddrAttach["sendmsg6"]},
	{"cgroup/sendmsg_unix", sockAddrAttach["sendmsg_unix"]},
	{"cgroup/recvmsg4", sockAddrAttach["recvmsg4"]},
	{"cgroup/recvmsg6", sockAddrAttach["recvmsg6"]},
	{"cgroup/recvmsg_unix", sockAddrAttach["recvmsg_unix"]},
	{"cgroup/getpeername4", sockAddrAttach["getpeername4"]},
	{"cgroup/getpeername6", sockAddrAttach["getpeername6"]},
	{"cgroup/getpeername_unix", sockAddrAttach["getpeername_unix"]},
	{"cgroup/getsockname4", sockAddrAttach["getsockname4"]},
	{"cgroup/getsockname6", sockAddrAttach["getsockname6"]},
	{"cgroup/getsockname_unix", sockAddrAttach["getsockname_unix"]},
}

func (d sectionDef) matches(section string) bool {
	p := d.pattern
	switch p[len(p)-1] {
	case '/':
		return strings.HasPrefix(section, p)
	case '+':
		p = p[:len(p)-1]
		rest, ok := strings.CutPrefix(section, p)
		return ok && (rest == "" || rest[0] == '/')
	}
	return section == p
}

// ForSection returns the program type libbpf assigns to an ELF section name
// ("xdp", "xdp.frags", "tc", "tcx/ingress", "socket", "cgroup_skb/ingress",
// "cgroup/connect4", "sockops", "kprobe/...", "tp/...", "raw_tp/...",
// "perf_event", ...), and false for sections of types bpfhost does not
// support. For sections naming an attach type (cgroup/connect4,
// cgroup/post_bind4, ...) the type applies that attach type's context rules.
func ForSection(section string) (Type, bool) {
	for _, d := range sectionDefs {
		if d.matches(section) {
			return d.typ, true
		}
	}
	return nil, false
}
