package ebpf

import (
	"fmt"
	"os"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/vm"
)

// EngineEnv is the environment variable that chooses the execution engine
// when options leave it empty: "interpreter", "jit" or "auto".
const EngineEnv = "BPFHOST_ENGINE"

// NewJIT, when set (by a JIT package's init), creates the JIT engine for
// this platform, or returns an error when the platform has none. Until then
// "jit" and "auto" use the interpreter.
var NewJIT func() (vm.Engine, error)

// selectEngine resolves an engine name: the option, else the environment,
// else "auto".
func selectEngine(name string) (vm.Engine, error) {
	src := "option"
	if name == "" {
		name, src = os.Getenv(EngineEnv), EngineEnv
	}
	switch name {
	case "", "auto":
		if NewJIT != nil {
			if e, err := NewJIT(); err == nil {
				return e, nil
			}
		}
		return interp.New(), nil
	case "interpreter":
		return interp.New(), nil
	case "jit":
		if NewJIT != nil {
			return NewJIT()
		}
		return interp.New(), nil
	}
	return nil, fmt.Errorf("unknown engine %q in %s (want interpreter, jit or auto)", name, src)
}
