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
	startService(h)
}

// startService runs `bpfhost serve` for h's state directory until the test
// ends, and checks then that commands reached it.
func startService(h *host) {
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

// TestKilledClient kills command-line processes whose commands run in the
// service (a long run, a load): the service goes on, and the directory is
// consistent — the load happened completely or not at all.
func TestKilledClient(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	h := newHost(t)
	if os.Getenv(envThroughService) == "" {
		startService(h)
	}
	obj := testObject(t)
	h.ok("prog loadall " + obj + " " + progs + " pinmaps " + pmaps)
	h.write("in.bin", packet(4))
	for i, args := range [][]string{
		{"prog", "run", "pinned", progs + "/xdp_count", "data_in", "in.bin", "repeat", "200000"},
		{"prog", "loadall", obj, "/sys/fs/bpf/second", "pinmaps", "/sys/fs/bpf/second_maps"},
		{"prog", "loadall", obj, "/sys/fs/bpf/third", "pinmaps", "/sys/fs/bpf/third_maps"},
	} {
		cmd := exec.Command(h.bin, args...)
		cmd.Dir, cmd.Env = h.dir, h.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep([]time.Duration{30, 3, 12}[i] * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		r := h.run("-j map lookup pinned " + pmaps + "/prog_rodata key 0 0 0 0")
		if r.code != 0 || !strings.Contains(r.stdout, `"drop_byte":255`) {
			t.Fatalf("after killing %v: %+v", args, r)
		}
	}
	// Each killed load is all or nothing: both programs and all maps, or none.
	maps := h.ok("map show")
	for _, dir := range []string{"second", "third"} {
		r := h.run("prog show pinned /sys/fs/bpf/" + dir + "/xdp_count")
		r2 := h.run("prog show pinned /sys/fs/bpf/" + dir + "/xdp_tail")
		if r.code != r2.code {
			t.Fatalf("%s: half a load: %+v %+v", dir, r, r2)
		}
		if r.code == 0 {
			h.ok("map show pinned /sys/fs/bpf/" + dir + "_maps/counters")
		}
	}
	if n := strings.Count(maps, "name counters"); n < 1 || n > 3 {
		t.Fatalf("%d counters maps:\n%s", n, maps)
	}
	// Only complete loads left maps: 7 maps per load that happened.
	loads := 1
	for _, dir := range []string{"second", "third"} {
		if h.run("prog show pinned /sys/fs/bpf/"+dir+"/xdp_count").code == 0 {
			loads++
		}
	}
	t.Logf("%d of 2 killed loads had completed", loads-1)
	if got := strings.Count(maps, "\n\tkey "); got != 7*loads {
		t.Fatalf("%d maps for %d loads:\n%s", got, loads, maps)
	}
}
