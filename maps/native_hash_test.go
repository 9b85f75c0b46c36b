package maps

import (
	"encoding/binary"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

// TestHashKeyMatchesNativeHash checks the index's fast hash against the
// contract's NativeHash for every key length up to three words.
func TestHashKeyMatchesNativeHash(t *testing.T) {
	rng := newRand(1)
	for _, seed := range []uint64{0, 1, rng.Uint64(), rng.Uint64()} {
		x := hashIndex{seed: seed}
		for n := 0; n <= 24; n++ {
			key := make([]byte, n)
			for i := 0; i < 20; i++ {
				rng.Read(key)
				if got, want := x.hash(key), NativeHash(key, seed); got != want {
					t.Fatalf("%d-byte key %x, seed %#x: hash %#x, NativeHash %#x", n, key, seed, got, want)
				}
			}
		}
	}
}

// addrOf returns the address of the first element of s.
func addrOf(s []uint32) uint64 { return uint64(uintptr(unsafe.Pointer(&s[0]))) }

// TestNativeDescHash pins the descriptor of every hash-like type against
// the map's own view: slots, values and index blocks.
func TestNativeDescHash(t *testing.T) {
	inner := Spec{Name: "in", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	for _, c := range []struct {
		typ        Type
		route      uint32
		keySize    uint32
		valueSize  uint32
		max        uint32
		buckets    uint32
		elem, strd uint64
		ncpu       uint32
	}{
		{Hash, RouteHash, 4, 12, 5, 8, 16, 16, 0},
		{PerCPUHash, RoutePerCPUHash, 8, 4, 8, 8, 8, 24, 3},
		{LRUHash, RouteLRUHash, 13, 8, 9, 16, 8, 8, 0},
		{LRUCPUHash, RouteLRUPerCPUHash, 1, 8, 1, 1, 8, 24, 3},
		{HashOfMaps, RouteHashOfMaps, 6, 4, 3, 4, 8, 8, 0},
	} {
		t.Run(c.typ.String(), func(t *testing.T) {
			spec := Spec{Name: "h", Type: c.typ, KeySize: c.keySize, ValueSize: c.valueSize, MaxEntries: c.max}
			if c.typ == HashOfMaps {
				spec.InnerMap = &inner
			}
			m := mustNew(t, spec, Options{NumCPU: 3})
			h := hashOf(m)
			d, _ := descOf(t, m)
			slots := uint64(h.st.metaAddr()) + storageHeader
			want := NativeDesc{
				Route: c.route, KeySize: c.keySize, ValueSize: c.valueSize, MaxEntries: c.max, NCPU: c.ncpu,
				Values: uint64(h.st.valsAddr()), Elem: c.elem, Stride: c.strd,
				Keys: slots + slotHdr, State: slots, SlotStride: slotHdr + round8(uint64(c.keySize)),
				Buckets: addrOf(h.idx.buckets), Next: addrOf(h.idx.next), Hashes: addrOf(h.idx.hashes),
				BucketMask: c.buckets - 1, Seed: h.idx.seed,
			}
			if *d != want {
				t.Fatalf("descriptor\n%+v, want\n%+v", *d, want)
			}
			if len(h.idx.buckets) != int(c.buckets) || len(h.idx.next) != int(c.max) || len(h.idx.hashes) != int(c.max) {
				t.Fatalf("index of %d buckets, %d links, %d hashes", len(h.idx.buckets), len(h.idx.next), len(h.idx.hashes))
			}
			if d.Next != d.Buckets+4*uint64(c.buckets) || d.Hashes != d.Next+4*uint64(c.max) {
				t.Fatal("index blocks not laid out as buckets, links, hashes")
			}
			// Every bucket starts empty, ending its own chain.
			for b, head := range h.idx.buckets {
				if head != NativeChainEnd|uint32(b) {
					t.Fatalf("bucket %d head %#x", b, head)
				}
			}
			if c.typ != HashOfMaps {
				if r := m.Regions(); len(r) != 1 || uint64(r[0].Start) != d.Values || uint64(r[0].End-r[0].Start) != uint64(c.max)*c.strd {
					t.Fatalf("regions %v vs descriptor values %#x", r, d.Values)
				}
			}
			// A key's slot, value and state are where the descriptor says.
			key := make([]byte, c.keySize)
			key[0] = 7
			val := make([]byte, h.userValueSize())
			val[0] = 9
			if c.typ == HashOfMaps {
				iid := Register(mustNew(t, inner, Options{}))
				defer Unregister(iid)
				binary.NativeEndian.PutUint32(val, iid)
			}
			wantErrno(t, "update", m.Update(key, val, UpdateAny), 0)
			s, ok := h.findLocked(key)
			if !ok {
				t.Fatal("key not found")
			}
			if string(mem(uintptr(d.Keys+uint64(s)*d.SlotStride), int(c.keySize))) != string(key) ||
				*(*uint32)(ptrOf(uintptr(d.State + uint64(s)*d.SlotStride))) != slotUsed ||
				h.idx.hashes[s] != NativeHash(key, d.Seed) {
				t.Fatal("slot contents not at the descriptor's addresses")
			}
			got := refLookup(t, uintptr(unsafe.Pointer(d)), key, 1)
			switch c.typ {
			case HashOfMaps:
				if got != uint64(binary.NativeEndian.Uint32(val)) || got != uint64(m.(MapOfMaps).Inner(key)) {
					t.Fatalf("inner ID %d", got)
				}
			case PerCPUHash, LRUCPUHash:
				if got != d.Values+uint64(s)*d.Stride+d.Elem || got != uint64(m.LookupElem(key, 1)) {
					t.Fatalf("value address %#x", got)
				}
			default:
				if got != d.Values+uint64(s)*d.Stride || got != uint64(m.LookupElem(key, 1)) || mem(uintptr(got), 1)[0] != 9 {
					t.Fatalf("value address %#x", got)
				}
			}
		})
	}
	// Seeds are random per map; BPF_F_ZERO_SEED fixes them at 0.
	a := hashOf(mustNew(t, Spec{Name: "a", Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 4}, Options{}))
	b := hashOf(mustNew(t, Spec{Name: "b", Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 4}, Options{}))
	z := hashOf(mustNew(t, Spec{Name: "z", Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 4, Flags: FlagZeroSeed}, Options{}))
	if a.idx.seed == b.idx.seed || z.idx.seed != 0 {
		t.Fatalf("seeds %#x %#x, zero-seed map %#x", a.idx.seed, b.idx.seed, z.idx.seed)
	}
}

// hashOf returns the hashMap behind a hash-like map.
func hashOf(m Map) *hashMap {
	switch h := m.(type) {
	case *hashMap:
		return h
	case *hashOfMaps:
		return h.hashMap
	}
	return nil
}

// checkNative compares, for every key of keys, the native walk with Go's
// lookup of m (LookupElem, or Inner for hash of maps) and with want
// (present keys).
func checkNative(t testing.TB, m Map, keys [][]byte, want func(key []byte) bool, cpu int) {
	t.Helper()
	addr, ok := NativeDescOf(m)
	if !ok {
		t.Fatal("no descriptor")
	}
	for _, k := range keys {
		native := refLookup(t, addr, k, cpu)
		var goRes uint64
		if mm, ok := m.(MapOfMaps); ok {
			goRes = uint64(mm.Inner(k))
		} else {
			goRes = uint64(m.LookupElem(k, cpu))
		}
		if native != goRes {
			t.Fatalf("key %x: native %#x, Go %#x", k, native, goRes)
		}
		if (native != 0) != want(k) {
			t.Fatalf("key %x: native %#x, want present %v", k, native, want(k))
		}
	}
}

// TestNativeReferenceRandomOps drives every hash-like type through random
// updates, deletes, lookup-and-deletes and evictions (small maps, so that
// they fill up and chains share buckets) and compares the native walk
// with Go's lookups and a model after every step, then after a reopen.
func TestNativeReferenceRandomOps(t *testing.T) {
	inner := Spec{Name: "in", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	var innerIDs []uint32
	for i := 0; i < 3; i++ {
		id := Register(mustNew(t, inner, Options{}))
		defer Unregister(id)
		innerIDs = append(innerIDs, id)
	}
	for _, typ := range []Type{Hash, PerCPUHash, LRUHash, LRUCPUHash, HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			const max, keySpace = 24, 40
			spec := Spec{Name: "h", Type: typ, KeySize: 5, ValueSize: 4, MaxEntries: max}
			if typ == HashOfMaps {
				spec.InnerMap = &inner
			}
			path := filepath.Join(t.TempDir(), "m")
			m, err := New(spec, Options{Path: path, NumCPU: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { m.Close() }()
			lru := typ == LRUHash || typ == LRUCPUHash
			keys := make([][]byte, keySpace)
			for i := range keys {
				keys[i] = []byte{byte(i), 0, byte(i * 7), 0, 1}
			}
			model := map[string]bool{}
			present := func(k []byte) bool {
				if lru { // evictions are the map's choice: ask it
					return hashOf(m).contains(k)
				}
				return model[string(k)]
			}
			rng := newRand(int64(typ))
			val := make([]byte, hashOf(m).userValueSize())
			for op := 0; op < 4000; op++ {
				k := keys[rng.Intn(keySpace)]
				binary.NativeEndian.PutUint32(val, innerIDs[rng.Intn(len(innerIDs))])
				switch r := rng.Intn(10); {
				case r < 5:
					flags := uint64(rng.Intn(3))
					err := m.Update(k, val, flags)
					switch {
					case flags == UpdateNoExist && model[string(k)] && !lru:
						wantErrno(t, "noexist", err, EEXIST)
					case flags == UpdateExist && !model[string(k)] && !lru:
						wantErrno(t, "exist", err, ENOENT)
					case !lru && !model[string(k)] && len(model) == max:
						wantErrno(t, "full", err, E2BIG)
					case err == nil:
						model[string(k)] = true
					case !lru:
						t.Fatalf("update: %v", err)
					}
				case r < 8:
					err := m.Delete(k)
					if !lru {
						wantErrno(t, "delete", err, map[bool]Errno{true: 0, false: ENOENT}[model[string(k)]])
					}
					delete(model, string(k))
				case r < 9 && typ != HashOfMaps:
					err := m.LookupAndDelete(k, val)
					if !lru {
						wantErrno(t, "lookup-and-delete", err, map[bool]Errno{true: 0, false: ENOENT}[model[string(k)]])
					}
					delete(model, string(k))
				default:
					if typ != HashOfMaps {
						err := m.UpdateElem(k, val[:4], UpdateAny, rng.Intn(2))
						if err == nil {
							model[string(k)] = true
						} else if lru || model[string(k)] || len(model) < max {
							t.Fatalf("program update: %v", err)
						}
					}
				}
				if lru {
					for k := range model {
						if !hashOf(m).contains([]byte(k)) {
							delete(model, k) // evicted
						}
					}
				}
				checkNative(t, m, keys, present, rng.Intn(2))
			}
			if n := len(keysOf(t, m)); !lru && n != len(model) {
				t.Fatalf("%d keys, model %d", n, len(model))
			}
			// Reopen: the index is rebuilt from the slots with a new seed.
			m.Close()
			if m, err = Open(spec, Options{Path: path, NumCPU: 2}); err != nil {
				t.Fatal(err)
			}
			checkNative(t, m, keys, present, 1)
		})
	}
}

// contains reports whether key is in the map (under the lock).
func (m *hashMap) contains(key []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.findLocked(key)
	return ok
}

// TestHashLockFreeReaders runs lock-free readers (LookupElem, Lookup and
// the native walk) against writers that update, delete and re-insert
// churning keys. With BPF_F_ZERO_SEED the keys are chosen to fall into two
// of the 64 buckets, so chains are long, and the map has room for only half
// the churning keys, so a deleted slot that a reader stands on is soon
// reused in the other chain (the restart case). Stable
// keys are never deleted: Go's lookups must never miss them and must return
// their own value; the native walk may give up only after NativeMaxRestarts
// restarts (counted and logged).
func TestHashLockFreeReaders(t *testing.T) {
	const stable, churn = 16, 48
	var keys []uint64 // stable keys first
	for i := uint64(0); len(keys) < stable+churn; i++ {
		if NativeHash(u64(i), 0)&63 < 2 {
			keys = append(keys, i)
		}
	}
	for _, typ := range []Type{Hash, LRUHash, PerCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			// Room for half the churning keys: the map is often full, so
			// freed slots are reused soon (the FIFO of free slots delays
			// reuse only while other slots are free). LRU maps get room for
			// every key: full, they would evict stable keys.
			max := uint32(stable + churn/2)
			if typ == LRUHash {
				max = stable + churn
			}
			m := mustNew(t, Spec{Name: "h", Type: typ, KeySize: 8, ValueSize: 8, MaxEntries: max, Flags: FlagZeroSeed}, Options{NumCPU: 2})
			addr, _ := NativeDescOf(m)
			for _, k := range keys[:stable] {
				wantErrno(t, "stable", m.UpdateElem(u64(k), u64(k), UpdateAny, 0), 0)
			}
			var stop atomic.Bool
			var nativeGaveUp, restarts atomic.Int64
			var wg, readers sync.WaitGroup
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					rng := newRand(int64(w))
					k, v := make([]byte, 8), make([]byte, 8)
					for i := 0; !stop.Load(); i++ {
						c := keys[stable+rng.Intn(churn)]
						binary.NativeEndian.PutUint64(k, c)
						binary.NativeEndian.PutUint64(v, c)
						if rng.Intn(2) == 0 {
							m.UpdateElem(k, v, UpdateAny, 0)
						} else {
							m.DeleteElem(k)
						}
						if w == 0 && i%5 == 0 { // the stable keys' values are rewritten in place
							s := keys[rng.Intn(stable)]
							m.UpdateElem(u64(s), u64(s), UpdateExist, 0)
						}
					}
				}(w)
			}
			isStable := map[uint64]bool{}
			for _, k := range keys[:stable] {
				isStable[k] = true
			}
			for r := 0; r < 2; r++ {
				wg.Add(1)
				readers.Add(1)
				go func(r int) {
					defer wg.Done()
					defer readers.Done()
					k := make([]byte, 8)
					val := make([]byte, hashOf(m).userValueSize())
					for i := 0; i < 30000; i++ {
						s := keys[i%stable]
						binary.NativeEndian.PutUint64(k, s)
						a := m.LookupElem(k, 0)
						if a == 0 || le64(mem(a, 8)) != s {
							t.Errorf("LookupElem(stable %d) = %#x", s, a)
							return
						}
						if err := m.Lookup(k, val); err != nil || le64(val) != s {
							t.Errorf("Lookup(stable %d): %v", s, err)
							return
						}
						if _, _, n := nativeHashFind((*NativeDesc)(ptrOf(addr)), k); n > 0 {
							restarts.Add(int64(n))
						}
						if got, _ := NativeReference(addr, k, 0); got == 0 {
							nativeGaveUp.Add(1)
						} else if got != uint64(a) {
							t.Errorf("native walk of stable %d: %#x, Go %#x", s, got, a)
							return
						}
						// A churning key's slot may be reused under the reader
						// (prealloc semantics), but never holds a stable key.
						c := keys[stable+i%churn]
						binary.NativeEndian.PutUint64(k, c)
						if a := m.LookupElem(k, 0); a != 0 && isStable[le64(mem(a, 8))] {
							t.Errorf("churning key %d found stable key %d's value", c, le64(mem(a, 8)))
							return
						}
					}
				}(r)
			}
			go func() { readers.Wait(); stop.Store(true) }()
			wg.Wait()
			t.Logf("native walks restarted %d times, gave up (after %d restarts) %d times", restarts.Load(), NativeMaxRestarts, nativeGaveUp.Load())
		})
	}
}

// FuzzHashIndex runs byte-coded operations on a small hash map and checks
// the native walk against Go's lookup and a model after each.
func FuzzHashIndex(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 0, 1})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 1, 3, 0, 6, 1, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := mustNew(t, Spec{Name: "f", Type: Hash, KeySize: 3, ValueSize: 4, MaxEntries: 6}, Options{})
		keys := make([][]byte, 16)
		for i := range keys {
			keys[i] = []byte{byte(i), byte(i >> 1), 3}
		}
		model := map[string]bool{}
		for i := 0; i+1 < len(ops) && i < 400; i += 2 {
			k := keys[ops[i+1]%16]
			if ops[i]%2 == 0 {
				if m.UpdateElem(k, []byte{1, 2, 3, 4}, UpdateAny, 0) == nil {
					model[string(k)] = true
				}
			} else {
				m.DeleteElem(k)
				delete(model, string(k))
			}
			checkNative(t, m, keys, func(k []byte) bool { return model[string(k)] }, 0)
		}
	})
}

// TestNativeWalkBounds checks the reader's bounds on index states only a
// race produces: a chain that ends in another bucket's marker (a slot moved
// by a concurrent delete and reuse) and a cycle (links rewritten under the
// walk). The walk restarts NativeMaxRestarts times, then misses; it never
// loops. The index is put back before the map is used again.
func TestNativeWalkBounds(t *testing.T) {
	m := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 4, Flags: FlagZeroSeed}, Options{})
	h := hashOf(m)
	d, addr := descOf(t, m)
	wantErrno(t, "update", m.Update(u32(1), u32(1), UpdateAny), 0)
	s, _ := h.findLocked(u32(1))
	key := u32(2) // absent
	b := NativeHash(key, 0) & d.BucketMask
	head, next := h.idx.buckets[b], h.idx.next[s]
	defer func() { h.idx.buckets[b], h.idx.next[s] = head, next }()
	for _, c := range []struct {
		name string
		link uint32
	}{
		{"other bucket's end", NativeChainEnd | (b+1)&d.BucketMask},
		{"cycle", s},
	} {
		h.idx.buckets[b], h.idx.next[s] = s, c.link
		_, found, restarts := nativeHashFind(d, key)
		if found || restarts != NativeMaxRestarts {
			t.Errorf("%s: found %v after %d restarts, want a miss after %d", c.name, found, restarts, NativeMaxRestarts)
		}
		if r := refLookup(t, addr, key, 0); r != 0 {
			t.Errorf("%s: NativeReference = %#x", c.name, r)
		}
	}
}

// TestHashNextKeyLockFree walks keys with NextKey while writers delete and
// re-insert them: every key returned must be one that was inserted (never a
// mix of two keys from a slot refilled under the copy).
func TestHashNextKeyLockFree(t *testing.T) {
	const n = 32
	m := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: n / 2}, Options{})
	keyOf := func(i uint32) []byte { return u64(uint64(^i)<<32 | uint64(i)) } // halves check each other
	for i := uint32(0); i < n/2; i++ {
		wantErrno(t, "fill", m.UpdateElem(keyOf(i), u64(0), UpdateAny, 0), 0)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := newRand(int64(w))
			v := make([]byte, 8)
			for !stop.Load() {
				k := keyOf(uint32(rng.Intn(n)))
				if rng.Intn(2) == 0 {
					m.UpdateElem(k, v, UpdateAny, 0)
				} else {
					m.DeleteElem(k)
				}
			}
		}(w)
	}
	next := make([]byte, 8)
	var walked int
	for walk := 0; walk < 2000; walk++ {
		var key []byte
		for i := 0; i < n; i++ {
			if err := m.NextKey(key, next); err != nil {
				break
			}
			if v := le64(next); uint32(v>>32) != ^uint32(v) {
				t.Fatalf("NextKey returned %#x, never inserted", v)
			}
			key = append(key[:0], next...)
			walked++
		}
	}
	stop.Store(true)
	wg.Wait()
	if walked == 0 {
		t.Fatal("no key walked")
	}
}
