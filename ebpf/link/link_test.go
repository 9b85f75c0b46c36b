package link

import (
	"errors"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// retProgram loads a program of type typ that returns ret.
func retProgram(t *testing.T, typ, section string, ret int32) *ebpf.Program {
	t.Helper()
	insns := []isa.Instruction{{Opcode: 0xb7, Imm: ret}, {Opcode: isa.OpExit}}
	p, err := ebpf.NewProgramFromXlated("ret", typ, insns, ebpf.ProgramOptions{Section: section})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestApplicationHook(t *testing.T) {
	h, err := DefineHook("test_app_hook", "xdp")
	if err != nil {
		t.Fatal(err)
	}
	if h2, err := DefineHook("test_app_hook", "xdp"); err != nil || h2 != h {
		t.Fatalf("redefining with the same type: %v, %v", h2, err)
	}
	if _, err := DefineHook("test_app_hook", "raw_tracepoint"); err == nil {
		t.Fatal("redefining with another type succeeded")
	}
	opts := &ebpf.RunOptions{Data: make([]byte, 64)}
	if ret, n, err := h.Run(opts, nil); err != nil || n != 0 || ret != 0 {
		t.Fatalf("empty hook: %d, %d, %v", ret, n, err)
	}
	p1, p2 := retProgram(t, "xdp", "xdp", 1), retProgram(t, "xdp", "xdp", 2)
	l1, err := AttachHook(h, p1)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := AttachHook(h, p2)
	if err != nil {
		t.Fatal(err)
	}
	if l2.ID() <= l1.ID() {
		t.Fatalf("IDs %d then %d", l1.ID(), l2.ID())
	}
	var rets []uint32
	ret, n, err := h.Run(opts, func(l *Link, r uint32) bool { rets = append(rets, r); return true })
	if err != nil || n != 2 || ret != 2 || len(rets) != 2 || rets[0] != 1 || rets[1] != 2 {
		t.Fatalf("run: ret %d, n %d, rets %v, %v", ret, n, rets, err)
	}
	info, err := l1.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.Type != RawTracepoint || info.Hook != "test_app_hook" || info.Program != p1.ID() || info.Detached {
		t.Fatalf("info %+v", info)
	}
	if err := l1.Detach(); err != nil {
		t.Fatal(err)
	}
	if info, _ := l1.Info(); !info.Detached {
		t.Fatal("detached link's info is not detached")
	}
	if ret, n, _ := h.Run(opts, nil); n != 1 || ret != 2 {
		t.Fatalf("after detach: ret %d, n %d", ret, n)
	}
	l2.Close()
	l1.Close()
	if _, n, _ := h.Run(opts, nil); n != 0 {
		t.Fatalf("after close: %d programs ran", n)
	}
	if _, err := l1.Info(); !errors.Is(err, maps.EBADF) {
		t.Fatalf("info of a closed link: %v", err)
	}
	if _, ok := ByID(l1.ID()); ok {
		t.Fatal("closed link still registered")
	}
	// Wrong program type.
	if _, err := AttachHook(h, retProgram(t, "socket_filter", "socket", 0)); !errors.Is(err, maps.EINVAL) {
		t.Fatalf("attaching a socket filter to an xdp hook: %v", err)
	}
	if _, err := Attach(p1, Info{Type: RawTracepoint, Hook: "no_such_hook"}); !errors.Is(err, maps.ENOENT) {
		t.Fatalf("undefined hook: %v", err)
	}
}

func TestXDPExclusive(t *testing.T) {
	p := retProgram(t, "xdp", "xdp", 2)
	l, err := AttachXDP(XDPOptions{Program: p, Interface: 4242})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := AttachXDP(XDPOptions{Program: p, Interface: 4242}); !errors.Is(err, maps.EBUSY) {
		t.Fatalf("second XDP link on an interface: %v", err)
	}
	if _, err := AttachXDP(XDPOptions{Program: retProgram(t, "socket_filter", "socket", 0), Interface: 4243}); !errors.Is(err, maps.EINVAL) {
		t.Fatalf("socket filter as XDP: %v", err)
	}
	info, _ := l.Info()
	if info.Type != XDP || info.Ifindex != 4242 || info.AttachType != "xdp" {
		t.Fatalf("info %+v", info)
	}
	// A restored link keeps its ID; an ID in use is refused.
	if _, err := Attach(p, Info{ID: l.ID(), Type: XDP, Ifindex: 4244}); !errors.Is(err, maps.EEXIST) {
		t.Fatalf("attaching with a live ID: %v", err)
	}
	l2, err := Attach(p, Info{ID: LastID() + 100, Type: XDP, Ifindex: 4244})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if l3, err := AttachXDP(XDPOptions{Program: p, Interface: 4245}); err != nil || l3.ID() != l2.ID()+1 {
		t.Fatalf("after a restored ID %d: %v, %v", l2.ID(), l3, err)
	} else {
		l3.Close()
	}
}

func TestCgroupAttachTypes(t *testing.T) {
	p := retProgram(t, "cgroup_sock_addr", "cgroup/connect4", 1)
	if _, err := AttachCgroup(CgroupOptions{Path: "/cg", Attach: "bind4", Program: p}); !errors.Is(err, maps.EINVAL) {
		t.Fatalf("connect4 program on bind4: %v", err)
	}
	l, err := AttachCgroup(CgroupOptions{Path: "/cg", Attach: "connect4", Program: p})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	info, _ := l.Info()
	if info.AttachType != "cgroup_inet4_connect" || info.Cgroup != "/cg" || info.Type != Cgroup {
		t.Fatalf("info %+v", info)
	}
	if _, err := AttachCgroup(CgroupOptions{Path: "/cg", Attach: "ingress", Program: p}); !errors.Is(err, maps.EINVAL) {
		t.Fatalf("sock_addr program on ingress: %v", err)
	}
	if _, err := AttachCgroup(CgroupOptions{Path: "/cg", Attach: "nope", Program: p}); err == nil {
		t.Fatal("unknown attach type accepted")
	}
}
