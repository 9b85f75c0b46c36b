//go:build linux || darwin

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envThroughService makes newHost start a service for its state directory,
// so that every command of a test goes through it (Exec) instead of
// running embedded.
const envThroughService = "BPFHOST_TEST_THROUGH_SERVICE"

// serviceTests are the command-line tests rerun through a service. They
// check exact outputs and errors, so passing them both ways shows that a
// command behaves the same embedded and through the service. TestKilled
// is not among them: it kills command processes, which through a service
// are clients (the service's own kill test is in package service);
// TestAgainstBpftool compares with the kernel and adds nothing here.
const serviceTests = "^(TestScript|TestErrors|TestBatch|TestLifetime|TestConcurrent|TestFormatted|TestMapKinds)$"

// TestThroughService reruns the command-line tests with a service running.
func TestThroughService(t *testing.T) {
	if os.Getenv(envThroughService) != "" {
		t.Skip("already running through a service")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	cmd := exec.Command(os.Args[0], "-test.run", serviceTests, "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envThroughService+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests through the service failed: %v\n%s", err, out)
	}
	if n := bytes.Count(out, []byte("--- PASS: Test")); n != strings.Count(serviceTests, "|")+1 {
		t.Fatalf("%d tests passed through the service, want %d:\n%s", n, strings.Count(serviceTests, "|")+1, out)
	}
}

// maybeStartService starts `bpfhost serve` for h's state directory when
// the tests run through a service, and checks at the end that the commands
// did reach it.
func maybeStartService(h *host) {
	if os.Getenv(envThroughService) == "" {
		return
	}
	t := h.t
	logPath := filepath.Join(t.TempDir(), "service.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(h.bin, "serve", "--root", h.root, "--log-level", "debug")
	cmd.Env, cmd.Stdout, cmd.Stderr = h.env, logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(h.root, "service.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			b, _ := os.ReadFile(logPath)
			t.Fatalf("service did not start:\n%s", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		logf.Close()
		b, _ := os.ReadFile(logPath)
		if !t.Failed() && !strings.Contains(string(b), "Exec") {
			t.Errorf("no command reached the service:\n%s", b)
		}
	})
}
