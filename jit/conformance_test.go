package jit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// conformanceFiles returns the suite's positive test files.
func conformanceFiles(t *testing.T) []string {
	dir := os.Getenv("BPFHOST_CONFORMANCE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "conformance")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tests", "*.data"))
	if len(files) == 0 {
		t.Skipf("conformance suite not found in %s (set BPFHOST_CONFORMANCE_DIR)", dir)
	}
	return files
}

// TestConformanceJIT runs every conformance program in the checked
// interpreter and then natively (with and without constant blinding and
// inline routes), and requires the expected r0 and identical memory.
func TestConformanceJIT(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	ran := 0
	files := conformanceFiles(t)
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".data")
		t.Run(name, func(t *testing.T) {
			f, err := conformance.ParseFile(path)
			if err != nil {
				t.Skip(err)
			}
			insns, err := f.Program()
			if err != nil {
				t.Skip(err)
			}
			for _, opts := range []jit.Options{{}, {Blind: true, BlindSeed: 7}, {NoInline: true}} {
				want, ok := compareRaw(t, cpus, insns, f.Mem, opts)
				if !ok {
					t.Skipf("the interpreter refuses it: %v", want.err)
				}
				if f.HasResult && want.r0 != f.Result {
					t.Fatalf("r0 = %#x, file expects %#x", want.r0, f.Result)
				}
			}
			ran++
		})
	}
	t.Logf("%d of %d conformance programs ran natively with identical results", ran, len(files))
	if ran < len(files)*9/10 {
		t.Errorf("only %d of %d programs ran natively", ran, len(files))
	}
}
