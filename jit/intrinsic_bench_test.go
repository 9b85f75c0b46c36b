package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// BenchmarkIntrinsics measures one run of small programs around each
// intrinsic, natively and through the Go helper exit (NoInline); the loop
// case is bpf_loop of 100 iterations, so its ns/op divided by 100 is the
// cost per iteration.
func BenchmarkIntrinsics(b *testing.B) {
	_, id, _ := spinMapTB(b)
	cases := []struct {
		name   string
		insns  []isa.Instruction
		tab    *vm.HelperTable
		r1, r2 uint64
	}{
		{"spinlock", spinProg(id), helpers.Generic(), 0, 0},
		{"cpu", prog(callHelper(helpers.FnGetSmpProcessorID), exit()), helpers.Generic(), 0, 0},
		{"prandom", prog(callHelper(helpers.FnGetPrandomU32), exit()), helpers.Generic(), 0, 0},
		{"redirect", prog(callHelper(helpers.FnRedirect), exit()), helpers.XDP(nil), 5, 0},
		{"loop100", loopProgram(1, -1), helpers.Generic(), 100, 0},
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		b.Fatal(err)
	}
	defer cpus.Close()
	for _, c := range cases {
		for _, mode := range []struct {
			name string
			opts jit.Options
		}{{"native", jit.Options{}}, {"go", jit.Options{NoInline: true}}} {
			b.Run(c.name+"/"+mode.name, func(b *testing.B) {
				p := &vm.Program{Name: c.name, Type: "raw", Insns: c.insns, Helpers: c.tab}
				exe, err := jit.NewWithOptions(mode.opts).Prepare(p)
				if err != nil {
					b.Fatal(err)
				}
				cpu := cpus.Acquire()
				defer cpus.Release(cpu)
				cpu.Run.Reset(p)
				for b.Loop() {
					if _, err := exe.Run(&cpu.Run, c.r1, c.r2); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
