package maps

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLPMLockFreeReaders runs programs' lookups (LookupElem, which takes no
// lock) against writers that insert and delete entries under a stable
// /16 and so keep rebuilding the trie around it. Lookups whose answer the
// writers cannot change must stay exact throughout: 10.1.200.x always
// finds the /16 (value 16), 10.5.x.x the /8 (value 8), 11.x.x.x nothing;
// lookups in the churned range always find the /16 or a churned entry,
// never nothing and never the /8.
func TestLPMLockFreeReaders(t *testing.T) {
	m := newLPMForTest(t, 4, 64)
	wantErrno(t, "/8", m.Update(lpmKey(8, 10, 0, 0, 0), u32(8), UpdateNoExist), 0)
	wantErrno(t, "/16", m.Update(lpmKey(16, 10, 1, 0, 0), u32(16), UpdateNoExist), 0)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for !stop.Load() {
				p := uint32(20 + rng.Intn(13))
				k := lpmKey(p, 10, 1, byte(rng.Intn(4)), byte(rng.Intn(256)))
				if rng.Intn(2) == 0 {
					m.UpdateElem(k, u32(p), UpdateAny, 0)
				} else {
					m.DeleteElem(k)
				}
			}
		}(int64(w))
	}
	read := func(k []byte) (uint32, bool) {
		a := m.LookupElem(k, 0)
		if a == 0 {
			return 0, false
		}
		return binary.NativeEndian.Uint32(mem(a, 4)), true
	}
	rng := rand.New(rand.NewSource(9))
	n := 50000
	if testing.Short() {
		n = 5000
	}
	var fail string
	for i := 0; i < n && fail == ""; i++ {
		b := byte(rng.Intn(256))
		if v, ok := read(lpmKey(32, 10, 1, 200, b)); !ok || v != 16 {
			fail = fmt.Sprintf("10.1.200.%d: %d %v, want 16", b, v, ok)
		}
		if v, ok := read(lpmKey(32, 10, 5, b, 1)); !ok || v != 8 {
			fail = fmt.Sprintf("10.5.%d.1: %d %v, want 8", b, v, ok)
		}
		if v, ok := read(lpmKey(32, 11, 1, 0, b)); ok {
			fail = fmt.Sprintf("11.1.0.%d: %d, want a miss", b, v)
		}
		if v, ok := read(lpmKey(32, 10, 1, byte(i%4), b)); !ok || (v != 16 && v < 20) {
			fail = fmt.Sprintf("10.1.%d.%d: %d %v, want 16 or a churned prefix", i%4, b, v, ok)
		}
	}
	stop.Store(true)
	wg.Wait()
	if fail != "" {
		t.Fatal(fail)
	}
}

// TestLPMDataWords checks node data kept in 64-bit words for data sizes
// that are not multiples of 8: matches at every bit position, and the
// stored bytes coming back unchanged through NextKey.
func TestLPMDataWords(t *testing.T) {
	for _, size := range []int{1, 5, 8, 9, 16, 17} {
		m := newLPMForTest(t, uint32(size), 8)
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(0xa5 + 17*i)
		}
		bits := uint32(8 * size)
		for _, p := range []uint32{0, 1, bits / 2, bits - 1, bits} {
			wantErrno(t, fmt.Sprint(size, p), m.Update(lpmKey(p, data...), u32(p), UpdateNoExist), 0)
		}
		v := make([]byte, 4)
		for i := uint32(0); i < bits; i++ {
			q := append([]byte(nil), data...)
			q[i/8] ^= 0x80 >> (i % 8) // first difference at bit i
			want := uint32(0)
			for _, p := range []uint32{0, 1, bits / 2, bits - 1, bits} {
				if p <= i {
					want = p
				}
			}
			wantErrno(t, fmt.Sprintf("size %d bit %d", size, i), m.Lookup(lpmKey(bits, q...), v), 0)
			if index(v) != want {
				t.Fatalf("size %d: lookup differing at bit %d = /%d, want /%d", size, i, index(v), want)
			}
		}
		wantErrno(t, "exact", m.Lookup(lpmKey(bits, data...), v), 0)
		if index(v) != bits {
			t.Fatalf("size %d: exact lookup = /%d", size, index(v))
		}
		for _, k := range keysOf(t, m) {
			if string(k[4:]) != string(data) {
				t.Fatalf("size %d: NextKey data %x, stored %x", size, k[4:], data)
			}
		}
	}
}

// TestLPMSequenceFallback checks both ends of the optimistic read: with
// the counter odd (a writer between beginWrite and endWrite) a lookup
// gives up the lock-free walk and answers under the lock, exactly;
// once the writer holds the lock, the lookup waits for it.
func TestLPMSequenceFallback(t *testing.T) {
	m := newLPMForTest(t, 4, 8).(*lpmTrie)
	wantErrno(t, "/16", m.Update(lpmKey(16, 10, 1, 0, 0), u32(16), UpdateNoExist), 0)
	key := lpmKey(32, 10, 1, 2, 3)
	m.beginWrite() // odd: every optimistic walk is refused
	a := m.LookupElem(key, 0)
	if a == 0 || binary.NativeEndian.Uint32(mem(a, 4)) != 16 {
		t.Fatalf("lookup with the counter odd = %#x, want the /16", a)
	}
	m.mu.Lock() // a writer at work: the lookup must wait for it
	done := make(chan uintptr)
	go func() { done <- m.LookupElem(key, 0) }()
	select {
	case <-done:
		t.Fatal("lookup did not wait for the writer")
	case <-time.After(20 * time.Millisecond):
	}
	m.endWrite()
	m.mu.Unlock()
	if a := <-done; a == 0 {
		t.Fatal("lookup after the writer finished missed")
	}
}
