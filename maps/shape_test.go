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

// TestAsKinds checks that the As functions accept exactly the maps of
// their kind, agree with the interface assertions and do not allocate.
func TestAsKinds(t *testing.T) {
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}
	for _, s := range []Spec{
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: Hash, KeySize: 8, ValueSize: 16, MaxEntries: 4},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 4, Flags: 1},
		{Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 3},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: HashOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: inner},
		{Type: Queue, ValueSize: 8, MaxEntries: 4},
		{Type: Stack, ValueSize: 8, MaxEntries: 4},
		{Type: RingBuf, MaxEntries: 4096},
	} {
		m := mustNew(t, s, Options{})
		_, isQ := m.(QueueMap)
		_, isP := m.(ProgArrayMap)
		_, isMM := m.(MapOfMaps)
		_, isRB := m.(RingBufMap)
		_, isPerf := m.(PerfEventArrayMap)
		for _, c := range []struct {
			name string
			got  bool
			want bool
		}{
			{"AsQueue", AsQueue(m) != nil, s.Type == Queue || s.Type == Stack},
			{"AsProgArray", AsProgArray(m) != nil, s.Type == ProgArray},
			{"AsMapOfMaps", AsMapOfMaps(m) != nil, s.Type == ArrayOfMaps || s.Type == HashOfMaps},
			{"AsRingBuf", AsRingBuf(m) != nil, s.Type == RingBuf},
			{"AsPerfArray", AsPerfArray(m) != nil, s.Type == PerfEventArray},
		} {
			if c.got != c.want {
				t.Errorf("%v: %s = %v, want %v", s.Type, c.name, c.got, c.want)
			}
		}
		if AsQueue(m) != nil != isQ || AsProgArray(m) != nil != isP || AsMapOfMaps(m) != nil != isMM ||
			AsRingBuf(m) != nil != isRB || AsPerfArray(m) != nil != isPerf {
			t.Errorf("%v: As functions disagree with the interface assertions", s.Type)
		}
		if n := testing.AllocsPerRun(10, func() {
			AsQueue(m)
			AsProgArray(m)
			AsMapOfMaps(m)
			AsRingBuf(m)
			AsPerfArray(m)
			Dims(m)
		}); n != 0 {
			t.Errorf("%v: As functions allocate %v times", s.Type, n)
		}
		typ, k, v, n := Dims(m)
		if sh := ShapeOf(m); sh.Type != typ || sh.KeySize != k || sh.ValueSize != v || sh.MaxEntries != n {
			t.Errorf("%v: Dims %v %d %d %d, ShapeOf %+v", s.Type, typ, k, v, n, sh)
		}
	}
	if AsQueue(nil) != nil || AsRingBuf(nil) != nil || AsPerfArray(nil) != nil || AsMapOfMaps(nil) != nil || AsProgArray(nil) != nil {
		t.Error("As functions of nil are not nil")
	}
}
