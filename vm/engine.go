package vm

// Engine turns programs into executables: the interpreter, or a JIT.
type Engine interface {
	// Name identifies the engine ("interpreter", "jit").
	Name() string
	// Prepare readies p for execution.
	Prepare(p *Program) (Executable, error)
}

// Executable is a prepared program.
type Executable interface {
	// Run executes the program on the context ctx.CPU.Run with r1 and r2 as
	// arguments (r2 is the length for the raw-memory program type) and
	// returns r0. Errors are aborted runs; the run's side effects stand.
	Run(ctx *Context, r1, r2 uint64) (uint64, error)
}
