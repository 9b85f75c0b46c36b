package loader

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

func newArray(t *testing.T, valueSize uint32) maps.Map {
	t.Helper()
	m, err := maps.New(maps.Spec{Name: "a", Type: maps.Array, KeySize: 4, ValueSize: valueSize, MaxEntries: 1}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	t.Cleanup(func() { maps.Unregister(id); m.Close() })
	return m
}

func TestFinalizeResolvesHandles(t *testing.T) {
	m := newArray(t, 16)
	id := int32(m.ID())
	linked := []isa.Instruction{
		{Opcode: isa.OpLdImm64, Dst: 1, Src: isa.PseudoMapFD, Imm: id}, {},
		{Opcode: isa.OpLdImm64, Dst: 2, Src: isa.PseudoMapValue, Imm: id}, {Imm: 12},
		{Opcode: isa.OpLdImm64, Dst: 3, Src: isa.PseudoFunc, Imm: 1}, {}, // slot 4+1+1: the exit at 6
		{Opcode: isa.OpExit},
		{Opcode: isa.OpExit},
	}
	p, err := Finalize("f", "xdp", linked, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var key [4]byte
	value := uint64(m.LookupElem(key[:], 0))
	for _, w := range []struct {
		slot int
		want uint64
	}{{0, vm.MapHandle(m.ID())}, {2, value + 12}, {4, vm.FuncHandle(6)}} {
		if p.Insns[w.slot].Src != 0 || isa.Imm64(p.Insns, w.slot) != w.want {
			t.Errorf("slot %d: src %d imm %#x, want src 0 imm %#x", w.slot, p.Insns[w.slot].Src, isa.Imm64(p.Insns, w.slot), w.want)
		}
	}
	if len(p.Maps) != 1 || p.Maps[0] != m || !p.Checked || p.Type != "xdp" {
		t.Errorf("program maps %v checked %v type %q", p.Maps, p.Checked, p.Type)
	}
	if linked[0].Src != isa.PseudoMapFD {
		t.Error("Finalize modified its input")
	}
}

func TestFinalizeRefusals(t *testing.T) {
	m := newArray(t, 8)
	id := int32(m.ID())
	exit := isa.Instruction{Opcode: isa.OpExit}
	cases := []struct {
		name, typ string
		insns     []isa.Instruction
		want      string
	}{
		{"unknown type", "lsm", []isa.Instruction{exit}, "unknown program type"},
		{"unknown helper", "xdp", []isa.Instruction{{Opcode: isa.OpCall, Imm: 250}, exit}, "unknown helper 250"},
		{"missing map", "xdp", []isa.Instruction{{Opcode: isa.OpLdImm64, Src: isa.PseudoMapFD, Imm: 1 << 30}, {}, exit}, "does not exist"},
		{"value offset", "xdp", []isa.Instruction{{Opcode: isa.OpLdImm64, Src: isa.PseudoMapValue, Imm: id}, {Imm: 8}, exit}, "beyond the value size"},
		{"invalid", "xdp", []isa.Instruction{{Opcode: 0xff}, exit}, "instruction 0"},
	}
	for _, c := range cases {
		_, err := Finalize(c.name, c.typ, c.insns, Options{})
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		wantErr(t, err, c.want)
	}
}
