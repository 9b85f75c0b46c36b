package vm

// Rerun prepares the context for another run of prog on the context block
// and packet the previous run left, as the kernel's BPF_PROG_TEST_RUN repeats
// a program on one buffer: the per-run state (program after tail calls, tail
// call count, redirect decision, grants, error) is cleared, while Ctx,
// CtxSize, CtxWritable, Pkt and HasPacket are kept.
func (c *Context) Rerun(prog *Program) {
	c.Prog = prog
	c.TailCall = nil
	c.TailCalls = 0
	c.Redirect = Redirect{}
	c.extra = c.extra[:0]
	c.err = nil
}
