package progtype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

func TestForSection(t *testing.T) {
	cases := map[string]string{
		"xdp":                                  "xdp",
		"xdp/foo":                              "xdp",
		"xdp/":                                 "xdp",
		"xdp.frags":                            "xdp",
		"xdp/devmap":                           "xdp",
		"xdp.frags/devmap":                     "xdp",
		"xdp.frags/cpumap":                     "xdp",
		"xdp.frags/foo":                        "",
		"xdpfoo":                               "",
		"xdp_devmap/x":                         "",
		"socket":                               "socket_filter",
		"socket/x":                             "",
		"tc":                                   "sched_cls",
		"tc/ingress":                           "sched_cls",
		"tc/egress":                            "sched_cls",
		"tcx/ingress":                          "sched_cls",
		"tcx/egress":                           "sched_cls",
		"tc/other":                             "",
		"classifier":                           "sched_cls",
		"action":                               "sched_act",
		"cgroup_skb/ingress":                   "cgroup_skb",
		"cgroup_skb/egress":                    "cgroup_skb",
		"cgroup/skb":                           "cgroup_skb",
		"cgroup/sock_create":                   "cgroup_sock",
		"cgroup/sock":                          "cgroup_sock",
		"cgroup/post_bind6":                    "cgroup_sock",
		"cgroup/connect4":                      "cgroup_sock_addr",
		"cgroup/bind4":                         "cgroup_sock_addr",
		"cgroup/sendmsg6":                      "cgroup_sock_addr",
		"cgroup/connect7":                      "",
		"sockops":                              "sock_ops",
		"kprobe/sys_open":                      "kprobe",
		"kprobe":                               "kprobe",
		"kretprobe/tcp_v4":                     "kprobe",
		"kprobe.multi/x*":                      "kprobe",
		"kprobefoo":                            "",
		"uprobe/lib:fn":                        "kprobe",
		"ksyscall/openat":                      "kprobe",
		"usdt/a:b:c":                           "kprobe",
		"tracepoint/syscalls/sys_enter_openat": "tracepoint",
		"tp/sched/sched_switch":                "tracepoint",
		"raw_tracepoint/sched_switch":          "raw_tracepoint",
		"raw_tp/sys_enter":                     "raw_tracepoint",
		"raw_tp.w/x":                           "",
		"perf_event":                           "perf_event",
		"perf_event/x":                         "",
		"lwt_in":                               "lwt_in",
		"lwt_xmit":                             "lwt_xmit",
		"lwt_out/x":                            "",
		"":                                     "",
	}
	for sec, want := range cases {
		typ, ok := ForSection(sec)
		got := ""
		if ok {
			got = typ.Name()
		}
		if got != want {
			t.Errorf("ForSection(%q) = %q, want %q", sec, got, want)
		}
	}
}

func TestByName(t *testing.T) {
	for _, n := range []string{"xdp", "raw", "sched_cls", "sched_act", "socket_filter", "cgroup_skb", "lwt_in", "lwt_out", "lwt_xmit",
		"cgroup_sock", "cgroup_sock_addr", "sock_ops", "kprobe", "tracepoint", "raw_tracepoint", "perf_event"} {
		if typ, ok := ByName(n); !ok || typ.Name() != n {
			t.Errorf("ByName(%q) = %v, %v", n, typ, ok)
		}
	}
	if _, ok := ByName("tc"); ok {
		t.Error("ByName(tc) found a type: tc is a section name, not a type name")
	}
	if got := strings.Join(Names(), ","); got != "xdp,raw,sched_cls,sched_act,socket_filter,cgroup_skb,lwt_in,lwt_out,lwt_xmit,cgroup_sock,cgroup_sock_addr,sock_ops,kprobe,tracepoint,raw_tracepoint,perf_event" {
		t.Errorf("Names() = %q", got)
	}
}

func TestXDPContextAccess(t *testing.T) {
	type res struct {
		off  int16
		size int
		err  string
	}
	cases := []struct {
		off   int32
		size  int
		write bool
		want  res
	}{
		{0, 4, false, res{XDPHostData, 8, ""}},
		{4, 4, false, res{XDPHostDataEnd, 8, ""}},
		{8, 4, false, res{XDPHostDataMeta, 8, ""}},
		{12, 4, false, res{XDPHostIngressIfindex, 4, ""}},
		{16, 4, false, res{XDPHostRxQueueIndex, 4, ""}},
		{20, 4, false, res{XDPHostEgressIfindex, 4, ""}},
		{0, 4, true, res{err: "store to xdp_md.data (offset 0): the XDP context is read-only"}},
		{16, 4, true, res{err: "store to xdp_md.rx_queue_index (offset 16): the XDP context is read-only"}},
		{0, 8, false, res{err: "8-byte load at offset 0 of xdp_md.data: only aligned 4-byte loads are allowed"}},
		{12, 2, false, res{err: "2-byte load at offset 12 of xdp_md.ingress_ifindex: only aligned 4-byte loads are allowed"}},
		{13, 1, false, res{err: "1-byte load at offset 13 of xdp_md.ingress_ifindex: only aligned 4-byte loads are allowed"}},
		{6, 4, false, res{err: "4-byte load at offset 6 of xdp_md.data_end: only aligned 4-byte loads are allowed"}},
		{24, 4, false, res{err: "access at offset 24 is outside struct xdp_md (24 bytes)"}},
		{-4, 4, false, res{err: "access at offset -4 is outside struct xdp_md (24 bytes)"}},
	}
	for _, c := range cases {
		off, size, err := XDP.ContextAccess(c.off, c.size, c.write)
		got := res{off, size, ""}
		if err != nil {
			got = res{err: err.Error()}
		}
		if got != c.want {
			t.Errorf("ContextAccess(%d, %d, %v) = %+v, want %+v", c.off, c.size, c.write, got, c.want)
		}
	}
}

func TestRawContextAccess(t *testing.T) {
	if off, size, err := Raw.ContextAccess(100, 8, true); off != 100 || size != 8 || err != nil {
		t.Fatalf("raw ContextAccess = %d %d %v", off, size, err)
	}
	if _, _, err := Raw.ContextAccess(40000, 1, false); err == nil {
		t.Fatal("raw ContextAccess accepted an offset beyond 16 bits")
	}
}

func newCtx(t *testing.T) (*vm.CPUs, *vm.Context) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cpus.Close)
	cpu := cpus.Acquire()
	t.Cleanup(func() { cpus.Release(cpu) })
	ctx := &cpu.Run
	ctx.Reset(&vm.Program{Name: "t", Type: "xdp", Checked: true})
	return cpus, ctx
}

func frame(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func xdpMdBytes(f ...uint32) []byte {
	b := make([]byte, 24)
	for i, v := range f {
		binary.NativeEndian.PutUint32(b[i*4:], v)
	}
	return b
}

func TestXDPSetupWithoutContext(t *testing.T) {
	_, ctx := newCtx(t)
	in := &RunInput{Data: frame(60)}
	r1, r2, err := XDP.Setup(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	base := vm.AddrOf(ctx.CPU.Packet)
	if r1 != ctx.Ctx || r2 != 0 || ctx.CtxSize != XDPHostSize || ctx.CtxWritable {
		t.Fatalf("r1 %#x r2 %d ctx %#x size %d writable %v", r1, r2, ctx.Ctx, ctx.CtxSize, ctx.CtxWritable)
	}
	want := vm.Packet{HardStart: base, Meta: base + 256, Data: base + 256, End: base + 316, BufEnd: base + 4096 - 320}
	if !ctx.HasPacket || ctx.Pkt != want {
		t.Fatalf("packet %+v, want %+v", ctx.Pkt, want)
	}
	for off, v := range map[uint64]uint64{XDPHostData: want.Data, XDPHostDataEnd: want.End, XDPHostDataMeta: want.Meta} {
		if got := vm.Load64(ctx.Ctx + off); got != v {
			t.Errorf("context block @%d = %#x, want %#x", off, got, v)
		}
	}
	for off, v := range map[uint64]uint64{XDPHostIngressIfindex: 1, XDPHostRxQueueIndex: 0, XDPHostEgressIfindex: 0} {
		if got := vm.Load32(ctx.Ctx + off); got != v {
			t.Errorf("context block @%d = %d, want %d", off, got, v)
		}
	}
	if !bytes.Equal(ctx.CPU.Packet[256:316], in.Data) {
		t.Fatal("frame not copied after the headroom")
	}
	var out RunOutput
	if err := XDP.Finish(ctx, 2, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Data, in.Data) || len(out.Context) != 0 {
		t.Fatalf("out data %d bytes, context %v", len(out.Data), out.Context)
	}
}

func TestXDPSetupWithContext(t *testing.T) {
	_, ctx := newCtx(t)
	data := frame(72)
	// 8 bytes of metadata, then a 64-byte frame, on ifindex 3 queue 2.
	in := &RunInput{Data: data, Context: xdpMdBytes(8, 72, 0, 3, 2, 0)}
	if _, _, err := XDP.Setup(ctx, in); err != nil {
		t.Fatal(err)
	}
	base := vm.AddrOf(ctx.CPU.Packet)
	want := vm.Packet{HardStart: base, Meta: base + 248, Data: base + 256, End: base + 320, BufEnd: base + 4096 - 320}
	if ctx.Pkt != want {
		t.Fatalf("packet %+v, want %+v", ctx.Pkt, want)
	}
	if got := vm.Load32(ctx.Ctx + XDPHostIngressIfindex); got != 3 {
		t.Fatalf("ingress_ifindex = %d", got)
	}
	if got := vm.Load32(ctx.Ctx + XDPHostRxQueueIndex); got != 2 {
		t.Fatalf("rx_queue_index = %d", got)
	}
	// Grow the head by 4 and shrink the tail by 10 with the helpers, as a
	// program would; the context block follows.
	tab := XDP.Helpers()
	if r := tab.Lookup(helpers.FnXDPAdjustHead)(ctx, ctx.Ctx, uint64(1<<64-4), 0, 0, 0); r != 0 {
		t.Fatalf("adjust_head = %d", int64(r))
	}
	if r := tab.Lookup(helpers.FnXDPAdjustTail)(ctx, ctx.Ctx, uint64(1<<64-10), 0, 0, 0); r != 0 {
		t.Fatalf("adjust_tail = %d", int64(r))
	}
	if vm.Load64(ctx.Ctx+XDPHostData) != base+252 || vm.Load64(ctx.Ctx+XDPHostDataMeta) != base+244 || vm.Load64(ctx.Ctx+XDPHostDataEnd) != base+310 {
		t.Fatal("context block not refreshed after the adjustments")
	}
	var out RunOutput
	if err := XDP.Finish(ctx, 2, &out); err != nil {
		t.Fatal(err)
	}
	// ctx_out: data and data_end relative to data_meta, data_meta 0.
	if want := xdpMdBytes(8, 66, 0, 3, 2, 0); !bytes.Equal(out.Context, want) {
		t.Fatalf("ctx_out = %v, want %v", out.Context, want)
	}
	// data_out runs from the metadata to the end: 8 bytes of metadata
	// (moved along), 4 new head bytes, 54 bytes of the original frame. As in
	// the kernel, the new head bytes are what the metadata move left behind
	// (the last 4 bytes of the old metadata), not zeros.
	wantData := append(append(append([]byte(nil), data[:8]...), data[4:8]...), data[8:62]...)
	if !bytes.Equal(out.Data, wantData) {
		t.Fatalf("data_out = %v\nwant       %v", out.Data, wantData)
	}
}

func TestXDPSetupErrors(t *testing.T) {
	_, ctx := newCtx(t)
	cases := []struct {
		data []byte
		md   []byte
		want maps.Errno
		msg  string
	}{
		{frame(13), nil, maps.EINVAL, "xdp: data_in is 13 bytes, at least 14 (an Ethernet header) are required"},
		{frame(vm.MaxPacketSize + 1), nil, maps.E2BIG, "more than the 65536-byte maximum"},
		{frame(64), xdpMdBytes(0, 64, 4), maps.EINVAL, "data_meta is 4, must be 0"},
		{frame(64), xdpMdBytes(0, 65), maps.EINVAL, "data_end 65 is beyond the data length 64"},
		{frame(64), xdpMdBytes(0, 60), maps.ENOTSUP, "data_end 60 is short of the data length 64"},
		{frame(64), xdpMdBytes(8, 4), maps.EINVAL, "data 8 is beyond data_end 4"},
		{frame(64), xdpMdBytes(6, 64), maps.EINVAL, "must be a multiple of 4"},
		{frame(300), xdpMdBytes(220, 300), maps.EINVAL, "at most 216"},
		{frame(64), xdpMdBytes(0, 64, 0, 1, 0, 5), maps.EINVAL, "egress_ifindex must be 0"},
		{frame(64), xdpMdBytes(0, 64, 0, 0, 1), maps.EINVAL, "rx_queue_index 1 needs an ingress_ifindex"},
		{frame(64), append(xdpMdBytes(0, 64), 0, 1), maps.E2BIG, "non-zero byte 25 beyond struct xdp_md"},
	}
	for _, c := range cases {
		_, _, err := XDP.Setup(ctx, &RunInput{Data: c.data, Context: c.md})
		if err == nil || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Setup(%d bytes, ctx %v) = %v, want %v containing %q", len(c.data), c.md, err, c.want, c.msg)
		}
	}
	// A ctx_in shorter than xdp_md is zero-extended, and trailing zeros are fine.
	if _, _, err := XDP.Setup(ctx, &RunInput{Data: frame(64), Context: append(xdpMdBytes(0, 64), 0, 0, 0, 0)}); err != nil {
		t.Errorf("ctx_in with zero padding: %v", err)
	}
	if _, _, err := XDP.Setup(ctx, &RunInput{Data: frame(64), Context: xdpMdBytes(0, 64)[:8]}); err != nil {
		t.Errorf("short ctx_in: %v", err)
	}
}

// fakeExe is an executable written in Go: it does what a small program would.
type fakeExe func(ctx *vm.Context, r1, r2 uint64) (uint64, error)

func (f fakeExe) Run(ctx *vm.Context, r1, r2 uint64) (uint64, error) { return f(ctx, r1, r2) }

func TestRunXDP(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	prog := &vm.Program{Name: "swap", Type: "xdp", Helpers: XDP.Helpers(), Checked: true}
	// Swap the first two bytes of the frame through the context's pointers,
	// pop a 14-byte header, and redirect to ifindex 9.
	exe := fakeExe(func(ctx *vm.Context, r1, _ uint64) (uint64, error) {
		data, end := vm.Load64(r1+XDPHostData), vm.Load64(r1+XDPHostDataEnd)
		if !ctx.Check(data, 2, true) || end-data < 2 {
			return 0, errors.New("bad packet")
		}
		a, b := vm.Load8(data), vm.Load8(data+1)
		vm.Store8(data, b)
		vm.Store8(data+1, a)
		if r := ctx.Prog.Helpers.Lookup(helpers.FnXDPAdjustHead)(ctx, r1, 14, 0, 0, 0); r != 0 {
			return 0, errors.New("adjust_head failed")
		}
		return ctx.Prog.Helpers.Lookup(helpers.FnRedirect)(ctx, 9, 0, 0, 0, 0), nil
	})
	in := &RunInput{Data: frame(64)}
	var out RunOutput
	if err := Run(XDP, exe, prog, cpus, in, &out); err != nil {
		t.Fatal(err)
	}
	if out.Ret != helpers.XDPRedirect || out.Redirect != (vm.Redirect{Set: true, IfIndex: 9}) {
		t.Fatalf("ret %d redirect %+v", out.Ret, out.Redirect)
	}
	if !bytes.Equal(out.Data, frame(64)[14:]) {
		t.Fatalf("data out = %v", out.Data)
	}
	// Runs reuse the output buffers: no allocation per run.
	allocs := testing.AllocsPerRun(100, func() {
		if err := Run(XDP, exe, prog, cpus, in, &out); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Run allocates %.1f times per run", allocs)
	}
	// An error from the program comes back naming the program.
	bad := fakeExe(func(*vm.Context, uint64, uint64) (uint64, error) { return 0, vm.ErrAborted })
	if err := Run(XDP, bad, prog, cpus, in, &out); !errors.Is(err, vm.ErrAborted) || !strings.Contains(err.Error(), `xdp program "swap"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestRunRaw(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	prog := &vm.Program{Name: "inc", Type: "raw", Helpers: Raw.Helpers(), Checked: true}
	exe := fakeExe(func(ctx *vm.Context, r1, r2 uint64) (uint64, error) {
		if r1 != ctx.Ctx || int(r2) != ctx.CtxSize || !ctx.Check(r1, int(r2), true) {
			return 0, errors.New("raw context not set up")
		}
		for i := uint64(0); i < r2; i++ {
			vm.Store8(r1+i, vm.Load8(r1+i)+1)
		}
		return r2 * 2, nil
	})
	var out RunOutput
	if err := Run(Raw, exe, prog, cpus, &RunInput{Data: []byte{1, 2, 3}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Ret != 6 || !bytes.Equal(out.Data, []byte{2, 3, 4}) || len(out.Context) != 0 {
		t.Fatalf("ret %d data %v context %v", out.Ret, out.Data, out.Context)
	}
	if err := Run(Raw, exe, prog, cpus, &RunInput{}, &out); err != nil || out.Ret != 0 || len(out.Data) != 0 {
		t.Fatalf("empty input: %v, ret %d, data %v", err, out.Ret, out.Data)
	}
	if Raw.Helpers().Lookup(helpers.FnKtimeGetNs) == nil || Raw.Helpers().Lookup(helpers.FnXDPAdjustHead) != nil {
		t.Fatal("raw offers the wrong helpers")
	}
}
