package jit_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/amd64"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// result is what one run of a raw-memory program gave.
type result struct {
	r0   uint64
	data []byte
	err  error
}

func (r result) String() string {
	return fmt.Sprintf("r0=%#x err=%v data=%x", r.r0, r.err, r.data)
}

// runRaw runs insns as a raw-memory program (r1 = a copy of mem, r2 = its
// length) on eng; checked selects checked mode.
func runRaw(t testing.TB, eng vm.Engine, cpus *vm.CPUs, insns []isa.Instruction, mem []byte, checked bool) (result, error) {
	p := &vm.Program{Name: "t", Type: progtype.Raw.Name(), Insns: insns, Helpers: progtype.Raw.Helpers(), Checked: checked}
	exe, err := eng.Prepare(p)
	if err != nil {
		return result{}, err
	}
	var out progtype.RunOutput
	err = progtype.Run(progtype.Raw, exe, p, cpus, &progtype.RunInput{Data: mem}, &out)
	return result{r0: out.Ret, data: out.Data, err: err}, nil
}

// listing disassembles insns for failure messages.
func listing(insns []isa.Instruction) string {
	var b bytes.Buffer
	isa.Disassemble(&b, insns)
	return b.String()
}

// compareRaw runs insns in the checked interpreter and, if that run is
// clean, natively with opts; it fails the test when they differ. It
// returns the interpreter's result and whether the JIT ran.
func compareRaw(t testing.TB, cpus *vm.CPUs, insns []isa.Instruction, mem []byte, opts jit.Options) (result, bool) {
	t.Helper()
	want, err := runRaw(t, interp.New(), cpus, insns, mem, true)
	if err != nil {
		want.err = err
	}
	if want.err != nil {
		return want, false
	}
	got, err := runRaw(t, jit.NewWithOptions(opts), cpus, insns, mem, false)
	if err != nil {
		t.Fatalf("JIT refused a program the interpreter ran: %v\n%s", err, listing(insns))
	}
	if got.err != nil || got.r0 != want.r0 || !bytes.Equal(got.data, want.data) {
		t.Fatalf("JIT %v\ninterpreter %v\nprogram:\n%s", got, want, listing(insns))
	}
	return want, true
}
