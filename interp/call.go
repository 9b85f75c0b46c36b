package interp

import (
	"fmt"

	"github.com/bpfhost/bpfhost/vm"
)

// frame is what a bpf-to-bpf call saves: the callee-saved registers, the
// caller's frame pointer and the return index.
type frame struct {
	r6, r7, r8, r9, fp uint64
	ret                int
}

// state is the per-CPU engine state that lets helpers call back into the
// running program through ctx.Call. It is created once per CPU (cached with
// CPU.Scratch) and only touched by the run holding that CPU, so it needs no
// locking and the ctx.Call function value is allocated once.
type state struct {
	ctx *vm.Context
	// Snapshot of the calling exec at the helper call: the program running
	// (tail calls change it), its frame depth and frame pointer.
	exe   *executable
	depth int
	fp    uint64
	// budget carries the remaining instruction budget into and out of
	// callbacks.
	budget int64
	// err is the error of a failed callback; the run aborts with it after
	// the helper returns even if the helper ignores it.
	err    error
	callFn func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)
	// tailProg and tailExe are the last tail-call target and its
	// executable (see callHelper).
	tailProg *vm.Program
	tailExe  *executable
}

type stateKey struct{}

func newState() any {
	s := &state{}
	s.callFn = s.call
	return s
}

// stateFor returns the CPU's engine state, reset for a new run on ctx.
func stateFor(ctx *vm.Context) *state {
	s := ctx.CPU.Scratch(stateKey{}, newState).(*state)
	s.ctx = ctx
	s.err = nil
	return s
}

// call runs the subprogram at pc of the program that called the current
// helper, in a new frame below the caller's, and returns its r0.
func (s *state) call(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	e, depth, fp := s.exe, s.depth, s.fp
	if e == nil {
		return 0, fmt.Errorf("interp: ctx.Call used outside a helper call")
	}
	if pc < 0 || pc >= len(e.code)-1 || e.code[pc].op == opInvalid {
		err := fmt.Errorf("%w: callback to instruction %d, which is not an instruction of program %q", vm.ErrAborted, pc, e.prog.Name)
		s.fail(err)
		return 0, err
	}
	if depth+1 >= vm.MaxCallDepth {
		err := fmt.Errorf("%w: callback to instruction %d exceeds the call depth of %d frames", vm.ErrAborted, pc, vm.MaxCallDepth)
		s.fail(err)
		return 0, err
	}
	ret, err := exec(e, s.ctx, s, pc, r1, r2, r3, r4, r5, fp-vm.StackSize, depth+1, s.budget)
	s.exe, s.depth, s.fp = e, depth, fp
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
