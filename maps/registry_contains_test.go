package maps

import "testing"

// TestContainsAddr registers maps of several sizes and compares
// ContainsAddr with a scan of every region at the edges of each region and
// between them, for sizes that fit, reach the end exactly, cross it and
// wrap around.
func TestContainsAddr(t *testing.T) {
	var ids []uint32
	var ms []Map
	for i, n := range []uint32{1, 3, 64, 1000, 2, 4096} {
		m, err := New(Spec{Type: Array, KeySize: 4, ValueSize: 8 * uint32(i+1), MaxEntries: n}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, Register(m))
		ms = append(ms, m)
	}
	defer func() {
		for i, id := range ids {
			Unregister(id)
			ms[i].Close()
		}
	}()
	all := registry.Load().regions
	want := func(addr, size uintptr) bool {
		for _, r := range all {
			if r.Contains(addr, size) {
				return true
			}
		}
		return false
	}
	hits := 0
	for _, m := range ms {
		for _, r := range m.Regions() {
			for _, a := range []uintptr{r.Start - 1, r.Start, r.Start + 1, r.End - 8, r.End - 1, r.End, r.End + 1, 0, ^uintptr(0)} {
				for _, size := range []uintptr{0, 1, 2, 8, r.End - r.Start, r.End - r.Start + 1, ^uintptr(0)} {
					got, w := ContainsAddr(a, size), want(a, size)
					if got != w {
						t.Fatalf("ContainsAddr(%#x, %d) = %v, want %v (region %#x-%#x)", a, size, got, w, r.Start, r.End)
					}
					if got {
						hits++
					}
				}
			}
			if !ContainsAddr(r.Start, r.End-r.Start) || ContainsAddr(r.Start, r.End-r.Start+1) && !want(r.Start, r.End-r.Start+1) {
				t.Fatalf("region %#x-%#x: whole region not contained, or one byte more is", r.Start, r.End)
			}
		}
	}
	if hits == 0 {
		t.Fatal("no address tested was inside a region")
	}
}
