package maps

import (
	"fmt"
	"sort"
	"testing"
)

func TestHashSemantics(t *testing.T) {
	m := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 3}, Options{})
	v := make([]byte, 8)
	wantErrno(t, "lookup missing", m.Lookup(u32(1), v), ENOENT)
	wantErrno(t, "delete missing", m.Delete(u32(1)), ENOENT)
	wantErrno(t, "update exist missing", m.Update(u32(1), u64(1), UpdateExist), ENOENT)
	wantErrno(t, "update noexist", m.Update(u32(1), u64(10), UpdateNoExist), 0)
	wantErrno(t, "update noexist again", m.Update(u32(1), u64(11), UpdateNoExist), EEXIST)
	wantErrno(t, "update exist", m.Update(u32(1), u64(12), UpdateExist), 0)
	wantErrno(t, "update any", m.Update(u32(2), u64(20), UpdateAny), 0)
	wantErrno(t, "update any 3", m.Update(u32(3), u64(30), UpdateAny), 0)
	wantErrno(t, "update full", m.Update(u32(4), u64(40), UpdateAny), E2BIG)
	wantErrno(t, "update full exist missing", m.Update(u32(4), u64(40), UpdateExist), ENOENT)
	wantErrno(t, "update full noexist present", m.Update(u32(3), u64(40), UpdateNoExist), EEXIST)
	wantErrno(t, "update full replace", m.Update(u32(3), u64(31), UpdateAny), 0)
	wantErrno(t, "bad flags", m.Update(u32(3), u64(31), 3), EINVAL)
	wantErrno(t, "lock flag", m.Update(u32(3), u64(31), UpdateLock), EINVAL)
	wantErrno(t, "short key", m.Update(u32(3)[:2], u64(31), UpdateAny), EINVAL)
	wantErrno(t, "short value", m.Update(u32(3), u32(31), UpdateAny), EINVAL)
	wantErrno(t, "lookup", m.Lookup(u32(1), v), 0)
	if le64(v) != 12 {
		t.Fatalf("value %d, want 12", le64(v))
	}
	a := m.LookupElem(u32(2), 0)
	if a == 0 || le64(mem(a, 8)) != 20 {
		t.Fatalf("LookupElem(2) = %#x", a)
	}
	if !m.Regions()[0].Contains(a, 8) {
		t.Fatal("value outside the map's regions")
	}
	if m.LookupElem(u32(9), 0) != 0 {
		t.Fatal("LookupElem of a missing key is not 0")
	}
	// Prealloc semantics: the deleted slot is reused, the pointer stays valid.
	wantErrno(t, "delete", m.Delete(u32(2)), 0)
	wantErrno(t, "lookup deleted", m.Lookup(u32(2), v), ENOENT)
	wantErrno(t, "reinsert", m.UpdateElem(u32(5), u64(50), UpdateAny, 0), 0)
	if got := m.LookupElem(u32(5), 0); got != a || le64(mem(a, 8)) != 50 {
		t.Fatalf("new element at %#x (value %d), want the freed slot %#x", got, le64(mem(a, 8)), a)
	}
	wantErrno(t, "lookup-and-delete", m.LookupAndDelete(u32(5), v), 0)
	if le64(v) != 50 {
		t.Fatalf("lookup-and-delete value %d", le64(v))
	}
	wantErrno(t, "lookup-and-delete missing", m.LookupAndDelete(u32(5), v), ENOENT)
}

func TestHashNextKey(t *testing.T) {
	m := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 4, MaxEntries: 100}, Options{})
	want := map[uint64]bool{}
	for i := uint64(0); i < 60; i++ {
		m.Update(u64(i*7919), u32(uint32(i)), UpdateAny)
		want[i*7919] = true
	}
	for i := uint64(0); i < 60; i += 3 {
		m.Delete(u64(i * 7919))
		delete(want, i*7919)
	}
	keys := keysOf(t, m)
	if len(keys) != len(want) {
		t.Fatalf("%d keys, want %d", len(keys), len(want))
	}
	for _, k := range keys {
		if !want[le64(k)] {
			t.Fatalf("unexpected or repeated key %d", le64(k))
		}
		delete(want, le64(k))
	}
	// A missing key restarts from the first key, as in the kernel.
	first, next := make([]byte, 8), make([]byte, 8)
	m.NextKey(nil, first)
	wantErrno(t, "next of missing", m.NextKey(u64(12345678), next), 0)
	if le64(next) != le64(first) {
		t.Fatalf("NextKey(missing) = %d, want first key %d", le64(next), le64(first))
	}
	wantErrno(t, "next short buffer", m.NextKey(nil, next[:4]), EINVAL)
	empty := mustNew(t, Spec{Name: "e", Type: Hash, KeySize: 8, ValueSize: 4, MaxEntries: 1}, Options{})
	wantErrno(t, "next of empty", empty.NextKey(nil, next), ENOENT)
}

func TestPerCPUHash(t *testing.T) {
	const ncpu = 2
	m := mustNew(t, Spec{Name: "ph", Type: PerCPUHash, KeySize: 4, ValueSize: 12, MaxEntries: 4}, Options{NumCPU: ncpu})
	buf := make([]byte, ncpu*16)
	copy(buf, "cpu0-value!!")
	copy(buf[16:], "cpu1-value!!")
	wantErrno(t, "update 12-byte buffer", m.Update(u32(1), buf[:12], UpdateAny), EINVAL)
	wantErrno(t, "update", m.Update(u32(1), buf, UpdateAny), 0)
	if got := string(mem(m.LookupElem(u32(1), 1), 12)); got != "cpu1-value!!" {
		t.Fatalf("cpu 1 value %q", got)
	}
	// A new element from a program: its CPU's value set, the others zeroed.
	wantErrno(t, "prog insert", m.UpdateElem(u32(2), []byte("only-cpu-one"), UpdateAny, 1), 0)
	out := make([]byte, ncpu*16)
	m.Lookup(u32(2), out)
	if string(out[16:28]) != "only-cpu-one" || string(out[:12]) != string(make([]byte, 12)) {
		t.Fatalf("per-CPU values %q", out)
	}
	wantErrno(t, "prog update bad cpu", m.UpdateElem(u32(2), make([]byte, 12), UpdateAny, 2), EINVAL)
}

// TestLRUEvictionOrder checks that a full LRU map evicts the least
// recently used element, where lookups and updates count as uses.
func TestLRUEvictionOrder(t *testing.T) {
	m := mustNew(t, Spec{Name: "lru", Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 4}, Options{})
	present := func() []uint32 {
		var ks []uint32
		for _, k := range keysOf(t, m) {
			ks = append(ks, index(k))
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
		return ks
	}
	for k := uint32(1); k <= 4; k++ {
		wantErrno(t, "fill", m.Update(u32(k), u32(k), UpdateAny), 0)
	}
	m.LookupElem(u32(1), 0)                                          // 1 is used: 2 is now the oldest
	wantErrno(t, "insert 5", m.Update(u32(5), u32(5), UpdateAny), 0) // evicts 2
	if got := fmt.Sprint(present()); got != "[1 3 4 5]" {
		t.Fatalf("after inserting 5: %s, want [1 3 4 5]", got)
	}
	m.Update(u32(3), u32(33), UpdateExist)                           // 3 is used: order 4, 1, 5, 3
	wantErrno(t, "insert 6", m.Update(u32(6), u32(6), UpdateAny), 0) // evicts 4
	if got := fmt.Sprint(present()); got != "[1 3 5 6]" {
		t.Fatalf("after inserting 6: %s, want [1 3 5 6]", got)
	}
	wantErrno(t, "insert 7", m.Update(u32(7), u32(7), UpdateAny), 0) // evicts 1
	if got := fmt.Sprint(present()); got != "[3 5 6 7]" {
		t.Fatalf("after inserting 7: %s, want [3 5 6 7]", got)
	}
	wantErrno(t, "noexist on full LRU", m.Update(u32(3), u32(0), UpdateNoExist), EEXIST)
	wantErrno(t, "exist on missing", m.Update(u32(1), u32(0), UpdateExist), ENOENT)
	wantErrno(t, "delete", m.Delete(u32(5)), 0)
	wantErrno(t, "insert into the freed slot", m.Update(u32(8), u32(8), UpdateAny), 0)
	if got := fmt.Sprint(present()); got != "[3 6 7 8]" {
		t.Fatalf("after delete and insert: %s, want [3 6 7 8]", got)
	}
}

func TestLRUPerCPU(t *testing.T) {
	m := mustNew(t, Spec{Name: "lp", Type: LRUCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 2}, Options{NumCPU: 2})
	for k := uint32(0); k < 5; k++ {
		wantErrno(t, "update", m.UpdateElem(u32(k), u64(uint64(k)), UpdateAny, int(k%2)), 0)
	}
	if n := len(keysOf(t, m)); n != 2 {
		t.Fatalf("%d keys, want 2", n)
	}
	if a := m.LookupElem(u32(4), 0); a == 0 || le64(mem(a, 8)) != 4 {
		t.Fatal("newest element missing or wrong")
	}
}

// TestHashRandomAgainstModel drives a larger hash map through random
// inserts and deletes (exercising the index's chains: links, unlinks and
// slot reuse) and compares it with a Go map after every step.
func TestHashRandomAgainstModel(t *testing.T) {
	const max = 500
	m := mustNew(t, Spec{Name: "h", Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: max}, Options{})
	model := map[uint64]uint64{}
	rng := newRand(3)
	v := make([]byte, 8)
	for op := 0; op < 30000; op++ {
		k := uint64(rng.Intn(800))
		switch rng.Intn(3) {
		case 0, 1:
			err := m.Update(u64(k), u64(uint64(op)), UpdateAny)
			if _, ok := model[k]; !ok && len(model) == max {
				wantErrno(t, "update full", err, E2BIG)
				continue
			}
			wantErrno(t, "update", err, 0)
			model[k] = uint64(op)
		case 2:
			err := m.Delete(u64(k))
			if _, ok := model[k]; ok {
				wantErrno(t, "delete", err, 0)
				delete(model, k)
			} else {
				wantErrno(t, "delete missing", err, ENOENT)
			}
		}
		probe := uint64(rng.Intn(800))
		err := m.Lookup(u64(probe), v)
		if want, ok := model[probe]; ok != (err == nil) || (ok && le64(v) != want) {
			t.Fatalf("op %d: lookup %d = %d (%v), model %d %v", op, probe, le64(v), err, want, ok)
		}
	}
	if n := len(keysOf(t, m)); n != len(model) {
		t.Fatalf("%d keys, model %d", n, len(model))
	}
}
