package verifier

import (
	"fmt"
	"sort"

	"github.com/bpfhost/bpfhost/isa"
)

// subprog is a function of the program: [start, end).
type subprog struct {
	start, end int
	stackDepth int
}

// insnInfo is what the static pass learns about one instruction.
type insnInfo struct {
	prune  bool   // a checkpoint is taken here (jump target, after a branch or call)
	second bool   // the second slot of an ld_imm64
	liveIn uint16 // registers possibly read before written from here
	// preciseIn are the registers whose exact value may matter from here
	// (see computePrecision).
	preciseIn uint16
	sub       int // index of the subprogram containing the instruction
	// base records whether loads and stores at the instruction went
	// through the context (baseCtx) or other memory (baseOther).
	base uint8
}

func (v *verifier) errAt(pc int, format string, args ...any) error {
	return &Error{Insn: pc, Reason: fmt.Sprintf(format, args...)}
}

// checkInsn validates one instruction's encoding: class, operation, sizes,
// registers and reserved fields (the kernel's resolve/check passes).
func (v *verifier) checkInsn(pc int) error {
	ins := v.insns[pc]
	if ins.Dst > 10 || ins.Src > 10 {
		return v.errAt(pc, "invalid register (dst r%d, src r%d)", ins.Dst, ins.Src)
	}
	op := ins.Opcode
	switch isa.Class(op) {
	case isa.ClassALU, isa.ClassALU64:
		is64 := isa.Class(op) == isa.ClassALU64
		aop := isa.ALUOp(op)
		x := isa.Source(op) == isa.SrcX
		if aop == 0xe0 || aop == 0xf0 {
			return v.errAt(pc, "unknown opcode %#02x", op)
		}
		if x && ins.Imm != 0 || !x && ins.Src != 0 {
			if aop != isa.ALUEnd || is64 {
				return v.errAt(pc, "BPF_ALU uses reserved fields")
			}
		}
		switch aop {
		case isa.ALUNeg:
			if x || ins.Src != 0 || ins.Imm != 0 || ins.Offset != 0 {
				return v.errAt(pc, "BPF_NEG uses reserved fields")
			}
		case isa.ALUEnd:
			if ins.Src != 0 || ins.Offset != 0 || (ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64) {
				return v.errAt(pc, "BPF_END uses reserved fields")
			}
			if is64 && x {
				return v.errAt(pc, "unknown opcode %#02x", op)
			}
		case isa.ALUDiv, isa.ALUMod:
			if ins.Offset != 0 && ins.Offset != 1 {
				return v.errAt(pc, "BPF_ALU uses reserved fields")
			}
		case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
			if ins.Offset != 0 {
				return v.errAt(pc, "BPF_ALU uses reserved fields")
			}

		case isa.ALUMov:
			ok := ins.Offset == 0 || x && (ins.Offset == 8 || ins.Offset == 16 || is64 && ins.Offset == 32)
			if !ok {
				return v.errAt(pc, "invalid movsx offset %d", ins.Offset)
			}
		default:
			if ins.Offset != 0 {
				return v.errAt(pc, "BPF_ALU uses reserved fields")
			}
		}
		if ins.Dst == isa.R10 {
			return v.errAt(pc, "frame pointer is read only")
		}
	case isa.ClassLDX:
		mode := isa.Mode(op)
		if mode != isa.ModeMEM && !(mode == isa.ModeMEMSX && isa.Size(op) != isa.SizeDW) {
			return v.errAt(pc, "unknown opcode %#02x", op)
		}
		if ins.Imm != 0 {
			return v.errAt(pc, "BPF_LDX uses reserved fields")
		}
		if ins.Dst == isa.R10 {
			return v.errAt(pc, "frame pointer is read only")
		}
	case isa.ClassST:
		if isa.Mode(op) != isa.ModeMEM {
			return v.errAt(pc, "unknown opcode %#02x", op)
		}
		if ins.Src != 0 {
			return v.errAt(pc, "BPF_ST uses reserved fields")
		}
	case isa.ClassSTX:
		switch isa.Mode(op) {
		case isa.ModeMEM:
			if ins.Imm != 0 {
				return v.errAt(pc, "BPF_STX uses reserved fields")
			}
		case isa.ModeATOMIC:
			if isa.Size(op) != isa.SizeW && isa.Size(op) != isa.SizeDW {
				return v.errAt(pc, "invalid atomic operand size")
			}
			switch ins.Imm {
			case isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
				isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch,
				isa.AtomicAnd | isa.AtomicFetch, isa.AtomicXor | isa.AtomicFetch,
				isa.AtomicXchg, isa.AtomicCmpXchg:
			default:
				return v.errAt(pc, "BPF_ATOMIC uses invalid atomic opcode %#02x", ins.Imm)
			}
			// Fetching operations write the old value into src (cmpxchg
			// into r0).
			if ins.Imm&isa.AtomicFetch != 0 && ins.Imm != isa.AtomicCmpXchg && ins.Src == isa.R10 {
				return v.errAt(pc, "frame pointer is read only")
			}
		default:
			return v.errAt(pc, "unknown opcode %#02x", op)
		}
	case isa.ClassLD:
		if op != isa.OpLdImm64 {
			if m := isa.Mode(op); m == isa.ModeABS || m == isa.ModeIND {
				return v.errAt(pc, "legacy packet access (BPF_LD_ABS/IND) is not supported")
			}
			return v.errAt(pc, "unknown opcode %#02x", op)
		}
		if pc+1 >= len(v.insns) {
			return v.errAt(pc, "invalid BPF_LD_IMM insn: missing second slot")
		}
		next := v.insns[pc+1]
		if next.Opcode != 0 || next.Dst != 0 || next.Src != 0 || next.Offset != 0 || ins.Offset != 0 {
			return v.errAt(pc, "invalid BPF_LD_IMM insn: reserved fields")
		}
		switch ins.Src {
		case 0, isa.PseudoMapValue:
		case isa.PseudoMapFD, isa.PseudoFunc:
			if next.Imm != 0 {
				return v.errAt(pc, "invalid BPF_LD_IMM insn: second immediate must be 0")
			}
		default:
			return v.errAt(pc, "unsupported ld_imm64 pseudo source %d (not linked form)", ins.Src)
		}
		if ins.Dst == isa.R10 {
			return v.errAt(pc, "frame pointer is read only")
		}
	case isa.ClassJMP, isa.ClassJMP32:
		jop := isa.ALUOp(op)
		x := isa.Source(op) == isa.SrcX
		is32 := isa.Class(op) == isa.ClassJMP32
		switch jop {
		case isa.JmpJA:
			if x || ins.Dst != 0 || ins.Src != 0 || (!is32 && ins.Imm != 0) || (is32 && ins.Offset != 0) {
				return v.errAt(pc, "BPF_JA uses reserved fields")
			}
		case isa.JmpCall:
			if is32 {
				return v.errAt(pc, "unknown opcode %#02x", op)
			}
			if x { // callx: helper number in dst
				if ins.Src != 0 || ins.Offset != 0 || ins.Imm != 0 {
					return v.errAt(pc, "BPF_CALL uses reserved fields")
				}
				break
			}
			if ins.Dst != 0 || ins.Offset != 0 || (ins.Src != isa.CallHelper && ins.Src != isa.CallLocal) {
				if ins.Src == isa.CallKfunc {
					return v.errAt(pc, "kernel function calls are not supported")
				}
				return v.errAt(pc, "BPF_CALL uses reserved fields")
			}
		case isa.JmpExit:
			if is32 || x || ins.Dst != 0 || ins.Src != 0 || ins.Offset != 0 || ins.Imm != 0 {
				return v.errAt(pc, "BPF_EXIT uses reserved fields")
			}
		case 0xe0, 0xf0:
			return v.errAt(pc, "unknown opcode %#02x", op)
		default:
			if x && ins.Imm != 0 || !x && ins.Src != 0 {
				return v.errAt(pc, "BPF_JMP/JMP32 uses reserved fields")
			}
		}
	}
	return nil
}

// jumpTarget returns the target of a jump at pc (valid for JA and conditional jumps).
func jumpTarget(ins isa.Instruction, pc int) int {
	if ins.Opcode == isa.OpJA32 {
		return pc + 1 + int(ins.Imm)
	}
	return pc + 1 + int(ins.Offset)
}

// successors appends the control-flow successors of pc within its function.
func (v *verifier) successors(pc int, out []int) []int {
	ins := v.insns[pc]
	switch isa.Class(ins.Opcode) {
	case isa.ClassJMP, isa.ClassJMP32:
		switch isa.ALUOp(ins.Opcode) {
		case isa.JmpExit:
			return out
		case isa.JmpJA:
			return append(out, jumpTarget(ins, pc))
		case isa.JmpCall:
			return append(out, pc+1)
		default:
			return append(out, pc+1, jumpTarget(ins, pc))
		}
	case isa.ClassLD:
		return append(out, pc+2)
	}
	return append(out, pc+1)
}

// checkCFG validates every instruction, finds the subprograms, checks jumps
// and calls, and that every instruction is reachable (check_cfg).
func (v *verifier) checkCFG() error {
	n := len(v.insns)
	if n == 0 {
		return &Error{Insn: -1, Reason: "program has no instructions"}
	}
	if n > v.budget {
		return &Error{Insn: -1, Reason: fmt.Sprintf("program has %d instructions, more than the limit of %d", n, v.budget)}
	}
	if v.opts.Unprivileged && n > 4096 {
		return &Error{Insn: -1, Reason: fmt.Sprintf("program has %d instructions; unprivileged programs are limited to 4096 (BPF_MAXINSNS)", n)}
	}
	v.info = make([]insnInfo, n)
	starts := map[int]bool{0: true}
	for pc := 0; pc < n; pc++ {
		if err := v.checkInsn(pc); err != nil {
			return err
		}
		ins := v.insns[pc]
		if ins.Opcode == isa.OpLdImm64 {
			v.info[pc+1].second = true
			if ins.Src == isa.PseudoFunc {
				t := pc + 1 + int(ins.Imm)
				if t < 0 || t >= n {
					return v.errAt(pc, "function reference to %d is out of range", t)
				}
				starts[t] = true
			}
			pc++
			continue
		}
		if ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal {
			if v.opts.Unprivileged {
				return v.errAt(pc, "function calls to other bpf functions are allowed for CAP_BPF only")
			}
			t := pc + 1 + int(ins.Imm)
			if t < 0 || t >= n {
				return v.errAt(pc, "call to %d is out of range", t)
			}
			starts[t] = true
		}
	}
	var ss []int
	for s := range starts {
		if v.info[s].second {
			return v.errAt(s, "function starts in the middle of an ld_imm64")
		}
		ss = append(ss, s)
	}
	sort.Ints(ss)
	for i, s := range ss {
		end := n
		if i+1 < len(ss) {
			end = ss[i+1]
		}
		v.subprogs = append(v.subprogs, subprog{start: s, end: end})
		for pc := s; pc < end; pc++ {
			v.info[pc].sub = i
		}
	}
	// Jumps stay inside their function and never land on a second slot;
	// every function ends with an exit or an unconditional jump.
	var succ []int
	for pc := 0; pc < n; pc++ {
		if v.info[pc].second {
			continue
		}
		sp := v.subprogs[v.info[pc].sub]
		succ = v.successors(pc, succ[:0])
		ins := v.insns[pc]
		isJump := isa.Class(ins.Opcode) == isa.ClassJMP || isa.Class(ins.Opcode) == isa.ClassJMP32
		for k, t := range succ {
			fall := !isJump || k == 0 && len(succ) == 2 || isa.ALUOp(ins.Opcode) == isa.JmpCall
			if t == sp.end && fall {
				return v.errAt(pc, "last insn is not an exit or jmp (falls off the end of the function)")
			}
			if t < sp.start || t >= sp.end {
				return v.errAt(pc, "jump out of range from insn %d to %d", pc, t)
			}
			if v.info[t].second {
				return v.errAt(pc, "jump into the middle of ldimm64 insn %d", t-1)
			}
			if isJump && !fall || len(succ) == 2 {
				v.info[t].prune = true
			}
			if t <= pc && v.opts.Unprivileged {
				return v.errAt(pc, "back-edge from insn %d to %d (loops need CAP_BPF)", pc, t)
			}
		}
		if ins.Opcode == isa.OpCall || ins.Opcode == isa.OpCallX {
			v.info[pc].prune = true // the return point gets its checkpoint after the call
		}
	}
	for _, sp := range v.subprogs {
		v.info[sp.start].prune = true
	}
	// Reachability from each function's entry; every function is reached
	// through a call or a reference, so walking all entries covers the program.
	seen := make([]bool, n)
	stack := []int{}
	for _, sp := range v.subprogs {
		stack = append(stack, sp.start)
		seen[sp.start] = true
	}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, t := range v.successors(pc, succ[:0]) {
			if !seen[t] {
				seen[t] = true
				stack = append(stack, t)
			}
		}
	}
	for pc := 0; pc < n; pc++ {
		if !seen[pc] && !v.info[pc].second {
			return v.errAt(pc, "unreachable insn %d", pc)
		}
	}
	v.computeLiveness()
	v.computePrecision()
	return nil
}

// useDef returns the registers an instruction reads and writes.
func (v *verifier) useDef(pc int) (use, def uint16) {
	ins := v.insns[pc]
	d, s := uint16(1)<<ins.Dst, uint16(1)<<ins.Src
	const args = 0x3e    // r1-r5
	const clobber = 0x3f // r0-r5
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64:
		op := isa.ALUOp(ins.Opcode)
		if isa.Source(ins.Opcode) == isa.SrcX && op != isa.ALUEnd {
			use |= s
		}
		if op != isa.ALUMov {
			use |= d
		}
		def = d
	case isa.ClassLDX:
		return s, d
	case isa.ClassST:
		return d, 0
	case isa.ClassSTX:
		use = d | s
		if isa.Mode(ins.Opcode) == isa.ModeATOMIC {
			if ins.Imm == isa.AtomicCmpXchg {
				use |= 1
				def = 1
			} else if ins.Imm&isa.AtomicFetch != 0 {
				def = s
			}
		}
	case isa.ClassLD:
		return 0, d
	case isa.ClassJMP, isa.ClassJMP32:
		switch isa.ALUOp(ins.Opcode) {
		case isa.JmpJA:
		case isa.JmpCall:
			use, def = callArgs(ins), clobber
			if isa.Source(ins.Opcode) == isa.SrcX {
				use |= d
			}
		case isa.JmpExit:
			use = 1
		default:
			use = d
			if isa.Source(ins.Opcode) == isa.SrcX {
				use |= s
			}
		}
	}
	return use, def
}

// callArgs returns the registers a call reads: a known helper's declared
// arguments, r1-r5 for anything else.
func callArgs(ins isa.Instruction) uint16 {
	if ins.Opcode == isa.OpCall && ins.Src == isa.CallHelper {
		if p := helperProtos[ins.Imm]; p != nil {
			var m uint16
			for i, k := range p.args {
				if k != argNone {
					m |= 1 << (i + 1)
				}
			}
			return m
		}
	}
	return 0x3e
}

// computeLiveness finds, for every instruction, the registers that may be
// read before being written on some path from it (backward data flow). The
// state pruning compares only those.
func (v *verifier) computeLiveness() {
	n := len(v.insns)
	var succ []int
	for changed := true; changed; {
		changed = false
		for pc := n - 1; pc >= 0; pc-- {
			if v.info[pc].second {
				continue
			}
			var out uint16
			for _, t := range v.successors(pc, succ[:0]) {
				if t < n {
					out |= v.info[t].liveIn
				}
			}
			use, def := v.useDef(pc)
			in := use | out&^def
			if in != v.info[pc].liveIn {
				v.info[pc].liveIn = in
				changed = true
			}
		}
	}
}
