package arm64_test

import (
	"bytes"
	"runtime"
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	_ "github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

var (
	cpusOnce sync.Once
	cpus     *vm.CPUs
	cpusErr  error
)

func testCPUs(t testing.TB) *vm.CPUs {
	cpusOnce.Do(func() { cpus, cpusErr = vm.NewCPUs(2) })
	if cpusErr != nil {
		t.Fatal(cpusErr)
	}
	return cpus
}

// needNative skips tests that execute generated code off arm64 (run them
// with GOARCH=arm64 go test -exec qemu-aarch64-static).
func needNative(t testing.TB) {
	t.Helper()
	if runtime.GOARCH != "arm64" || !jit.Supported() {
		t.Skip("executes arm64 code: run with GOARCH=arm64 (under qemu-aarch64-static on other hosts)")
	}
}

// result is what one run gave.
type result struct {
	r0   uint64
	data []byte
	err  error
}

// runOn runs insns as a raw-memory program with mem as input on eng.
func runOn(t testing.TB, eng vm.Engine, checked bool, insns []isa.Instruction, mem []byte) result {
	t.Helper()
	p := &vm.Program{
		Name:    "test",
		Type:    progtype.Raw.Name(),
		Insns:   insns,
		Helpers: progtype.Raw.Helpers(),
		Checked: checked,
	}
	exe, err := eng.Prepare(p)
	if err != nil {
		t.Fatalf("%s: prepare: %v", eng.Name(), err)
	}
	var out progtype.RunOutput
	err = progtype.Run(progtype.Raw, exe, p, testCPUs(t), &progtype.RunInput{Data: append([]byte(nil), mem...)}, &out)
	return result{r0: out.Ret, data: out.Data, err: err}
}

// differential runs insns on the interpreter (checked) and the arm64 JIT
// and fails unless r0, the output memory and the error agree.
func differential(t testing.TB, insns []isa.Instruction, mem []byte) result {
	t.Helper()
	return differentialWith(t, jit.Options{}, insns, mem)
}

// differentialWith is differential with JIT options.
func differentialWith(t testing.TB, opts jit.Options, insns []isa.Instruction, mem []byte) result {
	t.Helper()
	want := runOn(t, interp.New(), true, insns, mem)
	got := runOn(t, jit.NewWithOptions(opts), false, insns, mem)
	if got.r0 != want.r0 || !bytes.Equal(got.data, want.data) || (got.err == nil) != (want.err == nil) ||
		got.err != nil && got.err.Error() != want.err.Error() {
		t.Errorf("jit and interpreter differ\njit:    r0=%#x err=%v data=%x\ninterp: r0=%#x err=%v data=%x\nprogram:\n%s",
			got.r0, got.err, got.data, want.r0, want.err, want.data, listing(insns))
	}
	return got
}

func listing(insns []isa.Instruction) string {
	var b bytes.Buffer
	if err := isa.Disassemble(&b, insns); err != nil {
		return err.Error()
	}
	return b.String()
}
