package arm64_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
)

// conformanceFiles returns the positive tests of the bpf_conformance suite
// ($BPFHOST_CONFORMANCE_DIR or ../shared/conformance beside the module).
func conformanceFiles(t *testing.T) []string {
	dir := os.Getenv("BPFHOST_CONFORMANCE_DIR")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "..", "shared", "conformance")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tests", "*.data"))
	if len(files) == 0 {
		t.Skipf("conformance suite not found in %s (set BPFHOST_CONFORMANCE_DIR)", dir)
	}
	return files
}

// TestConformance runs every positive conformance program on the arm64 JIT
// and the interpreter: both must give the file's r0 and agree on the memory.
func TestConformance(t *testing.T) {
	needNative(t)
	files := conformanceFiles(t)
	ran := 0
	for _, path := range files {
		f, err := conformance.ParseFile(path)
		if err != nil {
			continue // sections the format does not define: skipped by the suite too
		}
		insns, err := f.Program()
		if err != nil || !f.HasResult || isa.Validate(insns) != nil {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, opts := range []jit.Options{{}, {Blind: true}} {
				got := differentialWith(t, opts, insns, f.Mem)
				if got.err != nil || got.r0 != f.Result {
					t.Errorf("options %+v: r0 = %#x, err %v; want %#x", opts, got.r0, got.err, f.Result)
				}
			}
		})
		ran++
	}
	t.Logf("%d of %d conformance programs ran on the arm64 JIT", ran, len(files))
}
