package jit_test

import (
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

func jeqk(dst uint8, k int32, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: dst, Imm: k, Offset: off}
}

// loopCallback counts its calls in the u64 at r2 and returns 1 (stop) at
// i == stop.
func loopCallback(stop int32) []isa.Instruction {
	return prog(
		ldx64(3, 2, 0), addk(3, 1), stx64(2, 0, 3),
		mov(0, 0),
		jeqk(1, stop, 1),
		exit(),
		mov(0, 1),
		exit(),
	)
}

// loopMain is: counter = 0; r0 = bpf_loop(r1, cb, &counter, r2);
// return r0*1000000 + counter, with the callback at len(loopMain).
func loopMain(depth int) []isa.Instruction {
	body := prog(
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -8},
		movx(4, 2),
		ldImm64(2, 0), // patched: the callback's handle
		movx(3, 10), addk(3, -8),
		callHelper(helpers.FnLoop),
		ldx64(1, 10, -8), mulk(0, 1000000), addx(0, 1),
		exit(),
	)
	// depth-1 frames of "call next; exit" in front of the body.
	var out []isa.Instruction
	for range depth - 1 {
		out = append(out, callLocal(1), exit())
	}
	return append(out, body...)
}

// loopProgram assembles main (with depth frames) and the callback.
func loopProgram(depth int, stop int32) []isa.Instruction {
	main := loopMain(depth)
	insns := prog(main, loopCallback(stop))
	ld := 2*(depth-1) + 2
	isa.SetImm64(insns, ld, vm.FuncHandle(len(main)))
	return insns
}

// TestInlineLoop: bpf_loop compiled as a native loop gives the Go helper's
// results for counts of 0, 1, early stops, the u32 truncation of nr_loops,
// the 1<<23 limit, bad flags, and a count that needs preemption exits in
// the middle of the loop.
func TestInlineLoop(t *testing.T) {
	insns := loopProgram(1, 7)
	code, err := jit.Compile(&vm.Program{Name: "loop", Insns: insns, Helpers: helpers.Generic()}, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code.Inlined != 1 {
		t.Fatalf("%d calls inlined, want 1 (bpf_loop)", code.Inlined)
	}
	e2big, einval := -7*1000000, -22*1000000
	for _, c := range []struct {
		n, flags uint64
		want     string
	}{
		{0, 0, "r0=0x0"},
		{1, 0, fmt.Sprintf("r0=%#x", 1*1000000+1)},
		{5, 0, fmt.Sprintf("r0=%#x", 5*1000000+5)},
		{8, 0, fmt.Sprintf("r0=%#x", 8*1000000+8)},   // stops at i == 7
		{100, 0, fmt.Sprintf("r0=%#x", 8*1000000+8)}, // stops at i == 7
		{1<<32 | 3, 0, fmt.Sprintf("r0=%#x", 3*1000000+3)},
		{1<<23 + 1, 0, fmt.Sprintf("r0=%#x", uint64(int64(e2big)))},
		{1 << 33, 0, "r0=0x0"},
		{5, 1, fmt.Sprintf("r0=%#x", uint64(int64(einval)))},
		{1<<23 + 1, 1 << 40, fmt.Sprintf("r0=%#x", uint64(int64(einval)))},
	} {
		if got := both(t, insns, helpers.Generic(), c.n, c.flags); got != c.want {
			t.Errorf("nr_loops %#x flags %#x: %s, want %s", c.n, c.flags, got, c.want)
		}
	}
	// Without a stop: 200000 iterations take several preemption exits
	// (DefaultBudget back-edges each) in the middle of the loop.
	long := loopProgram(1, -1)
	if got, want := both(t, long, helpers.Generic(), 200000, 0), fmt.Sprintf("r0=%#x", 200000*1000000+200000); got != want {
		t.Errorf("long loop: %s, want %s", got, want)
	}
}

// TestInlineLoopDepth: a bpf_loop whose callback would exceed the call
// depth takes the Go route and fails with the Go helper's error, as in
// the interpreter; one frame less runs natively.
func TestInlineLoopDepth(t *testing.T) {
	for depth := vm.MaxCallDepth - 2; depth <= vm.MaxCallDepth; depth++ {
		got := both(t, loopProgram(depth, 7), helpers.Generic(), 3, 0)
		ok := got == fmt.Sprintf("r0=%#x", 3*1000000+3)
		if depth < vm.MaxCallDepth && !ok || depth == vm.MaxCallDepth && ok {
			t.Errorf("depth %d: %s", depth, got)
		}
	}
}

// TestInlineLoopNotInlined: bpf_loop stays on the Go route when the
// callback is not a constant of the block, when the program has tail calls
// or callx, or when the helper is not bpfhost's.
func TestInlineLoopNotInlined(t *testing.T) {
	count := func(insns []isa.Instruction, tab *vm.HelperTable) int {
		code, err := jit.Compile(&vm.Program{Name: "loop", Insns: insns, Helpers: tab}, jit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return code.Inlined
	}
	base := loopProgram(1, 7)
	if n := count(base, helpers.Generic()); n != 1 {
		t.Fatalf("base program: %d inlined", n)
	}
	// r2 rewritten between the ld_imm64 and the call.
	moved := prog(base[:4], movx(2, 2), base[4:])
	isa.SetImm64(moved, 2, vm.FuncHandle(len(loopMain(1))+1))
	if n := count(moved, helpers.Generic()); n != 0 {
		t.Errorf("r2 written after the ld_imm64: %d inlined", n)
	}
	tail := prog(base[:len(loopMain(1))-1], callHelper(helpers.FnTailCall), exit(), loopCallback(7))
	isa.SetImm64(tail, 2, vm.FuncHandle(len(loopMain(1))+1))
	if n := count(tail, helpers.Generic()); n != 0 {
		t.Errorf("program with a tail call: %d inlined", n)
	}
	tab := helpers.Generic()
	inner := tab[helpers.FnLoop]
	tab[helpers.FnLoop] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return inner(ctx, r1, r2, r3, r4, r5) }
	if n := count(base, tab); n != 0 {
		t.Errorf("wrapped bpf_loop: %d inlined", n)
	}
	// The Go route gives the same results as the inline loop.
	if got, want := both(t, moved, helpers.Generic(), 9, 0), fmt.Sprintf("r0=%#x", 8*1000000+8); got != want {
		t.Errorf("Go route: %s, want %s", got, want)
	}
}

// TestInlineLoopNested: a callback that runs bpf_loop itself (inline
// inside inline) and calls a Go helper (an exit from inside the loop).
func TestInlineLoopNested(t *testing.T) {
	tab := helpers.Generic()
	var calls int
	tab[helpers.FnGetCurrentPidTgid] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
		calls++
		return 1
	}
	main := loopMain(1)
	// outer callback: r6 = r2; call helper (adds its 1 to the counter);
	// bpf_loop(3, inner, r2, 0); counter += 100; return 0
	outer := prog(
		movx(6, 2),
		callHelper(helpers.FnGetCurrentPidTgid),
		ldx64(3, 6, 0), addx(3, 0), stx64(6, 0, 3),
		mov(1, 3), ldImm64(2, 0), movx(3, 6), mov(4, 0),
		callHelper(helpers.FnLoop),
		ldx64(3, 6, 0), addk(3, 100), stx64(6, 0, 3),
		mov(0, 0), exit(),
	)
	insns := prog(main, outer, loopCallback(-1))
	isa.SetImm64(insns, 2, vm.FuncHandle(len(main)))
	isa.SetImm64(insns, len(main)+6, vm.FuncHandle(len(main)+len(outer)))
	code, err := jit.Compile(&vm.Program{Name: "loop", Insns: insns, Helpers: tab}, jit.Options{})
	if err != nil || code.Inlined != 2 {
		t.Fatalf("inlined %d, err %v; want 2", code.Inlined, err)
	}
	// 4 outer iterations of 1 + 3 + 100.
	if got, want := both(t, insns, tab, 4, 0), fmt.Sprintf("r0=%#x", 4*1000000+4*104); got != want {
		t.Errorf("%s, want %s", got, want)
	}
	if calls == 0 {
		t.Error("the helper inside the callback never ran")
	}
}
