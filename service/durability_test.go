//go:build unix

package service

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/maps"
)

// serveProcess runs `bpfhost serve` (this test binary as a helper) for root
// and returns it with a client, once it answers.
func serveProcess(t *testing.T, root string) (*exec.Cmd, *client.Client) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--root", root, "--log-level", "warn")
	cmd.Env = append(os.Environ(), envHelper+"=serve")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := client.Dial(root)
		if err == nil {
			if _, err = c.Version(ctxT(t)); err == nil {
				return cmd, c
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("service did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKill9 streams map updates and map creations from clients, kills the
// service with SIGKILL in the middle of both, restarts it and checks that every
// acknowledged update and creation is there.
func TestKill9(t *testing.T) {
	root := t.TempDir()
	for round := 0; round < 3; round++ {
		cmd, c := serveProcess(t, root)
		ctx := ctxT(t)
		hash := fmt.Sprintf("/sys/fs/bpf/k/hash%d", round)
		arr := fmt.Sprintf("/sys/fs/bpf/k/arr%d", round)
		if _, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 8, MaxEntries: 1 << 16, Pin: hash}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Array), KeySize: 4, ValueSize: 8, MaxEntries: 1 << 16, Pin: arr}); err != nil {
			t.Fatal(err)
		}
		var acked [2]atomic.Int64 // highest acknowledged key, per map
		var created atomic.Int64  // acknowledged map creations
		var wg sync.WaitGroup
		for i, pin := range []string{hash, arr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acked[i].Store(-1)
				for k := 0; k < 1<<16; k++ {
					if c.MapUpdate(ctx, client.Pinned(pin), u32(uint32(k)), u64(uint64(k)*3+1), 0) != nil {
						return
					}
					acked[i].Store(int64(k))
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				_, err := c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Array), KeySize: 4, ValueSize: 4, MaxEntries: 1,
					Pin: fmt.Sprintf("/sys/fs/bpf/k/r%d/m%d", round, n)})
				if err != nil {
					return
				}
				created.Store(int64(n + 1))
			}
		}()
		// Kill once enough is acknowledged (slow disks make creations
		// slow), at a different moment each round.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if acked[0].Load() >= 20 && acked[1].Load() >= 20 && created.Load() >= 2 {
				break
			}
		}
		time.Sleep(time.Duration(37*round) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		wg.Wait()
		c.Close()
		if acked[0].Load() < 10 || acked[1].Load() < 10 || created.Load() < 1 {
			t.Fatalf("too little acknowledged before the kill: %d, %d updates, %d maps", acked[0].Load(), acked[1].Load(), created.Load())
		}

		cmd, c = serveProcess(t, root)
		for i, pin := range []string{hash, arr} {
			for k := int64(0); k <= acked[i].Load(); k++ {
				v, err := c.MapLookup(ctx, client.Pinned(pin), u32(uint32(k)))
				if err != nil || le64(v) != uint64(k)*3+1 {
					t.Fatalf("round %d: %s[%d] after the kill: %v, %v (acknowledged up to %d)", round, pin, k, v, err, acked[i].Load())
				}
			}
		}
		for n := int64(0); n < created.Load(); n++ {
			if _, err := c.MapShow(ctx, client.Pinned(fmt.Sprintf("/sys/fs/bpf/k/r%d/m%d", round, n))); err != nil {
				t.Fatalf("round %d: acknowledged map %d lost: %v", round, n, err)
			}
		}
		t.Logf("round %d: %d+%d updates and %d creations acknowledged before SIGKILL, all present", round, acked[0].Load()+1, acked[1].Load()+1, created.Load())
		c.Close()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	if _, err := os.Stat(filepath.Join(root, client.InfoFile)); err == nil {
		t.Fatal("service.json left after a clean stop")
	}

	// A service killed with SIGKILL leaves service.json and its socket; the
	// command line then finds nobody listening and runs embedded.
	cmd, c := serveProcess(t, root)
	c.Close()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(root, client.InfoFile)); err != nil {
		t.Fatalf("expected a stale service.json: %v", err)
	}
	cli := exec.Command(os.Args[0], "--root", root, "map", "lookup", "pinned", "/sys/fs/bpf/k/arr0", "key", "5", "0", "0", "0")
	cli.Env = append(os.Environ(), envHelper+"=cli")
	out, err := cli.CombinedOutput()
	if err != nil || string(out) != "key: 05 00 00 00  value: 10 00 00 00 00 00 00 00\n" {
		t.Fatalf("embedded command after SIGKILL: %v\n%s", err, out)
	}
}
