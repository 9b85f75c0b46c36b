package jit

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/vm"
)

// NativeStackBytes is the size of each virtual CPU's native stack. A
// bpf-to-bpf call pushes 48 bytes (five saved registers and the return
// address), so even nested callbacks stay far below it.
const NativeStackBytes = 64 << 10

// state is the per-CPU engine state, created once per virtual CPU and
// cached with vm.CPU.Scratch; only the run holding the CPU touches it.
type state struct {
	// f is shared with generated code; state is heap-allocated and never
	// moves, so its address is stable.
	f     Frame
	stack *offheap.Block
	cpu   *vm.CPU
	ctx   *vm.Context
	// At a helper exit: the running executable, its r10 and native stack
	// pointer, for callbacks the helper makes through ctx.Call.
	exe   *Executable
	curFP uint64
	curSP uintptr
	// err is the first failed callback's error; the run aborts with it.
	err   error
	tails int
	// top is the CPU's stack top, r10 of a run's entry frame.
	top    uint64
	callFn func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)
	// tailProg and tailExe are the last tail-call target prepared on this
	// CPU: a dispatcher jumps to the same few programs on every run, and
	// the program's compiled cache is a synchronised map lookup.
	tailProg *vm.Program
	tailExe  *Executable
	// tab is the tail table of the current run (nil: Go route only).
	tab *tailTable
	// keep holds the run's Go-route tail-call targets: their Start stubs
	// hold the return address native tail calls return through.
	keep []*Executable
}

type stateKey struct{}

func stateFor(cpu *vm.CPU) (*state, error) {
	var allocErr error
	s := cpu.Scratch(stateKey{}, func() any {
		blk, err := offheap.Alloc(NativeStackBytes)
		if err != nil {
			allocErr = err
			return (*state)(nil)
		}
		s := &state{stack: blk, cpu: cpu}
		// The top 64 bytes hold the tail word (tailcall.go), on the page
		// and next to the line every run's first call writes.
		s.f.NativeStack = blk.Addr() + NativeStackBytes - tailWordBytes
		s.f.CPU = uint64(cpu.ID)
		seedRand(&s.f.Rand, cpu.ID)
		s.callFn = s.call
		// The native stack is freed with the state when the CPU goes.
		runtime.AddCleanup(s, func(b *offheap.Block) { b.Free() }, blk)
		registerTailState(s)
		return s
	}).(*state)
	if s == nil {
		return nil, fmt.Errorf("jit: allocating the native stack of CPU %d: %v", cpu.ID, allocErr)
	}
	return s, nil
}

// stateCacheSize is how many CPU IDs an executable remembers the state of.
const stateCacheSize = 64

// stateFor returns the CPU's state through the executable's cache, which
// saves the CPU's scratch-map lookup (half the fixed cost of a run). A
// slot is shared by CPUs of the same ID in different pools, hence the
// atomic access and the check that the state is this CPU's.
func (x *Executable) stateFor(cpu *vm.CPU) (*state, error) {
	id := cpu.ID
	if id >= 0 && id < stateCacheSize {
		if s := x.states[id].Load(); s != nil && s.cpu == cpu {
			return s, nil
		}
	}
	s, err := stateFor(cpu)
	if err == nil && id >= 0 && id < stateCacheSize {
		x.states[id].Store(s)
	}
	return s, err
}

// Run executes the program from instruction 0 with r1, r2 as given and r10
// at the top of the CPU's stack.
func (x *Executable) Run(ctx *vm.Context, r1, r2 uint64) (uint64, error) {
	s, err := x.stateFor(ctx.CPU)
	if err != nil {
		return 0, err
	}
	s.begin(ctx)
	s.tailBegin(x)
	r0, err := s.run(x, r1, r2)
	s.tailEnd(x)
	return r0, err
}

// Repeat runs the program n times on ctx as n calls of Run would, with
// ctx.Rerun(prog) before every run but the first (prog is ctx.Prog on
// entry): what the kernel's BPF_PROG_TEST_RUN repeat loop does, with the
// per-CPU setup done once. It stops at the first failed run and returns
// the last run's r0, the number of runs made (the failed one included) and
// the error.
func (x *Executable) Repeat(ctx *vm.Context, r1, r2 uint64, n uint32) (uint64, uint32, error) {
	s, err := x.stateFor(ctx.CPU)
	if err != nil {
		return 0, 0, err
	}
	s.begin(ctx)
	s.tailBegin(x)
	prog := ctx.Prog
	var ret uint64
	for i := uint32(0); i < n; i++ {
		if i > 0 {
			ctx.Rerun(prog)
		}
		// s.run, inlined: the fast path is the whole run of most programs.
		s.prepare(r1, r2)
		enter(x.run, &s.f)
		if s.f.Exit == ExitReturn {
			ret, err = s.f.Regs[0], nil
		} else {
			ret, err = s.loop(x, s.top, s.f.NativeStack)
		}
		s.tailEnd(x)
		if err != nil {
			return ret, i + 1, err
		}
	}
	return ret, n, nil
}

// begin readies s for runs on ctx: what stays the same from one run to
// the next on the same context.
func (s *state) begin(ctx *vm.Context) {
	s.ctx = ctx
	f := &s.f
	f.Ctx = uintptr(unsafe.Pointer(ctx))
	s.top = ctx.CPU.StackTop()
	// r10 of the deepest frame is the stack's low end + StackSize; a call
	// from frame r10 needs r10 - StackSize >= that, so r10 >= low + 2*StackSize.
	f.StackLimit = s.top - vm.StackBytes + 2*vm.StackSize
}

// run makes one run from instruction 0 after begin. It enters through the
// code's run entry, which loads only r1, r2 and r10 and, when the program
// returns without leaving native code, stores only r0: a run that needs
// no Go (no helper exit, no preemption) costs one trip through the
// trampoline and this function.
func (s *state) run(x *Executable, r1, r2 uint64) (uint64, error) {
	s.prepare(r1, r2)
	f := &s.f
	enter(x.run, f)
	if f.Exit == ExitReturn {
		return f.Regs[0], nil
	}
	return s.loop(x, s.top, f.NativeStack)
}

// prepare sets what a new run needs before the run entry.
func (s *state) prepare(r1, r2 uint64) {
	if s.err != nil {
		s.err = nil
	}
	s.tails = 0
	// Set on every run: a tail call into an interpreted program replaces it.
	s.ctx.Call = s.callFn
	f := &s.f
	f.TailCalls = 0
	f.Regs[1], f.Regs[2], f.Regs[10] = r1, r2, s.top
	f.Exit = ExitReturn // what the code leaves unless it exits to Go
}

// loop handles the exit the code made last (Frame.Exit) and re-enters it
// until the entry function of the exec whose frame is fp and native stack
// sp returns.
func (s *state) loop(x *Executable, fp uint64, sp uintptr) (uint64, error) {
	f := &s.f
	ctx := s.ctx
	// cur is the tail word naming the code that runs (0: x's own).
	var cur uint64
	for {
		if w := *s.tailWord(); w != cur {
			// A native tail call: hold and dispatch for the target.
			nx, err := s.tailResolve(w)
			if err != nil {
				return 0, err
			}
			x, cur = nx, w
		}
		switch f.Exit {
		case ExitReturn:
			return f.Regs[0], nil
		case ExitPreempt:
			// A back-edge budget ran out: give the scheduler (and a GC
			// waiting to stop the world) a chance, then continue at the
			// jump target stored in Resume.
			runtime.Gosched()
		case ExitHelper, ExitTailCall:
			if s.callHelper(x) {
				break
			}
			nx, ie, err := s.helper(x)
			if err != nil {
				return 0, err
			}
			if ie != nil {
				// The target cannot run natively: the interpreter
				// finishes the run. It starts at the top frame, which
				// is right only outside callbacks (inside one, the
				// suspended caller's frames are still live there).
				if fp != ctx.CPU.StackTop() {
					return 0, fmt.Errorf("%w: tail call inside a callback to program %q, which only the interpreter can run", vm.ErrAborted, ctx.Prog.Name)
				}
				return ie.Run(ctx, f.Regs[1], f.Regs[2])
			}
			if nx != nil {
				// The target replaces the whole call chain of this exec.
				x, cur = nx, 0
				*s.tailWord() = 0
				s.keep = append(s.keep, nx)
				f.Regs[10] = fp
				f.NativeSP = sp
				f.Resume = x.start
			}
		case ExitFault:
			return 0, x.fault(f.Arg, int(f.Arg2))
		default:
			return 0, fmt.Errorf("jit: program %q: generated code returned with unknown exit %d", x.prog.Name, f.Exit)
		}
		f.Budget = DefaultBudget
		f.Exit = ExitReturn // what the code leaves unless it exits to Go
		enter(x.prologue, f)
	}
}

// callHelper calls the helper of a helper exit (of an ExitHelper or
// ExitTailCall exit: both call it) and reports whether the run simply
// continues: no error, no tail call. Otherwise helper sorts it out. This
// is the common path of every helper exit, kept short.
func (s *state) callHelper(x *Executable) bool {
	f := &s.f
	num := f.Arg
	if num >= vm.MaxHelpers {
		return false
	}
	h := x.helpers[num]
	if h == nil {
		return false
	}
	if s.exe != x {
		s.exe = x
	}
	s.curFP, s.curSP = f.Regs[10], f.NativeSP
	ctx := s.ctx
	if num == helpers.FnTailCall {
		s.goTailCall(h)
	} else {
		f.Regs[0] = h(ctx, f.Regs[1], f.Regs[2], f.Regs[3], f.Regs[4], f.Regs[5])
	}
	return s.err == nil && ctx.Err() == nil && ctx.TailCall == nil
}

// helper handles what callHelper left: an unknown helper, a failed
// helper or callback, or a tail call, which it reports: the target's
// native code, or its interpreter executable when the JIT cannot compile
// it.
func (s *state) helper(x *Executable) (*Executable, vm.Executable, error) {
	f := &s.f
	ctx := s.ctx
	num, pc := f.Arg, int(f.Arg2)
	if num >= vm.MaxHelpers || x.helpers[num] == nil {
		return nil, nil, fmt.Errorf("%w: instruction %d: call to unknown helper %d (not available to %s programs)", vm.ErrAborted, pc, num, x.prog.Type)
	}
	if s.err != nil {
		return nil, nil, s.err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	next := ctx.TailCall
	if next == nil {
		return nil, nil, nil
	}
	ctx.TailCall = nil
	s.tails++
	if s.tails > vm.MaxTailCalls {
		return nil, nil, fmt.Errorf("%w: instruction %d: more than %d tail calls", vm.ErrAborted, pc, vm.MaxTailCalls)
	}
	if next == s.tailProg && s.tailExe.opts == x.opts {
		publishTail(s.tailExe)
		return s.tailExe, nil, nil
	}
	e := engine{opts: x.opts}
	nx, err := e.prepare(next)
	if err == nil {
		s.tailProg, s.tailExe = next, nx
		// Later tail calls to next can stay native.
		publishTail(nx)
		return nx, nil, nil
	}
	ie, ierr := interp.New().Prepare(next)
	if ierr != nil {
		return nil, nil, fmt.Errorf("%w: instruction %d: tail call to program %q: %w", vm.ErrAborted, pc, next.Name, ierr)
	}
	return nil, ie, nil
}

// call runs the subprogram at pc of the program whose helper is running,
// in a new frame below the helper caller's, and returns its r0. It is
// ctx.Call while the JIT runs.
func (s *state) call(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	x, fp, sp := s.exe, s.curFP, s.curSP
	if x == nil {
		return 0, fmt.Errorf("jit: ctx.Call used outside a helper call")
	}
	if pc < 0 || pc >= len(x.code.Offsets)-1 || x.code.Offsets[pc] == NoOffset {
		err := fmt.Errorf("%w: callback to instruction %d, which is not a subprogram of program %q", vm.ErrAborted, pc, x.prog.Name)
		s.fail(err)
		return 0, err
	}
	if fp < s.f.StackLimit {
		err := fmt.Errorf("%w: callback to instruction %d exceeds the call depth of %d frames", vm.ErrAborted, pc, vm.MaxCallDepth)
		s.fail(err)
		return 0, err
	}
	f := &s.f
	saved, resume := f.Regs, f.Resume
	f.Regs[1], f.Regs[2], f.Regs[3], f.Regs[4], f.Regs[5] = r1, r2, r3, r4, r5
	f.Regs[10] = fp - vm.StackSize
	f.NativeSP = sp
	f.Arg = uint64(x.base) + uint64(x.code.Offsets[pc])
	// The call entry zeroes the other registers and, when the callback
	// returns without leaving native code, stores only r0.
	tsaved := s.tailEnterCallback(fp-vm.StackSize, sp)
	f.Exit = ExitReturn // what the code leaves unless it exits to Go
	enter(x.call, f)
	if f.Exit == ExitReturn {
		// The callback returned without leaving native code: the call
		// entry and the return exit wrote only r0, so only the registers
		// written here need restoring (Resume, NativeSP, r6-r9 and the
		// helper-call state are as the caller left them).
		ret := f.Regs[0]
		s.tailLeaveCallback(tsaved)
		f.Regs[0], f.Regs[1], f.Regs[2], f.Regs[3], f.Regs[4], f.Regs[5] = saved[0], saved[1], saved[2], saved[3], saved[4], saved[5]
		f.Regs[10] = saved[10]
		return ret, nil
	}
	ret, err := s.loop(x, fp-vm.StackSize, sp)
	s.tailLeaveCallback(tsaved)
	f.Regs, f.Resume, f.NativeSP = saved, resume, sp
	s.exe, s.curFP, s.curSP = x, fp, sp
	if err != nil {
		s.fail(err)
	}
	return ret, err
}

func (s *state) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// fault turns an ExitFault into the error the interpreter reports.
func (x *Executable) fault(code uint64, pc int) error {
	switch code {
	case FaultCallDepth:
		return fmt.Errorf("%w: instruction %d: call exceeds the maximum call depth of %d frames", vm.ErrAborted, pc, vm.MaxCallDepth)
	case FaultFallOff:
		return fmt.Errorf("%w: instruction %d: execution ran past the end of program %q (missing exit)", vm.ErrAborted, pc, x.prog.Name)
	}
	return fmt.Errorf("%w: instruction %d: fault %d in generated code", vm.ErrAborted, pc, code)
}
