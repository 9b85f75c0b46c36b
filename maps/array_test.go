package maps

import (
	"bytes"
	"testing"
)

func TestArraySemantics(t *testing.T) {
	m := mustNew(t, Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 6, MaxEntries: 3}, Options{})
	v := make([]byte, 6)
	wantErrno(t, "lookup fresh", m.Lookup(u32(2), v), 0)
	if !bytes.Equal(v, make([]byte, 6)) {
		t.Fatalf("fresh element %x, want zeros", v)
	}
	wantErrno(t, "lookup out of range", m.Lookup(u32(3), v), ENOENT)
	wantErrno(t, "update any", m.Update(u32(1), []byte("abcdef"), UpdateAny), 0)
	wantErrno(t, "update exist", m.Update(u32(1), []byte("ABCDEF"), UpdateExist), 0)
	wantErrno(t, "update noexist", m.Update(u32(1), []byte("xxxxxx"), UpdateNoExist), EEXIST)
	wantErrno(t, "update out of range", m.Update(u32(3), []byte("xxxxxx"), UpdateAny), E2BIG)
	wantErrno(t, "update lock flag", m.Update(u32(1), []byte("xxxxxx"), UpdateLock), EINVAL)
	wantErrno(t, "update bad flags", m.Update(u32(1), []byte("xxxxxx"), 3), EINVAL)
	wantErrno(t, "update short value", m.Update(u32(1), []byte("xx"), UpdateAny), EINVAL)
	wantErrno(t, "update short key", m.Update([]byte{1}, []byte("xxxxxx"), UpdateAny), EINVAL)
	wantErrno(t, "delete", m.Delete(u32(1)), EINVAL)
	wantErrno(t, "lookup-and-delete", m.LookupAndDelete(u32(1), v), ENOTSUPP)
	m.Lookup(u32(1), v)
	if string(v) != "ABCDEF" {
		t.Fatalf("value %q, want ABCDEF", v)
	}
	addr := m.LookupElem(u32(1), 0)
	if addr == 0 || string(mem(addr, 6)) != "ABCDEF" {
		t.Fatalf("LookupElem gives %#x", addr)
	}
	if m.LookupElem(u32(3), 0) != 0 {
		t.Fatal("LookupElem out of range is not 0")
	}
	if a2 := m.LookupElem(u32(2), 0); a2-addr != 8 {
		t.Fatalf("elements %d bytes apart, want 8 (round_up(6, 8))", a2-addr)
	}
	r := m.Regions()
	if len(r) != 1 || !r[0].Contains(addr, 16) || r[0].Contains(addr, 17) {
		t.Fatalf("regions %v do not cover the values at %#x", r, addr)
	}
	copy(mem(addr, 6), "fromBP")
	m.Lookup(u32(1), v)
	if string(v) != "fromBP" {
		t.Fatalf("program store not visible: %q", v)
	}
	wantErrno(t, "prog update", m.UpdateElem(u32(0), []byte("prog!!"), UpdateAny, 0), 0)
	m.Lookup(u32(0), v)
	if string(v) != "prog!!" {
		t.Fatalf("UpdateElem not visible: %q", v)
	}
	// NextKey: nil -> 0, i -> i+1, last -> ENOENT, out of range -> 0.
	next := make([]byte, 4)
	for _, c := range []struct {
		key  []byte
		want uint32
		err  Errno
	}{{nil, 0, 0}, {u32(0), 1, 0}, {u32(1), 2, 0}, {u32(2), 0, ENOENT}, {u32(99), 0, 0}} {
		err := m.NextKey(c.key, next)
		wantErrno(t, "next key", err, c.err)
		if err == nil && index(next) != c.want {
			t.Fatalf("NextKey(%x) = %d, want %d", c.key, index(next), c.want)
		}
	}
}

func TestPerCPUArrayLayout(t *testing.T) {
	const ncpu = 3
	m := mustNew(t, Spec{Name: "p", Type: PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}, Options{NumCPU: ncpu})
	// User-space buffers hold one value per CPU, each rounded up to 8 bytes.
	wantErrno(t, "short buffer", m.Update(u32(0), make([]byte, 4), UpdateAny), EINVAL)
	buf := make([]byte, ncpu*8)
	for c := 0; c < ncpu; c++ {
		copy(buf[c*8:], u32(uint32(100+c)))
	}
	wantErrno(t, "update", m.Update(u32(1), buf, UpdateAny), 0)
	for c := 0; c < ncpu; c++ {
		a := m.LookupElem(u32(1), c)
		if got := index(mem(a, 4)); got != uint32(100+c) {
			t.Fatalf("cpu %d value %d, want %d", c, got, 100+c)
		}
	}
	if m.LookupElem(u32(1), ncpu) != 0 || m.LookupElem(u32(1), -1) != 0 {
		t.Fatal("LookupElem for a CPU out of range is not 0")
	}
	// A program updates only its own CPU's value.
	wantErrno(t, "prog update", m.UpdateElem(u32(1), u32(7), UpdateAny, 1), 0)
	out := make([]byte, ncpu*8)
	wantErrno(t, "lookup", m.Lookup(u32(1), out), 0)
	for c, want := range []uint32{100, 7, 102} {
		if got := index(out[c*8:]); got != want {
			t.Fatalf("after prog update cpu %d = %d, want %d", c, got, want)
		}
	}
}

func TestRegionsAreExact(t *testing.T) {
	m := mustNew(t, Spec{Name: "a", Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 3}, Options{})
	r := m.Regions()
	if len(r) != 1 || r[0].End-r[0].Start != 24 || r[0].Start != m.LookupElem(u32(0), 0) {
		t.Fatalf("regions %v, want the 24 bytes of 3 values 8 bytes apart", r)
	}
	h := mustNew(t, Spec{Name: "h", Type: PerCPUHash, KeySize: 4, ValueSize: 12, MaxEntries: 5}, Options{NumCPU: 3})
	if r := h.Regions(); len(r) != 1 || r[0].End-r[0].Start != 5*3*16 {
		t.Fatalf("per-CPU hash regions %v, want 240 bytes", r)
	}
}
