package conformance_test

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
	"github.com/bpfhost/bpfhost/vm"
)

// minConformanceVerified is how many suite programs verified when
// TestConformanceVerifier was written (the other 12 shift by an immediate
// of at least the operand width, which Linux refuses too: "invalid shift").
const minConformanceVerified = 301

// TestConformanceVerifier runs the verifier over the suite's programs as
// the "raw" type (r1 = the test's memory, MemSize its length). The suite
// keeps running checked without verification, since its programs are test
// vectors, not safe programs (many read uninitialized registers or divide
// by registers the verifier cannot bound); this test reports how many
// verify and why the others are refused, and fails if fewer verify than
// when it was written, or if a negative test (invalid program) verifies.
func TestConformanceVerifier(t *testing.T) {
	positives := suiteFiles(t, "tests")
	negatives := suiteFiles(t, "negative")
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	digits := regexp.MustCompile(`-?[0-9]+`)
	verified := 0
	reasons := map[string][]string{}
	for _, path := range positives {
		f, err := conformance.ParseFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		insns, err := f.Program()
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		_, err = verifier.Verify(insns, verifier.Options{ProgType: "raw", MemSize: len(f.Mem)})
		if err == nil {
			verified++
			// Verified, it may run unchecked: it must still give the
			// expected result (the big-endian caveat of the suite aside).
			if f.HasResult && !bigEndian {
				if r0, err := runUnchecked(cpus, f.Name, insns, f.Mem); err != nil || r0 != f.Result {
					t.Errorf("%s: unchecked run: r0 %#x, %v; want %#x", f.Name, r0, err, f.Result)
				}
			}
			continue
		}
		r := err.Error()
		if ve, ok := err.(*verifier.Error); ok {
			r = ve.Reason
		}
		r = digits.ReplaceAllString(strings.SplitN(r, "\n", 2)[0], "N")
		reasons[r] = append(reasons[r], strings.TrimSuffix(filepath.Base(path), ".data"))
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(reasons[keys[i]]) > len(reasons[keys[j]]) })
	for _, k := range keys {
		t.Logf("%3d refused: %s (e.g. %s)", len(reasons[k]), k, strings.Join(reasons[k][:min(3, len(reasons[k]))], ", "))
	}
	t.Logf("%d of %d conformance programs verify", verified, len(positives))
	if verified < minConformanceVerified {
		t.Errorf("only %d programs verify, want at least %d", verified, minConformanceVerified)
	}
	for _, path := range negatives {
		if strings.HasPrefix(filepath.Base(path), "incorrect_") {
			continue // a valid program whose expected result is wrong
		}
		f, err := conformance.ParseFile(path)
		if err != nil {
			continue
		}
		insns, err := f.Program()
		if err != nil {
			continue
		}
		if _, err := verifier.Verify(insns, verifier.Options{ProgType: "raw", MemSize: len(f.Mem)}); err == nil {
			t.Errorf("%s: negative test verified", filepath.Base(path))
		}
	}
}

// runUnchecked runs a verified raw program in the interpreter without
// memory checks, as a loaded verified program runs.
func runUnchecked(cpus *vm.CPUs, name string, insns []isa.Instruction, mem []byte) (uint64, error) {
	p := &vm.Program{Name: name, Type: progtype.Raw.Name(), Insns: insns, Helpers: progtype.Raw.Helpers()}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	exe, err := interp.New().Prepare(p)
	if err != nil {
		return 0, err
	}
	var out progtype.RunOutput
	if err := progtype.Run(progtype.Raw, exe, p, cpus, &progtype.RunInput{Data: mem}, &out); err != nil {
		return 0, err
	}
	return out.Ret, nil
}
