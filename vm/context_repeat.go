package vm

// Repeater is implemented by executables that run a program many times on
// one context more cheaply than as many calls of Run (the JIT sets up its
// per-CPU state once).
type Repeater interface {
	// Repeat runs the program n times on ctx, exactly as n calls of Run
	// with ctx.Rerun(prog) before every call but the first, where prog is
	// ctx.Prog on entry. It stops at the first failed run and returns the
	// last run's r0, the number of runs made (the failed one included) and
	// the error.
	Repeat(ctx *Context, r1, r2 uint64, n uint32) (ret uint64, runs uint32, err error)
}
