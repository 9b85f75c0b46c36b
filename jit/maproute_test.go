package jit

import (
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// TestMapLookupAt checks the call-site analysis: which calls are lookups,
// when r1 is a constant, and which map it names.
func TestMapLookupAt(t *testing.T) {
	m, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 12, ValueSize: 8, MaxEntries: 4}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	h := vm.MapHandle(id)
	desc, _ := maps.NativeDescOf(m) // 0 until the maps package publishes hash descriptors
	route := uint32(maps.RouteNone)
	if desc != 0 {
		route = maps.RouteHash
	}
	ld := func(v uint64) []isa.Instruction {
		return []isa.Instruction{{Opcode: isa.OpLdImm64, Dst: isa.R1, Imm: int32(uint32(v))}, {Imm: int32(uint32(v >> 32))}}
	}
	call := func(n int32) isa.Instruction { return isa.Instruction{Opcode: isa.OpCall, Imm: n} }
	mov6 := isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: isa.R1, Src: isa.R6}
	exit := isa.Instruction{Opcode: isa.OpExit}
	cases := []struct {
		name   string
		insns  []isa.Instruction
		target int // pc marked as a jump target, -1: none
		ok     bool
		want   MapLookupSite
	}{
		{"const", append(ld(h), call(1), exit), -1, true, MapLookupSite{Const: true, Handle: h, Map: m, Desc: desc, Route: route, KeySize: 12}},
		{"unknown handle", append(ld(vm.MapHandle(0xfffff0)), call(1), exit), -1, true, MapLookupSite{Const: true, Handle: vm.MapHandle(0xfffff0)}},
		{"register copy", append(ld(h), mov6, call(1), exit), -1, true, MapLookupSite{}},
		{"call is a target", append(ld(h), call(1), exit), 2, true, MapLookupSite{}},
		{"update", append(ld(h), call(2), exit), -1, false, MapLookupSite{}},
	}
	for _, c := range cases {
		second := make([]bool, len(c.insns))
		target := make([]bool, len(c.insns))
		second[1] = true
		if c.target >= 0 {
			target[c.target] = true
		}
		pc := len(c.insns) - 2
		p := &vm.Program{Insns: c.insns, Helpers: helpers.Generic()}
		got, ok := MapLookupAt(p, c.insns, second, target, pc, c.insns[pc].Imm)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if NativeLookupRoute(maps.RouteNone) || NativeLookupRoute(maps.RouteProgArray) || !NativeLookupRoute(maps.RouteHashOfMaps) {
		t.Error("NativeLookupRoute: wrong set of routes")
	}
}

// TestInnerLookupShapes: the inner templates of the maps of maps a
// program names, hash routes only, deduplicated.
func TestInnerLookupShapes(t *testing.T) {
	hash := maps.Spec{Type: maps.LRUHash, KeySize: 6, ValueSize: 8, MaxEntries: 4}
	arr := maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4}
	var ids []uint32
	for _, s := range []maps.Spec{
		{Type: maps.HashOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &hash},
		{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &hash},
		{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &arr},
	} {
		m, err := maps.New(s, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, maps.Register(m))
	}
	defer func() {
		for _, id := range ids {
			maps.Unregister(id)
		}
	}()
	var insns []isa.Instruction
	for _, id := range ids {
		h := vm.MapHandle(id)
		insns = append(insns, isa.Instruction{Opcode: isa.OpLdImm64, Dst: isa.R1, Imm: int32(uint32(h))}, isa.Instruction{Imm: int32(uint32(h >> 32))})
	}
	second := make([]bool, len(insns))
	for i := 1; i < len(insns); i += 2 {
		second[i] = true
	}
	got := InnerLookupShapes(&vm.Program{Insns: insns}, insns, second)
	if want := []LookupShape{{maps.RouteLRUHash, 6}}; len(got) != 1 || got[0] != want[0] {
		t.Fatalf("got %v, want %v", got, want)
	}
}
