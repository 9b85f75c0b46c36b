//go:build !windows

package arm64_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/progtest"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// trusting compiles every program with the JIT as if the verifier had
// accepted it. Only for the test corpus, whose programs the kernel's
// verifier accepts and the checked interpreter runs cleanly (TestCorpus in
// internal/progtest). compiled counts the programs that went native.
type trusting struct{ compiled *atomic.Int32 }

func (trusting) Name() string { return "jit" }

func (e trusting) Prepare(p *vm.Program) (vm.Executable, error) {
	p.Checked = false
	x, err := jit.New().Prepare(p)
	if err != nil {
		// The back end refuses a program: say so, the test fails below.
		return interp.New().Prepare(p)
	}
	e.compiled.Add(1)
	return x, nil
}

// (Not on Windows, where internal/progtest's kernel side does not build.)
//
// TestCorpus runs the clang-built program corpus (internal/progtest) with
// every program compiled by the arm64 JIT — tail-call targets, callbacks
// and all — and checks the exact results the interpreter is held to.
func TestCorpus(t *testing.T) {
	needNative(t)
	var compiled atomic.Int32
	saved := ebpf.NewJIT
	ebpf.NewJIT = func() (vm.Engine, error) { return trusting{&compiled}, nil }
	defer func() { ebpf.NewJIT = saved }()
	for _, c := range progtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			before := compiled.Load()
			r, err := progtest.Exec(progtest.HostLoaderWith("jit"), c)
			if c.Pending(err) {
				t.Skipf("bpfhost does not offer a helper %s needs yet: %v", c.Name, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if compiled.Load() == before {
				t.Fatalf("no program of %s was compiled by the JIT", c.Name)
			}
			if d := progtest.Check(c, r); len(d) > 0 {
				t.Errorf("JIT results differ from the expectations:\n%s", strings.Join(d, "\n"))
			}
		})
	}
	t.Logf("%d programs compiled to arm64", compiled.Load())
}
