package progtype

import (
	"fmt"
	"testing"
)

// ctxCase is one ContextAccess call and its exact expected outcome:
// "off/size" of the host access, or the error text.
type ctxCase struct {
	off   int32
	size  int
	write bool
	want  string
}

func checkAccess(t *testing.T, typ Type, cases []ctxCase) {
	t.Helper()
	for _, c := range cases {
		off, size, err := typ.ContextAccess(c.off, c.size, c.write)
		got := fmt.Sprintf("%d/%d", off, size)
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			kind := "load"
			if c.write {
				kind = "store"
			}
			t.Errorf("%s: %d-byte %s at %d = %q, want %q", typ.Name(), c.size, kind, c.off, got, c.want)
		}
	}
}

// low16 is the expected host access of a 4-byte store to a field the
// kernel keeps as a u16: a 2-byte store to the low half of the slot.
func low16(off int) string {
	if hostBigEndian {
		off += 2
	}
	return fmt.Sprintf("%d/2", off)
}

func TestSchedClsContextAccess(t *testing.T) {
	checkAccess(t, SchedCls, []ctxCase{
		{0, 4, false, "0/4"},
		{2, 2, false, "2/2"}, // narrow load of len
		{3, 1, false, "3/1"},
		{0, 8, false, "8-byte load at offset 0 of __sk_buff.len is misaligned or crosses the field's end"},
		{1, 2, false, "2-byte load at offset 1 of __sk_buff.len is misaligned or crosses the field's end"},
		{0, 4, true, "store to __sk_buff.len (offset 0): the field is read-only in sched_cls programs"},
		{8, 4, true, "8/4"}, // mark
		{8, 2, true, "2-byte store at offset 8 of __sk_buff.mark: only aligned 4-byte stores are allowed"},
		{44, 4, true, low16(44)}, // tc_index: a u16 in the kernel's sk_buff
		{44, 4, false, "44/4"},
		{72, 4, true, low16(72)}, // tc_classid
		{12, 4, true, low16(12)}, // queue_mapping
		{32, 4, true, "32/4"},    // priority
		{48, 4, true, "48/4"},    // cb[0]
		{56, 8, true, "56/8"},    // cb[2..3]
		{65, 1, true, "65/1"},    // cb[4], one byte
		{64, 8, false, "8-byte load at offset 64 of __sk_buff.cb[4] is misaligned or crosses the field's end"},
		{76, 4, false, fmt.Sprintf("%d/8", SKBHostData)},
		{80, 4, false, fmt.Sprintf("%d/8", SKBHostDataEnd)},
		{140, 4, false, fmt.Sprintf("%d/8", SKBHostDataMeta)},
		{76, 2, false, "2-byte load at offset 76 of __sk_buff.data: only aligned 4-byte loads of the whole pointer are allowed"},
		{76, 4, true, "store to __sk_buff.data (offset 76): the field is read-only in sched_cls programs"},
		{88, 4, false, "load of __sk_buff.family (offset 88): the field is not accessible in sched_cls programs"},
		{104, 4, false, "load of __sk_buff.remote_ip6[1] (offset 104): the field is not accessible in sched_cls programs"},
		{144, 8, false, "load of __sk_buff.flow_keys (offset 144): only flow_dissector programs may access it"},
		{152, 8, true, "152/8"}, // tstamp
		{152, 4, false, "4-byte load at offset 152 of __sk_buff.tstamp: only aligned 8-byte loads are allowed"},
		{168, 8, false, "168/8"}, // sk (NULL)
		{180, 1, false, "180/1"}, // tstamp_type
		{180, 1, true, "store to __sk_buff.tstamp_type (offset 180): the field is read-only in sched_cls programs"},
		{181, 1, false, "access at offset 181 is padding in struct __sk_buff"},
		{184, 8, false, "184/8"},
		{184, 8, true, "store to __sk_buff.hwtstamp (offset 184): the field is read-only in sched_cls programs"},
		{192, 4, false, "access at offset 192 is outside struct __sk_buff (192 bytes)"},
		{-4, 4, false, "access at offset -4 is outside struct __sk_buff (192 bytes)"},
	})
}

func TestXDPSectionsEgressIfindex(t *testing.T) {
	plain, _ := ForSection("xdp")
	devmap, _ := ForSection("xdp/devmap")
	checkAccess(t, plain, []ctxCase{
		{20, 4, false, "access to xdp_md.egress_ifindex (offset 20): only programs attached to a devmap (section xdp/devmap) may read it"},
		{12, 4, false, fmt.Sprintf("%d/4", XDPHostIngressIfindex)},
	})
	checkAccess(t, devmap, []ctxCase{{20, 4, false, fmt.Sprintf("%d/4", XDPHostEgressIfindex)}})
	checkAccess(t, XDP, []ctxCase{{20, 4, false, fmt.Sprintf("%d/4", XDPHostEgressIfindex)}})
}

func TestSocketFilterContextAccess(t *testing.T) {
	checkAccess(t, SocketFilter, []ctxCase{
		{0, 4, false, "0/4"},
		{8, 4, false, "8/4"},
		{8, 4, true, "store to __sk_buff.mark (offset 8): the field is read-only in socket_filter programs"},
		{48, 4, true, "48/4"},
		{72, 4, false, "load of __sk_buff.tc_classid (offset 72): the field is not accessible in socket_filter programs"},
		{76, 4, false, "load of __sk_buff.data (offset 76): the field is not accessible in socket_filter programs"},
		{152, 8, false, "load of __sk_buff.tstamp (offset 152): the field is not accessible in socket_filter programs"},
		{160, 4, false, "load of __sk_buff.wire_len (offset 160): the field is not accessible in socket_filter programs"},
		{180, 1, false, "load of __sk_buff.tstamp_type (offset 180): the field is not accessible in socket_filter programs"},
	})
}

func TestCgroupSKBContextAccess(t *testing.T) {
	checkAccess(t, CgroupSKB, []ctxCase{
		{76, 4, false, fmt.Sprintf("%d/8", SKBHostData)},
		{80, 4, false, fmt.Sprintf("%d/8", SKBHostDataEnd)},
		{140, 4, false, "load of __sk_buff.data_meta (offset 140): the field is not accessible in cgroup_skb programs"},
		{88, 4, false, "88/4"},
		{92, 4, false, "92/4"},
		{92, 2, false, "2-byte load at offset 92 of __sk_buff.remote_ip4: only aligned 4-byte loads are allowed"},
		{116, 4, false, "116/4"},
		{136, 2, false, "136/2"},
		{8, 4, true, "8/4"},
		{32, 4, true, "32/4"},
		{152, 8, true, "152/8"},
		{44, 4, true, "store to __sk_buff.tc_index (offset 44): the field is read-only in cgroup_skb programs"},
		{72, 4, false, "load of __sk_buff.tc_classid (offset 72): the field is not accessible in cgroup_skb programs"},
	})
}

func TestSockAddrContextAccess(t *testing.T) {
	connect4, _ := ForSection("cgroup/connect4")
	connect6, _ := ForSection("cgroup/connect6")
	sendmsg6, _ := ForSection("cgroup/sendmsg6")
	checkAccess(t, connect4, []ctxCase{
		{4, 4, true, "4/4"}, // user_ip4
		{4, 4, false, "4/4"},
		{6, 2, false, "6/2"},
		{4, 2, true, "2-byte store at offset 4 of bpf_sock_addr.user_ip4: only aligned 4-byte stores are allowed"},
		{24, 4, true, "24/4"}, // user_port
		{8, 4, false, "load of bpf_sock_addr.user_ip6[0] (offset 8): only IPv6 hooks (bind6, connect6, getpeername6, getsockname6, sendmsg6, recvmsg6) may access it"},
		{40, 4, true, "store to bpf_sock_addr.msg_src_ip4 (offset 40): only sendmsg4 programs may access it"},
		{0, 4, false, "0/4"},
		{0, 4, true, "store to bpf_sock_addr.user_family (offset 0): the field is read-only in cgroup_sock_addr (connect4) programs"},
		{0, 2, false, "2-byte load at offset 0 of bpf_sock_addr.user_family: only aligned 4-byte loads are allowed"},
		{64, 8, false, "64/8"},
		{72, 4, false, "access at offset 72 is outside struct bpf_sock_addr (72 bytes)"},
	})
	checkAccess(t, connect6, []ctxCase{
		{8, 8, true, "8/8"},
		{16, 8, false, "16/8"},
		{12, 8, false, "8-byte load at offset 12 of bpf_sock_addr.user_ip6[1] is misaligned or crosses the field's end"},
		{20, 4, true, "20/4"},
		{4, 4, false, "load of bpf_sock_addr.user_ip4 (offset 4): only IPv4 hooks (bind4, connect4, getpeername4, getsockname4, sendmsg4, recvmsg4) may access it"},
	})
	checkAccess(t, sendmsg6, []ctxCase{
		{48, 8, true, "48/8"},
		{44, 4, true, "44/4"},
		{56, 8, false, "8-byte load at offset 56 of bpf_sock_addr.msg_src_ip6[3] is misaligned or crosses the field's end"},
	})
	// ByName's type allows what any attach type allows.
	checkAccess(t, CgroupSockAddr, []ctxCase{{4, 4, true, "4/4"}, {8, 4, true, "8/4"}, {40, 4, true, "40/4"}})
}

func TestCgroupSockContextAccess(t *testing.T) {
	create, _ := ForSection("cgroup/sock_create")
	bind4, _ := ForSection("cgroup/post_bind4")
	checkAccess(t, create, []ctxCase{
		{0, 4, true, "0/4"},
		{16, 4, true, "16/4"},
		{20, 4, true, "20/4"},
		{4, 4, true, "store to bpf_sock.family (offset 4): the field is read-only in cgroup_sock (sock_create) programs"},
		{4, 1, false, "4/1"},
		{24, 4, false, "load of bpf_sock.src_ip4 (offset 24): the field is not accessible in cgroup_sock (sock_create) programs"},
		{48, 4, false, "48/4"},
		{48, 2, false, "48/2"},
		{50, 2, false, "2-byte load at offset 50 of bpf_sock.dst_port: only aligned loads of up to 4 bytes are allowed"},
		{80, 4, false, "access at offset 80 is outside struct bpf_sock (80 bytes)"},
	})
	checkAccess(t, bind4, []ctxCase{
		{24, 4, false, "24/4"},
		{44, 2, false, "44/2"},
		{24, 4, true, "store to bpf_sock.src_ip4 (offset 24): the field is read-only in cgroup_sock (post_bind4) programs"},
		{28, 4, false, "load of bpf_sock.src_ip6[0] (offset 28): the field is not accessible in cgroup_sock (post_bind4) programs"},
		{16, 4, false, "load of bpf_sock.mark (offset 16): the field is not accessible in cgroup_sock (post_bind4) programs"},
	})
}

func TestSockOpsContextAccess(t *testing.T) {
	checkAccess(t, SockOps, []ctxCase{
		{0, 4, false, "0/4"},
		{4, 4, true, "4/4"},
		{8, 4, true, "store to bpf_sock_ops.args[1] (offset 8): the field is read-only in sock_ops programs"},
		{164, 4, true, "164/4"},
		{76, 2, false, "2-byte load at offset 76 of bpf_sock_ops.snd_cwnd: only aligned 4-byte loads are allowed"},
		{212, 1, false, "212/1"},
		{168, 8, false, "168/8"},
		{168, 4, false, "4-byte load at offset 168 of bpf_sock_ops.bytes_received: only aligned 8-byte loads are allowed"},
		{192, 8, false, "192/8"},
		{216, 8, false, "216/8"},
		{224, 4, false, "access at offset 224 is outside struct bpf_sock_ops (224 bytes)"},
	})
}

func TestTracingContextAccess(t *testing.T) {
	checkAccess(t, Kprobe, []ctxCase{
		{112, 8, false, "112/8"}, // di
		{112, 4, false, "112/4"},
		{116, 2, false, "116/2"},
		{112, 8, true, "store to pt_regs.di (offset 112): the field is read-only in kprobe programs"},
		{4, 8, false, "8-byte load at offset 4 of pt_regs.r15 is misaligned or crosses the field's end"},
		{168, 8, false, "access at offset 168 is outside struct pt_regs (168 bytes)"},
	})
	checkAccess(t, PerfEvent, []ctxCase{
		{128, 8, false, "128/8"},
		{128, 4, false, "4-byte load at offset 128 of bpf_perf_event_data.regs.ip: only aligned 8-byte loads are allowed"},
		{168, 4, false, "168/4"},
		{176, 8, false, "176/8"},
		{184, 8, false, "access at offset 184 is outside struct bpf_perf_event_data (184 bytes)"},
	})
	checkAccess(t, Tracepoint, []ctxCase{
		{8, 4, false, "8/4"},
		{16, 8, false, "16/8"},
		{13, 1, false, "13/1"},
		{0, 4, false, "load of tracepoint record.common (offset 0): the first 8 bytes of a trace record (the common trace_entry fields) are not accessible"},
		{8, 4, true, "store to tracepoint record.fields[0] (offset 8): the field is read-only in tracepoint programs"},
		{8192, 4, false, "access at offset 8192 is outside struct tracepoint record (8192 bytes)"},
	})
	checkAccess(t, RawTracepoint, []ctxCase{
		{0, 8, false, "0/8"},
		{88, 8, false, "88/8"},
		{12, 4, false, "12/4"},
		{96, 8, false, "access at offset 96 is outside struct bpf_raw_tracepoint_args (96 bytes)"},
		{0, 8, true, "store to bpf_raw_tracepoint_args.args[0] (offset 0): the field is read-only in raw_tracepoint programs"},
	})
}

func TestForAttach(t *testing.T) {
	typ, ok := ForAttach("cgroup_sock_addr", "sendmsg4")
	if !ok || typ.Name() != "cgroup_sock_addr" || AttachType(typ) != "sendmsg4" {
		t.Fatalf("ForAttach(cgroup_sock_addr, sendmsg4) = %v, %v", typ, ok)
	}
	if sec, _ := ForSection("cgroup/sendmsg4"); sec != typ {
		t.Error("ForSection and ForAttach disagree")
	}
	if typ, ok := ForAttach("cgroup_sock", ""); !ok || typ != CgroupSock || AttachType(typ) != "" {
		t.Errorf("ForAttach(cgroup_sock, \"\") = %v, %v", typ, ok)
	}
	for _, c := range [][2]string{{"cgroup_sock", "connect4"}, {"sched_cls", "ingress"}, {"nope", ""}} {
		if _, ok := ForAttach(c[0], c[1]); ok {
			t.Errorf("ForAttach(%q, %q) found a type", c[0], c[1])
		}
	}
}
