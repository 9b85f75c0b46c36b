package maps

import "testing"

func TestProgArray(t *testing.T) {
	m := mustNew(t, Spec{Name: "jmp", Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4}, Options{})
	pa := m.(ProgArrayMap)
	v := make([]byte, 4)
	wantErrno(t, "lookup empty", m.Lookup(u32(1), v), ENOENT)
	wantErrno(t, "lookup out of range", m.Lookup(u32(9), v), ENOENT)
	wantErrno(t, "set id 0", m.Update(u32(1), u32(0), UpdateAny), EINVAL)
	wantErrno(t, "set noexist", m.Update(u32(1), u32(7), UpdateNoExist), EINVAL)
	wantErrno(t, "set out of range", m.Update(u32(4), u32(7), UpdateAny), E2BIG)
	wantErrno(t, "set", m.Update(u32(1), u32(7), UpdateAny), 0)
	wantErrno(t, "lookup", m.Lookup(u32(1), v), 0)
	if index(v) != 7 || pa.Program(1) != 7 || pa.Program(0) != 0 || pa.Program(100) != 0 {
		t.Fatalf("program IDs: lookup %d, Program(1) %d", index(v), pa.Program(1))
	}
	wantErrno(t, "prog update", m.UpdateElem(u32(1), u32(3), UpdateAny, 0), EINVAL)
	wantErrno(t, "delete", m.Delete(u32(1)), 0)
	wantErrno(t, "delete empty", m.Delete(u32(1)), ENOENT)
	wantErrno(t, "delete out of range", m.Delete(u32(4)), E2BIG)
	if pa.Program(1) != 0 || m.LookupElem(u32(1), 0) != 0 {
		t.Fatal("deleted program still reachable")
	}
}

func TestMapOfMaps(t *testing.T) {
	inner := Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}
	good := mustNew(t, Spec{Name: "in", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}, Options{})
	bad := mustNew(t, Spec{Name: "bad", Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 3}, Options{})
	badType := mustNew(t, Spec{Name: "bt", Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 2}, Options{})
	gid, bid, tid := Register(good), Register(bad), Register(badType)
	defer Unregister(gid)
	defer Unregister(bid)
	defer Unregister(tid)
	for _, typ := range []Type{ArrayOfMaps, HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			m := mustNew(t, Spec{Name: "outer", Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &inner}, Options{})
			mm := m.(MapOfMaps)
			wantErrno(t, "unknown id", m.Update(u32(0), u32(99999), UpdateAny), EBADF)
			wantErrno(t, "max entries mismatch", m.Update(u32(0), u32(bid), UpdateAny), EINVAL)
			wantErrno(t, "type mismatch", m.Update(u32(0), u32(tid), UpdateAny), EINVAL)
			wantErrno(t, "good", m.Update(u32(0), u32(gid), UpdateAny), 0)
			v := make([]byte, 4)
			wantErrno(t, "lookup", m.Lookup(u32(0), v), 0)
			if index(v) != gid || mm.Inner(u32(0)) != gid || mm.Inner(u32(1)) != 0 {
				t.Fatalf("inner ID %d, want %d", index(v), gid)
			}
			if m.LookupElem(u32(0), 0) != 0 || len(m.Regions()) != 0 {
				t.Fatal("map-in-map values must not be program-addressable")
			}
			wantErrno(t, "lookup empty", m.Lookup(u32(1), v), ENOENT)
			wantErrno(t, "delete", m.Delete(u32(0)), 0)
			wantErrno(t, "delete again", m.Delete(u32(0)), ENOENT)
			if mm.Inner(u32(0)) != 0 {
				t.Fatal("deleted inner map still reachable")
			}
		})
	}
	_, err := New(Spec{Name: "no-inner", Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1}, Options{})
	wantErrno(t, "no template", err, EINVAL)
}
