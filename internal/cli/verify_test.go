package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCLI runs one command line embedded (no service) and returns its
// output and exit status.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return out.String(), errb.String(), code
}

// TestVerifyCommand verifies objects without loading them.
func TestVerifyCommand(t *testing.T) {
	out, errs, code := runCLI(t, "verify", "-j", "../../testdata/progs/calls.o")
	if code != 0 {
		t.Fatalf("status %d: %s %s", code, out, errs)
	}
	var vs []struct {
		Name, Section, Type, Error string
		Verified                   bool
		Insns, Processed           int
		DurationNS                 int64 `json:"duration_ns"`
	}
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(vs) == 0 {
		t.Fatal("no programs")
	}
	for _, v := range vs {
		if !v.Verified || v.Error != "" || v.Insns <= 0 || v.Processed < 1 || v.DurationNS <= 0 || v.Type == "" || v.Section == "" {
			t.Errorf("verdict %+v", v)
		}
	}

	out, errs, code = runCLI(t, "verify", "../../verifier/testdata/bad_nobounds.o")
	if code != 1 || !strings.Contains(out, "nobounds: xdp (section xdp): REFUSED: verifier refused the program at instruction 6") ||
		!strings.Contains(out, "; return ip->protocol") || !strings.Contains(errs, "1 of 1 programs refused") {
		t.Errorf("status %d\n%s\n%s", code, out, errs)
	}
	out, _, code = runCLI(t, "verify", "-j", "../../verifier/testdata/bad_nobounds.o", "program", "nobounds", "type", "xdp")
	if code != 1 || !strings.Contains(out, `"verified":false,"error":"verifier refused the program at instruction 6`) {
		t.Errorf("status %d\n%s", code, out)
	}
	_, errs, code = runCLI(t, "verify", "../../verifier/testdata/bad_nobounds.o", "type", "nosuch")
	if code != 1 || !strings.Contains(errs, `unknown program type "nosuch"`) {
		t.Errorf("status %d: %s", code, errs)
	}
}

// TestUnsafeSkipVerifierFlag loads a refused program only with the flag,
// and the state keeps it unverified across commands.
func TestUnsafeSkipVerifierFlag(t *testing.T) {
	root, pins := t.TempDir(), t.TempDir()
	obj := "../../verifier/testdata/bad_nobounds.o"
	pin := filepath.Join(pins, "p")
	_, errs, code := runCLI(t, "--root", root, "prog", "load", obj, pin)
	if code != 1 || !strings.Contains(errs, "verifier refused the program at instruction 6") {
		t.Fatalf("status %d: %s", code, errs)
	}
	_, errs, code = runCLI(t, "--root", root, "--unsafe-skip-verifier", "prog", "load", obj, pin)
	if code != 0 {
		t.Fatalf("status %d: %s", code, errs)
	}
	// A later command restores it (unverified, checked) and runs it: the
	// checked interpreter stops the read past the packet.
	meta, err := os.ReadFile(filepath.Join(root, "state.json"))
	if err != nil || !regexp.MustCompile(`"unverified":\s*true`).Match(meta) {
		t.Errorf("state does not record the program as unverified (%v)", err)
	}
	if !regexp.MustCompile(`"section":\s*"xdp"`).Match(meta) {
		t.Errorf("state does not record the program's section")
	}
	in := filepath.Join(pins, "in")
	if err := os.WriteFile(in, make([]byte, 14), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "--root", root, "prog", "run", "pinned", pin, "data_in", in)
	if code == 0 || !strings.Contains(errs, "instruction 6: out-of-bounds load") {
		t.Errorf("status %d: %s %s", code, out, errs)
	}
}
