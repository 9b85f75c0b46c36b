package arm64_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/vm"
)

// Test helpers: 1 mixes its arguments, 2 aborts the run, 3 calls the
// subprogram whose handle is in r1 with r2 as argument (like bpf_loop's
// callback), 4 asks for a tail call to tailTarget.
var (
	testHelpers vm.HelperTable
	tailTarget  *vm.Program
)

func init() {
	testHelpers[1] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		return r1*3 + r2*5 + r3*7 + r4*11 + r5*13
	}
	testHelpers[2] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		ctx.Abort("helper 2 aborts with %d", r1)
		return 0
	}
	testHelpers[3] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		pc, ok := vm.FuncFromHandle(r1)
		if !ok {
			ctx.Abort("bad handle %#x", r1)
			return 0
		}
		sum := uint64(0)
		for i := uint64(0); i < 3; i++ {
			ret, err := ctx.Call(pc, r2+i, i, 0, 0, 0)
			if err != nil {
				ctx.AbortWith(err)
				return 0
			}
			sum = sum*100 + ret
		}
		return sum
	}
	testHelpers[4] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		ctx.TailCall = tailTarget
		return 0
	}
}

// runProg runs a program with the test helpers on eng, r1 and r2 given.
func runProg(t *testing.T, eng vm.Engine, p *vm.Program, r1, r2 uint64) (uint64, error) {
	t.Helper()
	exe, err := eng.Prepare(p)
	if err != nil {
		t.Fatalf("%s: prepare: %v", eng.Name(), err)
	}
	cpus := testCPUs(t)
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	ctx := &cpu.Run
	ctx.Reset(p)
	return exe.Run(ctx, r1, r2)
}

func assembleTB(src string) ([]isa.Instruction, error) { return conformance.Assemble(src) }

func assemble(t *testing.T, src string) []isa.Instruction {
	t.Helper()
	insns, err := conformance.Assemble(src)
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	return insns
}

// compareCalls runs src on the interpreter and the JIT and compares r0 and
// the error text.
func compareCalls(t *testing.T, src string, r1, r2 uint64) (uint64, error) {
	t.Helper()
	insns := assemble(t, src)
	mk := func() *vm.Program {
		return &vm.Program{Name: "calls", Type: "raw", Insns: insns, Helpers: &testHelpers}
	}
	want, werr := runProg(t, interp.New(), mk(), r1, r2)
	got, gerr := runProg(t, jit.New(), mk(), r1, r2)
	if got != want || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		t.Errorf("jit r0=%#x err=%v; interpreter r0=%#x err=%v", got, gerr, want, werr)
	}
	return got, gerr
}

func TestHelperCall(t *testing.T) {
	needNative(t)
	got, err := compareCalls(t, `
		mov %r6, 1000
		mov %r3, 3
		mov %r4, 4
		mov %r5, 5
		call 1
		add %r0, %r6
		add %r0, %r1
		add %r0, %r2
		exit`, 10, 20)
	if err != nil || got != 10*3+20*5+3*7+4*11+5*13+1000+10+20 {
		t.Errorf("r0 = %d, err %v", got, err)
	}
}

func TestHelperAbortAndCallx(t *testing.T) {
	needNative(t)
	_, err := compareCalls(t, "mov %r1, 7\ncall 2\nmov %r0, 1\nexit", 0, 0)
	if err == nil {
		t.Error("abort did not stop the run")
	}
	got, err := compareCalls(t, "mov %r9, 1\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall %r9\nexit", 1, 1)
	if err != nil || got != 8 {
		t.Errorf("callx: r0 = %d, err %v", got, err)
	}
	if _, err := compareCalls(t, "mov %r9, 77\ncall %r9\nexit", 1, 1); err == nil {
		t.Error("callx of an unknown helper ran")
	}
}

// TestLocalCalls checks bpf-to-bpf calls: callee-saved registers, the moved
// frame pointer (stack slots of both frames stay intact), a helper call
// inside a callee and the depth limit.
func TestLocalCalls(t *testing.T) {
	needNative(t)
	got, err := compareCalls(t, `
		mov %r6, 6
		mov %r7, 7
		stxdw [%r10-8], %r6
		mov %r1, 5
		call local f
		ldxdw %r2, [%r10-8]
		add %r0, %r2
		add %r0, %r6
		add %r0, %r7
		exit
	f:
		mov %r6, 100
		mov %r7, 200
		stxdw [%r10-8], %r7
		mov %r2, 1
		mov %r3, 0
		mov %r4, 0
		mov %r5, 0
		call 1
		ldxdw %r1, [%r10-8]
		add %r0, %r1
		exit`, 0, 0)
	if want := uint64(5*3 + 5 + 200 + 6 + 6 + 7); err != nil || got != want {
		t.Errorf("r0 = %d, err %v; want %d", got, err, want)
	}
	// Unbounded recursion hits the depth limit with the interpreter's error.
	_, err = compareCalls(t, "f:\nadd %r1, 1\ncall local f\nexit", 0, 0)
	if err == nil {
		t.Error("unbounded recursion did not fault")
	}
	// Seven nested frames are allowed, eight are not.
	for _, depth := range []uint64{7, 8} {
		_, err := compareCalls(t, `
			mov %r0, 0
			call local f
			exit
		f:
			add %r1, -1
			jeq %r1, 0, out
			call local f
		out:
			add %r0, 1
			exit`, depth, 0)
		if (err == nil) != (depth == 7) {
			t.Errorf("depth %d: err %v", depth, err)
		}
	}
}

// TestCallback checks ctx.Call from a helper into a subprogram, nested
// inside a local call, with a helper call inside the callback.
func TestCallback(t *testing.T) {
	needNative(t)
	src := `
		mov %r6, 9
		call local g
		add %r0, %r6
		exit
	g:
		lddw %r1, 0
		mov %r2, 4
		call 3
		exit
	cb:
		mov %r6, %r1
		mov %r2, 0
		mov %r3, 0
		mov %r4, 0
		mov %r5, 0
		call 1
		stxdw [%r10-8], %r0
		ldxdw %r0, [%r10-8]
		sub %r0, %r6
		exit`
	insns := assemble(t, src)
	// Point the lddw at cb as a function handle, as loader.Finalize does.
	for i, ins := range insns {
		if ins.IsLdImm64() {
			isa.SetImm64(insns, i, vm.FuncHandle(len(insns)-10))
		}
	}
	mk := func() *vm.Program { return &vm.Program{Name: "cb", Type: "raw", Insns: insns, Helpers: &testHelpers} }
	want, werr := runProg(t, interp.New(), mk(), 0, 0)
	got, gerr := runProg(t, jit.New(), mk(), 0, 0)
	if got != want || gerr != nil || werr != nil {
		t.Errorf("jit r0=%d err=%v; interpreter r0=%d err=%v", got, gerr, want, werr)
	}
	// cb(x) = 3x - x = 2x for x = 4, 5, 6 → 8, 10, 12 → 81012, plus r6 = 9.
	if got != 81012+9 {
		t.Errorf("r0 = %d, want %d", got, 81012+9)
	}
}

func TestTailCall(t *testing.T) {
	needNative(t)
	tailTarget = &vm.Program{Name: "target", Type: "raw", Helpers: &testHelpers,
		Insns: assemble(t, "mov %r0, %r1\nadd %r0, 1000\nldxdw %r2, [%r10-8]\nexit")}
	got, err := compareCalls(t, `
		mov %r6, 1
		stdw [%r10-8], 0
		call local f
		mov %r0, 5
		exit
	f:
		stdw [%r10-8], 77
		call 4
		mov %r0, 6
		exit`, 42, 0)
	if err != nil || got != 1042 {
		t.Errorf("r0 = %d, err %v; want 1042", got, err)
	}
}

// TestPreemption runs a loop of 3M back-edges: the code exits with
// ExitPreempt several times and must resume exactly where it left off.
func TestPreemption(t *testing.T) {
	needNative(t)
	got, err := compareCalls(t, `
		mov %r0, 0
		mov %r1, 0
	loop:
		add %r0, %r1
		add %r1, 1
		jlt %r1, 3000000, loop
		exit`, 0, 0)
	if want := uint64(3000000 * 2999999 / 2); err != nil || got != want {
		t.Errorf("r0 = %d, err %v; want %d", got, err, want)
	}
}

// TestLongBranchesRun runs the program with more than 1 MiB of code, whose
// conditional jumps use the long form.
func TestLongBranchesRun(t *testing.T) {
	needNative(t)
	got, err := runProg(t, jit.New(), &vm.Program{Name: "long", Insns: arm64.LongProgram(), Helpers: &testHelpers}, 0, 0)
	if err != nil || got != 7 {
		t.Errorf("r0 = %d, err %v; want 7", got, err)
	}
}

// TestNestedCallbacks has a callback call the callback helper again, so
// native frames of several suspended runs stack up on the native stack;
// without a limit the recursion must end with the depth error both
// engines give.
func TestNestedCallbacks(t *testing.T) {
	needNative(t)
	for _, limit := range []int{2, 20} {
		src := `
		mov %r2, 0
		lddw %r1, 0
		call 3
		exit
	cb:
		mov %r6, %r1
		jge %r6, LIMIT, out
		mov %r2, %r1
		add %r2, 1
		lddw %r1, 0
		call 3
		add %r0, %r6
		exit
	out:
		mov %r0, %r6
		exit`
		insns := assemble(t, strings.ReplaceAll(src, "LIMIT", strconv.Itoa(limit)))
		for i, ins := range insns {
			if ins.IsLdImm64() {
				isa.SetImm64(insns, i, vm.FuncHandle(5))
			}
		}
		mk := func() *vm.Program {
			return &vm.Program{Name: "nested", Type: "raw", Insns: insns, Helpers: &testHelpers}
		}
		want, werr := runProg(t, interp.New(), mk(), 0, 0)
		got, gerr := runProg(t, jit.New(), mk(), 0, 0)
		if got != want || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Errorf("limit %d: jit r0=%d err=%v; interpreter r0=%d err=%v", limit, got, gerr, want, werr)
		}
		if (werr == nil) != (limit == 2) {
			t.Errorf("limit %d: interpreter err %v", limit, werr)
		}
	}
}
