package ebpf

import (
	"fmt"

	"github.com/bpfhost/bpfhost/vm"
)

// Reprepare prepares the program again with eng and makes later runs use
// the result: a test or tool that has verified the program (and cleared
// Internal().Checked) runs it on a chosen engine, such as the JIT. It waits
// for runs in progress to finish.
func (p *Program) Reprepare(eng vm.Engine) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	exe, err := eng.Prepare(p.prog)
	if err != nil {
		return fmt.Errorf("program %s: %w", p.name, err)
	}
	p.exe = exe
	return nil
}
