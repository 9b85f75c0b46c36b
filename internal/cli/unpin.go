package cli

import (
	"errors"

	"github.com/bpfhost/bpfhost/maps"
)

// doUnpin removes pins, and every pin under a path that is a directory of
// pins, as `rm -r` on a BPF file system would; objects nothing else holds
// are destroyed when the command ends. bpftool has no such command because
// the kernel's pins are files; bpfhost's pins live in its state directory.
func (c *cli) doUnpin(args []string) error {
	if len(args) == 0 {
		return errorf("'unpin' needs at least 1 arguments, 0 found")
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	for _, p := range args {
		n, err := st.UnpinTree(p)
		if err != nil && !errors.Is(err, maps.ENOENT) {
			return errorf("unpin %s: %v", p, err)
		}
		if n == 0 {
			return errorf("unpin %s: %s", p, strerror(maps.ENOENT))
		}
	}
	if c.json {
		c.jw.null()
	}
	return nil
}
