package progtest

import (
	"fmt"

	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/verifier"
)

// LoaderFor returns the loader of a bpfhost engine name: "interpreter",
// "jit" and "auto" are ebpf engine choices (ebpf verifies at load, and the
// JIT runs the programs it accepts); "native"
// verifies every program itself and runs those the verifier accepts with
// the JIT, unchecked, as a kernel would after verification.
func LoaderFor(engine string) Loader {
	if engine == "native" {
		return NativeLoader
	}
	return HostLoaderWith(engine)
}

// NativeLoader loads an object like HostLoader, then runs every program the
// verifier accepts with the JIT and without run-time checks. Programs it
// refuses make the load fail, naming the program, so that a benchmark never
// silently measures the interpreter instead.
func NativeLoader(obj string, vars map[string]any) (Target, error) {
	if !jit.Supported() {
		return nil, fmt.Errorf("native: no JIT on this platform")
	}
	tg, err := loadHost(obj, vars, "interpreter")
	if err != nil {
		return nil, err
	}
	h := tg.(*hostTarget)
	for name, p := range h.coll.Programs {
		if _, err := verifier.Verify(p.Xlated(), verifier.Options{ProgType: p.Type(), HostContext: true}); err != nil {
			tg.Close()
			return nil, fmt.Errorf("native: %s: the verifier refuses %s: %w", obj, name, err)
		}
		p.Internal().Checked = false
		if err := p.Reprepare(jit.New()); err != nil {
			tg.Close()
			return nil, fmt.Errorf("native: %s: %w", obj, err)
		}
	}
	return tg, nil
}
