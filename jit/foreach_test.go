package jit_test

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Callback edits of hashEachProgram.
const (
	hwDeleteOdd  = 1 << iota // delete the visited key when it is odd
	hwInsert                 // insert key+100 (value 7) when key < 100
	hwDeleteNext             // delete key+1
	hwCallSub                // fold the key in through a bpf-to-bpf call
)

// hashEachProgram walks map id (u32 keys, u64 values) with
// bpf_for_each_map_elem(map, cb, &ctx, r2) and returns
// ret<<48 | visits<<32 | uint32(sum), where the callback folds every key
// into sum as sum*31 + key + 1 (so the order of the visits counts), counts
// the visit, adds 1 to the value, makes the edits of mode and stops at
// key == stop.
func hashEachProgram(id uint32, stop int32, mode int) []isa.Instruction {
	return hashEachProgramAt(id, stop, mode, 1)
}

// hashEachProgramAt is hashEachProgram called through depth-1 frames.
func hashEachProgramAt(id uint32, stop int32, mode, depth int) []isa.Instruction {
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
		ldx32(1, 10, -16), orx(0, 1),
		exit(),
	)
	cb := prog(
		movx(6, 1), movx(7, 2), movx(8, 4),
		ldx32(9, 7, 0),
		ldx64(5, 3, 0), addk(5, 1), stx64(3, 0, 5),
		ldx64(5, 8, 0), mulk(5, 31),
	)
	if mode&hwCallSub != 0 {
		// r0 = sub(r1 = key + 1) through a bpf-to-bpf call; sub uses its
		// own stack.
		cb = prog(cb, stx64(10, -8, 5), movx(1, 9), callLocal(0), ldx64(5, 10, -8), addx(5, 0))
	} else {
		cb = prog(cb, addx(5, 9), addk(5, 1))
	}
	cb = prog(cb, stx64(8, 0, 5),
		ldx64(5, 8, 8), addk(5, 1), stx64(8, 8, 5),
	)
	if mode&hwDeleteOdd != 0 {
		cb = prog(cb,
			movx(5, 9), isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAnd | isa.SrcK, Dst: 5, Imm: 1},
			isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 5, Imm: 0, Offset: 3},
			movx(1, 6), movx(2, 7), callHelper(helpers.FnMapDeleteElem),
		)
	}
	if mode&hwInsert != 0 {
		ins := prog(
			isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJGE | isa.SrcK, Dst: 9, Imm: 100},
			movx(5, 9), addk(5, 100),
			isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeW, Dst: 10, Src: 5, Offset: -4},
			isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -16, Imm: 7},
			movx(1, 6), movx(2, 10), addk(2, -4), movx(3, 10), addk(3, -16),
			mov(4, 0), callHelper(helpers.FnMapUpdateElem),
		)
		ins[0].Offset = int16(len(ins) - 1)
		cb = prog(cb, ins)
	}
	if mode&hwDeleteNext != 0 {
		cb = prog(cb,
			movx(5, 9), addk(5, 1),
			isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeW, Dst: 10, Src: 5, Offset: -4},
			movx(1, 6), movx(2, 10), addk(2, -4), callHelper(helpers.FnMapDeleteElem),
		)
	}
	cb = prog(cb, mov(0, 0), jnek(9, stop, 1), mov(0, 1), exit())
	var sub []isa.Instruction
	if mode&hwCallSub != 0 {
		sub = prog(stx64(10, -8, 1), ldx64(0, 10, -8), addk(0, 1), exit())
		// The call is the one callLocal in cb: it targets sub, after cb.
		for i := range cb {
			if cb[i].Src == isa.CallLocal && cb[i].Opcode == isa.OpCall {
				cb[i].Imm = int32(len(cb) - i - 1)
			}
		}
	}
	insns := prog(main, cb, sub)
	isa.SetImm64(insns, 2*(depth-1)+5, vm.FuncHandle(len(main)))
	return insns
}

// hashDump lists the map's keys below 300 with their values (every CPU's
// for per-CPU maps, as u64 words).
func hashDump(t *testing.T, m maps.Map, vsize int) string {
	t.Helper()
	s := ""
	for k := uint32(0); k < 300; k++ {
		v := make([]byte, vsize)
		if err := m.Lookup(binary.LittleEndian.AppendUint32(nil, k), v); err != nil {
			continue
		}
		s += fmt.Sprintf(" %d:", k)
		for i := 0; i < vsize; i += 8 {
			s += fmt.Sprintf("%d,", binary.LittleEndian.Uint64(v[i:]))
		}
	}
	return s
}

// hashWalkCase is one run of TestInlineHashWalk.
type hashWalkCase struct {
	typ   maps.Type
	keys  []uint32 // inserted in order; key 3 is deleted after
	stop  int32
	mode  int
	flags uint64
}

// runHashWalk runs c on eng in a fresh map (so that slot order depends on
// keys alone), compiled natively unless checked, and returns the outcome
// and the map's contents.
func runHashWalk(t *testing.T, cpus *vm.CPUs, eng vm.Engine, checked bool, c hashWalkCase) string {
	t.Helper()
	m, err := maps.New(maps.Spec{Type: c.typ, KeySize: 4, ValueSize: 8, MaxEntries: 8}, maps.Options{NumCPU: 2})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	vsize := 8
	if c.typ.PerCPU() {
		vsize = 16
	}
	for _, k := range c.keys {
		v := make([]byte, vsize)
		binary.LittleEndian.PutUint64(v, uint64(10*k))
		if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), v, 0); err != nil {
			t.Fatal(err)
		}
	}
	m.Delete(binary.LittleEndian.AppendUint32(nil, 3))
	insns := hashEachProgram(id, c.stop, c.mode)
	p := &vm.Program{Name: "each", Type: "raw", Insns: insns, Helpers: helpers.Generic(), Checked: checked}
	if !checked {
		code, err := jit.Compile(p, jit.Options{})
		if err != nil || code.Inlined < 1 {
			t.Fatalf("inlined %d, err %v; want the walk", code.Inlined, err)
		}
	}
	out := runOn(t, eng, cpus, p, 0, c.flags)
	if c.typ == maps.LRUHash || c.typ == maps.LRUCPUHash {
		// Evictions now show which elements the walk marked referenced.
		for k := uint32(200); k < 206; k++ {
			if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), make([]byte, vsize), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out + hashDump(t, m, vsize)
}

// TestInlineHashWalk: bpf_for_each_map_elem over constant hash, per-CPU
// hash, LRU hash (then evictions show the referenced marks) and per-CPU
// array maps compiled as a native walk gives the interpreter's (the
// Go helper's) r0, visit order and map contents, for full walks, early
// stops, empty maps, bad flags, callbacks that delete the visited or the
// next element, insert elements, and call subprograms.
func TestInlineHashWalk(t *testing.T) {
	cpus, err := vm.NewCPUs(1) // CPU 0 in every run; the maps hold 2
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for _, typ := range []maps.Type{maps.Hash, maps.PerCPUHash, maps.LRUHash, maps.LRUCPUHash, maps.PerCPUArray} {
		full := []uint32{5, 3, 2, 9, 4, 1}
		if typ == maps.PerCPUArray {
			full = []uint32{5, 3, 2, 7, 4, 1}
		}
		for _, c := range []hashWalkCase{
			{typ, full, -1, 0, 0},
			{typ, full, 9, 0, 0},
			{typ, full, 5, 0, 0},
			{typ, nil, -1, 0, 0},
			{typ, full, -1, 0, 1},
			{typ, full, -1, hwDeleteOdd, 0},
			{typ, full, -1, hwInsert, 0},
			{typ, full, -1, hwDeleteNext, 0},
			{typ, full, 4, hwDeleteOdd | hwInsert, 0},
			{typ, full, -1, hwCallSub, 0},
			{typ, []uint32{1, 2, 3, 4, 5, 6, 7, 0}, -1, hwDeleteOdd | hwInsert, 0},
			{typ, []uint32{0, 7, 6, 5, 4, 3, 2, 1}, -1, hwDeleteNext | hwInsert, 0},
			{typ, []uint32{0, 7, 6, 5, 4, 3, 2, 1}, 2, hwInsert, 0},
		} {
			want := runHashWalk(t, cpus, interp.New(), true, c)
			for _, opts := range []jit.Options{{}, {Blind: true}, {NoInline: true}} {
				if got := runHashWalk(t, cpus, jit.NewWithOptions(opts), false, c); got != want {
					t.Errorf("%+v, JIT %+v: %s\ninterpreter: %s", c, opts, got, want)
				}
			}
			if typ == maps.Hash && c.keys != nil && c.stop == -1 && c.mode == 0 && c.flags == 0 {
				// Slots 5 _ 2 9 4 1: 5 visits in that order; sum =
				// ((((6*31+3)*31+10)*31+5)*31+2.
				if w := fmt.Sprintf("r0=%#x 1:11, 2:21, 4:41, 5:51, 9:91,", 5<<48|5<<32|5640266); want != w {
					t.Errorf("interpreter: %s, want %s", want, w)
				}
			}
			if typ == maps.Hash && c.keys != nil && c.stop == 9 && c.mode == 0 {
				if w := fmt.Sprintf("r0=%#x 1:10, 2:21, 4:40, 5:51, 9:91,", 3<<48|3<<32|5869); want != w {
					t.Errorf("interpreter: %s, want %s", want, w)
				}
			}
			if c.flags == 1 && want[:14] != "r0=0xffea00000" {
				t.Errorf("flags 1: %s, want -EINVAL", want)
			}
		}
	}
	// Big and write-only maps keep the Go walk.
	for _, spec := range []maps.Spec{
		{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: jit.HashWalkMaxEntries + 1},
		{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 8, Flags: maps.FlagWrOnly},
	} {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		code, err := jit.Compile(&vm.Program{Name: "each", Insns: hashEachProgram(id, 3, 0), Helpers: helpers.Generic()}, jit.Options{})
		if err != nil || code.Inlined != 0 {
			t.Errorf("%+v: inlined %d, err %v; want 0", spec, code.Inlined, err)
		}
	}
}

// TestInlineHashWalkDepth: a hash walk whose callback would exceed the
// call depth takes the Go route and fails as in the interpreter; one frame
// less walks natively.
func TestInlineHashWalkDepth(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for depth := vm.MaxCallDepth - 1; depth <= vm.MaxCallDepth; depth++ {
		run := func(eng vm.Engine, checked bool) string {
			m, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4}, maps.Options{})
			if err != nil {
				t.Fatal(err)
			}
			id := maps.Register(m)
			defer maps.Unregister(id)
			for _, k := range []uint32{7, 2} {
				if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), make([]byte, 8), 0); err != nil {
					t.Fatal(err)
				}
			}
			p := &vm.Program{Name: "each", Type: "raw", Insns: hashEachProgramAt(id, -1, 0, depth), Helpers: helpers.Generic(), Checked: checked}
			if !checked { // arm64 compiles only unchecked programs
				code, err := jit.Compile(p, jit.Options{})
				if err != nil {
					t.Fatalf("depth %d: %v", depth, err)
				}
				if code.Inlined != 1 {
					t.Fatalf("depth %d: inlined %d, want 1", depth, code.Inlined)
				}
			}
			return runOn(t, eng, cpus, p, 0, 0) + hashDump(t, m, 8)
		}
		want := run(interp.New(), true)
		for _, opts := range []jit.Options{{}, {NoInline: true}} {
			if got := run(jit.NewWithOptions(opts), false); got != want {
				t.Errorf("depth %d, JIT %+v: %s\ninterpreter: %s", depth, opts, got, want)
			}
		}
		if failed := want[:6] == "error:"; failed != (depth == vm.MaxCallDepth) {
			t.Errorf("depth %d: %s", depth, want)
		}
		if depth < vm.MaxCallDepth {
			// 7 then 2: sum = (7+1)*31 + 2+1 = 251.
			if w := fmt.Sprintf("r0=%#x 2:1, 7:1,", 2<<48|2<<32|251); want != w {
				t.Errorf("depth %d: %s, want %s", depth, want, w)
			}
		}
	}
}

// TestInlineHashWalkConcurrent: native walks while user space inserts and
// deletes other keys stay inside the map, return normally with 1 to
// max_entries visits, and visit the keys nobody touches.
func TestInlineHashWalkConcurrent(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	m, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	for k := uint32(0); k < 8; k++ {
		if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), make([]byte, 8), 0); err != nil {
			t.Fatal(err)
		}
	}
	p := &vm.Program{Name: "each", Type: "raw", Insns: hashEachProgram(id, -1, 0), Helpers: helpers.Generic()}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var ops atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; !stop.Load(); i++ {
			k := binary.LittleEndian.AppendUint32(nil, uint32(100+i%13))
			if i%3 == 2 {
				m.Delete(k)
			} else {
				m.Update(k, make([]byte, 8), 0)
			}
			ops.Add(1)
		}
	}()
	cpu := cpus.Acquire()
	walks := 0
	for start := time.Now(); walks < 2000 || ops.Load() < 2000 && time.Since(start) < 5*time.Second; walks++ {
		cpu.Run.Reset(p)
		r0, err := exe.Run(&cpu.Run, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if v := r0 >> 32 & 0xffff; v == 0 || v > 16 || r0>>48 != v {
			t.Fatalf("walk %d: r0 %#x: %d visits", walks, r0, v)
		}
	}
	cpus.Release(cpu)
	stop.Store(true)
	<-done
	// Every stable key was incremented once per walk that visited it:
	// at least once, at most once per walk (plus restarts: at most 16).
	for k := uint32(0); k < 8; k++ {
		v := make([]byte, 8)
		if err := m.Lookup(binary.LittleEndian.AppendUint32(nil, k), v); err != nil {
			t.Fatal(err)
		}
		if n := binary.LittleEndian.Uint64(v); n == 0 || n > uint64(16*walks) {
			t.Errorf("key %d visited %d times in %d walks", k, n, walks)
		}
	}
	t.Logf("%d walks, %d writer operations", walks, ops.Load())
}

// TestInlineHashWalkPreempt: a native walk of 3*DefaultBudget+5 per-CPU
// array elements takes preemption exits between visits and resumes where
// it was: every element visited once, in order, as in the interpreter.
func TestInlineHashWalkPreempt(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	const n = 3*jit.DefaultBudget + 5
	run := func(eng vm.Engine, checked bool) string {
		m, err := maps.New(maps.Spec{Type: maps.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: n}, maps.Options{NumCPU: 1})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		p := &vm.Program{Name: "each", Type: "raw", Insns: hashEachProgram(id, -1, 0), Helpers: helpers.Generic(), Checked: checked}
		out := runOn(t, eng, cpus, p, 0, 0)
		v := make([]byte, 8)
		for _, k := range []uint32{0, jit.DefaultBudget - 1, jit.DefaultBudget, n - 1} {
			if err := m.Lookup(binary.LittleEndian.AppendUint32(nil, k), v); err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprintf(" %d:%d", k, binary.LittleEndian.Uint64(v))
		}
		return out
	}
	want := run(interp.New(), true)
	if got := run(jit.New(), false); got != want {
		t.Errorf("JIT: %s\ninterpreter: %s", got, want)
	}
	// r0's upper half is r0<<16 | visits (ORed), the lower the sum.
	if w := fmt.Sprintf("r0=%#x", (n&0xffff)<<16|n); want[:len(w)] != w {
		t.Errorf("interpreter: %s, want %s...", want, w)
	}
}

// TestInlineHashWalkNested: a walk's callback walks another map (both
// natively, each with its key on the native stack), as in the interpreter.
func TestInlineHashWalkNested(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	run := func(eng vm.Engine, checked bool, outerType, innerType maps.Type) string {
		var ids [2]uint32
		for i, typ := range []maps.Type{outerType, innerType} {
			m, err := maps.New(maps.Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 8}, maps.Options{NumCPU: 1})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = maps.Register(m)
			defer maps.Unregister(ids[i])
			for _, k := range []uint32{6, 1, 4, uint32(3 + i)} {
				if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), make([]byte, 8), 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		st0 := func(off int16) isa.Instruction {
			return isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: off}
		}
		main := prog(
			st0(-8),
			ldImm64(1, vm.MapHandle(ids[0])), ldImm64(2, 0), movx(3, 10), addk(3, -8), mov(4, 0),
			callHelper(helpers.FnForEachMapElem),
			isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 0, Imm: 32},
			ldx64(1, 10, -8), orx(0, 1),
			exit(),
		)
		cb1 := prog(
			movx(6, 4), ldx32(7, 2, 0),
			st0(-8),
			ldImm64(1, vm.MapHandle(ids[1])), ldImm64(2, 0), movx(3, 10), addk(3, -8), mov(4, 0),
			callHelper(helpers.FnForEachMapElem),
			ldx64(1, 10, -8),
			ldx64(2, 6, 0), mulk(2, 31), addx(2, 1), addx(2, 7), addx(2, 0), stx64(6, 0, 2),
			mov(0, 0), exit(),
		)
		cb2 := prog(
			ldx64(1, 4, 0), mulk(1, 7), ldx32(2, 2, 0), addx(1, 2), addk(1, 1), stx64(4, 0, 1),
			mov(0, 0), exit(),
		)
		insns := prog(main, cb1, cb2)
		isa.SetImm64(insns, 3, vm.FuncHandle(len(main)))
		isa.SetImm64(insns, len(main)+5, vm.FuncHandle(len(main)+len(cb1)))
		p := &vm.Program{Name: "nested", Type: "raw", Insns: insns, Helpers: helpers.Generic(), Checked: checked}
		if !checked {
			code, err := jit.Compile(p, jit.Options{})
			if err != nil || code.Inlined != 2 {
				t.Fatalf("inlined %v, err %v; want both walks", code, err)
			}
		}
		return runOn(t, eng, cpus, p, 0, 0)
	}
	for _, types := range [][2]maps.Type{{maps.Hash, maps.Hash}, {maps.PerCPUHash, maps.LRUHash}, {maps.Hash, maps.PerCPUArray}} {
		want := run(interp.New(), true, types[0], types[1])
		if got := run(jit.New(), false, types[0], types[1]); got != want {
			t.Errorf("%v: JIT %s, interpreter %s", types, got, want)
		}
		// Outer keys 6 1 4 3, inner 6 1 4: the inner walk folds to 362
		// with 3 visits; the outer acc = acc*31 + 362 + key + 3.
		if types[0] == maps.Hash && types[1] == maps.Hash && want != "r0=0x400ae31ba" {
			t.Errorf("interpreter: %s, want r0=0x400ae31ba", want)
		}
	}
}

// TestInlineHashWalkDeleteAll: a callback that deletes every element of a
// full HashWalkMaxEntries map makes each native step scan for the deleted
// key and from slot 0 again; the scans take preemption exits in the middle
// of steps and resume at the step's head. Visits, their order and the
// emptied map equal the interpreter's.
func TestInlineHashWalkDeleteAll(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	const n = jit.HashWalkMaxEntries
	run := func(eng vm.Engine, checked bool, mode, runs int) string {
		m, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: n}, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		p := &vm.Program{Name: "each", Type: "raw", Insns: hashEachProgram(id, -1, mode), Helpers: helpers.Generic(), Checked: checked}
		exe, err := eng.Prepare(p)
		if err != nil {
			t.Fatal(err)
		}
		cpu := cpus.Acquire()
		defer cpus.Release(cpu)
		var out string
		var took time.Duration
		for range runs {
			for i := uint32(0); i < n; i++ {
				// Odd keys (hwDeleteOdd deletes them all), slots in a
				// different order than the keys.
				k := 2*((i*37)%n) + 1
				if err := m.Update(binary.LittleEndian.AppendUint32(nil, k), make([]byte, 8), 0); err != nil {
					t.Fatal(err)
				}
			}
			cpu.Run.Reset(p)
			start := time.Now()
			out = outcome(exe.Run(&cpu.Run, 0, 0))
			took += time.Since(start)
		}
		t.Logf("%s, mode %d: %v per walk", eng.Name(), mode, took/time.Duration(runs))
		left := 0
		var key []byte
		next := make([]byte, 4)
		for m.NextKey(key, next) == nil {
			left++
			key = append(key[:0], next...)
		}
		return fmt.Sprintf("%s, %d left", out, left)
	}
	for _, mode := range []int{hwDeleteOdd, 0} {
		want := run(interp.New(), true, mode, 1)
		if got := run(jit.New(), false, mode, 20); got != want {
			t.Errorf("mode %d: JIT: %s\ninterpreter: %s", mode, got, want)
		}
		if testing.Verbose() {
			run(jit.NewWithOptions(jit.Options{NoInline: true}), false, mode, 20) // the Go walk's time
		}
		// n visits (r0 = n<<48 | n<<32 | sum); emptied by the deletes.
		w := fmt.Sprintf("r0=%#x", (n<<16|n)&0xffff_ffff)
		left := fmt.Sprintf(", %d left", n)
		if mode == hwDeleteOdd {
			left = ", 0 left"
		}
		if want[:len(w)] != w || want[len(want)-len(left):] != left {
			t.Errorf("mode %d: interpreter: %s, want %s...%s", mode, want, w, left)
		}
	}
}
