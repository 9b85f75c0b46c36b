package jit

// Frame is the state shared by the Go run loop and generated code, one per
// virtual CPU (cached with vm.CPU.Scratch so its address is stable while
// code runs). Generated code addresses its fields with the Off* constants,
// which frame_test.go asserts against unsafe.Offsetof. It holds no Go
// pointers, so the GC never needs to look inside it while code writes it.
type Frame struct {
	// Regs are eBPF r0..r10: loaded on entry and resume, stored on every exit.
	Regs [11]uint64
	// Resume is the native address the prologue jumps to after loading
	// the registers: the Start stub for a new run, the continuation of a
	// helper call, the target of a preempted back-edge.
	Resume uintptr
	// Exit says why the code returned to Go (one of the Exit* constants).
	Exit uint64
	// Arg and Arg2 qualify Exit: the helper number for ExitHelper; the
	// Fault* code and eBPF pc for ExitFault. For the Callback stub Go puts
	// the native address of the subprogram to call in Arg.
	Arg, Arg2 uint64
	// NativeSP is the native stack pointer to run with: Go sets it before
	// a new run, generated code saves it at every exit, so a resumed run
	// (and a callback nested in a helper) continues on the same stack.
	NativeSP uintptr
	// SavedSP is the Go stack pointer saved by the prologue; exits restore
	// it and return into the trampoline.
	SavedSP uintptr
	// Budget is the number of back-edges the code may take before it exits
	// with ExitPreempt, so that a long loop lets the GC reach a safe point.
	// Go sets it before every entry.
	Budget uint64
	// StackLimit is the lowest r10 from which a bpf-to-bpf call may still
	// push a frame (vm.MaxCallDepth frames in all); below it the call
	// faults with FaultCallDepth.
	StackLimit uint64
	// NativeStack is the top (highest address) of the CPU's native stack.
	NativeStack uintptr
	// Reserved is back-end private scratch space (arm64 keeps the link
	// register and the platform register here).
	Reserved [4]uint64

	// The fields below are read (and some written) by native routes of
	// helpers, which run without leaving generated code.

	// CPU is the virtual CPU's ID (vm.CPU.ID), for per-CPU map values and
	// bpf_get_smp_processor_id. Set once when the CPU's state is made.
	CPU uint64
	// TailCalls counts the tail calls the current run took natively, for
	// the vm.MaxTailCalls limit. Go zeroes it at the start of a run.
	TailCalls uint64
	// RunStackSP is the native stack pointer at the start of the current
	// exec (what a native tail call resets the stack to; the entry
	// function's return address is the word below it, through which
	// exits leave, see docs/jit.md), and RunFP the
	// matching r10.
	RunStackSP, RunFP uint64
	// Ctx is the address of the run's vm.Context (a Go heap object that
	// the held CPU keeps alive and the GC never moves), for routes that
	// write plain (pointer-free) fields such as the redirect decision.
	Ctx uintptr
	// Rand is per-CPU generator state for native bpf_get_prandom_u32.
	Rand [4]uint64
	// Spare is room for further native-route state without moving the
	// fields above.
	Spare [8]uint64
}

// Byte offsets of the Frame fields, the ABI between Go and generated code.
const (
	OffRegs        = 0
	OffResume      = 88
	OffExit        = 96
	OffArg         = 104
	OffArg2        = 112
	OffNativeSP    = 120
	OffSavedSP     = 128
	OffBudget      = 136
	OffStackLimit  = 144
	OffNativeStack = 152
	OffReserved    = 160
	OffCPU         = 192
	OffTailCalls   = 200
	OffRunStackSP  = 208
	OffRunFP       = 216
	OffCtx         = 224
	OffRand        = 232
	OffSpare       = 264
	// FrameSize is the size of Frame.
	FrameSize = 328
)

// Exit reasons stored in Frame.Exit.
const (
	// ExitReturn: the entry function (or callback) returned; r0 is in Regs[0].
	ExitReturn = 1
	// ExitHelper: call helper number Arg with Regs[1..5], store r0 in
	// Regs[0] and resume at Resume. For callx the number comes from the
	// register, so Go validates it.
	ExitHelper = 2
	// ExitPreempt: Budget ran out on a back-edge; Go may yield, then resets
	// Budget and resumes at Resume (the jump target).
	ExitPreempt = 3
	// ExitFault: the program cannot continue; Arg is a Fault* code, Arg2
	// the eBPF instruction index.
	ExitFault = 4
	// ExitTailCall: reserved for back ends that detect tail calls in code;
	// the run loop treats it like a helper exit that set ctx.TailCall.
	ExitTailCall = 5
)

// Fault codes stored in Frame.Arg with ExitFault.
const (
	// FaultCallDepth: a bpf-to-bpf call would exceed vm.MaxCallDepth frames.
	FaultCallDepth = 1
	// FaultFallOff: execution ran past the last instruction.
	FaultFallOff = 2
)

// DefaultBudget is the number of back-edges between preemption exits:
// 30-60 µs of a tight loop, so a GC stop-the-world (or any goroutine
// waiting for the processor) waits about that long for a running program,
// while the exit and runtime.Gosched (about 0.3 µs) cost under 1%.
const DefaultBudget = 1 << 16
