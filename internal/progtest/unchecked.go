package progtest

import (
	"fmt"

	"github.com/bpfhost/bpfhost/verifier"
)

// UncheckedLoader loads an object like HostLoader with the interpreter, then
// lets every program the verifier accepts run without run-time checks, as
// the interpreter runs verified programs once the loader verifies. Like
// NativeLoader it fails, naming the program, when the verifier refuses one.
func UncheckedLoader(obj string, vars map[string]any) (Target, error) {
	tg, err := loadHost(obj, vars, "interpreter")
	if err != nil {
		return nil, err
	}
	h := tg.(*hostTarget)
	for name, p := range h.coll.Programs {
		if _, err := verifier.Verify(p.Xlated(), verifier.Options{ProgType: p.Type(), HostContext: true}); err != nil {
			tg.Close()
			return nil, fmt.Errorf("unchecked: %s: the verifier refuses %s: %w", obj, name, err)
		}
		// The interpreter reads Checked at every run; its decoded form
		// does not depend on it.
		p.Internal().Checked = false
	}
	return tg, nil
}

// BenchLoaderFor is LoaderFor plus "unchecked" (UncheckedLoader): the
// engine names the benchmarks accept.
func BenchLoaderFor(engine string) Loader {
	if engine == "unchecked" {
		return UncheckedLoader
	}
	return LoaderFor(engine)
}
