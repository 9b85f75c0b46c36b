package vm

// AbortWith stops the run with err as it is, for helpers that propagate the
// error of a callback they ran through Call (bpf_loop, for_each_map_elem):
// the error already says why the run stopped, and Abort would wrap it twice.
func (c *Context) AbortWith(err error) {
	if c.err == nil && err != nil {
		c.err = err
	}
}
