package interp

import (
	"fmt"

	"github.com/bpfhost/bpfhost/vm"
)

// The run loop's error paths live here, out of line, so that the loop's
// cases stay small. All of them wrap vm.ErrAborted: the run was stopped.

func budgetError(pc int) error {
	return fmt.Errorf("%w: instruction %d: instruction budget of %d exhausted (infinite loop?)", vm.ErrAborted, pc, checkedBudget)
}

func helperError(e *executable, pc int, num uint64) error {
	return fmt.Errorf("%w: instruction %d: call to unknown helper %d (not available to %s programs)", vm.ErrAborted, pc, num, e.prog.Type)
}

func tailCallLimitError(pc int) error {
	return fmt.Errorf("%w: instruction %d: more than %d tail calls", vm.ErrAborted, pc, vm.MaxTailCalls)
}

func tailCallError(pc int, p *vm.Program, err error) error {
	return fmt.Errorf("%w: instruction %d: tail call to program %q: %w", vm.ErrAborted, pc, p.Name, err)
}

func depthError(pc int) error {
	return fmt.Errorf("%w: instruction %d: call exceeds the maximum call depth of %d frames", vm.ErrAborted, pc, vm.MaxCallDepth)
}

func fallOffError(e *executable, pc int) error {
	return fmt.Errorf("%w: instruction %d: execution ran past the end of program %q (missing exit)", vm.ErrAborted, pc, e.prog.Name)
}

func invalidError(pc int) error {
	return fmt.Errorf("%w: instruction %d: not an executable instruction", vm.ErrAborted, pc)
}

// checkAtomic refuses atomics outside the run's memory and misaligned ones
// (sync/atomic needs natural alignment on every architecture).
func checkAtomic(ctx *vm.Context, pc int, a uint64, size int) error {
	if !ctx.Check(a, size, true) {
		return ctx.CheckError(pc, a, size, true)
	}
	if a&uint64(size-1) != 0 {
		return fmt.Errorf("%w: instruction %d: misaligned %d-byte atomic at %#x", vm.ErrAborted, pc, size, a)
	}
	return nil
}
