package ebpf

import (
	"fmt"
	"runtime"

	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/amd64" // x86-64 back end
	_ "github.com/bpfhost/bpfhost/jit/arm64" // arm64 back end
	"github.com/bpfhost/bpfhost/vm"
)

// The JIT registers itself as the "jit"/"auto" engine. Its engine compiles
// programs it can (verified ones, Checked false) and hands the others to
// the interpreter, so choosing it never makes a program unrunnable.
func init() { NewJIT = newJIT }

func newJIT() (vm.Engine, error) {
	if !jit.Supported() {
		return nil, fmt.Errorf("no JIT for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return jit.NewAuto(jit.Options{}), nil
}
