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

// shaper is implemented by the maps of this package.
type shaper interface{ Shape() Shape }

// Shape returns the map's type and sizes.
func (b *base) Shape() Shape {
	s := &b.spec
	return Shape{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
}

// ShapeOf returns m's type and sizes: without copying the Spec for the maps
// of this package, through Spec for other implementations.
func ShapeOf(m Map) Shape {
	if s, ok := m.(shaper); ok {
		return s.Shape()
	}
	s := m.Spec()
	return Shape{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
}
