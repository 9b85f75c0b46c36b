package progtype

import (
	"fmt"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// layoutType is a program type with a Linux context structure and no test
// run: the kernel has no BPF_PROG_TEST_RUN for kprobe, tracepoint,
// perf_event, cgroup_sock, cgroup_sock_addr and sock_ops programs and
// answers -ENOTSUPP. Programs of these types load (their context accesses
// are checked and rewritten) and can be inspected, but not run.
type layoutType struct {
	name    string
	attach  string // the attach type that restricts the layout, "" for none
	layout  *ctxLayout
	helpers *vm.HelperTable
}

func (t *layoutType) Name() string             { return t.name }
func (t *layoutType) Helpers() *vm.HelperTable { return t.helpers }

// AttachType returns the attach type whose context rules the type applies
// (such as "connect4" for cgroup_sock_addr), or "" when the type has a
// single set of rules or allows what any attach type allows.
func (t *layoutType) AttachType() string { return t.attach }

// ContextAccess applies the type's (and attach type's) rules; the host
// block has Linux's layout, so accesses keep their offsets.
func (t *layoutType) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	return t.layout.access(off, size, write)
}

// Setup refuses: the kernel cannot test-run programs of the type either.
func (t *layoutType) Setup(*vm.Context, *RunInput) (uint64, uint64, error) {
	return 0, 0, fmt.Errorf("test run not supported for %s programs: %w", t.name, maps.ENOTSUPP)
}

// Finish is never reached, as Setup refuses.
func (t *layoutType) Finish(*vm.Context, uint64, *RunOutput) error {
	return fmt.Errorf("test run not supported for %s programs: %w", t.name, maps.ENOTSUPP)
}
