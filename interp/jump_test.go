package interp

import (
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// condProg returns 1 if the jump is taken, 0 otherwise; a is in r1 and b in
// r2 (X form) or the immediate (K form).
func condProg(jmp isa.Instruction, a, b uint64) []isa.Instruction {
	return prog(mov64(r0, 0), ldImm64(r1, a), ldImm64(r2, b), jmp, exit(), mov64(r0, 1), exit())
}

func TestConditionalJumps(t *testing.T) {
	e := newEnv(t)
	// Reference semantics, written independently of the interpreter.
	type ref struct {
		op  uint8
		u64 func(a, b uint64) bool
	}
	refs := map[string]ref{
		"jeq":  {isa.JmpJEQ, func(a, b uint64) bool { return a == b }},
		"jne":  {isa.JmpJNE, func(a, b uint64) bool { return a != b }},
		"jgt":  {isa.JmpJGT, func(a, b uint64) bool { return a > b }},
		"jge":  {isa.JmpJGE, func(a, b uint64) bool { return a >= b }},
		"jlt":  {isa.JmpJLT, func(a, b uint64) bool { return a < b }},
		"jle":  {isa.JmpJLE, func(a, b uint64) bool { return a <= b }},
		"jset": {isa.JmpJSET, func(a, b uint64) bool { return a&b != 0 }},
		"jsgt": {isa.JmpJSGT, func(a, b uint64) bool { return int64(a) > int64(b) }},
		"jsge": {isa.JmpJSGE, func(a, b uint64) bool { return int64(a) >= int64(b) }},
		"jslt": {isa.JmpJSLT, func(a, b uint64) bool { return int64(a) < int64(b) }},
		"jsle": {isa.JmpJSLE, func(a, b uint64) bool { return int64(a) <= int64(b) }},
	}
	// Pairs chosen to separate signed from unsigned and 32 from 64 bits.
	pairs := [][2]uint64{
		{5, 5}, {5, 6}, {6, 5}, {neg(-1), 1}, {1, neg(-1)}, {neg(-2), neg(-1)},
		{1 << 32, 0}, {0, 1 << 32}, {0x1_0000_0005, 5}, {0x8000_0000, 1}, {1, 0x8000_0000},
		{0xffff_ffff, 0}, {0xf0, 0x0f}, {0xf0, 0x10},
	}
	for name, rf := range refs {
		for _, p := range pairs {
			a, b := p[0], p[1]
			want := func(taken bool) uint64 {
				if taken {
					return 1
				}
				return 0
			}
			e.mustRun(fmt.Sprintf("%s X %#x,%#x", name, a, b), condProg(jmpX(rf.op, r1, r2, 1), a, b), want(rf.u64(a, b)))
			// 32-bit forms compare the low halves, sign-extended for signed ops.
			a32, b32 := uint64(uint32(a)), uint64(uint32(b))
			if name[1] == 's' && name != "jset" {
				a32, b32 = uint64(int64(int32(a))), uint64(int64(int32(b)))
			}
			e.mustRun(fmt.Sprintf("%s32 X %#x,%#x", name, a, b), condProg(jmp32X(rf.op, r1, r2, 1), a, b), want(rf.u64(a32, b32)))
			// K forms: the immediate is sign-extended to 64 bits.
			if int64(b) >= -1<<31 && int64(b) < 1<<31 {
				k := int32(b)
				e.mustRun(fmt.Sprintf("%s K %#x,%d", name, a, k), condProg(jmpK(rf.op, r1, k, 1), a, 0), want(rf.u64(a, uint64(int64(k)))))
				e.mustRun(fmt.Sprintf("%s32 K %#x,%d", name, a, k), condProg(jmp32K(rf.op, r1, k, 1), a, 0), want(rf.u64(a32, b32)))
			}
		}
	}
}

func TestUnconditionalJumps(t *testing.T) {
	e := newEnv(t)
	gotol := func(imm int32) isa.Instruction { return isa.Instruction{Opcode: isa.OpJA32, Imm: imm} }
	for _, c := range []progCase{
		{"ja forward", prog(mov64(r0, 1), ja(1), mov64(r0, 2), exit()), 1},
		{"ja zero", prog(mov64(r0, 1), ja(0), mov64(r0, 2), exit()), 2},
		{"ja over ld_imm64", prog(mov64(r0, 1), ja(2), ldImm64(r0, 7), exit()), 1},
		{"gotol forward", prog(mov64(r0, 1), gotol(1), mov64(r0, 2), exit()), 1},
		// Count r0 down from 5 with a backward gotol.
		{"gotol backward", prog(mov64(r0, 5), mov64(r1, 0),
			alu64K(isa.ALUAdd, r1, 1), alu64K(isa.ALUSub, r0, 1),
			jmpK(isa.JmpJEQ, r0, 0, 1), gotol(-4), movReg(r0, r1), exit()), 5},
		// Sum 1..100 with a backward conditional jump.
		{"loop", prog(mov64(r0, 0), mov64(r1, 100),
			alu64X(isa.ALUAdd, r0, r1), alu64K(isa.ALUSub, r1, 1), jmpK(isa.JmpJNE, r1, 0, -3), exit()), 5050},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
}

func TestBudget(t *testing.T) {
	e := newEnv(t)
	// The real budget: each iteration of this loop executes 3 instructions
	// but is charged for the 1000 its forward jump skips, so the test
	// reaches CheckedBudget quickly even under the race detector.
	skip := prog(mov64(r0, 0), ja(1000))
	for i := 0; i < 1000; i++ {
		skip = append(skip, mov64(r0, 1))
	}
	skip = append(skip, ja(-1002), exit())
	_, err := e.run(skip)
	wantAbort(t, "infinite loop", err, "instruction 1002: instruction budget of 33554432 exhausted")
	setBudget(t, 1<<12)
	_, err = e.run(prog(mov64(r0, 0), ja(-1), exit()))
	wantAbort(t, "tight infinite loop", err, "instruction 1: instruction budget")
}

// setBudget lowers the checked budget for the rest of the test.
func setBudget(t *testing.T, n int64) {
	old := checkedBudget
	checkedBudget = n
	t.Cleanup(func() { checkedBudget = old })
}

// TestBudgetAccounting checks the exact charge: a loop of N iterations
// over two instructions after one setup instruction executes 2N+1
// instructions before its exit; the budget charges the N-1 backward jumps'
// segments, 3 + 2(N-2) = 2N-1, so with a budget of 1000 N=500 runs and
// N=501 does not.
func TestBudgetAccounting(t *testing.T) {
	setBudget(t, 1000)
	e := newEnv(t)
	loop := func(n int32) []isa.Instruction {
		return prog(mov64(r1, n), alu64K(isa.ALUSub, r1, 1), jmpK(isa.JmpJNE, r1, 0, -2), mov64(r0, 3), exit())
	}
	if got, err := e.run(loop(500)); err != nil || got != 3 {
		t.Errorf("500 iterations: got %d, %v; want 3", got, err)
	}
	_, err := e.run(loop(501))
	wantAbort(t, "501 iterations", err, "instruction 2: instruction budget of 1000 exhausted")
	// Unchecked programs have no budget.
	if got, err := e.run(loop(5000), unchecked); err != nil || got != 3 {
		t.Errorf("unchecked: got %d, %v; want 3", got, err)
	}
	// Calls and returns end segments too: a loop made only of a forward
	// jump and calls to a subprogram (its back edge is the return) is
	// caught as well as a backward jump.
	_, err = e.run(prog(callLocal(2), ja(-2), exit(), mov64(r0, 0), exit()))
	wantAbort(t, "call loop", err, "budget")
	// Forward jumps are charged as the instructions they skip: a loop whose
	// body skips 100 slots costs 103 per iteration (104 for the first, which
	// includes the setup): 9 iterations cost 928, 11 cost 1134.
	body := prog(mov64(r1, 9), alu64K(isa.ALUSub, r1, 1), ja(100))
	for i := 0; i < 100; i++ {
		body = append(body, mov64(r0, 1))
	}
	body = append(body, jmpK(isa.JmpJNE, r1, 0, -103), mov64(r0, 3), exit())
	if got, err := e.run(body); err != nil || got != 3 {
		t.Errorf("9 iterations of 103: got %d, %v; want 3", got, err)
	}
	body[0] = mov64(r1, 11)
	_, err = e.run(body)
	wantAbort(t, "11 iterations of 103", err, "budget")
}

func TestFallOff(t *testing.T) {
	e := newEnv(t)
	for _, c := range []progCase{
		{"no exit", prog(mov64(r0, 1)), 0},
		{"jump not taken at end", prog(mov64(r0, 1), jmpK(isa.JmpJEQ, r0, 0, -2)), 0},
	} {
		_, err := e.run(c.insns)
		wantAbort(t, c.name, err, "missing exit")
	}
}
