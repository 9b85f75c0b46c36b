package jit

import (
	"fmt"
	"sync"

	"github.com/bpfhost/bpfhost/vm"
)

// Options tune compilation.
type Options struct {
	// Blind enables constant blinding, as the kernel's bpf_jit_harden:
	// every immediate the program supplies is emitted XORed with a random
	// key and recovered at run time, so a program cannot plant chosen
	// byte sequences in executable memory.
	Blind bool
	// BlindSeed seeds the blinding keys (0 = a random seed); tests set it
	// to get reproducible code.
	BlindSeed uint64
	// NoInline disables the inline fast routes for helpers (array map
	// lookups), so every helper call exits to Go; for measurements.
	NoInline bool
}

// NoOffset marks an instruction slot with no native code of its own (the
// second slot of an ld_imm64).
const NoOffset = ^uint32(0)

// Code is the output of a back end: position-independent machine code and
// the metadata the run loop and the disassembler need. All offsets are byte
// offsets into Text.
type Code struct {
	// Arch is the GOARCH the code is for ("amd64", "arm64").
	Arch string
	// Text is the machine code.
	Text []byte
	// Offsets holds the native offset of each eBPF instruction slot, plus
	// one entry for the end of the program body (NoOffset for the second
	// slot of an ld_imm64).
	Offsets []uint32
	// Prologue is the code the trampoline calls: it saves the Go stack
	// pointer in Frame.SavedSP, switches to Frame.NativeSP, loads the
	// registers and jumps to Frame.Resume.
	Prologue uint32
	// Run is the code the trampoline calls for a new run: it saves the Go
	// stack pointer, switches to Frame.NativeStack, loads r1, r2 and r10
	// from Frame.Regs, zeroes the other registers, sets the budget to
	// DefaultBudget and continues as Start.
	Run uint32
	// Start is the Resume point of a new run: it calls instruction 0 and
	// exits with ExitReturn when it returns.
	Start uint32
	// Call is the code the trampoline calls for ctx.Call: it saves the Go
	// stack pointer, switches to Frame.NativeSP (below the suspended
	// caller), loads r1-r5 and r10 from Frame.Regs, zeroes r0 and r6-r9,
	// sets the budget to DefaultBudget and continues as Callback.
	Call uint32
	// Callback is the Resume point for ctx.Call: it calls the native
	// address in Frame.Arg and exits with ExitReturn when it returns.
	Callback uint32
	// Inlined counts helper calls compiled to inline fast routes.
	Inlined int
	// Blinded says whether constants were blinded.
	Blinded bool
}

// CompileFunc is a back end's compiler.
type CompileFunc func(p *vm.Program, opts Options) (*Code, error)

var backends struct {
	sync.RWMutex
	m map[string]CompileFunc
}

// RegisterBackend makes compile the compiler for arch (a GOARCH value).
// Back ends call it from an init function.
func RegisterBackend(arch string, compile CompileFunc) {
	backends.Lock()
	defer backends.Unlock()
	if backends.m == nil {
		backends.m = map[string]CompileFunc{}
	}
	backends.m[arch] = compile
}

// Backend returns the registered compiler for arch.
func Backend(arch string) (CompileFunc, error) {
	backends.RLock()
	defer backends.RUnlock()
	if f := backends.m[arch]; f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("jit: no back end for %s is linked in (import jit/%s)", arch, arch)
}
