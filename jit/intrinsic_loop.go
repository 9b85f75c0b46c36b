package jit

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Native bpf_loop, as the kernel's verifier inlines it (inline_bpf_loop):
// when the callback is a constant subprogram, the call becomes a loop in
// generated code that calls the subprogram like a bpf-to-bpf call, instead
// of an exit to Go that re-enters the code once per iteration. The back
// ends emit, with r1 = nr_loops, r2 = callback, r3 = callback_ctx,
// r4 = flags (the checks in the Go helper's order, with its results):
//
//	if r4 != 0: r0 = -EINVAL
//	else if r10 < Frame.StackLimit: the Go helper (it reports the call
//	    depth error exactly as without inlining)
//	else if uint32(r1) > 1<<23: r0 = -E2BIG
//	else: for i = 0; i < uint32(r1); {
//	        r0 = callback(r1 = i, r2 = r3, r3 = r4 = r5 = 0; r0 and
//	                      r6-r9 zero at its entry, as through ctx.Call)
//	        i++
//	        if r0 != 0: break
//	        count one back-edge against the preemption budget
//	      }
//	      r0 = i
//
// The loop keeps i, the count and callback_ctx on the native stack, which
// preemption and helper exits inside the callback leave intact.

// LoopMaxIterations is BPF_MAX_LOOPS: bpf_loop refuses more with -E2BIG.
const LoopMaxIterations = 1 << 23

// Errno results of bpf_loop (r0 is their 64-bit two's complement).
const (
	LoopEINVAL = -22 // -EINVAL
	LoopE2BIG  = -7  // -E2BIG
)

// InlineLoop reports whether the helper call at pc is a bpf_loop that can
// be compiled as a native loop, and the eBPF index of its callback: the
// helper must be bpfhost's own bpf_loop, r2 must provably hold a
// subprogram handle (an ld_imm64 in the same basic block with no write to
// r2 in between) naming an instruction of the program, and the program
// must make no tail calls and no callx (a tail call inside the callback
// replaces only the callback's chain on the Go route; natively it would
// replace the loop too). second marks the second slots of ld_imm64, target
// the jump and call targets.
func InlineLoop(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (int, bool) {
	if num != helpers.FnLoop || IntrinsicFor(p, num).Kind != IntrinsicLoop {
		return 0, false
	}
	return loopCallback(insns, second, target, pc)
}

// loopCallback finds the constant callback of the call at pc (r2, a
// subprogram handle from an ld_imm64 of its basic block) and checks that
// the program makes no tail calls and no callx.
func loopCallback(insns []isa.Instruction, second, target []bool, pc int) (int, bool) {
	h, ok := constReg(insns, second, target, pc, isa.R2) // tailcall.go
	if !ok {
		return 0, false
	}
	cb, ok := vm.FuncFromHandle(h)
	if !ok || cb < 0 || cb >= len(insns) || second[cb] {
		return 0, false
	}
	for _, ins := range insns {
		if ins.Opcode == isa.OpCallX || ins.Opcode == isa.OpCall && ins.Src == isa.CallHelper && ins.Imm == helpers.FnTailCall {
			return 0, false
		}
	}
	return cb, true
}

// ArrayWalk describes a bpf_for_each_map_elem(map, callback, ctx, flags)
// over a constant plain array map, compiled like bpf_loop: for i in
// [0, N), callback(r1 = map, r2 = &key (a u32 = i on the native stack),
// r3 = Base + i*Elem, r4 = ctx, r5 = 0), stopping after a non-zero r0;
// r0 = the number of elements visited. Flags other than 0 give -EINVAL
// and a callback beyond the call depth the Go helper, as for bpf_loop.
type ArrayWalk struct {
	Base uint64 // address of the first value; fixed for the map's lifetime
	Elem uint64 // distance between values (value size rounded up to 8)
	N    uint32 // max_entries, at least 1
}

// InlineArrayWalk reports whether the helper call at pc is a
// bpf_for_each_map_elem that can be compiled as a native walk (see
// ArrayWalk), with the walk and the callback's eBPF index: bpfhost's own
// helper, r1 provably a plain array map's handle and r2 a subprogram
// handle (ld_imm64 in the call's basic block), and the conditions of
// InlineLoop. Arrays that user space may only write (BPF_F_WRONLY) are left
// to the Go helper, whose walk (NextKey) finds no element in them.
func InlineArrayWalk(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (ArrayWalk, int, bool) {
	if num != helpers.FnForEachMapElem || IntrinsicFor(p, num).Kind != IntrinsicForEach {
		return ArrayWalk{}, 0, false
	}
	h, ok := constReg(insns, second, target, pc, isa.R1)
	if !ok {
		return ArrayWalk{}, 0, false
	}
	m := vm.MapFromHandle(h)
	if m == nil {
		return ArrayWalk{}, 0, false
	}
	spec := m.Spec()
	va, ok := m.(valueAddresser)
	if !ok || spec.Type != maps.Array || spec.KeySize != 4 || spec.MaxEntries == 0 || spec.Flags&maps.FlagWrOnly != 0 {
		return ArrayWalk{}, 0, false
	}
	elem := (uint64(spec.ValueSize) + 7) &^ 7
	if elem == 0 || elem > 1<<30 {
		return ArrayWalk{}, 0, false
	}
	cb, ok := loopCallback(insns, second, target, pc)
	if !ok {
		return ArrayWalk{}, 0, false
	}
	return ArrayWalk{Base: uint64(va.ValueAddr()), Elem: elem, N: spec.MaxEntries}, cb, true
}
