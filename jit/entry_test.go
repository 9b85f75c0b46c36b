package jit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

func orx(dst, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUOr | isa.SrcX, Dst: dst, Src: src}
}

// dirty sets r0 and r3-r9 to non-zero values and leaves through a helper
// exit, so that the Frame (and the machine registers) hold them when the
// next run starts.
var dirty = prog(
	mov(0, 0x10), mov(3, 0x20), mov(4, 0x40), mov(5, 0x80),
	mov(6, 0x100), mov(7, 0x200), mov(8, 0x400), mov(9, 0x800),
	callHelper(7), exit(),
)

// readAll returns r0|r3|...|r9 as found at entry, plus r1 and r2.
var readAll = prog(
	orx(0, 3), orx(0, 4), orx(0, 5), orx(0, 6), orx(0, 7), orx(0, 8), orx(0, 9),
	isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 0, Imm: 16},
	addx(0, 1), addx(0, 2), exit(),
)

// TestRunEntryZeroesRegisters: a new run starts with r0 and r3-r9 zero
// and r1, r2 as given, whatever the previous run on the CPU left, as in
// the interpreter (the run entry zeroes them instead of loading them).
func TestRunEntryZeroesRegisters(t *testing.T) {
	var tab vm.HelperTable
	tab[7] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return 0 }
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	for _, eng := range []struct {
		name string
		e    vm.Engine
		chk  bool
	}{{"interpreter", interp.New(), true}, {"jit", jit.New(), false}, {"jit-blind", jit.NewWithOptions(jit.Options{Blind: true}), false}} {
		pd := &vm.Program{Name: "dirty", Type: "raw", Insns: dirty, Helpers: &tab, Checked: eng.chk}
		pr := &vm.Program{Name: "read", Type: "raw", Insns: readAll, Helpers: &tab, Checked: eng.chk}
		for i := 0; i < 3; i++ {
			runOn(t, eng.e, cpus, pd, 1, 2)
			if got := runOn(t, eng.e, cpus, pr, 0x1000, 0x20000); got != "r0=0x21000" {
				t.Fatalf("%s: run %d after a dirty run: %s, want r0=0x21000", eng.name, i, got)
			}
		}
	}
}

// TestCallEntryZeroesRegisters: a bpf_loop callback starts with r0 and
// r6-r9 zero, r1-r5 as the helper passes them (i, ctx, 0, 0, 0), while
// the caller's r6-r9 are non-zero and survive the callbacks.
func TestCallEntryZeroesRegisters(t *testing.T) {
	// main: r6..r9 = 1..4; r1 = 3; r2 = &cb; r3 = r10-8; *(r10-8) = 0;
	//       r4 = 0; bpf_loop; r0 = *(r10-8) * 10 + r6 + r7 + r8 + r9
	// cb:   r0 |= r3..r9; *(u64*)r2 += r0 << 8 + r1 + 1; r0 = 0
	main := prog(
		mov(6, 1), mov(7, 2), mov(8, 3), mov(9, 4),
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -8},
		mov(1, 3), ldImm64(2, 0), movx(3, 10), addk(3, -8), mov(4, 0),
		callHelper(helpers.FnLoop),
		ldx64(0, 10, -8), mulk(0, 10), addx(0, 6), addx(0, 7), addx(0, 8), addx(0, 9), exit(),
	)
	cb := prog(
		orx(0, 3), orx(0, 4), orx(0, 5), orx(0, 6), orx(0, 7), orx(0, 8), orx(0, 9),
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALULsh | isa.SrcK, Dst: 0, Imm: 8},
		addx(0, 1), addk(0, 1),
		ldx64(4, 2, 0), addx(4, 0), stx64(2, 0, 4), mov(0, 0), exit(),
	)
	insns := prog(main, cb)
	isa.SetImm64(insns, 6, vm.FuncHandle(len(main)))
	// callbacks add 1, 2, 3: 6 * 10 + 1 + 2 + 3 + 4
	if got := both(t, insns, helpers.Generic(), 0, 0); got != fmt.Sprintf("r0=%#x", 70) {
		t.Fatalf("got %s, want r0=%#x", got, 70)
	}
}

// TestRepeat: Executable.Repeat is n runs with ctx.Rerun between them: the
// helper sees every run, the context's per-run state is cleared, the last
// r0 is returned, and the first failed run ends the loop with its error
// and the number of runs made.
func TestRepeat(t *testing.T) {
	var calls int
	var sawRedirect bool
	var tab vm.HelperTable
	tab[7] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		calls++
		sawRedirect = sawRedirect || ctx.Redirect.Set
		ctx.Redirect = vm.Redirect{Set: true, IfIndex: uint32(calls)}
		if calls == 5 {
			ctx.Abort("fifth call")
		}
		return uint64(calls)
	}
	insns := prog(callHelper(7), addx(0, 1), exit())
	p := &vm.Program{Name: "rep", Type: "raw", Insns: insns, Helpers: &tab}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	rp, ok := exe.(vm.Repeater)
	if !ok {
		t.Fatal("the JIT's executable is not a vm.Repeater")
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	ctx := &cpu.Run
	ctx.Reset(p)
	ret, runs, err := rp.Repeat(ctx, 100, 0, 3)
	if ret != 103 || runs != 3 || err != nil || calls != 3 || sawRedirect {
		t.Fatalf("3 runs: r0 %d, runs %d, err %v, helper calls %d, stale redirect seen %v", ret, runs, err, calls, sawRedirect)
	}
	ctx.Reset(p)
	_, runs, err = rp.Repeat(ctx, 100, 0, 10)
	if runs != 2 || err == nil || !strings.Contains(err.Error(), "fifth call") || calls != 5 {
		t.Fatalf("10 runs, the 2nd fails: runs %d, err %v, helper calls %d", runs, err, calls)
	}
}

// BenchmarkHelperExit measures the round trip of a helper exit with a
// helper that does nothing: 100 exits per run, reported per exit.
func BenchmarkHelperExit(b *testing.B) {
	var tab vm.HelperTable
	tab[7] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return r1 }
	insns := prog(
		mov(6, 100),
		callHelper(7),
		addk(6, -1),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 6, Offset: -3},
		exit(),
	)
	benchRun(b, insns, &tab, 100, "exit")
}

// TestExitsEverywhere: helper exits from the entry function, from a
// bpf-to-bpf callee, from a callback and from a callee of the callback,
// and back-edges in all of them, interleaved: every exit leaves through
// the entry function's (or callback's) return slot and every resume
// re-plants it (see jit/amd64's prologue), so each must land where the
// interpreter says.
func TestExitsEverywhere(t *testing.T) {
	var tab vm.HelperTable
	for k, v := range helpers.Generic() {
		tab[k] = v
	}
	// helper 7: r0 = r1*3 + r2
	tab[7] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return r1*3 + r2 }
	jne := func(dst uint8, k int32, off int16) isa.Instruction {
		return isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: dst, Imm: k, Offset: off}
	}
	// main: r6 = 0; r7 = 3; loop { r1 = r7; r2 = r6; call 7; r6 = r0; r7-- };
	//       call sub; r6 += r0; r1 = 4; r2 = &cb; r3 = r10-8; *(r10-8) = 0; r4 = 0;
	//       bpf_loop; r0 = *(r10-8) + r6 * 1000; exit
	main := prog(
		mov(6, 0), mov(7, 3),
		movx(1, 7), movx(2, 6), callHelper(7), movx(6, 0), addk(7, -1), jne(7, 0, -6),
		callLocal(0), // patched below
		addx(6, 0),
		mov(1, 4), ldImm64(2, 0), movx(3, 10), addk(3, -8),
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -8},
		mov(4, 0), callHelper(helpers.FnLoop),
		ldx64(0, 10, -8), movx(1, 6), mulk(1, 1000), addx(0, 1), exit(),
	)
	// sub: r1 = 5; r2 = 6; call 7 (r0 = 21); r6 = r0; r1 = r6; r2 = 1; call 7; exit   (r0 = 64)
	sub := prog(mov(1, 5), mov(2, 6), callHelper(7), movx(6, 0), movx(1, 6), mov(2, 1), callHelper(7), exit())
	// cb(i, ctx): r6 = r2; r1 = i; call leaf; r2 = r0; r1 = i; call 7; *(u64*)r6 += r0; r0 = 0; exit
	cb := prog(movx(6, 2), movx(7, 1), callLocal(0), movx(2, 0), movx(1, 7), callHelper(7),
		ldx64(3, 6, 0), addx(3, 0), stx64(6, 0, 3), mov(0, 0), exit())
	// leaf(i): r1 = i; r2 = 2; call 7; loop r1 = 3 times { r0 += 1 }; exit   (r0 = 3i + 2 + 3)
	leaf := prog(mov(2, 2), callHelper(7), mov(1, 3), addk(0, 1), addk(1, -1), jne(1, 0, -3), exit())
	insns := prog(main, sub, cb, leaf)
	subPC, cbPC, leafPC := len(main), len(main)+len(sub), len(main)+len(sub)+len(cb)
	insns[8].Imm = int32(subPC - 9)
	insns[cbPC+2].Imm = int32(leafPC - (cbPC + 3))
	isa.SetImm64(insns, 11, vm.FuncHandle(cbPC))
	// main loop: r6 = 9, 3*2+9 = 15, 3*1+15 = 18; sub: 64; r6 = 82.
	// cb(i): leaf = 3i+5, r0 = 3i + 3i + 5 = 6i + 5; sum over 0..3 = 36 + 20 = 56.
	want := fmt.Sprintf("r0=%#x", 56+82*1000)
	for i := 0; i < 3; i++ {
		if got := both(t, insns, &tab, 0, 0); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
}
