package progtype

import (
	"fmt"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/vm"
)

// Type is an eBPF program type.
type Type interface {
	// Name is bpftool's and libbpf's name of the type ("xdp", "raw").
	Name() string
	// Helpers returns the helpers the type offers; a program calling any
	// other helper number is refused at load.
	Helpers() *vm.HelperTable
	// ContextAccess maps a program's access to the Linux context layout
	// (offset and size in bytes, store or load) to the host context block:
	// the offset and size of the host field to access instead. A host size
	// of 8 for a 4-byte Linux field means a pointer the loader widens. err
	// names the field when the access is refused.
	ContextAccess(off int32, size int, write bool) (hostOff int16, hostSize int, err error)
	// Setup builds the context in ctx.CPU's buffers from in and returns r1
	// and r2 for the program's entry.
	Setup(ctx *vm.Context, in *RunInput) (r1, r2 uint64, err error)
	// Finish copies the run's outputs (data out, context out) into out.
	Finish(ctx *vm.Context, ret uint64, out *RunOutput) error
}

// RunInput is the input of one run, like BPF_PROG_TEST_RUN's data_in and
// ctx_in.
type RunInput struct {
	Data    []byte
	Context []byte
}

// RunOutput is the result of one run. Data and Context reuse the slices'
// capacity, so a caller running a program repeatedly allocates nothing.
type RunOutput struct {
	Ret      uint64
	Data     []byte
	Context  []byte
	Redirect vm.Redirect
}

// Run executes exe (prepared from prog) once on a virtual CPU from cpus:
// the CPU is held for the whole run, the context is reset and set up from in,
// and the outputs are written to out. It is one run: ebpf.Program.Run
// implements Repeat the kernel's way (set up once, rerun on the same buffer).
func Run(t Type, exe vm.Executable, prog *vm.Program, cpus *vm.CPUs, in *RunInput, out *RunOutput) error {
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	ctx := &cpu.Run
	ctx.Reset(prog)
	r1, r2, err := t.Setup(ctx, in)
	if err != nil {
		return err
	}
	ret, err := exe.Run(ctx, r1, r2)
	// Whatever the outcome, records an unverified program leaked must not
	// stay reserved in a ring buffer.
	helpers.EndRun(ctx)
	if err != nil {
		return fmt.Errorf("running %s program %q: %w", t.Name(), prog.Name, err)
	}
	out.Ret = ret
	out.Redirect = ctx.Redirect
	return t.Finish(ctx, ret, out)
}

var types = []Type{XDP, Raw, SchedCls, SchedAct, SocketFilter, CgroupSKB, LWTIn, LWTOut, LWTXmit,
	CgroupSock, CgroupSockAddr, SockOps, Kprobe, Tracepoint, RawTracepoint, PerfEvent}

// ByName returns the program type with bpftool's name name. Types whose
// context rules depend on the attach type (cgroup_sock, cgroup_sock_addr)
// come with the rules of any attach type; ForSection gives the restricted ones.
func ByName(name string) (Type, bool) {
	for _, t := range types {
		if t.Name() == name {
			return t, true
		}
	}
	return nil, false
}

// Names lists the names of the supported program types.
func Names() []string {
	var out []string
	for _, t := range types {
		out = append(out, t.Name())
	}
	return out
}
