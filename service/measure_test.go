//go:build linux

package service

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/maps"
)

// TestMeasure prints the numbers docs/service.md reports: start time of a
// service process, its idle RSS and its RSS with 1,000 maps. It runs only
// with BPFHOST_MEASURE=1:
//
//	BPFHOST_MEASURE=1 go test -run Measure -v ./service
func TestMeasure(t *testing.T) {
	if os.Getenv("BPFHOST_MEASURE") == "" {
		t.Skip("set BPFHOST_MEASURE=1 to measure")
	}
	root := t.TempDir()
	start := time.Now()
	cmd, c := serveProcess(t, root)
	startup := time.Since(start)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	time.Sleep(200 * time.Millisecond)
	idle := rss(t, cmd.Process.Pid)
	ctx := ctxT(t)
	for i := 0; i < 1000; i++ {
		if _, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 8, MaxEntries: 1024,
			Pin: fmt.Sprintf("/sys/fs/bpf/measure/m%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	created := time.Since(start) - startup
	with := rss(t, cmd.Process.Pid)
	c.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	t0 := time.Now()
	cmd, c = serveProcess(t, root)
	restart := time.Since(t0)
	restartRSS := rss(t, cmd.Process.Pid)
	c.Close()
	t.Logf("start (exec to first answered call): %v", startup)
	t.Logf("idle RSS: %d KiB", idle)
	t.Logf("1,000 hash maps (4-byte keys, 8-byte values, 1024 entries) created in %v; RSS %d KiB", created, with)
	t.Logf("restart with 1,000 maps: %v; RSS %d KiB", restart, restartRSS)
}

// rss returns a process's resident set in KiB.
func rss(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var n int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), "%d", &n)
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
