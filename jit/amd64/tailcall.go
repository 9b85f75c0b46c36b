package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// tailCall emits bpf_tail_call natively when jit.NativeTailCall allows it
// (see jit/tailcall.go for the algorithm) and reports whether it did. r1
// (rdi), r2 (rsi) and r3 (rdx) are left intact for the Go route and the
// target; rax, rcx, r8, r10 and r11 are scratch (r0, r4 and r5 are
// clobbered by a helper call anyway).
func (c *compiler) tailCall(pc int, num int32) bool {
	tc, ok := jit.NativeTailCall(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	a := &c.a
	goRoute, empty, enoent, e2big, done := c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel(), c.newLabel()
	ne, ae, z := condNE, condAE, condE

	// r11 = desc; the array must (still) publish its prog-array route.
	a.movabs(regAux, uint64(tc.Desc))
	a.load(4, rax, regAux, maps.NativeOffRoute)
	a.aluRI(aluCmp, false, rax, maps.RouteProgArray)
	c.br(&ne, goRoute)
	// index >= max_entries: -ENOENT, not counted.
	a.load(4, rax, regAux, maps.NativeOffMaxEntries)
	a.aluRR(aluCmp, false, regs[3], rax)
	c.br(&ae, enoent)
	// The run's tail-call count (r10) at the limit: -E2BIG.
	a.load(8, regTmp, regFrame, jit.OffTailCalls)
	a.aluRI(aluCmp, true, regTmp, vm.MaxTailCalls)
	c.br(&ae, e2big)
	// ecx = the program ID at Values + index*Stride; 0: empty slot.
	a.movRR(false, rax, regs[3])
	a.load(8, rcx, regAux, maps.NativeOffStride)
	a.imulRR(true, rax, rcx)
	a.aluRM(aluAdd, true, rax, regAux, maps.NativeOffValues)
	a.load(4, rcx, rax, 0)
	a.testRR(false, rcx, rcx)
	c.br(&z, empty)
	// r8 = the run's tail table entry for the ID; no table, or another
	// tag: the Go route decides (unregistered, other type, not compiled,
	// not published yet).
	a.load(8, r8, regFrame, jit.OffTailTable)
	a.testRR(true, r8, r8)
	c.br(&z, goRoute)
	a.movRR(false, rax, rcx)
	a.aluRI(aluAnd, false, rax, jit.TailTableMask)
	a.shiftRI(shShl, true, rax, jit.TailEntryShift)
	a.aluRR(aluAdd, true, r8, rax)
	a.load(8, rax, r8, jit.TailOffTag)
	a.aluRR(aluCmp, false, rax, rcx)
	c.br(&ne, goRoute)
	// Taken: count, name the target in the tail word, reset the stack and
	// r10 to the run's start and jump to the target's Start stub.
	a.aluRI(aluAdd, true, regTmp, 1)
	a.store(8, regFrame, jit.OffTailCalls, regTmp)
	a.load(8, regAux, regFrame, jit.OffNativeStack)
	a.store(8, regAux, 0, rax)
	a.load(8, rax, r8, jit.TailOffEntry)
	a.load(8, rsp, regFrame, jit.OffRunStackSP)
	a.lea(rsp, rsp, -8) // the stub's return address stays
	a.load(8, rbp, regFrame, jit.OffRunFP)
	a.opRR(false, []byte{0xff}, 4, rax, false) // jmp rax

	c.place(empty)
	a.aluRI(aluAdd, true, regTmp, 1)
	a.store(8, regFrame, jit.OffTailCalls, regTmp)
	c.place(enoent)
	a.movRIsx(rax, jit.TailENOENT)
	c.br(nil, done)
	c.place(e2big)
	a.movRIsx(rax, jit.TailE2BIG)
	c.br(nil, done)
	c.place(goRoute)
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnTailCall)
	c.helperExit(pc)
	c.place(done)
	return true
}
