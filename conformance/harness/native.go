package harness

import (
	"bytes"
	"fmt"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// runNative runs a conformance program with the JIT. The programs are test
// vectors, not verified code, and native code has no access checks; so the
// run is first made in the checked interpreter on a copy of the input. A
// program the interpreter refuses or aborts is reported with that error;
// one that ran cleanly is deterministic on the same input and stays within
// the same memory, so it is then compiled unchecked and run natively, and
// its result must equal the interpreter's.
func runNative(eng vm.Engine, cpus *vm.CPUs, p *vm.Program, mem []byte) (uint64, error) {
	ie, err := interp.New().Prepare(p)
	if err != nil {
		return 0, stage(StagePrepare, err)
	}
	var want progtype.RunOutput
	if err := progtype.Run(progtype.Raw, ie, p, cpus, &progtype.RunInput{Data: mem}, &want); err != nil {
		return 0, stage(StageRun, err)
	}
	native := vm.Program{Name: p.Name, Type: p.Type, Insns: p.Insns, Helpers: p.Helpers, Maps: p.Maps}
	exe, err := eng.Prepare(&native)
	if err != nil {
		return 0, stage(StagePrepare, err)
	}
	var out progtype.RunOutput
	if err := progtype.Run(progtype.Raw, exe, &native, cpus, &progtype.RunInput{Data: mem}, &out); err != nil {
		return 0, stage(StageRun, err)
	}
	if out.Ret != want.Ret || !bytes.Equal(out.Data, want.Data) {
		return 0, stage(StageRun, fmt.Errorf("%s engine gave r0 = %#x, the checked interpreter %#x (or memory differs)", eng.Name(), out.Ret, want.Ret))
	}
	return out.Ret, nil
}
