package service

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/maps"
)

// TestConcurrentClients has 32 clients, each on its own connection, update
// and read back their own keys of a shared hash map, bump a shared array
// counter with their own slots and run a program; nothing may be lost and
// no call may fail.
func TestConcurrentClients(t *testing.T) {
	ts := startServer(t, nil)
	ctx := ctxT(t)
	if _, err := ts.c.ObjectLoad(ctx, testObject(t), "/sys/fs/bpf/l", client.ObjectLoadOptions{ObjectName: "prog.o", PinMaps: "/sys/fs/bpf/lm"}); err != nil {
		t.Fatal(err)
	}
	const clients, perClient, runs = 32, 40, 4
	if _, err := ts.c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 8, MaxEntries: clients * perClient, Pin: "/sys/fs/bpf/l/h"}); err != nil {
		t.Fatal(err)
	}
	hash, prog := client.Pinned("/sys/fs/bpf/l/h"), client.Pinned("/sys/fs/bpf/l/xdp_count")
	pkt := bytes.Repeat([]byte{1}, 64)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := client.DialSocket(ts.socket)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < perClient; i++ {
				k := uint32(w*perClient + i)
				if err := c.MapUpdate(ctx, hash, u32(k), u64(uint64(k)<<8|uint64(w)), client.UpdateNoExist); err != nil {
					errs <- fmt.Errorf("client %d update %d: %w", w, k, err)
					return
				}
				v, err := c.MapLookup(ctx, hash, u32(k))
				if err != nil || le64(v) != uint64(k)<<8|uint64(w) {
					errs <- fmt.Errorf("client %d lookup %d: %v %w", w, k, v, err)
					return
				}
				if i%10 == 0 {
					r, err := c.ProgRun(ctx, prog, client.RunOptions{Data: pkt, Repeat: runs})
					if err != nil || r.Retval != 2 {
						errs <- fmt.Errorf("client %d run: %v %w", w, r, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ents, err := ts.c.MapDump(ctx, hash)
	if err != nil || len(ents) != clients*perClient {
		t.Fatalf("dump: %d entries, %v; want %d", len(ents), err, clients*perClient)
	}
	for _, e := range ents {
		k := le64(e.Key)
		if le64(e.Value) != k<<8|k/perClient {
			t.Fatalf("key %d holds %#x", k, le64(e.Value))
		}
	}
	v, err := ts.c.MapLookup(ctx, client.Pinned("/sys/fs/bpf/lm/counters"), u32(0))
	wantRuns := uint64(clients * (perClient / 10) * runs)
	if err != nil || le64(v) != wantRuns {
		t.Fatalf("counters[0] = %d, %v; want %d runs", le64(v), err, wantRuns)
	}
	pi, err := ts.c.ProgShow(ctx, prog)
	if err != nil || pi.RunCnt != wantRuns {
		t.Fatalf("run_cnt %d, %v; want %d", pi.GetRunCnt(), err, wantRuns)
	}
}
