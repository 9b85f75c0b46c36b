package maps

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"
)

func lpmKey(prefix uint32, data ...byte) []byte {
	k := make([]byte, 4+len(data))
	binary.NativeEndian.PutUint32(k, prefix)
	copy(k[4:], data)
	return k
}

func newLPMForTest(t testing.TB, dataSize, max uint32) Map {
	return mustNew(t, Spec{Name: "lpm", Type: LPMTrie, KeySize: 4 + dataSize, ValueSize: 4, MaxEntries: max, Flags: FlagNoPrealloc}, Options{})
}

func TestLPMSemantics(t *testing.T) {
	m := newLPMForTest(t, 4, 4)
	v := make([]byte, 4)
	must := func(what string, err error) {
		t.Helper()
		wantErrno(t, what, err, 0)
	}
	must("/16", m.Update(lpmKey(16, 192, 168, 0, 0), u32(16), UpdateNoExist))
	must("/24", m.Update(lpmKey(24, 192, 168, 0, 0), u32(24), UpdateNoExist))
	must("/24b", m.Update(lpmKey(24, 192, 168, 1, 0), u32(241), UpdateNoExist))
	must("/8", m.Update(lpmKey(8, 10, 0, 0, 0), u32(8), UpdateNoExist))
	wantErrno(t, "full", m.Update(lpmKey(32, 1, 2, 3, 4), u32(0), UpdateAny), ENOSPC)
	wantErrno(t, "full replace in place", m.Update(lpmKey(16, 192, 168, 99, 99), u32(160), UpdateAny), 0)
	wantErrno(t, "noexist on present", m.Update(lpmKey(8, 10, 9, 9, 9), u32(0), UpdateNoExist), EEXIST)
	wantErrno(t, "exist on missing", m.Update(lpmKey(12, 10, 0, 0, 0), u32(0), UpdateExist), ENOENT)
	wantErrno(t, "prefix too long", m.Update(lpmKey(33, 10, 0, 0, 0), u32(0), UpdateAny), EINVAL)
	wantErrno(t, "bad flags", m.Update(lpmKey(8, 10, 0, 0, 0), u32(0), 4), EINVAL)
	for _, c := range []struct {
		key  []byte
		want uint32
		err  Errno
	}{
		{lpmKey(32, 192, 168, 0, 7), 24, 0},
		{lpmKey(32, 192, 168, 1, 7), 241, 0},
		{lpmKey(32, 192, 168, 2, 7), 160, 0},
		{lpmKey(20, 192, 168, 0, 7), 160, 0}, // the lookup prefix limits the match
		{lpmKey(32, 10, 1, 1, 1), 8, 0},
		{lpmKey(32, 11, 1, 1, 1), 0, ENOENT},
		{lpmKey(32, 192, 169, 0, 0), 0, ENOENT},
		{lpmKey(33, 10, 1, 1, 1), 0, ENOENT}, // a prefix over 32 matches nothing
		{lpmKey(0xffffffff, 10, 1, 1, 1), 0, ENOENT},
	} {
		err := m.Lookup(c.key, v)
		wantErrno(t, fmt.Sprintf("lookup %v", c.key), err, c.err)
		if err == nil && index(v) != c.want {
			t.Fatalf("lookup %v = %d, want %d", c.key, index(v), c.want)
		}
		a := m.LookupElem(c.key, 0)
		if (a == 0) != (c.err != 0) || (a != 0 && index(mem(a, 4)) != c.want) {
			t.Fatalf("LookupElem %v = %#x", c.key, a)
		}
	}
	// Post-order: more specific prefixes first, 0 branches first; the
	// stored data bytes come back as written (192.168.99.99/16).
	var got []string
	for _, k := range keysOf(t, m) {
		got = append(got, fmt.Sprintf("%d.%d.%d.%d/%d", k[4], k[5], k[6], k[7], index(k)))
	}
	if s := fmt.Sprint(got); s != "[10.0.0.0/8 192.168.0.0/24 192.168.1.0/24 192.168.99.99/16]" {
		t.Fatalf("key order %s", s)
	}
	wantErrno(t, "delete inexact", m.Delete(lpmKey(20, 192, 168, 0, 0)), ENOENT)
	wantErrno(t, "delete too long", m.Delete(lpmKey(40, 192, 168, 0, 0)), EINVAL)
	wantErrno(t, "delete /16", m.Delete(lpmKey(16, 192, 168, 0, 0)), 0)
	wantErrno(t, "lookup after delete", m.Lookup(lpmKey(32, 192, 168, 2, 0), v), ENOENT)
	wantErrno(t, "lookup /24 after delete", m.Lookup(lpmKey(32, 192, 168, 0, 1), v), 0)
	wantErrno(t, "lookup-and-delete", m.LookupAndDelete(lpmKey(8, 10, 0, 0, 0), v), ENOTSUPP)
}

// refLPM is a brute-force model of an LPM trie.
type refLPM struct {
	bits    uint32
	entries map[string]uint32 // canonical key -> value
	raw     map[string][]byte // canonical key -> key as last written
}

func canon(key []byte) string {
	p := binary.NativeEndian.Uint32(key)
	d := append([]byte(nil), key[4:]...)
	for i := range d {
		for b := 0; b < 8; b++ {
			if uint32(i*8+b) >= p {
				d[i] &^= 0x80 >> b
			}
		}
	}
	return fmt.Sprintf("%d/%x", p, d)
}

func bitsMatch(a, b []byte, n uint32) bool {
	for i := uint32(0); i < n; i++ {
		if extractBit(a, i) != extractBit(b, i) {
			return false
		}
	}
	return true
}

func (r *refLPM) lookup(key []byte) (uint32, bool) {
	p := binary.NativeEndian.Uint32(key)
	best, val, ok := -1, uint32(0), false
	for c, raw := range r.raw {
		ep := binary.NativeEndian.Uint32(raw)
		if ep <= p && int(ep) > best && bitsMatch(raw[4:], key[4:], ep) {
			best, val, ok = int(ep), r.entries[c], true
		}
	}
	return val, ok
}

// before reports whether entry a precedes b in the kernel's post-order.
func before(a, b []byte) bool {
	pa, pb := binary.NativeEndian.Uint32(a), binary.NativeEndian.Uint32(b)
	for i := uint32(0); i < min(pa, pb); i++ {
		if x, y := extractBit(a[4:], i), extractBit(b[4:], i); x != y {
			return x < y
		}
	}
	return pa > pb // a descendant comes before its ancestor
}

func TestLPMRandomAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const max = 40
	m := newLPMForTest(t, 2, max)
	ref := &refLPM{bits: 16, entries: map[string]uint32{}, raw: map[string][]byte{}}
	randKey := func() []byte {
		return lpmKey(uint32(rng.Intn(17)), byte(rng.Intn(4))<<6|byte(rng.Intn(2)), byte(rng.Intn(256)))
	}
	v := make([]byte, 4)
	for op := 0; op < 4000; op++ {
		k := randKey()
		c := canon(k)
		switch rng.Intn(3) {
		case 0:
			val := uint32(op)
			err := m.Update(k, u32(val), UpdateAny)
			_, exists := ref.entries[c]
			if !exists && len(ref.entries) == max {
				wantErrno(t, "update full", err, ENOSPC)
				continue
			}
			wantErrno(t, "update", err, 0)
			ref.entries[c], ref.raw[c] = val, k
		case 1:
			err := m.Delete(k)
			if _, ok := ref.entries[c]; ok {
				wantErrno(t, "delete", err, 0)
				delete(ref.entries, c)
				delete(ref.raw, c)
			} else {
				wantErrno(t, "delete missing", err, ENOENT)
			}
		case 2:
			q := lpmKey(uint32(rng.Intn(17)), byte(rng.Intn(256)), byte(rng.Intn(256)))
			want, ok := ref.lookup(q)
			err := m.Lookup(q, v)
			if !ok {
				wantErrno(t, "lookup miss", err, ENOENT)
			} else if err != nil || index(v) != want {
				t.Fatalf("op %d lookup %v = %d (%v), want %d", op, q, index(v), err, want)
			}
		}
		if op%100 == 0 {
			keys := keysOf(t, m)
			if len(keys) != len(ref.entries) {
				t.Fatalf("op %d: %d keys, want %d", op, len(keys), len(ref.entries))
			}
			for i, k := range keys {
				if string(ref.raw[canon(k)]) != string(k) {
					t.Fatalf("op %d: key %v not in the model (or data differs)", op, k)
				}
				if i > 0 && !before(keys[i-1], k) {
					t.Fatalf("op %d: key %v after %v breaks post-order", op, k, keys[i-1])
				}
			}
		}
	}
}
