package progtype

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// TestKernelHelperTables asks the kernel's verifier which of the helpers
// bpfhost implements each program type may call, and compares with the
// type's table.
func TestKernelHelperTables(t *testing.T) {
	requireKernel(t)
	cases := []struct {
		typ    Type
		ktype  ebpf.ProgramType
		attach ebpf.AttachType
	}{
		{XDP, ebpf.XDP, ebpf.AttachNone},
		{SchedCls, ebpf.SchedCLS, ebpf.AttachNone},
		{SchedAct, ebpf.SchedACT, ebpf.AttachNone},
		{SocketFilter, ebpf.SocketFilter, ebpf.AttachNone},
		{CgroupSKB, ebpf.CGroupSKB, ebpf.AttachCGroupInetIngress},
		{LWTIn, ebpf.LWTIn, ebpf.AttachNone},
		{LWTOut, ebpf.LWTOut, ebpf.AttachNone},
		{LWTXmit, ebpf.LWTXmit, ebpf.AttachNone},
		{CgroupSock, ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate},
		{CgroupSockAddr, ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect},
		{SockOps, ebpf.SockOps, ebpf.AttachCGroupSockOps},
		{Kprobe, ebpf.Kprobe, ebpf.AttachNone},
		{Tracepoint, ebpf.TracePoint, ebpf.AttachNone},
		{RawTracepoint, ebpf.RawTracepoint, ebpf.AttachNone},
		{PerfEvent, ebpf.PerfEvent, ebpf.AttachNone},
	}
	// The probe must tell an offered helper from a missing one.
	if !kernelOffers(t, ebpf.SchedCLS, ebpf.AttachNone, helpers.FnSkbStoreBytes) || kernelOffers(t, ebpf.XDP, ebpf.AttachNone, helpers.FnSkbStoreBytes) {
		t.Fatal("the verifier log does not distinguish offered helpers")
	}
	var nums []int32
	for n := range helpers.Names {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	for _, c := range cases {
		t.Run(c.typ.Name(), func(t *testing.T) {
			var diffs []string
			for _, n := range nums {
				ours := c.typ.Helpers().Lookup(n) != nil
				kernel := kernelOffers(t, c.ktype, c.attach, n)
				if ours != kernel {
					diffs = append(diffs, fmt.Sprintf("%s (%d): bpfhost %v, kernel %v", helpers.Names[n], n, ours, kernel))
				}
			}
			if len(diffs) > 0 {
				t.Errorf("helper availability differs:\n%s", strings.Join(diffs, "\n"))
			}
		})
	}
}

// kernelOffers reports whether the verifier knows helper n for the type:
// the program calls it with zero arguments, so the verifier may refuse it
// for its arguments, but not with "unknown func".
func kernelOffers(t *testing.T, typ ebpf.ProgramType, attach ebpf.AttachType, n int32) bool {
	insns := asm.Instructions{
		asm.Mov.Imm(asm.R1, 0), asm.Mov.Imm(asm.R2, 0), asm.Mov.Imm(asm.R3, 0), asm.Mov.Imm(asm.R4, 0), asm.Mov.Imm(asm.R5, 0),
		asm.BuiltinFunc(n).Call(), asm.Mov.Imm(asm.R0, 1), asm.Return(),
	}
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: typ, AttachType: attach, Instructions: insns, License: "GPL"},
		ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch, LogSizeStart: 1 << 16})
	if err == nil {
		p.Close()
		return true
	}
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		t.Fatalf("helper %d: %v", n, err)
	}
	log := strings.Join(ve.Log, "\n")
	return !strings.Contains(log, "unknown func") && !strings.Contains(log, "cannot use helper")
}
