package verifier

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"

	"github.com/bpfhost/bpfhost/isa"
)

// suiteKernelTypes are the kernel's program and expected attach types for
// the suite's program type names (attach types as suiteSections).
var suiteKernelTypes = map[string]struct {
	typ    ebpf.ProgramType
	attach ebpf.AttachType
}{
	"xdp":              {ebpf.XDP, ebpf.AttachNone},
	"sched_cls":        {ebpf.SchedCLS, ebpf.AttachNone},
	"sched_act":        {ebpf.SchedACT, ebpf.AttachNone},
	"socket_filter":    {ebpf.SocketFilter, ebpf.AttachNone},
	"cgroup_skb":       {ebpf.CGroupSKB, ebpf.AttachCGroupInetIngress},
	"cgroup_sock":      {ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate},
	"cgroup_sock_addr": {ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect},
	"sock_ops":         {ebpf.SockOps, ebpf.AttachNone},
	"kprobe":           {ebpf.Kprobe, ebpf.AttachNone},
	"tracepoint":       {ebpf.TracePoint, ebpf.AttachNone},
	"raw_tracepoint":   {ebpf.RawTracepoint, ebpf.AttachNone},
	"perf_event":       {ebpf.PerfEvent, ebpf.AttachNone},
}

// suiteKernelMaps creates the suite's maps in the running kernel, or skips.
func suiteKernelMaps(t *testing.T) map[uint32]*ebpf.Map {
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Skipf("bpf() not available: %v", err)
	}
	out := map[uint32]*ebpf.Map{}
	t.Cleanup(func() {
		for _, m := range out {
			m.Close()
		}
	})
	for _, id := range suiteMapIDs {
		mi, _ := suiteMaps(id)
		spec := &ebpf.MapSpec{Type: ebpf.MapType(mi.Type), KeySize: mi.KeySize, ValueSize: mi.ValueSize, MaxEntries: mi.MaxEntries, Flags: mi.Flags}
		if in := mi.Inner; in != nil {
			spec.InnerMap = &ebpf.MapSpec{Type: ebpf.MapType(in.Type), KeySize: in.KeySize, ValueSize: in.ValueSize, MaxEntries: in.MaxEntries}
		}
		m, err := ebpf.NewMap(spec)
		if err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, ebpf.ErrNotSupported) {
				t.Skipf("bpf() not available: %v", err)
			}
			t.Fatalf("creating kernel map %d: %v", id, err)
		}
		out[id] = m
	}
	return out
}

// kernelLoadAs loads a suite program into the kernel as program type typ,
// map IDs replaced by the kernel maps' descriptors; nil means accepted.
func kernelLoadAs(insns []isa.Instruction, typ string, km map[uint32]*ebpf.Map) error {
	kt, ok := suiteKernelTypes[typ]
	if !ok {
		return fmt.Errorf("no kernel program type for %q", typ)
	}
	code := make([]isa.Instruction, len(insns))
	copy(code, insns)
	for i := 0; i+1 < len(code); i++ {
		if code[i].Opcode == isa.OpLdImm64 {
			if code[i].Src == isa.PseudoMapFD || code[i].Src == isa.PseudoMapValue {
				if m := km[uint32(code[i].Imm)]; m != nil {
					code[i].Imm = int32(m.FD())
				}
			}
			i++
		}
	}
	var prog asm.Instructions
	rd := bytes.NewReader(isa.Encode(code))
	for rd.Len() > 0 {
		var ins asm.Instruction
		if err := ins.Unmarshal(rd, binary.LittleEndian, "linux"); err != nil {
			return err
		}
		prog = append(prog, ins)
	}
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: kt.typ, AttachType: kt.attach, License: "GPL", Instructions: prog},
		ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch, LogSizeStart: 1 << 20})
	if err != nil {
		return err
	}
	p.Close()
	return nil
}

// TestNegativeSuiteKernel loads every negative case into the running
// kernel. The kernel must refuse them too; a case only bpfhost refuses is
// listed (t.Log) with the kernel's verdict, unless the case documents the
// difference (@kernel-skip).
func TestNegativeSuiteKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	km := suiteKernelMaps(t)
	// Every type must load a trivial program, so that refusals below are
	// about the programs, not the type.
	for typ := range suiteKernelTypes {
		if err := kernelLoadAs(prog(retZero), typ, km); err != nil {
			t.Fatalf("the kernel refuses a trivial %s program: %s", typ, errString(err))
		}
	}
	cases := loadSuite(t, "testdata/negative/*.s")
	var only []string
	skipped := 0
	for _, c := range cases {
		if c.kernelSkip != "" || c.unpriv || c.typ == "raw" {
			skipped++ // documented difference, or no kernel equivalent (unprivileged loads need a non-root process)
			continue
		}
		insns, _, err := c.assemble()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if kerr := kernelLoadAs(insns, c.typ, km); kerr == nil {
			only = append(only, fmt.Sprintf("%s:%d %s (bpfhost: %s)", c.file, c.line, c.name, c.want))
		}
	}
	sort.Strings(only)
	for _, s := range only {
		t.Logf("kernel accepts, bpfhost refuses: %s", s)
	}
	fmt.Printf("negative suite against the kernel: %d compared, %d skipped (documented or unprivileged), kernel accepts %d that bpfhost refuses\n",
		len(cases)-skipped, skipped, len(only))
}
