// Package harness runs conformance-suite programs on a bpfhost engine: the
// shared core of the suite test and of the bpf_conformance runner plugin.
// It is apart from package conformance so that the parser and assembler do
// not depend on the engines.
package harness

import (
	"errors"
	"fmt"
	"os"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/amd64" // JIT back ends
	_ "github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// EngineEnv is the environment variable that picks the engine when none is
// given explicitly.
const EngineEnv = "BPFHOST_ENGINE"

// Engine returns the engine called name: "interpreter", "jit" or "auto";
// "" means the value of $BPFHOST_ENGINE, or "auto" when that is unset.
// "jit" and "auto" run the JIT where the platform supports it (see Run for
// how unverified test vectors run natively) and the interpreter elsewhere.
func Engine(name string) (vm.Engine, error) {
	if name == "" {
		name = os.Getenv(EngineEnv)
	}
	switch name {
	case "", "auto", "jit":
		if jit.Supported() {
			return jit.NewAuto(jit.Options{}), nil
		}
		return interp.New(), nil
	case "interpreter":
		return interp.New(), nil
	}
	return nil, fmt.Errorf("unknown engine %q (want interpreter, jit or auto)", name)
}

// Stages at which a program can be refused, in pipeline order.
const (
	StageParse    = "parse"
	StageAssemble = "assemble"
	StageValidate = "validate"
	StagePrepare  = "prepare"
	StageRun      = "run"
)

// StageError is a refusal at one stage of the pipeline.
type StageError struct {
	// Stage is one of the Stage constants.
	Stage string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *StageError) Unwrap() error { return e.Err }

func stage(s string, err error) error {
	if err == nil {
		return nil
	}
	return &StageError{Stage: s, Err: err}
}

// Run validates insns, prepares them with eng as a checked program of the
// raw-memory type and runs them once with mem as input (r1 = its address,
// r2 = its length). It returns r0; errors are *StageError.
func Run(eng vm.Engine, cpus *vm.CPUs, name string, insns []isa.Instruction, mem []byte) (uint64, error) {
	if err := isa.Validate(insns); err != nil {
		return 0, stage(StageValidate, err)
	}
	p := &vm.Program{
		Name:    name,
		Type:    progtype.Raw.Name(),
		Insns:   insns,
		Helpers: progtype.Raw.Helpers(),
		Checked: true,
	}
	if err := p.Validate(); err != nil {
		return 0, stage(StageValidate, err)
	}
	if eng.Name() == "jit" {
		return runNative(eng, cpus, p, mem)
	}
	exe, err := eng.Prepare(p)
	if err != nil {
		return 0, stage(StagePrepare, err)
	}
	var out progtype.RunOutput
	if err := progtype.Run(progtype.Raw, exe, p, cpus, &progtype.RunInput{Data: mem}, &out); err != nil {
		return 0, stage(StageRun, err)
	}
	return out.Ret, nil
}

// Outcome is what running one .data file gave.
type Outcome struct {
	// Path is the file.
	Path string
	// File is the parsed file (nil when parsing failed).
	File *conformance.File
	// R0 is the program's result when Err is nil.
	R0 uint64
	// Err is the refusal (a *StageError), nil when the program ran.
	Err error
}

// Skipped reports whether the file has a section the format does not
// define; the suite's rule is to skip such files.
func (o *Outcome) Skipped() bool { return errors.Is(o.Err, conformance.ErrUnknownSection) }

// Passed reports whether the program ran and gave the expected r0. For a
// file that expects an error and no result, refusal is the pass.
func (o *Outcome) Passed() bool {
	if o.File == nil {
		return false
	}
	if !o.File.HasResult {
		return o.File.HasError && o.Err != nil
	}
	return o.Err == nil && o.R0 == o.File.Result
}

// Refused reports whether a negative test was refused: some stage failed,
// or the run's r0 differs from the file's expected result (which a runner
// reports as a failure), or the file expects no result at all.
func (o *Outcome) Refused() bool {
	return o.Err != nil || o.File == nil || !o.File.HasResult || o.R0 != o.File.Result
}

// Describe says in one line what happened, for reports.
func (o *Outcome) Describe() string {
	switch {
	case o.Err != nil:
		return o.Err.Error()
	case o.File != nil && o.File.HasResult && o.R0 != o.File.Result:
		return fmt.Sprintf("r0 = %#x, expected %#x", o.R0, o.File.Result)
	case o.File != nil && !o.File.HasResult:
		return fmt.Sprintf("ran (r0 = %#x) but the file expects an error", o.R0)
	}
	return fmt.Sprintf("r0 = %#x", o.R0)
}

// RunFile parses, assembles and runs the .data file at path.
func RunFile(eng vm.Engine, cpus *vm.CPUs, path string) *Outcome {
	o := &Outcome{Path: path}
	f, err := conformance.ParseFile(path)
	if err != nil {
		o.Err = stage(StageParse, err)
		return o
	}
	o.File = f
	insns, err := f.Program()
	if err != nil {
		o.Err = stage(StageAssemble, err)
		return o
	}
	o.R0, o.Err = Run(eng, cpus, f.Name, insns, f.Mem)
	return o
}
