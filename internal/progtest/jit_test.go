package progtest

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/jit"
)

// TestCorpusJIT runs every case with all its programs verified and
// compiled by the JIT (NativeLoader) and requires exactly the expected
// results, which the interpreter meets too (TestCorpus): both engines give
// identical results.
func TestCorpusJIT(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			r, err := Exec(NativeLoader, c)
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
}
