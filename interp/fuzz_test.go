package interp

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

// fuzzHelpers are harmless helpers for fuzzed programs: a pure function, an
// abort, a counted self tail call and a bounded callback loop.
func fuzzHelpers(self **vm.Program) *vm.HelperTable {
	h := helpers(self)
	loop := h[4]
	h[4] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
		return loop(ctx, r1, r2%4, r3, r4, r5)
	}
	h[5] = nil // the uncounted tail call is for the engine's own limit test
	return h
}

// FuzzInterpreter feeds arbitrary bytecode through decoding, Prepare and a
// checked run on a small memory block: whatever the input, the interpreter
// must return a result or an error, never panic or hang.
func FuzzInterpreter(f *testing.F) {
	old := checkedBudget
	checkedBudget = 1 << 14
	f.Cleanup(func() { checkedBudget = old })
	for _, seed := range [][]isa.Instruction{
		loopProg,
		prog(mov64(r0, 0), ja(-1), exit()),
		prog(ldx(isa.SizeDW, r0, r1, 0), stx(isa.SizeDW, r10, r0, -8), mov64(r2, 1), atomicOp(isa.SizeDW, r10, r2, -8, isa.AtomicAdd|isa.AtomicFetch), exit()),
		prog(ldPseudo(r1, isa.PseudoFunc, vm.FuncHandle(5)), mov64(r2, 3), call(4), exit(), movReg(r0, r1), exit()),
		prog(callLocal(1), exit(), mov64(r0, 2), call(3), exit()),
		chain(vm.MaxCallDepth + 1),
		bin64(isa.ALUDiv, minInt64, neg(-1), 1),
		bin32K(isa.ALUMod, 5, 0, 1),
	} {
		f.Add(isa.Encode(seed))
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(cpus.Close)
	cpu := cpus.Acquire()
	f.Fuzz(func(t *testing.T, code []byte) {
		insns, err := isa.Decode(code[:len(code)&^7])
		if err != nil {
			return
		}
		var self *vm.Program
		p := &vm.Program{Name: "fuzz", Insns: insns, Helpers: fuzzHelpers(&self), Checked: true}
		self = p
		exe, err := New().Prepare(p)
		if err != nil {
			return
		}
		mem := cpu.Packet[:memSize]
		clear(mem)
		ctx := &cpu.Run
		ctx.Reset(p)
		ctx.Ctx, ctx.CtxSize, ctx.CtxWritable = vm.AddrOf(mem), memSize, true
		exe.Run(ctx, ctx.Ctx, memSize)
	})
}
