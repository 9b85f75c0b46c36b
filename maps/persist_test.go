package maps

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// reopen closes m and maps its file again.
func reopen(t *testing.T, m Map, opts Options) Map {
	t.Helper()
	spec := m.Spec()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(spec, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestReopenKeepsContents(t *testing.T) {
	dir := t.TempDir()
	path := func(n string) Options { return Options{Path: filepath.Join(dir, n), NumCPU: 2} }
	v4, v8 := make([]byte, 4), make([]byte, 8)

	t.Run("array", func(t *testing.T) {
		o := path("array")
		m, _ := New(Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 4}, o)
		m.Update(u32(3), u32(33), UpdateAny)
		m = reopen(t, m, Options{Path: o.Path, NumCPU: 5}) // the CPU count does not matter
		m.Lookup(u32(3), v4)
		if index(v4) != 33 {
			t.Fatalf("value %d after reopen", index(v4))
		}
	})
	t.Run("percpu_hash", func(t *testing.T) {
		o := path("pch")
		m, _ := New(Spec{Name: "p", Type: PerCPUHash, KeySize: 4, ValueSize: 4, MaxEntries: 4}, o)
		m.UpdateElem(u32(1), u32(11), UpdateAny, 1)
		m = reopen(t, m, o)
		out := make([]byte, 16)
		wantErrno(t, "lookup", m.Lookup(u32(1), out), 0)
		if index(out) != 0 || index(out[8:]) != 11 {
			t.Fatalf("values %x", out)
		}
		_, err := Open(m.Spec(), Options{Path: o.Path, NumCPU: 3})
		if err == nil || !strings.Contains(err.Error(), "CPU count") {
			t.Fatalf("reopen with another CPU count: %v", err)
		}
	})
	t.Run("hash", func(t *testing.T) {
		o := path("hash")
		m, _ := New(Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 64}, o)
		for i := uint64(0); i < 50; i++ {
			m.Update(u64(i), u64(i*i), UpdateAny)
		}
		for i := uint64(0); i < 50; i += 2 {
			m.Delete(u64(i))
		}
		m = reopen(t, m, o)
		if n := len(keysOf(t, m)); n != 25 {
			t.Fatalf("%d keys after reopen, want 25", n)
		}
		for i := uint64(1); i < 50; i += 2 {
			if err := m.Lookup(u64(i), v8); err != nil || le64(v8) != i*i {
				t.Fatalf("key %d: %d %v", i, le64(v8), err)
			}
		}
		// The free slots were rebuilt: 39 more fit, then E2BIG.
		for i := uint64(100); i < 139; i++ {
			wantErrno(t, "fill", m.Update(u64(i), u64(0), UpdateNoExist), 0)
		}
		wantErrno(t, "full", m.Update(u64(999), u64(0), UpdateAny), E2BIG)
		_, err := Open(Spec{Name: "h", Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 64}, o)
		wantErrno(t, "reopen with other key size", err, EINVAL)
	})
	t.Run("lru", func(t *testing.T) {
		o := path("lru")
		m, _ := New(Spec{Name: "l", Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 3}, o)
		for k := uint32(1); k <= 3; k++ {
			m.Update(u32(k), u32(k), UpdateAny)
		}
		m.Update(u32(1), u32(1), UpdateExist) // order now 2, 3, 1
		m = reopen(t, m, o)
		m.Update(u32(4), u32(4), UpdateAny) // evicts 2: the order survived
		wantErrno(t, "2 evicted", m.Lookup(u32(2), v4), ENOENT)
		wantErrno(t, "1 kept", m.Lookup(u32(1), v4), 0)
	})
	t.Run("lpm", func(t *testing.T) {
		o := path("lpm")
		m, _ := New(Spec{Name: "t", Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 8, Flags: FlagNoPrealloc}, o)
		wantErrno(t, "insert /8", m.Update(lpmKey(8, 10, 0, 0, 0), u32(8), UpdateAny), 0)
		wantErrno(t, "insert /24", m.Update(lpmKey(24, 10, 1, 2, 0), u32(24), UpdateAny), 0)
		before := fmt.Sprint(keysOf(t, m))
		m = reopen(t, m, o)
		wantErrno(t, "lookup", m.Lookup(lpmKey(32, 10, 1, 2, 3), v4), 0)
		if index(v4) != 24 {
			t.Fatalf("lookup after reopen %d", index(v4))
		}
		if after := fmt.Sprint(keysOf(t, m)); after != before {
			t.Fatalf("keys %s after reopen, before %s", after, before)
		}
	})
	t.Run("queue", func(t *testing.T) {
		o := path("queue")
		m, _ := New(Spec{Name: "q", Type: Queue, ValueSize: 4, MaxEntries: 4}, o)
		for i := uint32(1); i <= 6; i++ {
			m.(QueueMap).Push(u32(i), UpdateExist)
		}
		m = reopen(t, m, o)
		for _, want := range []uint32{3, 4, 5, 6} {
			if err := m.(QueueMap).Pop(v4); err != nil || index(v4) != want {
				t.Fatalf("pop %d %v, want %d", index(v4), err, want)
			}
		}
	})
	t.Run("ringbuf", func(t *testing.T) {
		o := path("rb")
		m, _ := New(Spec{Name: "r", Type: RingBuf, MaxEntries: 4096}, o)
		m.(RingBufMap).Output([]byte("persisted"), 0)
		m.(RingBufMap).Reserve(16, 0) // still reserved when the map is closed
		m.(RingBufMap).Output([]byte("after the orphan"), 0)
		m = reopen(t, m, o)
		for _, want := range []string{"persisted", "after the orphan"} {
			if rec, ok := m.(RingBufMap).Read(); !ok || string(rec) != want {
				t.Fatalf("record %q %v, want %q", rec, ok, want)
			}
		}
	})
	t.Run("prog_array", func(t *testing.T) {
		o := path("pa")
		m, _ := New(Spec{Name: "pa", Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4}, o)
		m.Update(u32(2), u32(42), UpdateAny)
		m = reopen(t, m, o)
		if id := m.(ProgArrayMap).Program(2); id != 42 {
			t.Fatalf("program %d after reopen", id)
		}
	})
	t.Run("perf", func(t *testing.T) {
		o := path("perf")
		m, _ := New(Spec{Name: "pe", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}, o)
		m.Update(u32(1), u32(1), UpdateAny)
		m.(PerfEventArrayMap).Output(1, []byte("sample"))
		m = reopen(t, m, o)
		if cpu, s, ok := m.(PerfEventArrayMap).Read(); !ok || cpu != 1 || string(s) != "sample" {
			t.Fatalf("sample %q on %d (%v)", s, cpu, ok)
		}
	})
	t.Run("new overwrites", func(t *testing.T) {
		o := path("array")
		m := mustNew(t, Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 4}, o)
		m.Lookup(u32(3), v4)
		if index(v4) != 0 {
			t.Fatal("New kept old contents")
		}
	})
	_, err := Open(Spec{Name: "x", Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}, Options{Path: filepath.Join(dir, "missing")})
	if err == nil {
		t.Fatal("Open of a missing file succeeded")
	}
}

func TestUseAfterClose(t *testing.T) {
	for _, s := range []Spec{
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: Queue, ValueSize: 4, MaxEntries: 1},
		{Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 1},
	} {
		m, err := New(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		var key []byte
		if s.KeySize > 0 {
			key = make([]byte, s.KeySize)
		}
		wantErrno(t, s.Type.String()+" lookup after close", m.Lookup(key, make([]byte, 4)), EBADF)
		wantErrno(t, s.Type.String()+" update after close", m.Update(key, make([]byte, 4), 0), EBADF)
		if s.KeySize > 0 {
			wantErrno(t, s.Type.String()+" next after close", m.NextKey(nil, make([]byte, s.KeySize)), EBADF)
		}
	}
}
