package maps

import "testing"

// TestShapeOf checks ShapeOf against Spec for every map type, and that it
// does not allocate (Spec copies a map-in-map's inner template).
func TestShapeOf(t *testing.T) {
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}
	specs := []Spec{
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: Hash, KeySize: 8, ValueSize: 16, MaxEntries: 4},
		{Type: LRUHash, KeySize: 8, ValueSize: 16, MaxEntries: 4},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 4, Flags: 1},
		{Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 3},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: HashOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: Queue, ValueSize: 8, MaxEntries: 4},
		{Type: RingBuf, MaxEntries: 4096},
	}
	for _, s := range specs {
		m, err := New(s, Options{})
		if err != nil {
			t.Fatalf("%v: %v", s.Type, err)
		}
		defer m.Close()
		want := m.Spec()
		got := ShapeOf(m)
		if got != (Shape{want.Type, want.KeySize, want.ValueSize, want.MaxEntries, want.Flags}) {
			t.Errorf("%v: ShapeOf %+v, Spec %+v", s.Type, got, want)
		}
		if n := testing.AllocsPerRun(10, func() { ShapeOf(m) }); n != 0 {
			t.Errorf("%v (%T): ShapeOf allocates %v times", s.Type, m, n)
		}
	}
}
