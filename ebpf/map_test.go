package ebpf

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"sort"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
)

type pair struct {
	A uint32
	B uint16
	C uint16
}

// point implements encoding.BinaryMarshaler/Unmarshaler with its own layout.
type point struct{ x, y uint16 }

func (p point) MarshalBinary() ([]byte, error) { return []byte{byte(p.x), byte(p.y)}, nil }
func (p *point) UnmarshalBinary(b []byte) error {
	p.x, p.y = uint16(b[0]), uint16(b[1])
	return nil
}

func newMap(t *testing.T, spec *MapSpec) *Map {
	t.Helper()
	m, err := NewMap(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMapMarshalling(t *testing.T) {
	m := newMap(t, &MapSpec{Name: "h", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 8})
	if err := m.Update(uint32(1), pair{1, 2, 3}, UpdateAny); err != nil {
		t.Fatal(err)
	}
	var p pair
	if err := m.Lookup(uint32(1), &p); err != nil || p != (pair{1, 2, 3}) {
		t.Fatalf("struct value = %+v, %v", p, err)
	}
	raw := make([]byte, 8)
	if err := m.Lookup([]byte{1, 0, 0, 0}[:4], raw); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 8)
	binary.NativeEndian.PutUint32(want, 1)
	binary.NativeEndian.PutUint16(want[4:], 2)
	binary.NativeEndian.PutUint16(want[6:], 3)
	if string(raw) != string(want) {
		t.Fatalf("raw value %x, want host-order %x", raw, want)
	}
	v := uint64(99)
	if err := m.Update(uint32(2), &v, UpdateNoExist); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(uint32(2), &v, UpdateNoExist); !errors.Is(err, ErrKeyExist) {
		t.Fatalf("NOEXIST on an existing key: %v", err)
	}
	if err := m.Update(uint32(3), &v, UpdateExist); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("EXIST on a missing key: %v", err)
	}
	if err := m.Update(uint32(4), uint32(1), UpdateAny); err == nil {
		t.Fatal("4-byte value accepted for an 8-byte map")
	}
	if err := m.Lookup(uint32(9), &v); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("lookup of a missing key: %v", err)
	}
	var out []byte
	if err := m.Lookup(uint32(2), &out); err != nil || binary.NativeEndian.Uint64(out) != 99 {
		t.Fatalf("*[]byte lookup = %x, %v", out, err)
	}
	if err := m.Delete(uint32(2)); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(uint32(2)); !errors.Is(err, ErrKeyNotExist) {
		t.Fatalf("second delete: %v", err)
	}

	pm := newMap(t, &MapSpec{Name: "p", Type: maps.Hash, KeySize: 2, ValueSize: 2, MaxEntries: 2})
	if err := pm.Update(point{1, 2}, point{3, 4}, UpdateAny); err != nil {
		t.Fatal(err)
	}
	var got point
	if err := pm.Lookup(point{1, 2}, &got); err != nil || got != (point{3, 4}) {
		t.Fatalf("BinaryMarshaler value = %+v, %v", got, err)
	}
}

func TestMapIteration(t *testing.T) {
	m := newMap(t, &MapSpec{Name: "it", Type: maps.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 16})
	for k := uint32(10); k < 15; k++ {
		if err := m.Put(k, k*2); err != nil {
			t.Fatal(err)
		}
	}
	var keys []uint32
	var k, v uint32
	it := m.Iterate()
	for it.Next(&k, &v) {
		if v != k*2 {
			t.Errorf("value of %d is %d", k, v)
		}
		keys = append(keys, k)
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	if len(keys) != 5 || keys[0] != 10 || keys[4] != 14 {
		t.Fatalf("iterated keys %v", keys)
	}
	var first, next uint32
	if err := m.NextKey(nil, &first); err != nil {
		t.Fatal(err)
	}
	seen := 1
	for cur := first; ; cur = next {
		err := m.NextKey(cur, &next)
		if errors.Is(err, ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen++
	}
	if seen != 5 {
		t.Fatalf("NextKey walk saw %d keys", seen)
	}
}

func TestPerCPUValues(t *testing.T) {
	n := maps.PossibleCPUs()
	m := newMap(t, &MapSpec{Name: "pc", Type: maps.PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	in := make([]uint32, n)
	for i := range in {
		in[i] = uint32(100 + i)
	}
	if err := m.Update(uint32(1), in, UpdateAny); err != nil {
		t.Fatal(err)
	}
	var out []uint32
	if err := m.Lookup(uint32(1), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != n || out[n-1] != uint32(100+n-1) || out[0] != 100 {
		t.Fatalf("per-CPU values %v", out)
	}
	if err := m.Update(uint32(1), in[:n-1], UpdateAny); n > 1 && err == nil {
		t.Fatal("short per-CPU slice accepted")
	}
	var bs [][]byte
	if err := m.Lookup(uint32(1), &bs); err != nil || len(bs) != n || binary.NativeEndian.Uint32(bs[0]) != 100 {
		t.Fatalf("per-CPU [][]byte = %x, %v", bs, err)
	}
}

func TestMapFileBackedRestore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arr.map")
	spec := &MapSpec{Name: "fb", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4}
	m, err := NewMapWithOptions(spec, MapOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Put(uint32(3), uint64(0xfeed)); err != nil {
		t.Fatal(err)
	}
	id := m.ID()
	m.Close()
	if maps.ByID(id) != nil {
		t.Fatal("closed map still registered")
	}
	r, err := NewMapWithOptions(spec, MapOptions{Path: path, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.ID() != id {
		t.Fatalf("restored map has ID %d, want %d", r.ID(), id)
	}
	var v uint64
	if err := r.Lookup(uint32(3), &v); err != nil || v != 0xfeed {
		t.Fatalf("restored value %#x, %v", v, err)
	}
	if _, err := NewMapWithOptions(spec, MapOptions{ID: id}); err == nil {
		t.Fatal("a second map took a live ID")
	}
}

func TestMapErrors(t *testing.T) {
	if _, err := NewMap(&MapSpec{Name: "x", Type: maps.Type(200), KeySize: 4, ValueSize: 4, MaxEntries: 1}); err == nil {
		t.Fatal("unknown map type accepted")
	}
	m, err := NewMap(&MapSpec{Name: "c", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	m.Close()
	if err := m.Put(uint32(0), uint32(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("update after close: %v", err)
	}
}

// TestCloseRacesWithOperations closes maps and programs while other
// goroutines use them: operations either succeed or fail with ErrClosed,
// never touch freed memory.
func TestCloseRacesWithOperations(t *testing.T) {
	for round := 0; round < 20; round++ {
		coll := loadColl(t, "btfmaps.o", nil)
		m, p := coll.Maps["counters"], coll.Programs["count"]
		done := make(chan error, 2)
		go func() {
			var err error
			for i := 0; i < 200; i++ {
				var v uint64
				if e := m.Lookup(uint32(1), &v); e != nil && !errors.Is(e, ErrClosed) {
					err = e
				}
			}
			done <- err
		}()
		go func() {
			var err error
			for i := 0; i < 200; i++ {
				if _, e := p.Run(&RunOptions{Data: packet(14)}); e != nil && !errors.Is(e, ErrClosed) {
					err = e
				}
			}
			done <- err
		}()
		coll.Close()
		for i := 0; i < 2; i++ {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
}
