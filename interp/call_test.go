package interp

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

func TestLocalCalls(t *testing.T) {
	e := newEnv(t)
	for _, c := range []progCase{
		// The callee clobbers r6-r9 and returns r1+r2; the caller sees its
		// own r6-r9 again.
		{"preserves r6-r9", prog(
			mov64(r6, 6), mov64(r7, 7), mov64(r8, 8), mov64(r9, 9), mov64(r1, 100), mov64(r2, 20),
			callLocal(6),
			alu64X(isa.ALUAdd, r0, r6), alu64X(isa.ALUAdd, r0, r7), alu64X(isa.ALUAdd, r0, r8), alu64X(isa.ALUAdd, r0, r9),
			exit(),
			// callee at 12
			mov64(r6, 1000), mov64(r7, 1000), mov64(r8, 1000), mov64(r9, 1000),
			movReg(r0, r1), alu64X(isa.ALUAdd, r0, r2), exit()), 150},
		// The callee's frame is StackSize below the caller's: its r10 differs
		// by 512 and its stack slots do not overlap the caller's.
		{"new frame", prog(
			st(isa.SizeDW, r10, -8, 5), movReg(r6, r10), callLocal(4),
			alu64X(isa.ALUSub, r6, r0), ldx(isa.SizeDW, r0, r10, -8), alu64X(isa.ALUAdd, r0, r6), exit(),
			st(isa.SizeDW, r10, -8, 99), movReg(r0, r10), exit()), 5 + vm.StackSize},
		// Nested calls three deep, each adding its own constant.
		{"nested", prog(
			mov64(r0, 0), callLocal(1), exit(),
			alu64K(isa.ALUAdd, r0, 1), callLocal(1), exit(),
			alu64K(isa.ALUAdd, r0, 10), callLocal(1), exit(),
			alu64K(isa.ALUAdd, r0, 100), exit()), 111},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
}

// chain returns a program of depth frames: each calls the next, the last
// returns 7.
func chain(depth int) []isa.Instruction {
	var out []isa.Instruction
	for i := 1; i < depth; i++ {
		out = append(out, callLocal(1), exit())
	}
	return append(out, mov64(r0, 7), exit())
}

func TestCallDepth(t *testing.T) {
	e := newEnv(t)
	e.mustRun("max depth", chain(vm.MaxCallDepth), 7)
	_, err := e.run(chain(vm.MaxCallDepth + 1))
	wantAbort(t, "one frame too many", err, "instruction 14: call exceeds the maximum call depth of 8 frames")
	// Unbounded recursion is caught in unchecked mode too.
	_, err = e.run(prog(callLocal(-1), exit()), unchecked)
	wantAbort(t, "recursion", err, "maximum call depth")
	// Deepest frame may use its whole stack; its bottom is the stack's.
	deep := chain(vm.MaxCallDepth)
	deep[len(deep)-2] = st(isa.SizeDW, r10, -vm.StackSize, 7)
	deep = append(deep[:len(deep)-1], ldx(isa.SizeDW, r0, r10, -vm.StackSize), exit())
	e.mustRun("deepest frame stack", deep, 7)
}

// helpers is a fake helper table:
//
//	1: returns r1+r2+r3+r4+r5
//	2: aborts the run
//	3: tail call to tailTarget (as bpf_tail_call does, at most MaxTailCalls)
//	4: calls subprogram r1 (a func handle) r2 times through ctx.Call, like
//	   bpf_loop, passing the index in r1; returns the sum of results
//	5: tail call to tailTarget without counting (a buggy helper)
func helpers(tailTarget **vm.Program) *vm.HelperTable {
	var h vm.HelperTable
	h[1] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return r1 + r2 + r3 + r4 + r5 }
	h[2] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		ctx.Abort("helper gave up on %d", r1)
		return 0
	}
	h[3] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		if ctx.TailCalls >= vm.MaxTailCalls {
			return neg(-2)
		}
		ctx.TailCalls++
		ctx.TailCall = *tailTarget
		return 0
	}
	h[4] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		pc, ok := vm.FuncFromHandle(r1)
		if !ok {
			ctx.Abort("not a function")
			return 0
		}
		var sum uint64
		for i := uint64(0); i < r2; i++ {
			v, err := ctx.Call(pc, i, 0, 0, 0, 0)
			if err != nil {
				return neg(-1)
			}
			sum += v
		}
		return sum
	}
	h[5] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		ctx.TailCall = *tailTarget
		return 0
	}
	return &h
}

func TestHelperCalls(t *testing.T) {
	e := newEnv(t)
	var target *vm.Program
	h := withHelpers(helpers(&target))
	run := func(name string, insns []isa.Instruction, want uint64) {
		t.Helper()
		got, err := e.run(insns, h)
		if err != nil || got != want {
			t.Errorf("%s: got %#x, %v; want %#x", name, got, err, want)
		}
	}
	run("helper args", prog(mov64(r1, 1), mov64(r2, 2), mov64(r3, 3), mov64(r4, 4), mov64(r5, 5), mov64(r6, 60), call(1),
		alu64X(isa.ALUAdd, r0, r6), exit()), 75)
	run("callx", prog(mov64(r1, 1), mov64(r2, 2), mov64(r3, 3), mov64(r4, 4), mov64(r5, 5), mov64(r8, 1),
		isa.Instruction{Opcode: isa.OpCallX, Dst: r8}, exit()), 15)

	_, err := e.run(prog(mov64(r1, 33), call(2), mov64(r0, 1), exit()), h)
	wantAbort(t, "abort", err, "helper gave up on 33")
	_, err = e.run(prog(mov64(r8, 9), isa.Instruction{Opcode: isa.OpCallX, Dst: r8}, exit()), h)
	wantAbort(t, "callx unknown", err, "instruction 1: call to unknown helper 9")
	_, err = e.run(prog(ldImm64(r8, 1<<40), isa.Instruction{Opcode: isa.OpCallX, Dst: r8}, exit()), h)
	wantAbort(t, "callx huge", err, "unknown helper")
	if _, err := e.run(prog(call(9), exit()), h); err == nil {
		t.Errorf("call to unknown helper prepared")
	}

	// bpf_loop-like callback: sum of (i*i) for i < 5, computed by the
	// subprogram at 9 called through ctx.Call; r6 survives.
	run("ctx.Call", prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(9)), mov64(r2, 5), mov64(r6, 1000), call(4),
		alu64X(isa.ALUAdd, r0, r6), exit(),
		mov64(r0, -1), exit(), // 7, 8: not the callback
		movReg(r0, r1), alu64X(isa.ALUMul, r0, r1), exit()), 1030)
	// The callback runs in its own frame: its r10 is StackSize below.
	run("ctx.Call frame", prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(8)), mov64(r2, 1), movReg(r6, r10), call(4),
		alu64X(isa.ALUSub, r6, r0), movReg(r0, r6), exit(),
		movReg(r0, r10), st(isa.SizeDW, r10, -8, 1), exit()), vm.StackSize)
	// A callback that faults aborts the whole run even though the helper
	// swallows the error.
	_, err = e.run(prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(6)), mov64(r2, 3), call(4), mov64(r0, 0), exit(),
		mov64(r1, 0), ldx(isa.SizeB, r0, r1, 0), exit()), h)
	wantAbort(t, "faulting callback", err, "instruction 7: out-of-bounds load")
	// Callbacks nest within the call depth: a callback calling itself
	// through the helper runs out of frames.
	_, err = e.run(prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(5)), mov64(r2, 1), call(4), exit(),
		ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(5)), mov64(r2, 1), call(4), exit()), h)
	wantAbort(t, "recursive callback", err, "call depth")
	// Bad callback targets.
	_, err = e.run(prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(100)), mov64(r2, 1), call(4), exit()), h)
	wantAbort(t, "callback out of range", err, "callback to instruction 100")
	_, err = e.run(prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(1)), mov64(r2, 1), call(4), exit()), h)
	wantAbort(t, "callback into ld_imm64", err, "callback to instruction 1")
	// Infinite loop in a callback consumes the run's budget.
	setBudget(t, 1<<12)
	_, err = e.run(prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(5)), mov64(r2, 1), call(4), exit(),
		ja(-1)), h)
	wantAbort(t, "callback budget", err, "budget")
}

func TestTailCalls(t *testing.T) {
	e := newEnv(t)
	var target *vm.Program
	tbl := helpers(&target)
	// The target returns 42 plus its r1 (the context, kept) minus the
	// caller's context (r6) plus its r10 minus the caller's entry r10 (r7):
	// 42 when r1 is kept and r10 is the stack top again.
	target = &vm.Program{Name: "target", Insns: prog(
		movReg(r0, r1), alu64X(isa.ALUSub, r0, r6), alu64K(isa.ALUAdd, r0, 42),
		alu64X(isa.ALUAdd, r0, r10), alu64X(isa.ALUSub, r0, r7),
		st(isa.SizeDW, r10, -8, 1), exit()), Helpers: tbl, Checked: true}
	got, err := e.run(prog(movReg(r6, r1), movReg(r7, r10), call(3), mov64(r0, 99), exit()), withHelpers(tbl))
	if err != nil || got != 42 {
		t.Errorf("tail call: got %d, %v; want 42", got, err)
	}
	// From inside a bpf-to-bpf callee: the target replaces the whole chain
	// and runs in the entry frame.
	got, err = e.run(prog(movReg(r6, r1), movReg(r7, r10), callLocal(2), mov64(r0, 99), exit(),
		call(3), mov64(r0, 98), exit()), withHelpers(tbl))
	if err != nil || got != 42 {
		t.Errorf("tail call from callee: got %d, %v; want 42", got, err)
	}
	// A program tail-calling itself: the helper refuses the 34th call and
	// the program then returns the helper's error.
	self := &vm.Program{Name: "self", Insns: prog(alu64K(isa.ALUAdd, r7, 1), call(3), movReg(r0, r7), exit()), Helpers: tbl, Checked: true}
	target = self
	exe, err := New().Prepare(self)
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.exec(exe, self)
	if err != nil || got != vm.MaxTailCalls+1 {
		t.Errorf("tail call limit: got %d, %v; want %d runs", got, err, vm.MaxTailCalls+1)
	}
	// A helper that does not count is stopped by the engine.
	self.Insns[1] = call(5)
	looping := &vm.Program{Name: "loop", Insns: self.Insns, Helpers: tbl, Checked: false}
	target = looping
	_, err = e.run(looping.Insns, withHelpers(tbl), unchecked)
	wantAbort(t, "endless tail calls", err, "more than 33 tail calls")
	// A tail call target that does not prepare is an error.
	target = &vm.Program{Name: "broken", Insns: prog(ja(5))}
	_, err = e.run(prog(call(3), exit()), withHelpers(tbl))
	wantAbort(t, "broken target", err, `tail call to program "broken"`)
}
