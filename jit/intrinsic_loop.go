package jit

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
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
//	        r0 = callback(r1 = i, r2 = r3, r3 = r4 = r5 = 0)
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
