package jit_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// lookupProg looks up key in the array map id and returns the u64 at
// offset 8 of the value plus 1, or 0 when the lookup fails.
func lookupProg(id uint32, key int32) []isa.Instruction {
	return prog(
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeW, Dst: 10, Offset: -4, Imm: key},
		movx(2, 10), addk(2, -4),
		ldImm64(1, vm.MapHandle(id)),
		callHelper(helpers.FnMapLookupElem),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Offset: 2},
		ldx64(0, 0, 8), addk(0, 1),
		exit(),
	)
}

// TestInlineArrayLookup checks the inline route for array lookups against
// the helper (interpreter and JIT without inlining) for value sizes with
// power-of-two and other strides, keys in and out of range.
func TestInlineArrayLookup(t *testing.T) {
	for _, vsize := range []uint32{16, 20} {
		m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: vsize, MaxEntries: 5}, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		for i := uint32(0); i < 5; i++ {
			var k [4]byte
			v := make([]byte, vsize)
			binary.LittleEndian.PutUint32(k[:], i)
			binary.LittleEndian.PutUint64(v[8:], uint64(100+i))
			if err := m.Update(k[:], v, 0); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range []int32{0, 3, 4, 5, -1} {
			insns := lookupProg(id, key)
			code, err := jit.Compile(&vm.Program{Name: "l", Insns: insns, Helpers: helpers.Generic()}, jit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if code.Inlined != 1 {
				t.Fatalf("value size %d: %d lookups inlined, want 1", vsize, code.Inlined)
			}
			want := "r0=0x0"
			if key >= 0 && key < 5 {
				want = fmt.Sprintf("r0=%#x", 101+key)
			}
			if got := both(t, insns, helpers.Generic(), 0, 0); got != want {
				t.Errorf("value size %d, key %d: %s, want %s", vsize, key, got, want)
			}
		}
	}
}

// TestInlineNeedsKnownMap: a lookup whose r1 may come from two places is
// not inlined.
func TestInlineNeedsKnownMap(t *testing.T) {
	m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 5}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	insns := lookupProg(id, 0)
	if code, err := jit.Compile(&vm.Program{Name: "l", Insns: insns, Helpers: helpers.Generic()}, jit.Options{}); err != nil || code.Inlined != 1 {
		t.Fatalf("straight-line lookup not inlined: %v", err)
	}
	// Make the call a jump target: "if r0 == 0 goto call" before it.
	call := 5
	insns = append(insns[:call:call], append([]isa.Instruction{{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Offset: 0}}, insns[call:]...)...)
	code, err := jit.Compile(&vm.Program{Name: "l", Insns: insns, Helpers: helpers.Generic()}, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code.Inlined != 0 {
		t.Fatalf("%d lookups inlined, want 0", code.Inlined)
	}
}
