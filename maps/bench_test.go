package maps

import (
	"encoding/binary"
	"testing"
)

// TestProgramPathsDoNotAllocate checks that the operations programs reach
// through helpers allocate nothing, successful or not.
func TestProgramPathsDoNotAllocate(t *testing.T) {
	h := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 4}, Options{})
	lru := mustNew(t, Spec{Name: "l", Type: LRUHash, KeySize: 8, ValueSize: 8, MaxEntries: 2}, Options{})
	a := mustNew(t, Spec{Name: "a", Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 4}, Options{NumCPU: 2})
	lpm := newLPMForTest(t, 4, 4)
	q := mustNew(t, Spec{Name: "q", Type: Queue, ValueSize: 8, MaxEntries: 2}, Options{}).(QueueMap)
	rb := newRingForTest(t, 4096)
	pe := mustNew(t, Spec{Name: "pe", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1}, Options{PerfRingBytes: 64}).(PerfEventArrayMap)
	pe.Update(u32(0), u32(0), UpdateAny)
	k, v, k4, lk, lv := u64(1), u64(2), u32(1), lpmKey(24, 10, 0, 0, 0), u32(1)
	data := make([]byte, 40)
	n := uint64(0)
	for name, f := range map[string]func(){
		"hash":  func() { h.UpdateElem(k, v, UpdateAny, 0); h.LookupElem(k, 0); h.DeleteElem(k); h.DeleteElem(k) },
		"full":  func() { n++; h.UpdateElem(u64buf(k, n%8), v, UpdateNoExist, 0) },
		"lru":   func() { n++; lru.UpdateElem(u64buf(k, n), v, UpdateAny, 0); lru.LookupElem(k, 0) },
		"array": func() { a.UpdateElem(k4, v, UpdateAny, 1); a.LookupElem(k4, 1); a.UpdateElem(k4, v, UpdateNoExist, 1) },
		"lpm": func() {
			lpm.UpdateElem(lk, lv, UpdateAny, 0)
			lpm.LookupElem(lk, 0)
			lpm.DeleteElem(lk)
			lpm.DeleteElem(lk)
		},
		"queue": func() {
			q.Push(v, 0)
			q.Push(v, 0)
			q.Push(v, 0)
			q.Pop(v)
			q.Pop(v)
			q.Pop(v)
		},
		"ring": func() {
			rb.Output(data, 0)
			rb.Submit(rb.Reserve(9999, 0), 0)
			rb.Discard(rb.Reserve(8, 0), 0)
			rb.Query(0)
		},
		"perf": func() { pe.Output(0, data); pe.Output(5, data) },
	} {
		if allocs := testing.AllocsPerRun(100, f); allocs != 0 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
}

func u64buf(b []byte, v uint64) []byte {
	binary.NativeEndian.PutUint64(b, v)
	return b
}

func benchMap(b *testing.B, spec Spec, key func(i uint32) []byte) {
	m := mustNew(b, spec, Options{})
	keys := make([][]byte, spec.MaxEntries)
	for i := range keys {
		keys[i] = key(uint32(i))
		if err := m.UpdateElem(keys[i], make([]byte, spec.ValueSize), UpdateAny, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if m.LookupElem(keys[i%len(keys)], 0) == 0 {
				b.Fatal("missing key")
			}
			i++
		}
	})
}

func BenchmarkLookupElemHash(b *testing.B) {
	benchMap(b, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1024}, func(i uint32) []byte { return u64(uint64(i) * 0x9e3779b97f4a7c15) })
}

func BenchmarkLookupElemArray(b *testing.B) {
	benchMap(b, Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1024}, u32)
}

func BenchmarkLookupElemLRU(b *testing.B) {
	benchMap(b, Spec{Name: "l", Type: LRUHash, KeySize: 8, ValueSize: 8, MaxEntries: 1024}, func(i uint32) []byte { return u64(uint64(i)) })
}

func BenchmarkLookupElemLPM(b *testing.B) {
	benchMap(b, Spec{Name: "t", Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 1024, Flags: FlagNoPrealloc}, func(i uint32) []byte {
		return lpmKey(32, byte(i>>8), byte(i), 1, 2)
	})
}

func BenchmarkUpdateElemHash(b *testing.B) {
	m := mustNew(b, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1024}, Options{})
	k, v := u64(0), u64(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		binary.NativeEndian.PutUint64(k, uint64(i&1023))
		m.UpdateElem(k, v, UpdateAny, 0)
	}
}
