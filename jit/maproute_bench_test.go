package jit_test

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// BenchmarkHashLookup: 100 hits in a hash map with 8-byte keys per run,
// native on "jit" (inline for a constant map; through the lookup routine
// when the handle comes from a register, general or specialised for the
// inner maps of a map of maps the program names), through a helper exit
// to Go on "jit-noinline".
func BenchmarkHashLookup(b *testing.B) {
	m, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 128}, maps.Options{})
	if err != nil {
		b.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	for k := uint64(1); k <= 100; k++ {
		if err := m.Update(binary.LittleEndian.AppendUint64(nil, k), make([]byte, 8), 0); err != nil {
			b.Fatal(err)
		}
	}
	// A map of maps whose inner maps have this map's shape: a program
	// that names it gets a lookup routine specialised for the shape.
	tmpl := m.Spec()
	outer, err := maps.New(maps.Spec{Type: maps.HashOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: &tmpl}, maps.Options{})
	if err != nil {
		b.Fatal(err)
	}
	oid := maps.Register(outer)
	defer maps.Unregister(oid)
	for _, c := range []struct {
		name   string
		r1     []isa.Instruction
		prefix []isa.Instruction
	}{
		{"const", ldImm64(1, vm.MapHandle(id)), nil},
		{"register", prog(ldImm64(3, vm.MapHandle(id)), movx(1, 3)), nil},
		{"inner", prog(ldImm64(3, vm.MapHandle(id)), movx(1, 3)), ldImm64(7, vm.MapHandle(oid))},
	} {
		b.Run(c.name, func(b *testing.B) {
			// r6 = 100; loop: *(u64*)(r10-8) = r6; r1 = map; r2 = r10-8;
			// call 1; if r0 != 0 { *(u64*)r0 += 1 }; r6 -= 1; if r6 != 0 goto loop
			body := prog(
				stx64(10, -8, 6),
				c.r1, movx(2, 10), addk(2, -8),
				callHelper(helpers.FnMapLookupElem),
				isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Offset: 3},
				ldx64(1, 0, 0), addk(1, 1), stx64(0, 0, 1),
				addk(6, -1),
			)
			insns := prog(c.prefix, mov(6, 100), body,
				isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 6, Offset: int16(-len(body) - 1)},
				mov(0, 0), exit())
			benchRun(b, insns, helpers.Generic(), 100, "lookup")
		})
	}
}
