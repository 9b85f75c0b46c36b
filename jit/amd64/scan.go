package amd64

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// scan marks ld_imm64 second slots and branch targets and refuses what
// the interpreter's decoder refuses: bad registers, branches out of the
// program or into an ld_imm64, truncated ld_imm64, legacy packet access,
// kfunc calls. Opcode-level checks happen during emission.
func (c *compiler) scan() error {
	n := c.n
	c.second = make([]bool, n+1)
	c.target = make([]bool, n+1)
	for i := 0; i < n; i++ {
		if c.insns[i].Opcode == isa.OpLdImm64 {
			if i+1 >= n {
				return fmt.Errorf("instruction %d: ld_imm64 is truncated (its second slot is missing)", i)
			}
			c.second[i+1] = true
			i++
		}
	}
	for i := 0; i < n; i++ {
		ins := c.insns[i]
		if c.second[i] {
			continue
		}
		if ins.Dst > isa.R10 || ins.Src > isa.R10 && ins.Opcode != isa.OpLdImm64 && ins.Opcode != isa.OpCall {
			return fmt.Errorf("instruction %d (opcode %#02x): invalid register (dst r%d, src r%d)", i, ins.Opcode, ins.Dst, ins.Src)
		}
		cls := isa.Class(ins.Opcode)
		if cls != isa.ClassJMP && cls != isa.ClassJMP32 {
			continue
		}
		op := isa.ALUOp(ins.Opcode)
		var rel int64
		switch {
		case ins.Opcode == isa.OpJA32:
			rel = int64(ins.Imm)
		case op == isa.JmpExit:
			continue
		case op == isa.JmpCall:
			if ins.Opcode != isa.OpCall || ins.Src != isa.CallLocal {
				continue
			}
			rel = int64(ins.Imm)
		default:
			rel = int64(ins.Offset)
		}
		t := int64(i) + rel + 1
		if t < 0 || t >= int64(n) {
			return fmt.Errorf("instruction %d (opcode %#02x): target %d is outside the program (0..%d)", i, ins.Opcode, t, n-1)
		}
		if c.second[t] {
			return fmt.Errorf("instruction %d (opcode %#02x): target %d is the second slot of an ld_imm64", i, ins.Opcode, t)
		}
		c.target[t] = true
	}
	return nil
}

// branchTarget returns the target of the branch at pc.
func (c *compiler) branchTarget(pc int) int {
	ins := c.insns[pc]
	if ins.Opcode == isa.OpJA32 || ins.Opcode == isa.OpCall {
		return pc + int(ins.Imm) + 1
	}
	return pc + int(ins.Offset) + 1
}
