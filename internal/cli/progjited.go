package cli

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bpfhost/bpfhost/jit"
)

// dumpJited prints the native code the JIT produces for a program, as
// `bpftool prog dump jited` does: the program's header, then one machine
// instruction a line, headed by the eBPF instruction each run belongs to.
// With -j each program is an object with its name and its lines.
func (c *cli) dumpJited(ids []uint32) error {
	if c.json {
		c.jw.startArray()
	}
	for _, id := range ids {
		p, pm, ok := c.st.Program(id)
		if !ok {
			return errorf("can't get prog info: %s", "no such program")
		}
		code, err := jit.Compile(p.Internal(), jit.Options{})
		if err != nil {
			return errorf("program %d: no native code: %v", id, err)
		}
		var buf bytes.Buffer
		if err := jit.Disassemble(code, &buf); err != nil {
			return errorf("program %d: %v", id, err)
		}
		lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
		if c.json {
			c.jw.startObject()
			c.jw.strField("name", kernelName(pm.Name))
			c.jw.strField("arch", code.Arch)
			c.jw.name("insns")
			c.jw.startArray()
			for _, l := range lines {
				c.jw.str(l)
			}
			c.jw.endArray()
			c.jw.endObject()
			continue
		}
		fmt.Fprintf(c.out, "%s:\n", kernelName(pm.Name))
		for _, l := range lines {
			fmt.Fprintln(c.out, l)
		}
	}
	if c.json {
		c.jw.endArray()
	}
	return nil
}
