//go:build unix

package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestKilled kills a command while it holds the state directory (in the
// middle of a long run, and in the middle of a load): the lock dies with it
// and the next commands find a consistent state.
func TestKilled(t *testing.T) {
	h := newHost(t)
	obj := testObject(t)
	h.ok("prog loadall " + obj + " " + progs + " pinmaps " + pmaps)
	h.write("in.bin", packet(4))
	before := snapshot(t, h)

	for _, args := range [][]string{
		{"prog", "run", "pinned", progs + "/xdp_count", "data_in", "in.bin", "repeat", "100000000"},
		{"prog", "loadall", obj, "/sys/fs/bpf/second", "pinmaps", "/sys/fs/bpf/second_maps"},
	} {
		cmd := exec.Command(h.bin, args...)
		cmd.Dir, cmd.Env = h.dir, h.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()

		done := make(chan result, 1)
		go func() { done <- h.run("-j map lookup pinned " + pmaps + "/prog_rodata key 0 0 0 0") }()
		select {
		case r := <-done:
			if r.code != 0 || !strings.Contains(r.stdout, `"drop_byte":255`) {
				t.Fatalf("after killing %v: %+v", args, r)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("state directory still locked after killing %v", args)
		}
	}
	// The killed load may or may not have committed; either way the
	// directory is consistent: the first object is intact, and any second
	// one is complete.
	if r := h.run("prog show pinned /sys/fs/bpf/second/xdp_count"); r.code == 0 {
		h.ok("map show pinned /sys/fs/bpf/second_maps/counters")
	} else if after := snapshot(t, h); after != before {
		// Only map contents may differ (runs that happened before the kill
		// count, as with the kernel); the metadata and files may not.
		if strings.SplitN(after, "\n", 2)[0] != strings.SplitN(before, "\n", 2)[0] {
			t.Fatalf("files changed:\n%s\n%s", before, after)
		}
	}
}
