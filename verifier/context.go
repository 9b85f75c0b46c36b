package verifier

import (
	"fmt"

	"github.com/bpfhost/bpfhost/vm"
)

// FieldKind says what a load from a context field yields.
type FieldKind uint8

// Kinds of context fields.
const (
	FieldScalar     FieldKind = iota // a number
	FieldPacket                      // the start of packet data (xdp_md.data, __sk_buff.data)
	FieldPacketEnd                   // one past the packet data
	FieldPacketMeta                  // the start of packet metadata
)

// Context describes a program type's context layout to the verifier.
type Context interface {
	// Access checks a load (write false) or store of size bytes at offset
	// off of the context, in the layout the program addresses, and says
	// what a load yields. An error refuses the access; it should name the
	// field.
	Access(off int32, size int, write bool) (FieldKind, error)
}

// ContextFunc adapts a function to Context.
type ContextFunc func(off int32, size int, write bool) (FieldKind, error)

// Access calls f.
func (f ContextFunc) Access(off int32, size int, write bool) (FieldKind, error) {
	return f(off, size, write)
}

// TypeInfo describes a program type the verifier has no built-in table for
// (Options.Type); the loader builds it from the program type.
type TypeInfo struct {
	// Name is used in messages.
	Name string
	// Context is the context layout; nil means r1 may not be dereferenced.
	Context Context
	// Helpers are the helpers the type offers; a helper must also have a
	// prototype in the verifier to be callable.
	Helpers *vm.HelperTable
	// PacketWrite allows direct stores into packet data.
	PacketWrite bool
	// RawMemory makes r1 writable memory of Options.MemSize bytes and r2
	// its length (the conformance suite's raw type), instead of a context.
	RawMemory bool
}

// fieldType maps a field kind to the register type a load yields.
func fieldType(k FieldKind) (regType, error) {
	switch k {
	case FieldScalar:
		return scalar, nil
	case FieldPacket:
		return ptrPacket, nil
	case FieldPacketEnd:
		return ptrPacketEnd, nil
	case FieldPacketMeta:
		return ptrPacketMeta, nil
	}
	return notInit, fmt.Errorf("unknown context field kind %d", k)
}

// progTypeFor builds the verifier's description of the type in opts.
func progTypeFor(opts Options) (*progType, error) {
	if ti := opts.Type; ti != nil {
		name := ti.Name
		if name == "" {
			name = opts.ProgType
		}
		helpers := ti.Helpers
		return &progType{
			name: name, ctx: ti.Context, rawMem: ti.RawMemory, pktWrite: ti.PacketWrite,
			helper: func(n int32) bool { return helpers.Lookup(n) != nil },
		}, nil
	}
	pt, ok := progTypes[opts.ProgType]
	if !ok {
		return nil, fmt.Errorf("unknown program type %q (built in: xdp, raw; others need Options.Type)", opts.ProgType)
	}
	return pt, nil
}
