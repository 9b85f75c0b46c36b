package maps

import (
	"testing"
	"unsafe"
)

// descOf returns m's descriptor, failing unless m offers a native route.
func descOf(t testing.TB, m Map) (*NativeDesc, uintptr) {
	t.Helper()
	addr, ok := NativeDescOf(m)
	if !ok || addr == 0 {
		t.Fatalf("%s map has no native descriptor", m.Spec().Type)
	}
	return (*NativeDesc)(ptrOf(addr)), addr
}

// tableEntry returns the global table's entry for id.
func tableEntry(t testing.TB, id uint32) uint64 {
	t.Helper()
	addr := NativeTableAddr()
	if addr == 0 {
		t.Fatal("no global descriptor table")
	}
	return (*[NativeTableSize]uint64)(ptrOf(addr))[id&NativeTableMask]
}

// refLookup is NativeReference that must offer a route.
func refLookup(t testing.TB, desc uintptr, key []byte, cpu int) uint64 {
	t.Helper()
	r, ok := NativeReference(desc, key, cpu)
	if !ok {
		t.Fatalf("descriptor %#x offers no route", desc)
	}
	return r
}

func TestNativeDescArray(t *testing.T) {
	m := mustNew(t, Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 12, MaxEntries: 5}, Options{})
	d, addr := descOf(t, m)
	vals := m.Regions()[0]
	want := NativeDesc{Route: RouteArray, KeySize: 4, ValueSize: 12, MaxEntries: 5,
		Values: uint64(vals.Start), Elem: 16, Stride: 16}
	if *d != want {
		t.Fatalf("descriptor %+v, want %+v", *d, want)
	}
	if vals.End-vals.Start != 5*16 {
		t.Fatalf("region of %d bytes", vals.End-vals.Start)
	}
	for i := uint32(0); i < 7; i++ {
		if got, want := refLookup(t, addr, u32(i), 0), uint64(m.LookupElem(u32(i), 0)); got != want {
			t.Errorf("index %d: native %#x, Go %#x", i, got, want)
		}
	}
	if refLookup(t, addr, u32(4), 0) != uint64(vals.Start)+64 || refLookup(t, addr, u32(5), 0) != 0 {
		t.Fatal("exact addresses")
	}
}

func TestNativeDescPerCPUArray(t *testing.T) {
	m := mustNew(t, Spec{Name: "p", Type: PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 3}, Options{NumCPU: 3})
	d, addr := descOf(t, m)
	vals := m.Regions()[0]
	want := NativeDesc{Route: RoutePerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 3, NCPU: 3,
		Values: uint64(vals.Start), Elem: 8, Stride: 24}
	if *d != want {
		t.Fatalf("descriptor %+v, want %+v", *d, want)
	}
	for i := uint32(0); i < 4; i++ {
		for cpu := -1; cpu < 5; cpu++ {
			if got, want := refLookup(t, addr, u32(i), cpu), uint64(m.LookupElem(u32(i), cpu)); got != want {
				t.Errorf("index %d cpu %d: native %#x, Go %#x", i, cpu, got, want)
			}
		}
	}
	if refLookup(t, addr, u32(2), 1) != uint64(vals.Start)+2*24+8 {
		t.Fatal("exact address")
	}
}

func TestNativeDescFDArrays(t *testing.T) {
	inner := Spec{Name: "in", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}
	in := mustNew(t, inner, Options{})
	iid := Register(in)
	defer Unregister(iid)
	for _, c := range []struct {
		typ   Type
		route uint32
		id    uint32
	}{{ProgArray, RouteProgArray, 77}, {ArrayOfMaps, RouteArrayOfMaps, iid}} {
		t.Run(c.typ.String(), func(t *testing.T) {
			spec := Spec{Name: "fd", Type: c.typ, KeySize: 4, ValueSize: 4, MaxEntries: 4}
			if c.typ == ArrayOfMaps {
				spec.InnerMap = &inner
			}
			m := mustNew(t, spec, Options{})
			d, addr := descOf(t, m)
			fa := fdArrayOf(m)
			want := NativeDesc{Route: c.route, KeySize: 4, ValueSize: 4, MaxEntries: 4,
				Values: uint64(uintptr(unsafe.Pointer(fa.entry(0)))), Elem: 8, Stride: 8}
			if *d != want {
				t.Fatalf("descriptor %+v, want %+v", *d, want)
			}
			check := func(what string, want [5]uint32) {
				t.Helper()
				for i := uint32(0); i < 5; i++ {
					got := refLookup(t, addr, u32(i), 0)
					var goID uint32
					if c.typ == ProgArray {
						goID = m.(ProgArrayMap).Program(i)
					} else {
						goID = m.(MapOfMaps).Inner(u32(i))
					}
					if got != uint64(want[i]) || goID != want[i] {
						t.Errorf("%s: index %d: native %d, Go %d, want %d", what, i, got, goID, want[i])
					}
				}
			}
			check("empty", [5]uint32{})
			wantErrno(t, "set 1", m.Update(u32(1), u32(c.id), UpdateAny), 0)
			wantErrno(t, "set 3", m.Update(u32(3), u32(c.id), UpdateAny), 0)
			check("set", [5]uint32{0, c.id, 0, c.id, 0})
			wantErrno(t, "delete 1", m.Delete(u32(1)), 0)
			check("deleted", [5]uint32{0, 0, 0, c.id, 0})
		})
	}
}

// fdArrayOf returns the fdArray behind a prog array or array of maps.
func fdArrayOf(m Map) *fdArray {
	switch a := m.(type) {
	case progArray:
		return a.fdArray
	case arrayOfMaps:
		return a.fdArray
	}
	return nil
}

// TestNativeDescLifecycle checks publication in the global table and
// retirement at Unregister and Close.
func TestNativeDescLifecycle(t *testing.T) {
	m, err := New(Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, addr := descOf(t, m)
	if d.ID != 0 {
		t.Fatalf("ID %d before Register", d.ID)
	}
	id := Register(m)
	if d.ID != id || tableEntry(t, id) != uint64(addr) {
		t.Fatalf("after Register: ID %d (want %d), table %#x (want %#x)", d.ID, id, tableEntry(t, id), addr)
	}
	// A map whose ID has the same low bits takes the entry over; the first
	// map's Unregister then leaves it alone.
	other := mustNew(t, Spec{Name: "b", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}, Options{})
	_, oaddr := descOf(t, other)
	oid := id + NativeTableSize
	if err := RegisterWithID(other, oid); err != nil {
		t.Fatal(err)
	}
	defer Unregister(oid)
	if tableEntry(t, id) != uint64(oaddr) {
		t.Fatal("colliding map did not take the table entry")
	}
	Unregister(id)
	if tableEntry(t, id) != uint64(oaddr) {
		t.Fatal("Unregister cleared another map's entry")
	}
	if err := RegisterWithID(m, id); err != nil {
		t.Fatal(err)
	}
	if tableEntry(t, id) != uint64(addr) {
		t.Fatal("re-registered map not in the table")
	}
	Unregister(id)
	if tableEntry(t, id) != 0 {
		t.Fatalf("table entry %#x after Unregister", tableEntry(t, id))
	}
	if d.ID != id || d.Route != RouteArray {
		t.Fatal("Unregister alone must leave the descriptor usable for constant references")
	}
	if err := RegisterWithID(m, id); err != nil {
		t.Fatal(err)
	}
	m.Close()
	if d.ID != 0 || d.Route != RouteNone || tableEntry(t, id) != 0 {
		t.Fatalf("after Close: ID %d, Route %d, table %#x", d.ID, d.Route, tableEntry(t, id))
	}
	if _, ok := NativeDescOf(m); ok {
		t.Fatal("NativeDescOf of a closed map")
	}
	if _, ok := NativeReference(addr, u32(0), 0); ok {
		t.Fatal("closed descriptor still offers a route")
	}
	Unregister(id)
	// Maps without a native route.
	q := mustNew(t, Spec{Name: "q", Type: Queue, ValueSize: 8, MaxEntries: 2}, Options{})
	if _, ok := NativeDescOf(q); ok {
		t.Fatal("queue has a descriptor")
	}
}
