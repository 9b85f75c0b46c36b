package vm

// Rerun prepares the context for another run of prog on the context block
// and packet the previous run left, as the kernel's BPF_PROG_TEST_RUN repeats
// a program on one buffer: the per-run state (program after tail calls, tail
// call count, redirect decision, grants, error) is cleared, while Ctx,
// CtxSize, CtxWritable, Pkt and HasPacket are kept.
//
// It runs between every two runs of a repeat loop, so the pointer fields
// are written only when they changed (most runs change none of them), which
// spares the stores and their write-barrier checks.
func (c *Context) Rerun(prog *Program) {
	if c.Prog != prog {
		c.Prog = prog
	}
	if c.TailCall != nil {
		c.TailCall = nil
	}
	c.TailCalls = 0
	c.Redirect = Redirect{}
	c.extra = c.extra[:0]
	if c.err != nil {
		c.err = nil
	}
}
