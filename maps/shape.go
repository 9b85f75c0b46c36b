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

// baseOf returns the base of the maps of this package, nil for other
// implementations. It switches on the concrete types because a type
// assertion to an interface costs more than Spec itself when the map types
// alternate (measured: 25 ns against 10 ns for Spec and 2 ns for this
// switch, which compiles to a jump table on the type hash).
func baseOf(m Map) *base {
	switch t := m.(type) {
	case *arrayMap:
		return &t.base
	case *hashMap:
		return &t.base
	case *lpmTrie:
		return &t.base
	case *hashOfMaps:
		return &t.base
	case arrayOfMaps:
		return &t.base
	case progArray:
		return &t.base
	case *arrayOfMaps:
		return &t.base
	case *progArray:
		return &t.base
	case *perfArray:
		return &t.base
	case perfArray:
		return &t.base
	case *queueMap:
		return &t.base
	case *ringBuf:
		return &t.base
	}
	return nil
}

// ShapeOf returns m's type and sizes: without copying the Spec for the maps
// of this package, through Spec for other implementations. Helpers on hot
// paths use Dims instead: a Shape result goes through memory and costs a
// store-forwarding stall (two 16-byte loads over five 4-byte stores) in the
// caller, about 5 ns a call.
func ShapeOf(m Map) Shape {
	if b := baseOf(m); b != nil {
		return b.Shape()
	}
	s := m.Spec()
	return Shape{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
}

// Dims returns m's type, key size, value size and maximum entries as
// scalars, which stay in registers (see ShapeOf). It does not allocate for
// the maps of this package.
func Dims(m Map) (typ Type, keySize, valueSize, maxEntries uint32) {
	if b := baseOf(m); b != nil {
		return b.spec.Type, b.spec.KeySize, b.spec.ValueSize, b.spec.MaxEntries
	}
	return dimsOfSpec(m)
}

// dimsOfSpec is Dims for other implementations, out of line so that Dims
// stays small.
func dimsOfSpec(m Map) (typ Type, keySize, valueSize, maxEntries uint32) {
	s := m.Spec()
	return s.Type, s.KeySize, s.ValueSize, s.MaxEntries
}

// The As functions convert a map to the interface of its kind, or nil.
// They test this package's concrete types first: a pointer comparison,
// where a type assertion to an interface searches the itab cache (helpers
// convert their map argument on every call). Other implementations go
// through the assertion.

// AsQueue returns m as a QueueMap (queues and stacks), or nil.
func AsQueue(m Map) QueueMap {
	if q, ok := m.(*queueMap); ok {
		return q
	}
	q, _ := m.(QueueMap)
	return q
}

// AsProgArray returns m as a ProgArrayMap, or nil.
func AsProgArray(m Map) ProgArrayMap {
	if p, ok := m.(progArray); ok {
		return p
	}
	p, _ := m.(ProgArrayMap)
	return p
}

// AsMapOfMaps returns m as a MapOfMaps (array or hash of maps), or nil.
func AsMapOfMaps(m Map) MapOfMaps {
	switch t := m.(type) {
	case arrayOfMaps:
		return t
	case *hashOfMaps:
		return t
	}
	mm, _ := m.(MapOfMaps)
	return mm
}
