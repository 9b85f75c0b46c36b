package interp

import (
	"fmt"
	"math"

	"github.com/bpfhost/bpfhost/vm"
)

// CheckedBudget is the number of instructions a checked run may execute,
// tail calls and callbacks included, before it is stopped with an error: a
// program that did not pass the verifier may loop forever, and the host
// must not hang. The count is an upper bound charged per straight-line
// segment (instructions skipped by forward jumps count), so a run may stop
// somewhat before executing exactly this many. Verified (unchecked)
// programs have no budget.
const CheckedBudget = 1 << 25

// uncheckedBudget is effectively unlimited: verified programs terminate.
const uncheckedBudget = math.MaxInt64

// checkedBudget is CheckedBudget; the fuzz test lowers it so that looping
// inputs end quickly.
var checkedBudget int64 = CheckedBudget

// engineKey caches executables on vm.Program (see Program.SetCompiled).
type engineKey struct{}

type engine struct{}

// New returns the interpreter engine. It is stateless; executables are
// cached on the programs they were prepared for.
func New() vm.Engine { return engine{} }

// Name returns "interpreter".
func (engine) Name() string { return "interpreter" }

// Prepare validates p and decodes it once into the interpreter's internal
// form. The result is cached on p, so that preparing a program again (for
// example as a tail-call target) costs a lookup.
func (engine) Prepare(p *vm.Program) (vm.Executable, error) {
	e, err := prepare(p)
	if err != nil {
		return nil, err
	}
	return e, nil
}

func prepare(p *vm.Program) (*executable, error) {
	if p == nil {
		return nil, fmt.Errorf("interp: nil program")
	}
	if x, ok := p.Compiled(engineKey{}); ok {
		if e, ok := x.(*executable); ok {
			return e, nil
		}
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("interp: %w", err)
	}
	code, err := decode(p.Insns)
	if err != nil {
		return nil, fmt.Errorf("interp: program %q: %w", p.Name, err)
	}
	e := &executable{prog: p, code: code, helpers: p.Helpers}
	if e.helpers == nil {
		e.helpers = &vm.HelperTable{}
	}
	p.SetCompiled(engineKey{}, e)
	return e, nil
}

// executable is a prepared program.
type executable struct {
	prog *vm.Program
	// code holds one decoded slot per instruction slot plus the opFallOff
	// sentinel, so any pc decode accepted indexes it.
	code    []insn
	helpers *vm.HelperTable // never nil
}

// Run executes the program from instruction 0 with r1, r2 as given and r10
// at the top of the CPU's stack.
func (e *executable) Run(ctx *vm.Context, r1, r2 uint64) (uint64, error) {
	budget := int64(uncheckedBudget)
	if e.prog.Checked {
		budget = checkedBudget
	}
	return exec(e, ctx, nil, 0, r1, r2, 0, 0, 0, ctx.CPU.StackTop(), 0, budget)
}

// executableFor returns the prepared form of a tail-call target.
func executableFor(p *vm.Program) (*executable, error) {
	if x, ok := p.Compiled(engineKey{}); ok {
		if e, ok := x.(*executable); ok {
			return e, nil
		}
	}
	return prepare(p)
}
