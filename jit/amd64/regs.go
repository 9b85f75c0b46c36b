package amd64

// Register mapping. eBPF r0-r5 (return value and arguments, clobbered by
// calls) live in caller-saved registers; r6-r9 and the frame pointer r10
// in callee-saved ones, as in the Linux x86-64 JIT. The code never returns
// to a native caller with these values, so "callee-saved" matters only for
// bpf-to-bpf calls, which save r6-r10 themselves.
var regs = [11]reg{
	rax, // r0
	rdi, // r1
	rsi, // r2
	rdx, // r3
	rcx, // r4
	r8,  // r5
	rbx, // r6
	r13, // r7
	r14, // r8
	r15, // r9
	rbp, // r10
}

const (
	// regFrame holds the address of the jit.Frame for the whole run.
	regFrame = r12
	// regBudget counts back-edges left before a preemption exit.
	regBudget = r9
	// regTmp and regAux are scratch registers of instruction sequences;
	// regTmp also carries blinded constants.
	regTmp = r10
	regAux = r11
)
