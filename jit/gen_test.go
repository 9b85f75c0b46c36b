package jit_test

import (
	"github.com/bpfhost/bpfhost/isa"
)

// gen builds random but safe programs for differential testing from a
// stream of choice bytes (a fuzz input). The grammar keeps every memory
// access in bounds: r1 (the raw program type's input block of memBytes)
// and r10 are never written; stack accesses use constant offsets inside
// the top stackBytes; memory accesses use constant offsets inside the
// block; atomics are naturally aligned. Branches go forward; the only
// backward branch closes a counted loop on r9, which nothing else
// writes. The program ends by folding the registers and the used stack
// into r0, so that every difference shows in r0 or in the memory block.
type gen struct {
	in  []byte
	out []isa.Instruction
	// fixups are forward jumps waiting for a target: index of the jump
	// and the number of instructions still to emit before it lands.
	pending []pendingJump
}

type pendingJump struct {
	at, left int
}

const (
	memBytes   = 64
	stackBytes = 64
)

// data registers the generator may write (r1 memory, r9 loop counter,
// r10 frame pointer excluded).
var dataRegs = []uint8{0, 2, 3, 4, 5, 6, 7, 8}

func (g *gen) byte() byte {
	if len(g.in) == 0 {
		return 0
	}
	b := g.in[0]
	g.in = g.in[1:]
	return b
}

func (g *gen) u32() uint32 {
	return uint32(g.byte()) | uint32(g.byte())<<8 | uint32(g.byte())<<16 | uint32(g.byte())<<24
}

// imm picks interesting immediates: edge values more often than chance.
func (g *gen) imm() int32 {
	switch g.byte() % 8 {
	case 0:
		return 0
	case 1:
		return -1
	case 2:
		return 1
	case 3:
		return -0x80000000
	case 4:
		return 0x7fffffff
	case 5:
		return int32(int8(g.byte()))
	}
	return int32(g.u32())
}

func (g *gen) reg() uint8 { return dataRegs[int(g.byte())%len(dataRegs)] }

// srcReg may also read r1, r9 and r10.
func (g *gen) srcReg() uint8 { return uint8(g.byte() % 11) }

func (g *gen) emit(ins isa.Instruction) {
	g.out = append(g.out, ins)
	// Land pending forward jumps whose distance ran out.
	kept := g.pending[:0]
	for _, p := range g.pending {
		p.left--
		if p.left <= 0 {
			g.out[p.at].Offset = int16(len(g.out) - p.at - 1)
			continue
		}
		kept = append(kept, p)
	}
	g.pending = kept
}

// landAll makes every pending jump land at the next instruction.
func (g *gen) landAll() {
	for _, p := range g.pending {
		g.out[p.at].Offset = int16(len(g.out) - p.at - 1)
	}
	g.pending = g.pending[:0]
}

func (g *gen) mov64(dst uint8, k int32) {
	g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: dst, Imm: k})
}

// program generates a whole program.
func (g *gen) program() []isa.Instruction {
	for _, r := range dataRegs {
		g.mov64(r, g.imm())
	}
	for off := int16(-8); off >= -stackBytes; off -= 8 {
		g.emit(isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: isa.R10, Offset: off})
	}
	var calls []int
	n := 4 + int(g.byte()%48)
	for i := 0; i < n && len(g.in) > 0; i++ {
		switch g.byte() % 16 {
		case 0:
			g.loop()
		case 1:
			// A bpf-to-bpf call to the subprogram after main (offset
			// fixed below): it may clobber r0-r5 and writes r6-r9,
			// which the call must preserve.
			calls = append(calls, len(g.out))
			g.emit(isa.Instruction{Opcode: isa.OpCall, Src: isa.CallLocal})
		default:
			g.stmt(true)
		}
	}
	g.landAll()
	g.epilogue()
	if len(calls) > 0 {
		sub := len(g.out)
		g.body()
		for _, c := range calls {
			g.out[c].Imm = int32(sub - c - 1)
		}
	}
	return g.out
}

// body emits a subprogram: its own stack slots zeroed, statements and a
// loop, then the fold of registers and stack into r0.
func (g *gen) body() {
	for off := int16(-8); off >= -stackBytes; off -= 8 {
		g.emit(isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: isa.R10, Offset: off})
	}
	for i, n := 0, 2+int(g.byte()%16); i < n; i++ {
		if g.byte()%8 == 0 {
			g.loop()
		} else {
			g.stmt(true)
		}
	}
	g.landAll()
	g.epilogue()
}

// loop emits r9 = count; body; r9 -= 1; if r9 != 0 goto body.
func (g *gen) loop() {
	g.landAll()
	g.mov64(isa.R9, int32(1+g.byte()%40))
	start := len(g.out)
	saved := g.pending
	g.pending = nil
	for i, n := 0, 1+int(g.byte()%8); i < n; i++ {
		g.stmt(false)
	}
	g.landAll()
	g.pending = saved
	g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUSub | isa.SrcK, Dst: isa.R9, Imm: 1})
	at := len(g.out)
	g.emit(isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: isa.R9})
	g.out[at].Offset = int16(start - at - 1)
}

var aluOps = []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUMul, isa.ALUDiv, isa.ALUOr, isa.ALUAnd, isa.ALULsh, isa.ALURsh, isa.ALUNeg, isa.ALUMod, isa.ALUXor, isa.ALUMov, isa.ALUArsh, isa.ALUEnd}

var jmpOps = []uint8{isa.JmpJEQ, isa.JmpJGT, isa.JmpJGE, isa.JmpJSET, isa.JmpJNE, isa.JmpJSGT, isa.JmpJSGE, isa.JmpJLT, isa.JmpJLE, isa.JmpJSLT, isa.JmpJSLE}

var sizes = []uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}

// addr picks a base register and an in-bounds, size-aligned offset.
func (g *gen) addr(size int) (uint8, int16) {
	if g.byte()%2 == 0 {
		slots := stackBytes / size
		return isa.R10, int16(-size * (1 + int(g.byte())%slots))
	}
	slots := memBytes / size
	return isa.R1, int16(size * (int(g.byte()) % slots))
}

// stmt emits one random statement; jumps only when allowed.
func (g *gen) stmt(jumps bool) {
	switch k := g.byte() % 16; {
	case k < 8:
		g.alu()
	case k == 8:
		// Both slots go in before pending jumps may land (never on
		// the second slot).
		g.out = append(g.out, isa.Instruction{Opcode: isa.OpLdImm64, Dst: g.reg(), Imm: int32(g.u32())})
		g.emit(isa.Instruction{Imm: int32(g.u32())})
	case k == 9 || k == 10:
		size := sizes[g.byte()%4]
		base, off := g.addr(isa.SizeBytes(size))
		mode := isa.ModeMEM
		if size != isa.SizeDW && g.byte()%3 == 0 {
			mode = isa.ModeMEMSX
		}
		g.emit(isa.Instruction{Opcode: isa.ClassLDX | mode | size, Dst: g.reg(), Src: base, Offset: off})
	case k == 11:
		size := sizes[g.byte()%4]
		base, off := g.addr(isa.SizeBytes(size))
		g.emit(isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | size, Dst: base, Src: g.srcReg(), Offset: off})
	case k == 12:
		size := sizes[g.byte()%4]
		base, off := g.addr(isa.SizeBytes(size))
		g.emit(isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | size, Dst: base, Offset: off, Imm: g.imm()})
	case k == 13:
		g.atomic()
	default:
		if !jumps {
			g.alu()
			return
		}
		g.jump()
	}
}

func (g *gen) alu() {
	cls := isa.ClassALU64
	if g.byte()%3 == 0 {
		cls = isa.ClassALU
	}
	op := aluOps[int(g.byte())%len(aluOps)]
	ins := isa.Instruction{Opcode: cls | op, Dst: g.reg()}
	x := g.byte()%2 == 0
	switch op {
	case isa.ALUNeg:
		x = false
	case isa.ALUEnd:
		ins.Imm = []int32{16, 32, 64}[g.byte()%3]
		if cls == isa.ClassALU && g.byte()%2 == 0 {
			ins.Opcode |= isa.EndToBE
		}
		g.emit(ins)
		return
	case isa.ALUDiv, isa.ALUMod:
		ins.Offset = int16(g.byte() % 2)
	case isa.ALUMov:
		if x && g.byte()%3 == 0 {
			ins.Offset = []int16{8, 16, 32}[g.byte()%3]
			if cls == isa.ClassALU && ins.Offset == 32 {
				ins.Offset = 16
			}
		}
	}
	if x {
		ins.Opcode |= isa.SrcX
		ins.Src = g.srcReg()
	} else if op != isa.ALUNeg {
		ins.Imm = g.imm()
	}
	g.emit(ins)
}

func (g *gen) atomic() {
	w := g.byte()%2 == 0
	size, sz := isa.SizeW, 4
	if w {
		size, sz = isa.SizeDW, 8
	}
	base, off := g.addr(sz)
	ops := []int32{isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
		isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch,
		isa.AtomicXor | isa.AtomicFetch, isa.AtomicXchg, isa.AtomicCmpXchg}
	g.emit(isa.Instruction{Opcode: isa.ClassSTX | isa.ModeATOMIC | size, Dst: base, Src: g.reg(), Offset: off, Imm: ops[int(g.byte())%len(ops)]})
}

func (g *gen) jump() {
	cls := isa.ClassJMP
	if g.byte()%3 == 0 {
		cls = isa.ClassJMP32
	}
	ins := isa.Instruction{Opcode: cls | jmpOps[int(g.byte())%len(jmpOps)], Dst: g.srcReg()}
	if g.byte()%2 == 0 {
		ins.Opcode |= isa.SrcX
		ins.Src = g.srcReg()
	} else {
		ins.Imm = g.imm()
	}
	g.out = append(g.out, ins)
	g.pending = append(g.pending, pendingJump{at: len(g.out) - 1, left: 1 + int(g.byte()%6)})
}

// epilogue folds r2-r9 and the stack slots into r0 and exits.
func (g *gen) epilogue() {
	fold := func(r uint8) {
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: 0, Imm: 0x100000001b3 & 0x7fffffff})
		g.emit(isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 0, Src: r})
	}
	for _, r := range []uint8{2, 3, 4, 5, 6, 7, 8, 9} {
		fold(r)
	}
	for off := int16(-8); off >= -stackBytes; off -= 8 {
		g.emit(isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: 2, Src: isa.R10, Offset: off})
		fold(2)
	}
	g.emit(isa.Instruction{Opcode: isa.OpExit})
}
