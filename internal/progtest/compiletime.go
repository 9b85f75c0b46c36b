package progtest

import (
	"fmt"
	"time"

	"github.com/bpfhost/bpfhost/jit"
)

// CompileTime loads c natively and compiles its benchmark program with the
// JIT (code generation, both passes; not the copy into executable memory)
// rounds times, returning the program's instruction slots and the fastest
// compile's time per slot in nanoseconds.
func CompileTime(c *Case, rounds int) (insns int, nsPerInsn float64, err error) {
	prog, _, err := BenchInput(c)
	if err != nil {
		return 0, 0, err
	}
	tg, err := LoadForBench(NativeLoader, c)
	if err != nil {
		return 0, 0, err
	}
	defer tg.Close()
	p, err := tg.(*hostTarget).prog(prog)
	if err != nil {
		return 0, 0, err
	}
	vp := p.Internal()
	insns = len(vp.Insns)
	var best time.Duration
	for i := 0; i < max(rounds, 1); i++ {
		start := time.Now()
		if _, err := jit.Compile(vp, jit.Options{}); err != nil {
			return 0, 0, fmt.Errorf("%s: compiling %s: %w", c.Name, prog, err)
		}
		if d := time.Since(start); i == 0 || d < best {
			best = d
		}
	}
	return insns, float64(best.Nanoseconds()) / float64(max(insns, 1)), nil
}
