package arm64_test

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
)

// gen turns fuzzer bytes into a safe program: no loops (jumps only go
// forward), memory only in the zero-initialised stack frame, atomics
// aligned. Every register and stack slot is folded into r0 at the end, so
// any difference in any result shows in r0.
type gen struct {
	b   []byte
	out []isa.Instruction
}

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	v := g.b[0]
	g.b = g.b[1:]
	return v
}

func (g *gen) u32() uint32 {
	return uint32(g.byte()) | uint32(g.byte())<<8 | uint32(g.byte())<<16 | uint32(g.byte())<<24
}

// special values that exercise edge cases: zero divisors, INT_MIN / -1,
// shift amounts at and beyond the width.
var specials = []uint64{0, 1, 2, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff,
	0x80000000, 0xffffffff, 0x7fffffff, 31, 32, 63, 64, 0xff, 0x8000, 0x80, 0xffffffff80000000}

func (g *gen) value() uint64 {
	if v := g.byte(); v < 128 {
		return specials[int(v)%len(specials)]
	}
	return uint64(g.u32()) | uint64(g.u32())<<32
}

func (g *gen) imm() int32 {
	if v := g.byte(); v < 160 {
		return int32(specials[int(v)%len(specials)])
	}
	return int32(g.u32())
}

func (g *gen) emit(ins isa.Instruction) { g.out = append(g.out, ins) }

func (g *gen) reg() uint8 { return g.byte() % 10 }

const slots = 16 // stack slots of 8 bytes the program uses

var aluOps = []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUMul, isa.ALUDiv, isa.ALUOr, isa.ALUAnd, isa.ALULsh,
	isa.ALURsh, isa.ALUNeg, isa.ALUMod, isa.ALUXor, isa.ALUMov, isa.ALUArsh}

var jmpOps = []uint8{isa.JmpJEQ, isa.JmpJGT, isa.JmpJGE, isa.JmpJSET, isa.JmpJNE, isa.JmpJSGT,
	isa.JmpJSGE, isa.JmpJLT, isa.JmpJLE, isa.JmpJSLT, isa.JmpJSLE}

var atomicOps = []int32{isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
	isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch,
	isa.AtomicXor | isa.AtomicFetch, isa.AtomicXchg, isa.AtomicCmpXchg}

var sizes = []uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}

// program builds the whole program from g's bytes.
func (g *gen) program() []isa.Instruction {
	for k := 1; k <= slots; k++ {
		g.emit(isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: isa.R10, Offset: int16(-8 * k)})
	}
	for r := uint8(0); r < 10; r++ {
		v := g.value()
		g.emit(isa.Instruction{Opcode: isa.OpLdImm64, Dst: r, Imm: int32(uint32(v))})
		g.emit(isa.Instruction{Imm: int32(uint32(v >> 32))})
	}
	n := 8 + int(g.byte())%56
	body := make([]isa.Instruction, 0, n)
	for len(body) < n {
		body = append(body, g.insn(n-len(body)-1))
	}
	g.out = append(g.out, body...)
	for r := uint8(1); r < 10; r++ {
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: 0, Imm: 0x01000193})
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 0, Src: r})
	}
	for k := 1; k <= slots; k++ {
		g.emit(isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: 1, Src: isa.R10, Offset: int16(-8 * k)})
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: 0, Imm: 0x01000193})
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 0, Src: 1})
	}
	g.emit(isa.Instruction{Opcode: isa.OpExit})
	// The subprogram the body's local calls go to: it reads r1-r3, uses
	// its own stack frame and clobbers r6, which the call must restore.
	sub := len(g.out)
	g.out = append(g.out,
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 0, Src: 1},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: 0, Imm: 3},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: 0, Src: 2},
		isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: isa.R10, Src: 0, Offset: -8},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 6, Src: 3},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 6, Src: 0},
		isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: 1, Src: isa.R10, Offset: -8},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: 0, Src: 6},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: 0, Src: 1},
		isa.Instruction{Opcode: isa.OpExit})
	for i, ins := range g.out[:sub] {
		if ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal {
			g.out[i].Imm = int32(sub - i - 1)
		}
	}
	return g.out
}

// insn generates one single-slot instruction; left is how many body slots
// follow it (forward jumps stay inside the body or land on its end).
func (g *gen) insn(left int) isa.Instruction {
	dst, src := g.reg(), g.reg()
	switch g.byte() % 9 {
	case 8: // bpf-to-bpf call of the subprogram (target patched in program)
		return isa.Instruction{Opcode: isa.OpCall, Src: isa.CallLocal}
	case 0, 1, 2: // ALU
		cls := isa.ClassALU64
		if g.byte()&1 == 0 {
			cls = isa.ClassALU
		}
		op := aluOps[int(g.byte())%len(aluOps)]
		ins := isa.Instruction{Opcode: cls | op, Dst: dst}
		if op == isa.ALUNeg || g.byte()&1 == 0 {
			ins.Imm = g.imm()
		} else {
			ins.Opcode |= isa.SrcX
			ins.Src = src
		}
		switch {
		case op == isa.ALUDiv || op == isa.ALUMod:
			ins.Offset = int16(g.byte() & 1)
		case op == isa.ALUMov && ins.Opcode&isa.SrcX != 0:
			offs := []int16{0, 8, 16, 32}
			ins.Offset = offs[int(g.byte())%4]
			if ins.Offset == 32 && cls == isa.ClassALU {
				ins.Offset = 0
			}
		}
		return ins
	case 3: // byte order
		widths := []int32{16, 32, 64}
		ins := isa.Instruction{Opcode: isa.ClassALU | isa.ALUEnd, Dst: dst, Imm: widths[int(g.byte())%3]}
		switch g.byte() % 3 {
		case 1:
			ins.Opcode |= isa.EndToBE
		case 2:
			ins.Opcode = isa.ClassALU64 | isa.ALUEnd
		}
		return ins
	case 4: // store
		size := sizes[int(g.byte())%4]
		off := -int16(isa.SizeBytes(size)) - int16(int(g.byte())%(8*slots-isa.SizeBytes(size)+1))
		if g.byte()&1 == 0 {
			return isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | size, Dst: isa.R10, Offset: off, Imm: g.imm()}
		}
		return isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | size, Dst: isa.R10, Src: src, Offset: off}
	case 5: // load, possibly sign-extending
		size := sizes[int(g.byte())%4]
		off := -int16(isa.SizeBytes(size)) - int16(int(g.byte())%(8*slots-isa.SizeBytes(size)+1))
		mode := isa.ModeMEM
		if size != isa.SizeDW && g.byte()&1 == 0 {
			mode = isa.ModeMEMSX
		}
		return isa.Instruction{Opcode: isa.ClassLDX | mode | size, Dst: dst, Src: isa.R10, Offset: off}
	case 6: // atomic on an aligned slot
		size := isa.SizeW
		align := 4
		if g.byte()&1 == 0 {
			size, align = isa.SizeDW, 8
		}
		off := -int16(align * (1 + int(g.byte())%(8*slots/align)))
		return isa.Instruction{Opcode: isa.ClassSTX | isa.ModeATOMIC | size, Dst: isa.R10, Src: src,
			Offset: off, Imm: atomicOps[int(g.byte())%len(atomicOps)]}
	default: // forward conditional jump
		cls := isa.ClassJMP
		if g.byte()&1 == 0 {
			cls = isa.ClassJMP32
		}
		ins := isa.Instruction{Opcode: cls | jmpOps[int(g.byte())%len(jmpOps)], Dst: dst,
			Offset: int16(int(g.byte()) % (left + 1))}
		if g.byte()&1 == 0 {
			ins.Imm = g.imm()
		} else {
			ins.Opcode |= isa.SrcX
			ins.Src = src
		}
		return ins
	}
}

// FuzzDifferential runs generated programs on the interpreter and the
// arm64 JIT (under qemu off arm64) and requires identical results.
func FuzzDifferential(f *testing.F) {
	needNative(f)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 16; i++ {
		b := make([]byte, 512)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := &gen{b: b}
		old := arm64.SetLSE(len(b)%2 == 0)
		defer arm64.SetLSE(old)
		differential(t, g.program(), nil)
	})
}

// TestRandomPrograms is the deterministic part of the differential fuzzing:
// a fixed set of generated programs, every encoding class included.
func TestRandomPrograms(t *testing.T) {
	needNative(t)
	n := 400
	if testing.Short() {
		n = 50
	}
	if v := os.Getenv("BPFHOST_ARM64_PROGRAMS"); v != "" {
		n, _ = strconv.Atoi(v) // longer runs by hand: the fuzzer cannot fork under qemu-user
	}
	var seed [8]byte
	for i := 0; i < n; i++ {
		// Odd programs use LDAXR/STLXR loops instead of LSE atomics.
		old := arm64.SetLSE(i%2 == 0)
		binary.LittleEndian.PutUint64(seed[:], uint64(i))
		r := rand.New(rand.NewChaCha8([32]byte{seed[0], seed[1], seed[2], seed[3]}))
		b := make([]byte, 1024)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		g := &gen{b: b}
		// Every third program is compiled with constant blinding.
		differentialWith(t, jit.Options{Blind: i%3 == 0, BlindSeed: uint64(i)}, g.program(), nil)
		arm64.SetLSE(old)
		if t.Failed() {
			t.Fatalf("program %d differs", i)
		}
	}
}
