package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// tailCall is bpf_tail_call(ctx, prog_array, index). On success it sets
// ctx.TailCall and the engine jumps to that program when the helper returns;
// on failure the program simply continues with the next instruction.
//
// As in the kernel's interpreter, an index out of range fails without
// counting, and every attempt past that point counts against
// vm.MaxTailCalls even if the slot turns out empty: 33 tail calls succeed
// and the 34th attempt fails.
func tailCall(ctx *vm.Context, _, r2, r3, _, _ uint64) uint64 {
	m := mapArg(r2)
	if m == nil {
		return neg(maps.EINVAL)
	}
	pa := maps.AsProgArray(m)
	if pa == nil {
		return neg(maps.EINVAL)
	}
	index := uint32(r3)
	if _, _, _, n := maps.Dims(m); index >= n {
		return neg(maps.ENOENT)
	}
	if ctx.TailCalls >= vm.MaxTailCalls {
		return neg(maps.E2BIG)
	}
	ctx.TailCalls++
	id := pa.Program(index)
	if id == 0 {
		return neg(maps.ENOENT)
	}
	p := vm.ProgramByID(id)
	if p == nil || (ctx.Prog != nil && p.Type != ctx.Prog.Type) {
		// The kernel only lets programs of the array owner's type into a
		// prog array; a mismatched program would misread its context.
		return neg(maps.ENOENT)
	}
	ctx.TailCall = p
	return 0
}
