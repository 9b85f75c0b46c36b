package service

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/client"
	"google.golang.org/grpc/codes"
)

// exec runs a command line in the service and returns its outputs.
func execCmd(t *testing.T, c *client.Client, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := c.Exec(ctxT(t), args, client.ExecIO{Stdout: &out, Stderr: &errb, Cwd: dir})
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestBPFStats checks run_time_ns and run_cnt in prog show, placed as
// bpftool places them, when the service runs with bpf stats.
func TestBPFStats(t *testing.T) {
	ts := startServerWith(t, Options{BPFStats: true})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prog.o"), testObject(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.bin"), bytes.Repeat([]byte{3}, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := execCmd(t, ts.c, dir, "prog", "loadall", "prog.o", "/sys/fs/bpf/s"); code != 0 {
		t.Fatalf("loadall: %s", e)
	}
	out, _, _ := execCmd(t, ts.c, dir, "prog", "show", "pinned", "/sys/fs/bpf/s/xdp_count")
	if strings.Contains(out, "run_cnt") {
		t.Fatalf("stats shown before any run:\n%s", out)
	}
	if _, e, code := execCmd(t, ts.c, dir, "prog", "run", "pinned", "/sys/fs/bpf/s/xdp_count", "data_in", "in.bin", "repeat", "3"); code != 0 {
		t.Fatalf("run: %s", e)
	}
	out, _, _ = execCmd(t, ts.c, dir, "prog", "show", "pinned", "/sys/fs/bpf/s/xdp_count")
	if !regexp.MustCompile(`^\d+: xdp  name xdp_count  tag [0-9a-f]{16}  gpl run_time_ns [1-9]\d* run_cnt 3\n`).MatchString(out) {
		t.Fatalf("plain show:\n%s", out)
	}
	out, _, _ = execCmd(t, ts.c, dir, "-j", "prog", "show", "pinned", "/sys/fs/bpf/s/xdp_count")
	if !regexp.MustCompile(`"gpl_compatible":true,"run_time_ns":[1-9]\d*,"run_cnt":3,"loaded_at"`).MatchString(out) {
		t.Fatalf("JSON show:\n%s", out)
	}
	var pi struct {
		RunCnt int `json:"run_cnt"`
	}
	if err := json.Unmarshal([]byte(out), &pi); err != nil || pi.RunCnt != 3 {
		t.Fatalf("JSON show: %v %v", pi, err)
	}
	// A failing command through Exec: bpftool's error, status 1, nothing changed.
	_, e, code := execCmd(t, ts.c, dir, "prog", "run", "pinned", "/sys/fs/bpf/s/xdp_count", "data_in", "missing.bin")
	if code != 1 || e != "Error: failed to open missing.bin: No such file or directory\n" {
		t.Fatalf("failing run: %d %q", code, e)
	}
}

func TestMetrics(t *testing.T) {
	ts := startServer(t, nil)
	if _, err := ts.c.MapList(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	_, err := ts.c.MapShow(ctxT(t), client.ID(99))
	wantCode(t, "show", err, codes.NotFound)
	var b strings.Builder
	ts.srv.writeMetrics(&b)
	for _, want := range []string{
		"bpfhost_calls_total{method=\"/bpfhost.v1.Bpfhost/MapList\",code=\"OK\"} 1\n",
		"bpfhost_calls_total{method=\"/bpfhost.v1.Bpfhost/MapShow\",code=\"NotFound\"} 1\n",
		"bpfhost_call_duration_seconds_count{method=\"/bpfhost.v1.Bpfhost/MapList\"} 1\n",
		"bpfhost_maps 0\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
	for addr, ok := range map[string]bool{"127.0.0.1:9100": true, "[::1]:9100": true, "localhost:0": true,
		"0.0.0.0:9100": false, ":9100": false, "192.168.1.1:80": false, "example.com:80": false, "bad": false} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
}

// TestExecCPUs: --cpus other than the service's is refused through the
// service (its per-CPU values are laid out for its CPUs).
func TestExecCPUs(t *testing.T) {
	ts := startServerWith(t, Options{CPUs: 2})
	_, e, code := execCmd(t, ts.c, t.TempDir(), "--cpus", "3", "map", "show")
	if code != 1 || e != "Error: the bpfhost service for "+ts.root+" runs with 2 CPUs, cannot use 3\n" {
		t.Fatalf("--cpus 3: %d %q", code, e)
	}
	if _, e, code := execCmd(t, ts.c, t.TempDir(), "--cpus", "2", "map", "show"); code != 0 {
		t.Fatalf("--cpus 2: %q", e)
	}
}
