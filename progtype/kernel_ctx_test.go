package progtype

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// TestKernelContextAccess asks the kernel's verifier about every offset,
// size and direction of a context access, one tiny program each, and
// requires ContextAccess to accept exactly what the kernel accepts.
func TestKernelContextAccess(t *testing.T) {
	requireKernel(t)
	sec := func(s string) Type {
		typ, ok := ForSection(s)
		if !ok {
			t.Fatalf("no type for section %s", s)
		}
		return typ
	}
	cases := []struct {
		typ      Type
		ktype    ebpf.ProgramType
		attach   ebpf.AttachType
		from, to int32 // offsets to try
	}{
		{SchedCls, ebpf.SchedCLS, ebpf.AttachNone, -8, skbSize + 8},
		{SchedAct, ebpf.SchedACT, ebpf.AttachNone, 0, skbSize + 8},
		{SocketFilter, ebpf.SocketFilter, ebpf.AttachNone, 0, skbSize + 8},
		{CgroupSKB, ebpf.CGroupSKB, ebpf.AttachCGroupInetIngress, 0, skbSize + 8},
		{LWTIn, ebpf.LWTIn, ebpf.AttachNone, 0, skbSize + 8},
		{LWTXmit, ebpf.LWTXmit, ebpf.AttachNone, 0, skbSize + 8},
		{sec("cgroup/sock_create"), ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate, 0, 88},
		{sec("cgroup/sock_release"), ebpf.CGroupSock, ebpf.AttachCgroupInetSockRelease, 0, 88},
		{sec("cgroup/post_bind4"), ebpf.CGroupSock, ebpf.AttachCGroupInet4PostBind, 0, 88},
		{sec("cgroup/post_bind6"), ebpf.CGroupSock, ebpf.AttachCGroupInet6PostBind, 0, 88},
		{sec("cgroup/connect4"), ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect, 0, 80},
		{sec("cgroup/connect6"), ebpf.CGroupSockAddr, ebpf.AttachCGroupInet6Connect, 0, 80},
		{sec("cgroup/bind4"), ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Bind, 0, 80},
		{sec("cgroup/sendmsg4"), ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP4Sendmsg, 0, 80},
		{sec("cgroup/sendmsg6"), ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP6Sendmsg, 0, 80},
		{sec("cgroup/recvmsg6"), ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP6Recvmsg, 0, 80},
		{sec("cgroup/getpeername4"), ebpf.CGroupSockAddr, ebpf.AttachCgroupInet4GetPeername, 0, 80},
		{sec("cgroup/connect_unix"), ebpf.CGroupSockAddr, ebpf.AttachCgroupUnixConnect, 0, 80},
		{SockOps, ebpf.SockOps, ebpf.AttachCGroupSockOps, 0, 232},
		{Kprobe, ebpf.Kprobe, ebpf.AttachNone, 0, ptRegsSize + 8},
		{PerfEvent, ebpf.PerfEvent, ebpf.AttachNone, 0, ptRegsSize + 24},
		{RawTracepoint, ebpf.RawTracepoint, ebpf.AttachNone, 0, 8*maxFuncArgs + 8},
		{Tracepoint, ebpf.TracePoint, ebpf.AttachNone, 0, 48},
		{Tracepoint, ebpf.TracePoint, ebpf.AttachNone, tracepointMaxSize - 16, tracepointMaxSize + 8},
		{sec("xdp"), ebpf.XDP, ebpf.AttachNone, 0, xdpMdSize + 8},
		{sec("xdp/devmap"), ebpf.XDP, ebpf.AttachXDPDevMap, 0, xdpMdSize + 8},
	}
	for _, c := range cases {
		name := c.typ.Name()
		if lt, ok := c.typ.(*layoutType); ok && lt.attach != "" {
			name += "/" + lt.attach
		}
		t.Run(name, func(t *testing.T) {
			var diffs []string
			for off := c.from; off < c.to; off++ {
				for _, size := range []asm.Size{asm.Byte, asm.Half, asm.Word, asm.DWord} {
					for _, write := range []bool{false, true} {
						_, _, err := c.typ.ContextAccess(off, size.Sizeof(), write)
						kerr := kernelAccess(c.ktype, c.attach, off, size, write)
						if (err == nil) != (kerr == nil) {
							kind := "load"
							if write {
								kind = "store"
							}
							diffs = append(diffs, fmt.Sprintf("%d-byte %s at %d: bpfhost %v, kernel %v", size.Sizeof(), kind, off, errText(err), errText(kerr)))
						}
					}
				}
			}
			if len(diffs) > 0 {
				if len(diffs) > 40 {
					diffs = append(diffs[:40], fmt.Sprintf("... and %d more", len(diffs)-40))
				}
				t.Errorf("%d differences:\n%s", len(diffs), strings.Join(diffs, "\n"))
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return "accepts"
	}
	s := err.Error()
	if i := strings.Index(s, "\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return "refuses (" + s + ")"
}

// kernelAccess loads a program that makes one context access and returns
// the verifier's refusal, if any.
func kernelAccess(typ ebpf.ProgramType, attach ebpf.AttachType, off int32, size asm.Size, write bool) error {
	insns := asm.Instructions{asm.Mov.Imm(asm.R2, 0)}
	if write {
		insns = append(insns, asm.StoreMem(asm.R1, int16(off), asm.R2, size))
	} else {
		insns = append(insns, asm.LoadMem(asm.R3, asm.R1, int16(off), size))
	}
	// 1 is a valid verdict for every type (recvmsg and getpeername hooks
	// must return 1).
	insns = append(insns, asm.Mov.Imm(asm.R0, 1), asm.Return())
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: typ, AttachType: attach, Instructions: insns, License: "GPL"},
		ebpf.ProgramOptions{LogDisabled: true})
	if err != nil {
		return err
	}
	p.Close()
	return nil
}
