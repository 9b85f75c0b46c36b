package jit

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/jit/internal/execmem"
	"github.com/bpfhost/bpfhost/vm"
)

// ErrChecked is returned by Prepare for programs that did not pass the
// verifier (vm.Program.Checked): native code has no access checks, so
// such programs must run in the interpreter.
var ErrChecked = errors.New("jit: program is not verified (checked mode); use the interpreter")

// Supported reports whether this platform can run generated code: amd64
// or arm64 on linux, darwin, windows or freebsd, with the back end and the
// trampoline linked in.
func Supported() bool {
	switch runtime.GOOS {
	case "linux", "darwin", "windows", "freebsd":
	default:
		return false
	}
	if !haveTrampoline {
		return false
	}
	_, err := Backend(runtime.GOARCH)
	return err == nil
}

// engine is the JIT engine; executables are cached on programs per Options.
type engine struct {
	opts Options
}

type cacheKey struct {
	opts Options
}

// New returns the JIT engine with default options. Its Prepare fails for
// checked programs and on unsupported platforms; callers fall back to the
// interpreter (see Fallback).
func New() vm.Engine { return NewWithOptions(Options{}) }

// NewWithOptions returns the JIT engine compiling with opts.
func NewWithOptions(opts Options) vm.Engine { return &engine{opts: opts} }

// Name returns "jit".
func (e *engine) Name() string { return "jit" }

// Prepare compiles p for this machine, or returns the cached executable.
func (e *engine) Prepare(p *vm.Program) (vm.Executable, error) {
	x, err := e.prepare(p)
	if err != nil {
		return nil, err
	}
	return x, nil
}

func (e *engine) prepare(p *vm.Program) (*Executable, error) {
	if p == nil {
		return nil, fmt.Errorf("jit: nil program")
	}
	key := cacheKey{e.opts}
	if c, ok := p.Compiled(key); ok {
		if x, ok := c.(*Executable); ok {
			return x, nil
		}
	}
	if p.Checked {
		return nil, fmt.Errorf("%w: %q", ErrChecked, p.Name)
	}
	if !Supported() {
		return nil, fmt.Errorf("jit: not supported on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("jit: %w", err)
	}
	code, err := Compile(p, e.opts)
	if err != nil {
		return nil, err
	}
	x, err := load(p, code, e.opts)
	if err != nil {
		return nil, err
	}
	p.SetCompiled(key, x)
	return x, nil
}

// Compile runs the back end of this machine's architecture on p without
// loading the code (for prog dump jited and tests).
func Compile(p *vm.Program, opts Options) (*Code, error) {
	return CompileFor(runtime.GOARCH, p, opts)
}

// CompileFor runs the back end for arch on p; the code is not loaded, so
// any registered architecture works on any host.
func CompileFor(arch string, p *vm.Program, opts Options) (*Code, error) {
	compile, err := Backend(arch)
	if err != nil {
		return nil, err
	}
	code, err := compile(p, opts)
	if err != nil {
		return nil, fmt.Errorf("jit: program %q: %w", p.Name, err)
	}
	return code, nil
}

// Executable is a program loaded as native code.
type Executable struct {
	prog    *vm.Program
	code    *Code
	mem     *execmem.Region
	helpers *vm.HelperTable // never nil
	opts    Options

	// Absolute addresses of the stubs.
	base, prologue, run, call, start, callback uintptr

	// tail is the tail table of the executable's Options and program type
	// (nil: not reachable by native tail calls); pubID the program ID it
	// was last published (or tried) under there.
	tail  *tailTable
	pubID atomic.Uint32

	// states caches the per-CPU run state by CPU ID (see stateFor).
	states [stateCacheSize]atomic.Pointer[state]
}

// Code returns the compiled code the executable runs.
func (x *Executable) Code() *Code { return x.code }

func load(p *vm.Program, code *Code, opts Options) (*Executable, error) {
	mem, err := execmem.New(code.Text)
	if err != nil {
		return nil, fmt.Errorf("jit: program %q: %w", p.Name, err)
	}
	x := &Executable{prog: p, code: code, mem: mem, helpers: p.Helpers, opts: opts}
	if x.helpers == nil {
		x.helpers = &vm.HelperTable{}
	}
	x.base = mem.Addr()
	x.prologue = x.base + uintptr(code.Prologue)
	x.run = x.base + uintptr(code.Run)
	x.start = x.base + uintptr(code.Start)
	x.call = x.base + uintptr(code.Call)
	x.callback = x.base + uintptr(code.Callback)
	// The code lives as long as the executable: a run holds x, so the
	// region cannot be unmapped under running code.
	runtime.AddCleanup(x, func(m *execmem.Region) { m.Free() }, mem)
	x.tail = tailTableFor(opts, p.Type)
	publishTail(x)
	return x, nil
}
