package progtest

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/amd64"
	_ "github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/verifier"
)

// nativeLoader loads an object like HostLoader and then runs every program
// the verifier accepts natively: Checked is cleared and the program is
// prepared again with the JIT (tail-call targets too, since they are
// programs of the same collection). Programs the verifier refuses stay in
// the checked interpreter; count receives the number of native programs.
func nativeLoader(t *testing.T, count *int) Loader {
	return func(obj string, vars map[string]any) (Target, error) {
		tg, err := loadHost(obj, vars, "interpreter")
		if err != nil {
			return nil, err
		}
		h := tg.(*hostTarget)
		for name, p := range h.coll.Programs {
			vp := p.Internal()
			if _, err := verifier.Verify(p.Xlated(), verifier.Options{ProgType: p.Type(), HostContext: true}); err != nil {
				t.Logf("%s: %s stays in the interpreter: %v", obj, name, err)
				continue
			}
			vp.Checked = false
			if err := p.Reprepare(jit.New()); err != nil {
				tg.Close()
				return nil, err
			}
			*count++
		}
		return tg, nil
	}
}

// TestCorpusJIT runs every case with its verified programs compiled by the
// JIT and requires exactly the expected results, which the interpreter
// meets too (TestCorpus): both engines give identical results.
func TestCorpusJIT(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	native := 0
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			r, err := Exec(nativeLoader(t, &native), c)
			if c.Pending(err) {
				t.Skipf("bpfhost does not offer a helper %s needs yet: %v", c.Name, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := Check(c, r); len(d) > 0 {
				t.Errorf("JIT results differ from the expectations:\n%s", strings.Join(d, "\n"))
			}
		})
	}
	t.Logf("%d programs ran natively", native)
	if native == 0 {
		t.Error("no program of the corpus ran natively")
	}
}
