package arm64

import (
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// SetLookupSite replaces the lookup call-site analysis for code compiled
// from now on (tests describe hand-built descriptors as constant maps) and
// returns a function that restores it.
func SetLookupSite(f func(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (jit.MapLookupSite, bool)) func() {
	old := lookupSite
	lookupSite = f
	return func() { lookupSite = old }
}

// LookupSites returns how many lookup call sites of p compile natively,
// and the code's length in instructions.
func LookupSites(p *vm.Program) (sites, words int, err error) {
	second, target, err := check(p.Insns)
	if err != nil {
		return 0, 0, err
	}
	c := &compiler{prog: p, insns: p.Insns, second: second, target: target, lse: useLSE}
	if err := c.compile(); err != nil {
		return 0, 0, err
	}
	return c.ml.sites, len(c.out), nil
}
