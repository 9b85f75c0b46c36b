package maps

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentStress runs updaters, deleters, program-style lookups and
// iterators against each keyed map type at once; run it with -race. The
// invariant checked at the end: iteration, Len and lookups agree.
func TestConcurrentStress(t *testing.T) {
	specs := []Spec{
		{Name: "hash", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 256},
		{Name: "lru", Type: LRUHash, KeySize: 8, ValueSize: 8, MaxEntries: 128},
		{Name: "pcpu", Type: PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 256},
		{Name: "lpm", Type: LPMTrie, KeySize: 12, ValueSize: 8, MaxEntries: 256, Flags: FlagNoPrealloc},
		{Name: "array", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 256},
	}
	iters := 3000
	if testing.Short() {
		iters = 500
	}
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			m := mustNew(t, spec, Options{NumCPU: 4})
			key := func(i int) []byte {
				k := make([]byte, spec.KeySize)
				switch spec.Type {
				case Array:
					binary.NativeEndian.PutUint32(k, uint32(i%256))
				case LPMTrie:
					binary.NativeEndian.PutUint32(k, uint32(i%65))
					binary.BigEndian.PutUint64(k[4:], uint64(i)*0x9e3779b97f4a7c15)
				default:
					binary.NativeEndian.PutUint64(k, uint64(i%400))
				}
				return k
			}
			var wg sync.WaitGroup
			var found atomic.Int64
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					val := make([]byte, spec.ValueSize)
					next := make([]byte, spec.KeySize)
					for i := 0; i < iters; i++ {
						k := key(i*7 + g)
						switch g % 4 {
						case 0: // program updates
							binary.NativeEndian.PutUint64(val, uint64(i))
							m.UpdateElem(k, val, UpdateAny, g%4)
						case 1: // program lookups read and write the value in place
							if a := m.LookupElem(k, g%4); a != 0 {
								p := (*uint64)(ptrOf(a))
								atomic.AddUint64(p, 1)
								found.Add(1)
							}
						case 2: // deletes
							m.DeleteElem(k)
						case 3: // user-space iteration
							var cur []byte
							for n := 0; n < 50; n++ {
								if m.NextKey(cur, next) != nil {
									break
								}
								cur = append(cur[:0], next...)
							}
						}
					}
				}(g)
			}
			wg.Wait()
			keys := keysOf(t, m)
			uv := make([]byte, m.(interface{ userValueSize() int }).userValueSize())
			for _, k := range keys {
				if err := m.Lookup(k, uv); err != nil {
					t.Fatalf("iterated key %x does not look up: %v", k, err)
				}
			}
			if l, ok := m.(interface{ Len() int }); ok && l.Len() != len(keys) {
				t.Fatalf("Len %d, iteration found %d keys", l.Len(), len(keys))
			}
			t.Logf("%d keys at the end, %d program lookups hit", len(keys), found.Load())
		})
	}
}

func TestConcurrentQueueAndRings(t *testing.T) {
	const producers, per = 4, 2000
	t.Run("queue", func(t *testing.T) {
		q := mustNew(t, Spec{Name: "q", Type: Queue, ValueSize: 8, MaxEntries: 64}, Options{}).(QueueMap)
		var wg sync.WaitGroup
		var popped atomic.Int64
		seen := make([]atomic.Int32, producers*per)
		for p := 0; p < producers; p++ {
			wg.Add(2)
			go func(p int) {
				defer wg.Done()
				for i := 0; i < per; {
					if q.Push(u64(uint64(p*per+i)), 0) == nil {
						i++
					} else {
						runtime.Gosched()
					}
				}
			}(p)
			go func() {
				defer wg.Done()
				v := make([]byte, 8)
				for popped.Load() < producers*per {
					if q.Pop(v) == nil {
						seen[le64(v)].Add(1)
						popped.Add(1)
					} else {
						runtime.Gosched()
					}
				}
			}()
		}
		wg.Wait()
		for i := range seen {
			if seen[i].Load() != 1 {
				t.Fatalf("element %d popped %d times", i, seen[i].Load())
			}
		}
	})
	t.Run("ringbuf", func(t *testing.T) {
		rb := newRingForTest(t, 1<<14)
		var wg sync.WaitGroup
		for p := 0; p < producers; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				for i := 0; i < per; {
					rec := []byte(fmt.Sprintf("%d:%d:%s", p, i, make([]byte, i%40)))
					if i%3 == 0 { // reserve/submit path
						if a := rb.Reserve(uint64(len(rec)), 0); a != 0 {
							copy(mem(a, len(rec)), rec)
							rb.Submit(a, 0)
							i++
						} else {
							runtime.Gosched()
						}
						continue
					}
					if rb.Output(rec, 0) == nil {
						i++
					} else {
						runtime.Gosched()
					}
				}
			}(p)
		}
		next := make([]int, producers)
		for got := 0; got < producers*per; {
			rec, ok := rb.Read()
			if !ok {
				runtime.Gosched()
				continue
			}
			var p, i int
			if _, err := fmt.Sscanf(string(rec), "%d:%d:", &p, &i); err != nil || i != next[p] {
				t.Fatalf("record %q out of order (want %d:%d)", rec, p, next[p])
			}
			next[p]++
			got++
		}
		wg.Wait()
	})
	t.Run("perf", func(t *testing.T) {
		m := mustNew(t, Spec{Name: "pe", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: producers}, Options{PerfRingBytes: 1024}).(PerfEventArrayMap)
		for i := uint32(0); i < producers; i++ {
			m.Update(u32(i), u32(i), UpdateAny)
		}
		var wg sync.WaitGroup
		for p := 0; p < producers; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				for i := 0; i < per; {
					if m.Output(p, u64(uint64(i))) == nil {
						i++
					} else {
						runtime.Gosched()
					}
				}
			}(p)
		}
		next := make([]uint64, producers)
		for got := 0; got < producers*per; {
			cpu, s, ok := m.Read()
			if !ok {
				runtime.Gosched()
				continue
			}
			if le64(s) != next[cpu] {
				t.Fatalf("cpu %d sample %d, want %d", cpu, le64(s), next[cpu])
			}
			next[cpu]++
			got++
		}
		wg.Wait()
	})
}
