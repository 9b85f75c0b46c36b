package conformance_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/conformance/harness"
	"github.com/bpfhost/bpfhost/vm"
)

// bigEndian says whether the host stores the low byte of a word last.
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// suiteDir locates the conformance suite: $BPFHOST_CONFORMANCE_DIR, or
// ../shared/conformance next to the repository root.
func suiteDir(t *testing.T) string {
	if d := os.Getenv("BPFHOST_CONFORMANCE_DIR"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "conformance")
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

func suiteFiles(t *testing.T, sub string) []string {
	dir := suiteDir(t)
	files, err := filepath.Glob(filepath.Join(dir, sub, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("conformance suite not found in %s (set BPFHOST_CONFORMANCE_DIR)", filepath.Join(dir, sub))
	}
	return files
}

// TestConformanceSuite runs every program of tests/ and expects its exact
// 64-bit r0, and every program of negative/ and expects a refusal at some
// stage (or a wrong result, which the upstream runner reports as a failure).
func TestConformanceSuite(t *testing.T) {
	positives := suiteFiles(t, "tests")
	negatives := suiteFiles(t, "negative")
	eng, err := harness.Engine("")
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()

	passed, skipped, endian := 0, 0, 0
	for _, path := range positives {
		name := strings.TrimSuffix(filepath.Base(path), ".data")
		t.Run("tests/"+name, func(t *testing.T) {
			o := harness.RunFile(eng, cpus, path)
			switch {
			case o.Skipped():
				skipped++
				t.Skip(o.Describe())
			case !o.Passed() && o.Err == nil && bigEndian:
				// The suite's memory images and le/be expectations
				// assume a little-endian machine; on a big-endian host
				// bpfhost, like Linux there, uses host byte order.
				endian++
				t.Skipf("big-endian host: %s", o.Describe())
			case !o.Passed():
				t.Fatalf("%s: %s", path, o.Describe())
			}
			passed++
			checkAsmMatchesRaw(t, o.File)
		})
	}
	refused := 0
	for _, path := range negatives {
		name := strings.TrimSuffix(filepath.Base(path), ".data")
		t.Run("negative/"+name, func(t *testing.T) {
			o := harness.RunFile(eng, cpus, path)
			if !o.Refused() {
				t.Fatalf("%s: accepted: %s", path, o.Describe())
			}
			// The unused-* files break reserved-field rules, which
			// structural validation must catch before any engine sees them.
			var se *harness.StageError
			if strings.HasPrefix(name, "unused-") && (!errors.As(o.Err, &se) || se.Stage != harness.StageValidate) {
				t.Fatalf("%s: refused by %v, want refusal by isa.Validate", path, o.Err)
			}
			refused++
			t.Log(o.Describe())
		})
	}
	summary := fmt.Sprintf("conformance (%s): %d/%d passed, %d/%d negative refused", eng.Name(), passed, len(positives), refused, len(negatives))
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped (unknown section)", skipped)
	}
	if endian > 0 {
		summary += fmt.Sprintf(", %d differ because the host is big-endian", endian)
	}
	fmt.Println(summary)
	t.Log(summary)
}

// checkAsmMatchesRaw cross-checks the assembler where a file carries both
// an asm section and the raw bytes it stands for.
func checkAsmMatchesRaw(t *testing.T, f *conformance.File) {
	if f == nil || !f.HasRaw || !f.HasAsm {
		return
	}
	asm, err := conformance.AssembleLines(f.Asm)
	if err != nil {
		t.Fatalf("%s: asm section: %v", f.Name, err)
	}
	if fmt.Sprint(asm) != fmt.Sprint(f.Raw) {
		t.Fatalf("%s: asm assembles to %v, raw section is %v", f.Name, asm, f.Raw)
	}
}
