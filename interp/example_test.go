package interp_test

import (
	"fmt"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

// Running a program: prepare it once, then run it on a virtual CPU's
// context. This one returns the sum of its two arguments.
func ExampleNew() {
	prog := &vm.Program{
		Name: "add",
		Insns: []isa.Instruction{
			{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: isa.R0, Src: isa.R1},
			{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: isa.R0, Src: isa.R2},
			{Opcode: isa.OpExit},
		},
		Checked: true,
	}
	exe, err := interp.New().Prepare(prog)
	if err != nil {
		fmt.Println(err)
		return
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	ctx := &cpu.Run
	ctx.Reset(prog)
	ret, err := exe.Run(ctx, 40, 2)
	fmt.Println(ret, err)
	// Output: 42 <nil>
}
