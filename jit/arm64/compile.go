// Package arm64 is the A64 (AArch64) back end of the JIT: it compiles a
// verified vm.Program to position-independent A64 machine code following the
// Frame contract of package jit. It is pure Go and builds on every GOARCH;
// the code it produces runs only on arm64 (through jit's trampoline).
//
// Register mapping. eBPF r0-r5 live in x0-x5, r6-r9 in the callee-saved
// x19-x22 and the frame pointer r10 in x23. x24 holds Frame.StackLimit, x25
// the back-edge budget and x26 the Frame address. x9-x13 and x16 are
// scratch. The code never touches x18 (the platform register), x28 (Go's g,
// which signal handlers read) or x29 (Go's frame pointer).
//
// Calls. bpf-to-bpf calls push r6-r10 and a return address on the native
// stack and use BL; exit pops the return address and uses RET, so the
// return address never lives only in x30 across an exit to Go. The Start and
// Callback stubs call into the program the same way, so exit at the outermost
// level returns into them and they leave with ExitReturn. Helper calls,
// preemption and faults store the registers in the Frame and return through
// the trampoline; Go resumes at Frame.Resume.
//
// Atomics use the ARMv8.1 LSE instructions (LDADDAL, LDCLRAL, LDSETAL,
// LDEORAL, SWPAL, CASAL) when golang.org/x/sys/cpu reports them, and
// LDAXR/STLXR loops with a trailing DMB ISH otherwise.
//
// Executable memory. jit/internal/execmem maps the code read-write, copies
// it, switches it to read-execute and then runs the data-cache clean /
// instruction-cache invalidate sequence (DC CVAU, DSB ISH, IC IVAU, DSB ISH,
// ISB) that arm64 requires before new code runs. On macOS a process without
// the hardened runtime may do this mprotect dance without MAP_JIT (pages are
// never writable and executable at once); a hardened-runtime binary needs
// the com.apple.security.cs.allow-jit entitlement plus MAP_JIT and
// pthread_jit_write_protect_np, which execmem does not do (and the darwin
// path has not been run on real hardware: only Linux under qemu-user).
package arm64

import (
	"fmt"
	"math/rand/v2"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

func init() { jit.RegisterBackend("arm64", Compile) }

// Fixed registers (see the package comment).
const (
	regFP      Reg = 23 // eBPF r10
	regLimit   Reg = 24 // Frame.StackLimit
	regBudget  Reg = 25 // back-edges left
	regFrame   Reg = 26 // *jit.Frame
	tmp1       Reg = 9
	tmp2       Reg = 10
	tmp3       Reg = 11
	tmp4       Reg = 12
	tmp5       Reg = 13
	regBlind   Reg = 16
	linkReg    Reg = 30
	maxCodeLen     = maxBranch * 4 // B/BL reach
)

// regMap maps eBPF registers to A64 registers.
var regMap = [isa.NumRegs]Reg{0, 1, 2, 3, 4, 5, 19, 20, 21, 22, regFP}

// Labels of the shared stubs, numbered after the instruction labels.
const (
	stubExit = iota
	stubHelper
	stubPreempt
	stubFault
	stubStart
	stubCallback
	stubPrologue
	stubRun
	stubCall
	stubReturn
	numStubs
)

// fixup is a branch or ADR whose target label is resolved after emission.
type fixup struct {
	at    int // word index of the instruction
	label int
	kind  fixKind
}

type fixKind uint8

const (
	fixB    fixKind = iota // B, BL: imm26
	fixCond                // B.cond, CBZ, CBNZ: imm19 at bit 5
	fixADR                 // ADR: byte offset
)

// compiler holds the state of one compilation pass.
type compiler struct {
	prog   *vm.Program
	insns  []isa.Instruction
	opts   jit.Options
	lse    bool
	long   bool // conditional branches to instructions use B.cond over B
	out    []uint32
	labels []int // word index of each label, -1 until placed
	fixups []fixup
	rng    *rand.Rand
	// second marks ld_imm64 second slots, target jump and call targets
	// (for the inline routes' basic-block reasoning).
	second, target []bool
	inlined        int
	ml             mapLookups // native bpf_map_lookup_elem routes (maplookup.go)
}

// useLSE selects LSE atomics; tests switch it to exercise the LL/SC loops.
var useLSE = detectLSE()

// Compile compiles p to A64 code. Checked (unverified) programs are refused:
// native code does not check memory accesses. Errors name the instruction;
// the caller (jit.CompileFor) names the program.
func Compile(p *vm.Program, opts jit.Options) (*jit.Code, error) {
	if p == nil {
		return nil, fmt.Errorf("arm64: nil program")
	}
	if p.Checked {
		return nil, fmt.Errorf("arm64: the program is not verified (Checked is set); only verified programs are compiled")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("arm64: %w", err)
	}
	second, target, err := check(p.Insns)
	if err != nil {
		return nil, fmt.Errorf("arm64: %w", err)
	}
	c := &compiler{prog: p, insns: p.Insns, opts: opts, lse: useLSE, second: second, target: target}
	if err := c.compile(); err != nil {
		return nil, err
	}
	if c.tooFar() {
		// Some conditional branch is beyond ±1 MiB: compile again with
		// every conditional jump as an inverted B.cond over a B.
		c = &compiler{prog: p, insns: p.Insns, opts: opts, lse: useLSE, second: second, target: target, long: true}
		if err := c.compile(); err != nil {
			return nil, err
		}
	}
	if len(c.out)*4 > maxCodeLen {
		return nil, fmt.Errorf("arm64: code of %d bytes exceeds the %d-byte branch range", len(c.out)*4, maxCodeLen)
	}
	if err := c.resolve(); err != nil {
		return nil, fmt.Errorf("arm64: %w", err)
	}
	code := &jit.Code{
		Arch:     "arm64",
		Text:     make([]byte, len(c.out)*4),
		Offsets:  make([]uint32, len(c.insns)+1),
		Prologue: uint32(c.labels[c.stub(stubPrologue)] * 4),
		Run:      uint32(c.labels[c.stub(stubRun)] * 4),
		Call:     uint32(c.labels[c.stub(stubCall)] * 4),
		Start:    uint32(c.labels[c.stub(stubStart)] * 4),
		Callback: uint32(c.labels[c.stub(stubCallback)] * 4),
		Blinded:  opts.Blind,
		Inlined:  c.inlined,
	}
	for i, w := range c.out {
		code.Text[4*i] = byte(w)
		code.Text[4*i+1] = byte(w >> 8)
		code.Text[4*i+2] = byte(w >> 16)
		code.Text[4*i+3] = byte(w >> 24)
	}
	for i := range code.Offsets {
		if l := c.labels[i]; l >= 0 {
			code.Offsets[i] = uint32(l * 4)
		} else {
			code.Offsets[i] = jit.NoOffset
		}
	}
	return code, nil
}

// stub returns the label number of a shared stub.
func (c *compiler) stub(s int) int { return len(c.insns) + 1 + s }

// newLabel allocates an unplaced local label.
func (c *compiler) newLabel() int {
	c.labels = append(c.labels, -1)
	return len(c.labels) - 1
}

// place binds label l to the current position.
func (c *compiler) place(l int) { c.labels[l] = len(c.out) }

func (c *compiler) emit(ws ...uint32) { c.out = append(c.out, ws...) }

// branchTo emits a branch-class instruction w whose offset field is filled
// in when label is placed.
func (c *compiler) branchTo(w uint32, label int, kind fixKind) {
	c.fixups = append(c.fixups, fixup{at: len(c.out), label: label, kind: kind})
	c.emit(w)
}

func (c *compiler) compile() error {
	n := len(c.insns)
	c.labels = make([]int, n+1+numStubs)
	for i := range c.labels {
		c.labels[i] = -1
	}
	if c.opts.Blind {
		seed := c.opts.BlindSeed
		if seed == 0 {
			seed = rand.Uint64()
		}
		c.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	for i := 0; i < n; i++ {
		c.place(i)
		skip, err := c.insn(i)
		if err != nil {
			return fmt.Errorf("arm64: instruction %d (opcode %#02x): %w", i, c.insns[i].Opcode, err)
		}
		i += skip
	}
	// Running past the last instruction is a fault (the verifier and
	// isa.Validate forbid it, the interpreter reports it).
	c.place(n)
	c.movImm(true, tmp2, uint64(n))
	c.movImm(true, tmp1, jit.FaultFallOff)
	c.branchTo(b(0), c.stub(stubFault), fixB)
	c.stubs()
	c.mapLookupRoutines()
	return nil
}

// tooFar reports whether a conditional branch or ADR of this pass cannot
// reach its target.
func (c *compiler) tooFar() bool {
	for _, f := range c.fixups {
		if f.kind == fixB {
			continue
		}
		d := c.labels[f.label] - f.at
		if d > maxCondBranch || d < -maxCondBranch-1 {
			return true
		}
	}
	return false
}

// resolve patches every fixup with its label's position.
func (c *compiler) resolve() error {
	for _, f := range c.fixups {
		t := c.labels[f.label]
		if t < 0 {
			return fmt.Errorf("internal error: label %d never placed", f.label)
		}
		d := int32(t - f.at)
		w := c.out[f.at]
		switch f.kind {
		case fixB:
			if d > maxBranch || d < -maxBranch-1 {
				return fmt.Errorf("branch of %d instructions is out of range", d)
			}
			w |= uint32(d) & 0x3ffffff
		case fixCond:
			if d > maxCondBranch || d < -maxCondBranch-1 {
				return fmt.Errorf("conditional branch of %d instructions is out of range", d)
			}
			w |= (uint32(d) & 0x7ffff) << 5
		case fixADR:
			u := uint32(d * 4)
			w |= (u&3)<<29 | ((u>>2)&0x7ffff)<<5
		}
		c.out[f.at] = w
	}
	return nil
}

// jumpTo emits a conditional (or, with cond < 0, unconditional) jump to
// eBPF instruction t from instruction i. Back-edges (t <= i) count down the
// budget and exit with ExitPreempt when it runs out, resuming at the jump.
func (c *compiler) jumpTo(i, t int, cond Cond, conditional bool) {
	if t > i {
		switch {
		case !conditional:
			c.branchTo(b(0), t, fixB)
		case c.long:
			c.emit(bcond(cond.Invert(), 2))
			c.branchTo(b(0), t, fixB)
		default:
			c.branchTo(bcond(cond, 0), t, fixCond)
		}
		return
	}
	if conditional {
		c.emit(bcond(cond.Invert(), 6)) // over the five words below
	}
	//	subs x25, x25, #1
	//	b.ls 2f
	// 1:	b target
	// 2:	adr x9, 1b
	//	b preempt
	c.emit(subsImm(true, regBudget, regBudget, 1), bcond(CondLS, 2))
	c.branchTo(b(0), t, fixB)
	c.emit(adr(tmp1, -4))
	c.branchTo(b(0), c.stub(stubPreempt), fixB)
}

// stubs emits the shared entry and exit code.
func (c *compiler) stubs() {
	f := regFrame
	// Exit: store the registers, the budget and the native SP, switch back
	// to the Go stack and return into the trampoline. Exit, Arg and Resume
	// are set by whoever branched here.
	c.place(c.stub(stubExit))
	c.emit(
		stp(0, 1, f, jit.OffRegs),
		stp(2, 3, f, jit.OffRegs+16),
		stp(4, 5, f, jit.OffRegs+32),
		stp(19, 20, f, jit.OffRegs+48),
		stp(21, 22, f, jit.OffRegs+64),
		ldstScaled(3, opcStore, regFP, f, jit.OffRegs+80),
		ldstScaled(3, opcStore, regBudget, f, jit.OffBudget),
		addImm(true, tmp1, SP, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffNativeSP),
		// Leave through the entry function's return slot, as its own
		// return would (see returnPairing).
		ldstScaled(3, opcLoad, tmp1, f, jit.OffRunStackSP),
		subImm(true, SP, tmp1, 16),
		ldrPost(linkReg, SP, 16),
		ret(),
	)
	// Helper exit: x9 = helper number, x10 = resume address, x11 = pc.
	c.place(c.stub(stubHelper))
	c.emit(
		ldstScaled(3, opcStore, tmp1, f, jit.OffArg),
		ldstScaled(3, opcStore, tmp3, f, jit.OffArg2),
		ldstScaled(3, opcStore, tmp2, f, jit.OffResume),
		movz(true, tmp1, jit.ExitHelper, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffExit),
	)
	c.branchTo(b(0), c.stub(stubExit), fixB)
	// Preemption exit: x9 = resume address.
	c.place(c.stub(stubPreempt))
	c.emit(
		ldstScaled(3, opcStore, tmp1, f, jit.OffResume),
		movz(true, tmp1, jit.ExitPreempt, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffExit),
	)
	c.branchTo(b(0), c.stub(stubExit), fixB)
	// Fault exit: x9 = fault code, x10 = eBPF pc.
	c.place(c.stub(stubFault))
	c.emit(
		ldstScaled(3, opcStore, tmp1, f, jit.OffArg),
		ldstScaled(3, opcStore, tmp2, f, jit.OffArg2),
		movz(true, tmp1, jit.ExitFault, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffExit),
	)
	c.branchTo(b(0), c.stub(stubExit), fixB)
	// Return exit: the entry function or a callback returned, or an exit
	// left through its return slot. Go needs only r0 after a return
	// (ctx.Call restores the rest of the Frame itself), so that is all
	// that is stored; Exit is ExitReturn as Go set it unless an exit
	// changed it.
	c.place(c.stub(stubReturn))
	c.emit(
		ldstScaled(3, opcStore, 0, f, jit.OffRegs),
		ldstScaled(3, opcLoad, tmp1, f, jit.OffSavedSP),
		addImm(true, SP, tmp1, 0),
		ldstScaled(3, opcLoad, linkReg, f, jit.OffReserved),
		ret(),
	)
	// Run entry, called by the trampoline like the prologue for a new run:
	// the native stack is empty, r1, r2 and r10 come from the Frame, the
	// other registers start at zero, the budget is DefaultBudget. It falls
	// through into Start.
	c.place(c.stub(stubRun))
	c.emit(
		movReg(true, f, 0),
		ldstScaled(3, opcStore, linkReg, f, jit.OffReserved),
		addImm(true, tmp1, SP, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffSavedSP),
		ldstScaled(3, opcLoad, tmp1, f, jit.OffNativeStack),
		addImm(true, SP, tmp1, 0),
		ldp(1, 2, f, jit.OffRegs+8),
		ldstScaled(3, opcLoad, regFP, f, jit.OffRegs+80),
		ldstScaled(3, opcLoad, regLimit, f, jit.OffStackLimit),
	)
	c.movImm(true, regBudget, jit.DefaultBudget)
	for _, r := range []Reg{0, 3, 4, 5, 19, 20, 21, 22} {
		c.emit(movz(true, r, 0, 0))
	}
	// Start: call instruction 0, then leave with ExitReturn.
	c.place(c.stub(stubStart))
	ret1 := c.newLabel()
	c.branchTo(adr(linkReg, 0), ret1, fixADR)
	c.emit(strPre(linkReg, SP, -16))
	c.branchTo(bl(0), 0, fixB)
	c.place(ret1)
	c.returnExit()
	// Call entry, called by the trampoline for ctx.Call: the native stack
	// continues below the suspended helper caller (NativeSP), r1-r5 and
	// r10 come from the Frame, r0 and r6-r9 start at zero, the budget is
	// DefaultBudget. It falls through into Callback.
	c.place(c.stub(stubCall))
	c.emit(
		movReg(true, f, 0),
		ldstScaled(3, opcStore, linkReg, f, jit.OffReserved),
		addImm(true, tmp1, SP, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffSavedSP),
		ldstScaled(3, opcLoad, tmp1, f, jit.OffNativeSP),
		addImm(true, SP, tmp1, 0),
		ldp(1, 2, f, jit.OffRegs+8),
		ldp(3, 4, f, jit.OffRegs+24),
		ldstScaled(3, opcLoad, 5, f, jit.OffRegs+40),
		ldstScaled(3, opcLoad, regFP, f, jit.OffRegs+80),
		ldstScaled(3, opcLoad, regLimit, f, jit.OffStackLimit),
	)
	c.movImm(true, regBudget, jit.DefaultBudget)
	for _, r := range []Reg{0, 19, 20, 21, 22} {
		c.emit(movz(true, r, 0, 0))
	}
	// Callback: call the native address in Frame.Arg the same way.
	c.place(c.stub(stubCallback))
	ret2 := c.newLabel()
	c.emit(ldstScaled(3, opcLoad, tmp2, f, jit.OffArg))
	c.branchTo(adr(linkReg, 0), ret2, fixADR)
	c.emit(strPre(linkReg, SP, -16), blr(tmp2))
	c.place(ret2)
	c.returnExit()
	// Prologue, called by the trampoline with x0 = frame and x30 = the
	// trampoline's return address to resume after an exit: save both
	// stack pointers' worth of state, plant the return exit's address in
	// the entry function's return slot with a call (see returnPairing),
	// switch to the native stack, load the registers, resume.
	c.place(c.stub(stubPrologue))
	retP, resume := c.newLabel(), c.newLabel()
	c.emit(
		movReg(true, f, 0),
		ldstScaled(3, opcStore, linkReg, f, jit.OffReserved),
		addImm(true, tmp1, SP, 0),
		ldstScaled(3, opcStore, tmp1, f, jit.OffSavedSP),
		ldstScaled(3, opcLoad, tmp1, f, jit.OffRunStackSP),
		addImm(true, SP, tmp1, 0),
	)
	c.branchTo(adr(linkReg, 0), retP, fixADR)
	c.emit(strPre(linkReg, SP, -16))
	c.branchTo(bl(0), resume, fixB)
	c.place(retP)
	c.branchTo(b(0), c.stub(stubReturn), fixB)
	c.place(resume)
	c.emit(
		ldstScaled(3, opcLoad, tmp1, f, jit.OffNativeSP),
		addImm(true, SP, tmp1, 0),
		ldp(0, 1, f, jit.OffRegs),
		ldp(2, 3, f, jit.OffRegs+16),
		ldp(4, 5, f, jit.OffRegs+32),
		ldp(19, 20, f, jit.OffRegs+48),
		ldp(21, 22, f, jit.OffRegs+64),
		ldstScaled(3, opcLoad, regFP, f, jit.OffRegs+80),
		ldstScaled(3, opcLoad, regBudget, f, jit.OffBudget),
		ldstScaled(3, opcLoad, regLimit, f, jit.OffStackLimit),
		ldstScaled(3, opcLoad, tmp1, f, jit.OffResume),
		br(tmp1),
		brk(0),
	)
}

// returnPairing: returns are kept paired with calls (BL/RET) so that the
// processor's return predictor stays right across exits to Go. The entry
// function (and a callback) is called from a stub at SP = RunStackSP, its
// return address is the word at RunStackSP-16 (the return exit's); every
// exit to Go leaves through that word as the function's own return would,
// and the prologue re-plants it with a BL before resuming. The return
// exit cannot tell a return from an exit, so Go sets Exit = ExitReturn
// before every entry and exits overwrite it. (The same as jit/amd64.)

// returnExit branches to the return exit.
func (c *compiler) returnExit() {
	c.branchTo(b(0), c.stub(stubReturn), fixB)
}
