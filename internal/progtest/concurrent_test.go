package progtest

import (
	"bytes"
	"encoding/binary"
	"sync"
	"testing"
)

// TestFirewallConcurrent runs the firewall from many goroutines at once:
// per-CPU verdict counters must add up exactly (each virtual CPU runs one
// program at a time) and per-source counters too (the program updates them
// with atomic adds once the entry exists).
func TestFirewallConcurrent(t *testing.T) {
	const goroutines, rounds = 8, 50
	c := FirewallCase()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := HostLoader(root+"/"+c.Object, c.Vars)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if err := Setup(tg, c); err != nil {
		t.Fatal(err)
	}
	// One sequential pass creates every source entry, so that no two runs
	// race to insert one (an insert race loses counts in the kernel too).
	run := func() error {
		for i, s := range c.Steps {
			ret, _, err := tg.Run(s.Prog, s.In, nil)
			if err != nil {
				return err
			}
			if ret != s.Ret {
				t.Errorf("frame %d: verdict %d, want %d", i+1, ret, s.Ret)
			}
		}
		return nil
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				if err := run(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()

	const passes = 1 + goroutines*rounds
	for _, m := range []string{"verdicts", "sources"} {
		got, err := tg.Dump(m)
		if err != nil {
			t.Fatal(err)
		}
		want := scaleCounters(c.Maps[m], passes)
		if d := DiffEntries(got, want); d != "" {
			t.Errorf("%s after %d passes:\n%s", m, passes, d)
		}
	}
}

// scaleCounters multiplies the two leading u64 counters (packets, bytes)
// of every value by n.
func scaleCounters(es []Entry, n uint64) []Entry {
	var out []Entry
	for _, e := range es {
		v := bytes.Clone(e.Value)
		for off := 0; off < 16; off += 8 {
			binary.LittleEndian.PutUint64(v[off:], binary.LittleEndian.Uint64(v[off:])*n)
		}
		out = append(out, E(e.Key, v))
	}
	return out
}
