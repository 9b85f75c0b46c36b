// Package amd64 is the x86-64 back end of the JIT: it compiles a verified
// vm.Program to position-independent machine code for jit.Code. It is pure
// Go and builds on every GOARCH (only running the code needs an amd64 host).
package amd64

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

func init() { jit.RegisterBackend("amd64", Compile) }

// label is a code position resolved after emission: labels 0..n are the
// eBPF instructions (n is the fall-off fault), later ones are stubs.
type label int

type fixup struct {
	pos int // offset of a rel32 field
	to  label
}

type compiler struct {
	a       asm
	p       *vm.Program
	insns   []isa.Instruction
	opts    jit.Options
	n       int
	second  []bool // second slot of an ld_imm64
	target  []bool // jump or call target (for the inline lookup's dataflow)
	labels  []int  // position of each label, -1 until placed
	fixups  []fixup
	exit    label         // common exit sequence
	preempt map[int]label // back-edge target -> preemption stub
	stubs   []stub
	rng     *mrand.Rand
	inlined int
	ml      mapLookupState // native map lookups (maplookup.go)
	// branches are the label branches in emission order; short holds
	// the previous pass's decisions; code is the result.
	branches []branch
	short    []bool
	code     *jit.Code
}

// branch is one branch to a label (its rel8 or rel32 field at pos).
type branch struct {
	pos   int
	to    label
	short bool
}

// stub is an out-of-line exit emitted after the body.
type stub struct {
	l         label
	exit, arg int32
	pc        int32
	resumeTo  label // -1: none
}

// Compile translates p into x86-64 machine code. p must be verified (the
// code has no memory checks); the checks here are structural, mirroring
// the interpreter's decoder so both engines refuse the same programs.
func Compile(p *vm.Program, opts jit.Options) (*jit.Code, error) {
	if p == nil || len(p.Insns) == 0 {
		return nil, fmt.Errorf("amd64: empty program")
	}
	var seed uint64
	if opts.Blind {
		seed = opts.BlindSeed
		if seed == 0 {
			var b [8]byte
			rand.Read(b[:])
			seed = binary.LittleEndian.Uint64(b[:]) | 1
		}
	}
	// Branch shortening: the first pass uses rel32 everywhere; branches
	// whose distance fits in rel8 there still fit once others shrink
	// (code between them only gets shorter), so the second pass emits
	// them short.
	c, err := pass(p, opts, seed, nil)
	if err != nil {
		return nil, err
	}
	short := make([]bool, len(c.branches))
	shorten := false
	for i, b := range c.branches {
		rel := c.labels[b.to] - (b.pos + 4)
		short[i] = rel >= -128 && rel+4 <= 127
		shorten = shorten || short[i]
	}
	if shorten {
		if c, err = pass(p, opts, seed, short); err != nil {
			return nil, err
		}
	}
	return c.code, nil
}

// pass compiles p once; short (from a previous pass) says which branches
// to emit with rel8.
func pass(p *vm.Program, opts jit.Options, seed uint64, short []bool) (*compiler, error) {
	c := &compiler{p: p, insns: p.Insns, opts: opts, n: len(p.Insns), preempt: map[int]label{}, short: short}
	if opts.Blind {
		c.rng = mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	if err := c.scan(); err != nil {
		return nil, err
	}
	c.labels = make([]int, c.n+1, c.n+16)
	for i := range c.labels {
		c.labels[i] = -1
	}
	code := &jit.Code{Arch: "amd64", Offsets: make([]uint32, c.n+1), Blinded: opts.Blind}
	c.exit = c.newLabel()

	code.Prologue = uint32(c.a.pos())
	c.prologue()
	c.place(c.exit)
	c.exitSequence()
	code.Run = uint32(c.a.pos())
	c.runEntry()
	// The run entry falls through into Start.
	code.Start = uint32(c.a.pos())
	c.fix(c.a.call32(), 0)
	c.returnExit()
	code.Call = uint32(c.a.pos())
	c.callEntry()
	// The call entry falls through into Callback.
	code.Callback = uint32(c.a.pos())
	c.a.callMem(regFrame, jit.OffArg)
	c.returnExit()

	for pc := 0; pc < c.n; pc++ {
		if c.second[pc] {
			code.Offsets[pc] = jit.NoOffset
			continue
		}
		code.Offsets[pc] = uint32(c.a.pos())
		c.place(label(pc))
		if err := c.insn(pc); err != nil {
			return nil, fmt.Errorf("instruction %d (opcode %#02x): %w", pc, c.insns[pc].Opcode, err)
		}
	}
	// Running past the last instruction is a fault, as in the interpreter.
	code.Offsets[c.n] = uint32(c.a.pos())
	c.place(label(c.n))
	c.faultExit(jit.FaultFallOff, c.n)
	c.emitStubs()
	c.emitMapLookups()
	for _, f := range c.fixups {
		c.a.patch32(f.pos, c.labels[f.to])
	}
	for _, b := range c.branches {
		if !b.short {
			continue
		}
		rel := c.labels[b.to] - (b.pos + 1)
		if rel < -128 || rel > 127 {
			return nil, fmt.Errorf("internal error: short branch at %#x spans %d bytes", b.pos, rel)
		}
		c.a.b[b.pos] = byte(int8(rel))
	}
	code.Text = c.a.b
	code.Inlined = c.inlined
	c.code = code
	return c, nil
}

// br emits a branch to l: conditional on cc, or unconditional if cc is
// nil; short when the previous pass found it fits.
func (c *compiler) br(cc *cond, l label) {
	i := len(c.branches)
	if i < len(c.short) && c.short[i] {
		var pos int
		if cc != nil {
			pos = c.a.jcc8(*cc)
		} else {
			pos = c.a.jmp8()
		}
		c.branches = append(c.branches, branch{pos: pos, to: l, short: true})
		return
	}
	var pos int
	if cc != nil {
		pos = c.a.jcc32(*cc)
	} else {
		pos = c.a.jmp32()
	}
	c.fix(pos, l)
	c.branches = append(c.branches, branch{pos: pos, to: l})
}

func (c *compiler) newLabel() label {
	c.labels = append(c.labels, -1)
	return label(len(c.labels) - 1)
}

func (c *compiler) place(l label) { c.labels[l] = c.a.pos() }

func (c *compiler) fix(pos int, to label) { c.fixups = append(c.fixups, fixup{pos, to}) }

// Returns are kept paired with calls so that the processor's return
// predictor stays right across exits to Go (a mispredicted return costs
// 15-20 cycles, and one out of place mispredicts every return after it,
// Go's included):
//
//   - the entry function (and a callback) is always called from a stub at
//     native SP = Frame.RunStackSP, so its return address is the word at
//     RunStackSP-8, and it is the return exit's address;
//   - an exit to Go (helper, preemption, fault) leaves through that word:
//     SP = RunStackSP-8 and ret, which lands in the return exit as the
//     predictor expects when the exit is made from the entry function
//     itself (not from a bpf-to-bpf callee), and the return exit's ret
//     goes back into the trampoline, again as predicted;
//   - the prologue resumes by calling, from RunStackSP, the code that
//     switches to NativeSP and jumps to Resume, so the predictor again
//     expects the return to the return exit that the entry function's
//     ret (or the next exit) makes.
//
// The return exit therefore cannot tell a return from an exit: it stores
// r0 (for an exit, r0 again) and Go sets Exit = ExitReturn before every
// entry, which exits overwrite.

// prologue is what the trampoline calls to resume after an exit: save the
// Go stack pointer, plant the return exit's address at RunStackSP-8 with
// a call (see above), switch to the native stack, load the budget and the
// eBPF registers, and continue at Frame.Resume.
func (c *compiler) prologue() {
	a := &c.a
	a.store(8, regFrame, jit.OffSavedSP, rsp)
	a.load(8, rsp, regFrame, jit.OffRunStackSP)
	resume := c.newLabel()
	c.fix(a.call32(), resume)
	c.returnExit()
	c.place(resume)
	a.load(8, rsp, regFrame, jit.OffNativeSP)
	a.load(8, regBudget, regFrame, jit.OffBudget)
	for i, r := range regs {
		a.load(8, r, regFrame, int32(jit.OffRegs+8*i))
	}
	a.jmpMem(regFrame, jit.OffResume)
}

// exitSequence returns to Go: Frame.Exit (and Arg, Arg2) are already set,
// r11 holds the resume address. It stores the registers and the native
// stack pointer and leaves through the entry function's return address,
// the return exit (see above).
func (c *compiler) exitSequence() {
	a := &c.a
	a.store(8, regFrame, jit.OffResume, regAux)
	for i, r := range regs {
		a.store(8, regFrame, int32(jit.OffRegs+8*i), r)
	}
	a.store(8, regFrame, jit.OffNativeSP, rsp)
	a.load(8, rsp, regFrame, jit.OffRunStackSP)
	a.lea(rsp, rsp, -8)
	a.ret()
}

// runEntry is what the trampoline calls for a new run: the prologue cut
// to what a fresh run needs. The native stack is empty (SP = NativeStack),
// r1, r2 and r10 come from the Frame, the other eBPF registers start at
// zero as in the interpreter (xor needs no load), and the budget is the
// constant DefaultBudget (the Frame's copy is only read by Prologue).
// Whatever Go would otherwise put in Frame.Resume and NativeSP is implied.
func (c *compiler) runEntry() {
	a := &c.a
	a.store(8, regFrame, jit.OffSavedSP, rsp)
	a.load(8, rsp, regFrame, jit.OffNativeStack)
	a.movRI32(regBudget, jit.DefaultBudget)
	a.load(8, regs[1], regFrame, jit.OffRegs+8)
	a.load(8, regs[2], regFrame, jit.OffRegs+16)
	a.load(8, regs[10], regFrame, jit.OffRegs+80)
	for _, r := range []int{0, 3, 4, 5, 6, 7, 8, 9} {
		a.aluRR(aluXor, false, regs[r], regs[r])
	}
}

// callEntry is what the trampoline calls for a callback (ctx.Call): the
// native stack continues below the suspended helper caller (NativeSP),
// r1-r5 and r10 come from the Frame, r0 and r6-r9 start at zero, the
// budget is DefaultBudget.
func (c *compiler) callEntry() {
	a := &c.a
	a.store(8, regFrame, jit.OffSavedSP, rsp)
	a.load(8, rsp, regFrame, jit.OffNativeSP)
	a.movRI32(regBudget, jit.DefaultBudget)
	for _, r := range []int{1, 2, 3, 4, 5, 10} {
		a.load(8, regs[r], regFrame, int32(jit.OffRegs+8*r))
	}
	for _, r := range []int{0, 6, 7, 8, 9} {
		a.aluRR(aluXor, false, regs[r], regs[r])
	}
}

// returnExit is where the entry function (or a callback) returns, and
// every exit to Go passes: only r0 matters to Go after a return (it
// returns it; ctx.Call restores the rest of the Frame itself), so it is
// all that is stored; Exit is ExitReturn as Go set it unless an exit
// changed it. No resume address, no other register, no native stack
// pointer.
func (c *compiler) returnExit() {
	a := &c.a
	a.store(8, regFrame, jit.OffRegs, regs[0])
	a.load(8, rsp, regFrame, jit.OffSavedSP)
	a.ret()
}

// exitWith sets Frame.Exit and jumps to the exit sequence, resuming after
// it if Go continues.
func (c *compiler) exitWith(exit int32) {
	a := &c.a
	a.storeImm(8, regFrame, jit.OffExit, exit)
	p := a.leaRIP(regAux)
	c.br(nil, c.exit)
	a.patch32(p, a.pos())
}

// faultExit exits with ExitFault, code and pc.
func (c *compiler) faultExit(code int32, pc int) {
	a := &c.a
	a.storeImm(8, regFrame, jit.OffArg, code)
	a.storeImm(8, regFrame, jit.OffArg2, int32(pc))
	c.exitWith(jit.ExitFault)
}

// emitStubs places the out-of-line exits after the body.
func (c *compiler) emitStubs() {
	a := &c.a
	for _, s := range c.stubs {
		c.place(s.l)
		if s.exit == jit.ExitFault {
			c.faultExit(s.arg, int(s.pc))
			continue
		}
		a.storeImm(8, regFrame, jit.OffExit, s.exit)
		c.fix(a.leaRIP(regAux), s.resumeTo)
		c.br(nil, c.exit)
	}
}

// preemptStub returns the stub that exits with ExitPreempt and resumes at
// the back-edge target t.
func (c *compiler) preemptStub(t int) label {
	if l, ok := c.preempt[t]; ok {
		return l
	}
	l := c.newLabel()
	c.stubs = append(c.stubs, stub{l: l, exit: jit.ExitPreempt, resumeTo: label(t)})
	c.preempt[t] = l
	return l
}

// faultStub returns a new stub exiting with ExitFault.
func (c *compiler) faultStub(code int32, pc int) label {
	l := c.newLabel()
	c.stubs = append(c.stubs, stub{l: l, exit: jit.ExitFault, arg: code, pc: int32(pc)})
	return l
}

// blindKey returns a fresh blinding key.
func (c *compiler) blindKey() int32 { return int32(c.rng.Uint32()) }

// immReg materializes the sign-extended immediate k in regTmp with
// blinding: the code holds only k^key and key.
func (c *compiler) immReg(k int32) reg {
	key := c.blindKey()
	c.a.movRIsx(regTmp, k^key)
	c.a.aluRI(aluXor, true, regTmp, key)
	return regTmp
}
