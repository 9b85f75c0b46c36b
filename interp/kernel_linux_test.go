//go:build linux

package interp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"

	"github.com/bpfhost/bpfhost/isa"
)

// kernelAvailable reports why the bpf() syscall cannot be used, if it
// cannot. (internal/kernel has the same check but imports cilium/ebpf/perf,
// which does not build on every Linux architecture this package's tests
// run on.)
func kernelAvailable() error {
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("bpf() not available: removing the memlock limit: %w", err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		return fmt.Errorf("bpf() not available (needs Linux and CAP_BPF/root): %w", err)
	}
	m.Close()
	return nil
}

// randomBody returns n random instructions over r0-r5: every ALU and
// ALU64 operation in both source forms (signed division and modulo,
// sign-extending moves, le/be and bswap included), forward conditional
// jumps (64- and 32-bit) that land inside the body or just after it, and
// ja/gotol by zero. Immediates favour edge values. Division by a zero
// immediate and out-of-range immediate shifts are left out because the
// kernel's verifier refuses them.
//
// With mem, a third of the instructions are loads (plain and
// sign-extending), stores (register and immediate) and atomics (every
// operation, 32 and 64 bits) on the 64 bytes below r10, naturally aligned
// as the verifier requires for the stack.
func randomBody(rng *rand.Rand, n int, mem bool) []isa.Instruction {
	edge := []int32{0, 1, -1, 2, 7, 31, 32, 63, 0x7fff_ffff, -0x8000_0000, 0xff, 0x8000}
	imm := func() int32 {
		if rng.IntN(2) == 0 {
			return edge[rng.IntN(len(edge))]
		}
		return int32(rng.Uint32())
	}
	reg := func() uint8 { return uint8(rng.IntN(6)) }
	aluOps := []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUMul, isa.ALUDiv, isa.ALUOr, isa.ALUAnd, isa.ALULsh,
		isa.ALURsh, isa.ALUNeg, isa.ALUMod, isa.ALUXor, isa.ALUMov, isa.ALUArsh}
	jmpOps := []uint8{isa.JmpJEQ, isa.JmpJGT, isa.JmpJGE, isa.JmpJSET, isa.JmpJNE, isa.JmpJSGT, isa.JmpJSGE,
		isa.JmpJLT, isa.JmpJLE, isa.JmpJSLT, isa.JmpJSLE}
	out := make([]isa.Instruction, n)
	for i := range out {
		left := int16(n - i - 1) // slots after this one: a jump may skip them all
		var ins isa.Instruction
		class := isa.ClassALU64
		if rng.IntN(2) == 0 {
			class = isa.ClassALU
		}
		if mem && rng.IntN(3) == 0 {
			out[i] = randomMem(rng, reg, imm)
			continue
		}
		switch k := rng.IntN(20); {
		case k < 12:
			op := aluOps[rng.IntN(len(aluOps))]
			ins = isa.Instruction{Opcode: class | op, Dst: reg()}
			if op != isa.ALUNeg && rng.IntN(2) == 0 {
				ins.Opcode |= isa.SrcX
				ins.Src = reg()
			} else if op != isa.ALUNeg {
				ins.Imm = imm()
			}
			width := int32(64)
			if class == isa.ClassALU {
				width = 32
			}
			switch op {
			case isa.ALUDiv, isa.ALUMod:
				ins.Offset = int16(rng.IntN(2))
				if isa.Source(ins.Opcode) == isa.SrcK && ins.Imm == 0 {
					ins.Imm = 3
				}
			case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
				if isa.Source(ins.Opcode) == isa.SrcK {
					ins.Imm = int32(rng.IntN(int(width)))
				}
			}
		case k < 14: // sign-extending move
			offs := []int16{8, 16, 32}
			if class == isa.ClassALU {
				offs = offs[:2]
			}
			ins = isa.Instruction{Opcode: class | isa.ALUMov | isa.SrcX, Dst: reg(), Src: reg(), Offset: offs[rng.IntN(len(offs))]}
		case k < 16: // le, be, bswap
			ins = isa.Instruction{Opcode: class | isa.ALUEnd, Dst: reg(), Imm: []int32{16, 32, 64}[rng.IntN(3)]}
			if class == isa.ClassALU && rng.IntN(2) == 0 {
				ins.Opcode |= isa.EndToBE
			}
		case k < 19: // conditional forward jump
			jc := isa.ClassJMP
			if rng.IntN(2) == 0 {
				jc = isa.ClassJMP32
			}
			ins = isa.Instruction{Opcode: jc | jmpOps[rng.IntN(len(jmpOps))], Dst: reg(), Offset: int16(rng.IntN(int(left) + 1))}
			if rng.IntN(2) == 0 {
				ins.Opcode |= isa.SrcX
				ins.Src = reg()
			} else {
				ins.Imm = imm()
			}
		default: // ja or gotol, by zero: the verifier refuses unreachable code
			ins = isa.Instruction{Opcode: isa.OpJA}
			if rng.IntN(2) == 0 {
				ins = isa.Instruction{Opcode: isa.OpJA32}
			}
		}
		out[i] = ins
	}
	return out
}

// randomMem returns a random stack access in [r10-64, r10).
func randomMem(rng *rand.Rand, reg func() uint8, imm func() int32) isa.Instruction {
	sizes := []uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}
	size := sizes[rng.IntN(4)]
	n := isa.SizeBytes(size)
	off := int16(-64 + n*rng.IntN(64/n))
	switch rng.IntN(5) {
	case 0:
		return ldx(size, reg(), r10, off)
	case 1:
		if size == isa.SizeDW {
			size = isa.SizeW
		}
		return ldxsx(size, reg(), r10, off)
	case 2:
		return stx(size, r10, reg(), off)
	case 3:
		return st(size, r10, off, imm())
	}
	ops := []int32{isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor, isa.AtomicXchg, isa.AtomicCmpXchg}
	op := ops[rng.IntN(len(ops))]
	if op != isa.AtomicXchg && op != isa.AtomicCmpXchg && rng.IntN(2) == 0 {
		op |= isa.AtomicFetch
	}
	size, n = isa.SizeW, 4
	if rng.IntN(2) == 0 {
		size, n = isa.SizeDW, 8
	}
	return atomicOp(size, r10, reg(), int16(-64+n*rng.IntN(64/n)), op)
}

// TestRandomProgramsAgainstKernel runs random ALU/jump programs on the
// Linux kernel (as XDP through BPF_PROG_TEST_RUN) and on the interpreter,
// checked and unchecked, and requires the same final r0-r5 and 64 bytes of
// stack, all bits: each program copies them into the packet, which the
// kernel hands back.
func TestRandomProgramsAgainstKernel(t *testing.T) {
	if err := kernelAvailable(); err != nil {
		t.Skip(err)
	}
	const programs, size = 2000, 48 + 64
	rng := rand.New(rand.NewPCG(1, 2))
	e := newEnv(t)
	for n := 0; n < programs; n++ {
		var core []isa.Instruction
		for i := int16(1); i <= 8; i++ {
			core = append(core, st(isa.SizeDW, r10, -8*i, int32(rng.Uint32())))
		}
		for r := r0; r <= r5; r++ {
			core = append(core, ldImm64(r, rng.Uint64())...)
		}
		core = append(core, randomBody(rng, 10+rng.IntN(40), n%2 == 1)...)
		for r := r0; r <= r5; r++ {
			core = append(core, stx(isa.SizeDW, r6, r, int16(8*r)))
		}
		for i := int16(0); i < 8; i++ {
			core = append(core, ldx(isa.SizeDW, r0, r10, -64+8*i), stx(isa.SizeDW, r6, r0, 48+8*i))
		}
		core = append(core, mov64(r0, 2), exit())

		// Kernel: r6 = ctx->data after proving the packet holds size bytes.
		kprog := prog(
			ldx(isa.SizeW, r2, r1, 0), ldx(isa.SizeW, r3, r1, 4), movReg(r6, r2),
			movReg(r4, r2), alu64K(isa.ALUAdd, r4, size), jmpX(isa.JmpJLE, r4, r3, 2),
			mov64(r0, 0), exit(), core)
		want, err := runKernel(kprog, size)
		if err != nil {
			t.Fatalf("program %d: kernel: %v\n%v", n, err, core)
		}
		// Interpreter: r1 is the memory's address already.
		ours := prog(movReg(r6, r1), core)
		for _, mode := range []string{"checked", "unchecked"} {
			clear(e.mem())
			var got uint64
			if mode == "checked" {
				got, err = e.run(ours)
			} else {
				got, err = e.run(ours, unchecked)
			}
			if err != nil || got != 2 {
				t.Fatalf("program %d (%s): got %d, %v", n, mode, got, err)
			}
			if !bytes.Equal(e.mem()[:size], want) {
				t.Fatalf("program %d (%s): registers differ from the kernel's\n got %x\nwant %x\n%s",
					n, mode, e.mem()[:size], want, listing(core))
			}
		}
	}
}

// runKernel loads insns as an XDP program and returns the first size bytes
// of the packet after a test run.
func runKernel(insns []isa.Instruction, size int) ([]byte, error) {
	ki, err := asm.AppendInstructions(nil, bytes.NewReader(isa.Encode(insns)), binary.LittleEndian, "linux")
	if err != nil {
		return nil, err
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: ki, License: "GPL"})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	in := make([]byte, 128)
	out := make([]byte, 128)
	ret, err := p.Run(&ebpf.RunOptions{Data: in, DataOut: out})
	if err != nil {
		return nil, err
	}
	if ret != 2 {
		return nil, fmt.Errorf("returned %d, want 2", ret)
	}
	return out[:size], nil
}

func listing(insns []isa.Instruction) string {
	var b bytes.Buffer
	for i, ins := range insns {
		fmt.Fprintf(&b, "%3d: op %#02x dst r%d src r%d off %d imm %d\n", i, ins.Opcode, ins.Dst, ins.Src, ins.Offset, ins.Imm)
	}
	return b.String()
}
