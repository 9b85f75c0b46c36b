package jit

import (
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/vm"
)

// auto runs programs natively when the JIT can compile them and in the
// interpreter otherwise (checked programs, unsupported platforms, programs
// the back end refuses).
type auto struct {
	jit    *engine
	interp vm.Engine
}

// NewAuto returns an engine that prepares every program with the JIT when
// it can and with the interpreter otherwise; its Name is "jit". This is
// what ebpf's "jit" and "auto" engine choices use.
func NewAuto(opts Options) vm.Engine {
	return &auto{jit: &engine{opts: opts}, interp: interp.New()}
}

// Name returns "jit".
func (a *auto) Name() string { return "jit" }

// Prepare compiles p, or falls back to the interpreter.
func (a *auto) Prepare(p *vm.Program) (vm.Executable, error) {
	if p != nil && !p.Checked && Supported() {
		if x, err := a.jit.prepare(p); err == nil {
			return x, nil
		}
	}
	return a.interp.Prepare(p)
}
