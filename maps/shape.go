package maps

// Shape is the part of a map's Spec that helpers consult on every call.
// Unlike Spec it is a small value with no pointers, so reading it costs no
// copy of the inner-map template and no allocation.
type Shape struct {
	Type       Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
}

// Shape returns the map's type and sizes.
func (b *base) Shape() Shape {
	s := &b.spec
	return Shape{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
}

// ShapeOf returns m's type and sizes: without copying the Spec for the maps
// of this package, through Spec for other implementations. It switches on
// the concrete types because a type assertion to an interface costs more
// than Spec itself when the map types alternate (measured: 25 ns against
// 10 ns for Spec and 2 ns for this switch).
func ShapeOf(m Map) Shape {
	var b *base
	switch t := m.(type) {
	case *arrayMap:
		b = &t.base
	case *hashMap:
		b = &t.base
	case *lpmTrie:
		b = &t.base
	case *hashOfMaps:
		b = &t.base
	case arrayOfMaps:
		b = &t.base
	case progArray:
		b = &t.base
	case *arrayOfMaps:
		b = &t.base
	case *progArray:
		b = &t.base
	case *perfArray:
		b = &t.base
	case perfArray:
		b = &t.base
	case *queueMap:
		b = &t.base
	case *ringBuf:
		b = &t.base
	}
	if b != nil {
		return b.Shape()
	}
	s := m.Spec()
	return Shape{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
}
