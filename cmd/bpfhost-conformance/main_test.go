package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/isa"
)

// suiteDir is the conformance suite next to the repository
// ($BPFHOST_CONFORMANCE_DIR overrides).
func suiteDir(t *testing.T) string {
	d := os.Getenv("BPFHOST_CONFORMANCE_DIR")
	if d == "" {
		d = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	if _, err := os.Stat(filepath.Join(d, "tests")); err != nil {
		t.Skipf("conformance suite not found in %s (set BPFHOST_CONFORMANCE_DIR)", d)
	}
	return d
}

// runnerHex formats bytes as the upstream runner does: two hex digits and
// spaces after each byte.
func runnerHex(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%02x  ", c)
	}
	return s.String()
}

// TestPluginProtocol builds the plugin and drives it the way
// bpf_conformance_runner does, on a few suite files.
func TestPluginProtocol(t *testing.T) {
	dir := suiteDir(t)
	bin := filepath.Join(t.TempDir(), "bpfhost-conformance")
	build := exec.Command("go", "build", "-o", bin, ".")
	// Build for the architecture the test runs on (GOARCH may be set for
	// a cross test run under an emulator).
	build.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cases := []struct {
		file   string
		engine string
		fail   bool // the plugin must exit 1
	}{
		{"tests/ldxb.data", "", false},             // memory argument
		{"tests/lddw.data", "--engine=jit", false}, // raw section, jit falls back
		{"tests/call_local.data", "--engine=interpreter", false},
		{"tests/callx.data", "--engine=auto", false},
		{"negative/unused-exit-imm.data", "", true},
	}
	for _, c := range cases {
		f, err := conformance.ParseFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		prog, err := f.Program()
		if err != nil {
			t.Fatal(err)
		}
		var args []string
		if len(f.Mem) > 0 {
			args = append(args, runnerHex(f.Mem))
		}
		if c.engine != "" {
			args = append(args, c.engine)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(runnerHex(isa.Encode(prog)) + "\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		if errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("cannot execute %s/%s binaries here (emulated test run): %v", runtime.GOOS, runtime.GOARCH, err)
		}
		if c.fail {
			if err == nil || stderr.Len() == 0 || stdout.Len() != 0 {
				t.Errorf("%s: want exit 1 with an error on stderr, got %v, stdout %q, stderr %q", c.file, err, stdout.String(), stderr.String())
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v: %s", c.file, err, stderr.String())
			continue
		}
		got, err := strconv.ParseUint(strings.TrimSpace(stdout.String()), 16, 64)
		if err != nil || got != f.Result {
			t.Errorf("%s: printed %q, want %x", c.file, stdout.String(), f.Result)
		}
	}
}

func TestPluginOptions(t *testing.T) {
	exit := runnerHex(isa.Encode([]isa.Instruction{{Opcode: isa.OpExit}}))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine=llvm"}, `unknown engine "llvm"`},
		{[]string{"--frobnicate"}, `unknown option "--frobnicate"`},
		{[]string{"--elf"}, "not supported"},
		{[]string{"zz"}, "memory argument: invalid hex"},
	} {
		_, err := run(c.args, strings.NewReader(exit))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := run(nil, strings.NewReader("95 00 00")); err == nil || !strings.Contains(err.Error(), "multiple of 8") {
		t.Errorf("short program: got %v", err)
	}
	if _, err := run(nil, strings.NewReader("9g")); err == nil || !strings.Contains(err.Error(), "invalid hex") {
		t.Errorf("bad hex: got %v", err)
	}
}
