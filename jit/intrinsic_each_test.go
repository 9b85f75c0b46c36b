package jit_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

func jnek(dst uint8, k int32, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: dst, Imm: k, Offset: off}
}

func ldx32(dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeW, Dst: dst, Src: src, Offset: off}
}

// eachProgram walks map id with bpf_for_each_map_elem(map, cb, &ctx, r2)
// and returns ret<<48 | visits<<32 | sum; the callback adds
// *val * (*key + 1) to sum (and 1<<20 if r1 is not the map's handle),
// counts the visit, increments the element and stops at key == stop.
func eachProgram(id uint32, stop int32) []isa.Instruction { return eachProgramAt(id, stop, 1) }

// eachProgramAt is eachProgram called through depth-1 frames.
func eachProgramAt(id uint32, stop int32, depth int) []isa.Instruction {
	h := vm.MapHandle(id)
	var main []isa.Instruction
	for range depth - 1 {
		main = append(main, callLocal(1), exit())
	}
	main = prog(main,
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -16},
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -8},
		movx(4, 2),
		ldImm64(1, h),
		ldImm64(2, 0), // patched: the callback
		movx(3, 10), addk(3, -16),
		callHelper(helpers.FnForEachMapElem),
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 0, Imm: 48},
		ldx64(1, 10, -8),
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 1, Imm: 32},
		orx(0, 1),
		ldx64(1, 10, -16), orx(0, 1),
		exit(),
	)
	cb := prog(
		ldx32(5, 2, 0), ldx64(6, 3, 0),
		movx(7, 5), addk(7, 1),
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcX, Dst: 7, Src: 6},
		ldImm64(9, h),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcX, Dst: 1, Src: 9, Offset: 1},
		addk(7, 1<<20),
		ldx64(8, 4, 0), addx(8, 7), stx64(4, 0, 8),
		ldx64(8, 4, 8), addk(8, 1), stx64(4, 8, 8),
		addk(6, 1), stx64(3, 0, 6),
		mov(0, 0),
		jnek(5, stop, 1),
		mov(0, 1),
		exit(),
	)
	insns := prog(main, cb)
	isa.SetImm64(insns, 2*(depth-1)+5, vm.FuncHandle(len(main)))
	return insns
}

// TestInlineArrayWalk: bpf_for_each_map_elem over constant arrays (value
// strides 8 and 24) compiled as a native walk gives the interpreter's and
// the Go helper's r0 and element writes, for early stops, full walks and
// bad flags; write-only arrays keep the Go route (hash maps and per-CPU
// arrays are foreach.go's).
func TestInlineArrayWalk(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for _, vsize := range []uint32{8, 20} {
		m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: vsize, MaxEntries: 7}, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		reset := func() {
			for i := uint32(0); i < 7; i++ {
				k, v := make([]byte, 4), make([]byte, vsize)
				binary.LittleEndian.PutUint32(k, i)
				binary.LittleEndian.PutUint64(v, uint64(10*i+1))
				if err := m.Update(k, v, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		dump := func() string {
			s := ""
			for i := uint32(0); i < 7; i++ {
				k, v := make([]byte, 4), make([]byte, vsize)
				binary.LittleEndian.PutUint32(k, i)
				if err := m.Lookup(k, v); err != nil {
					t.Fatal(err)
				}
				s += fmt.Sprintf(" %d", binary.LittleEndian.Uint64(v))
			}
			return s
		}
		for _, c := range []struct {
			stop  int32
			flags uint64
		}{{3, 0}, {0, 0}, {6, 0}, {-1, 0}, {3, 1}} {
			insns := eachProgram(id, c.stop)
			tab := helpers.Generic()
			pj := &vm.Program{Name: "each", Type: "raw", Insns: insns, Helpers: tab}
			pi := &vm.Program{Name: "each", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
			code, err := jit.Compile(pj, jit.Options{})
			if err != nil || code.Inlined != 1 {
				t.Fatalf("inlined %d, err %v; want 1", code.Inlined, err)
			}
			reset()
			want := runOn(t, interp.New(), cpus, pi, 0, c.flags) + dump()
			for _, opts := range []jit.Options{{}, {Blind: true}, {NoInline: true}} {
				reset()
				if got := runOn(t, jit.NewWithOptions(opts), cpus, pj, 0, c.flags) + dump(); got != want {
					t.Errorf("value size %d, stop %d, flags %d, JIT %+v: %s\ninterpreter: %s", vsize, c.stop, c.flags, opts, got, want)
				}
			}
			if c.stop == 3 && c.flags == 0 {
				// 4 visits (also the result), sum of (10k+1)(k+1) for k = 0..3
				if w := fmt.Sprintf("r0=%#x 2 12 22 32 41 51 61", 4<<48|4<<32|210); want != w {
					t.Errorf("interpreter: %s, want %s", want, w)
				}
			}
		}
	}
	for _, spec := range []maps.Spec{
		{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 7, Flags: maps.FlagWrOnly},
	} {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		code, err := jit.Compile(&vm.Program{Name: "each", Insns: eachProgram(id, 3), Helpers: helpers.Generic()}, jit.Options{})
		if err != nil || code.Inlined != 0 {
			t.Errorf("%+v: inlined %d, err %v; want 0", spec, code.Inlined, err)
		}
	}
}

// TestInlineArrayWalkDepth: a walk whose callback would exceed the call
// depth takes the Go route and fails as in the interpreter; one frame
// less walks natively. The elements are zeroed before every run (the
// callback increments them).
func TestInlineArrayWalkDepth(t *testing.T) {
	m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 3}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	zero := func() {
		for i := uint32(0); i < 3; i++ {
			if err := m.Update(binary.LittleEndian.AppendUint32(nil, i), make([]byte, 8), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	for depth := vm.MaxCallDepth - 1; depth <= vm.MaxCallDepth; depth++ {
		insns := eachProgramAt(id, -1, depth)
		tab := helpers.Generic()
		pj := &vm.Program{Name: "each", Type: "raw", Insns: insns, Helpers: tab}
		pi := &vm.Program{Name: "each", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
		code, err := jit.Compile(pj, jit.Options{})
		if err != nil || code.Inlined != 1 {
			t.Fatalf("depth %d: inlined %d, err %v", depth, code.Inlined, err)
		}
		zero()
		want := runOn(t, interp.New(), cpus, pi, 0, 0)
		for _, opts := range []jit.Options{{}, {NoInline: true}} {
			zero()
			if got := runOn(t, jit.NewWithOptions(opts), cpus, pj, 0, 0); got != want {
				t.Errorf("depth %d, JIT %+v: %s\ninterpreter: %s", depth, opts, got, want)
			}
		}
		if failed := want[:6] == "error:"; failed != (depth == vm.MaxCallDepth) {
			t.Errorf("depth %d: %s", depth, want)
		}
	}
}
