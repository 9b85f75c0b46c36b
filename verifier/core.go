package verifier

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// verifier holds one verification.
type verifier struct {
	insns    []isa.Instruction
	opts     Options
	pt       *progType
	resolver MapResolver
	budget   int
	info     []insnInfo
	subprogs []subprog

	explored [][]*checkpoint // checkpoints per instruction
	work     []*state        // paths waiting to be explored (DFS stack)
	cur      *state

	processed     int
	jumps         int // prune points passed, for the checkpoint heuristic
	lastCPInsn    int
	lastCPJumps   int
	idGen         uint32
	totalStates   int
	liveStates    int
	peakStates    int
	maxStatesInsn int

	log logger
	// reached marks executed instructions.
	reached []bool
}

func newVerifier(insns []isa.Instruction, opts Options) (*verifier, error) {
	pt, err := progTypeFor(opts)
	if err != nil {
		return nil, &Error{Insn: -1, Reason: err.Error()}
	}
	v := &verifier{insns: insns, opts: opts, pt: pt, resolver: opts.Maps, budget: opts.MaxProcessed}
	if v.resolver == nil {
		v.resolver = RegistryMaps
	}
	if v.budget <= 0 {
		v.budget = MaxProcessed
	}
	v.log.level = opts.LogLevel
	return v, nil
}

// maps describes a map by ID; IDs with innerMapBit name the inner-map
// template of the outer map.
func (v *verifier) maps(id uint32) (MapInfo, bool) {
	if id&innerMapBit != 0 {
		outer, ok := v.resolver(id &^ innerMapBit)
		if !ok || outer.Inner == nil {
			return MapInfo{}, false
		}
		return *outer.Inner, true
	}
	return v.resolver(id)
}

// newID returns a fresh pointer/reference identity.
func (v *verifier) newID() uint32 {
	v.idGen++
	return v.idGen
}

// initialState is the state at program entry.
func (v *verifier) initialState() *state {
	f := &frame{callsite: -1}
	v.initFrameRegs(f, 0)
	if v.pt.rawMem {
		f.regs[1] = pointer(ptrMem)
		f.regs[1].memSize = int32(v.opts.MemSize)
		// The length is a number the program cannot use to reach beyond
		// MemSize: runs must provide at least MemSize bytes.
		f.regs[2] = unknownScalar()
		f.regs[2].umax = 1 << 32
		f.regs[2].sync()
	} else {
		f.regs[1] = pointer(ptrCtx)
	}
	return &state{frames: []*frame{f}, prevPC: -1}
}

// initFrameRegs clears a frame's registers and points r10 at its stack.
func (v *verifier) initFrameRegs(f *frame, depth int) {
	for i := range f.regs {
		f.regs[i] = reg{}
	}
	f.regs[10] = pointer(ptrStack)
	f.regs[10].frame = uint8(depth)
}

// run explores every path of the program.
func (v *verifier) run() error {
	if err := v.checkCFG(); err != nil {
		v.log.printf("%v\n", err)
		return err
	}
	v.explored = make([][]*checkpoint, len(v.insns))
	v.reached = make([]bool, len(v.insns))
	v.work = append(v.work, v.initialState())
	for len(v.work) > 0 {
		v.cur = v.work[len(v.work)-1]
		v.work = v.work[:len(v.work)-1]
		if v.log.level > 0 && v.cur.prevPC >= 0 {
			v.log.printf("from %d to %d: %s\n", v.cur.prevPC, v.cur.pc, v.stateString(v.cur))
		}
		if err := v.explorePath(); err != nil {
			if e, ok := err.(*Error); ok && e.Insn >= 0 && e.Insn < len(v.insns) {
				v.log.printf("%d: %s\n", e.Insn, v.disasm(e.Insn))
				v.log.printf("%s\n", v.stateString(v.cur))
			}
			v.log.printf("%s\n", err.(*Error).Reason)
			v.log.printf("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d\n",
				v.processed, v.budget, v.maxStatesInsn, v.totalStates, v.peakStates)
			return err
		}
	}
	return v.checkStackDepth()
}

// explorePath follows v.cur until it exits, is pruned, or is refused.
func (v *verifier) explorePath() error {
	for {
		st := v.cur
		pc := st.pc
		v.processed++
		if v.processed > v.budget {
			return v.errAt(pc, "BPF program is too large. Processed %d insn", v.processed)
		}
		if v.info[pc].prune {
			v.jumps++
			pruned, err := v.visit(pc)
			if err != nil {
				return err
			}
			if pruned {
				if v.log.level > 0 {
					v.log.printf("%d: safe\n", pc)
				}
				v.finishPath(st)
				return nil
			}
		}
		if v.log.level > 0 {
			v.log.printf("%d: %s\n", pc, v.disasm(pc))
		}
		v.reached[pc] = true
		done, err := v.step()
		if err == errPathDead {
			v.finishPath(v.cur)
			return nil
		}
		if err != nil {
			return err
		}
		if v.log.level > 1 && !done {
			v.log.printf("%s\n", v.stateString(v.cur))
		}
		if done {
			v.finishPath(v.cur)
			return nil
		}
	}
}

// push queues a copy of the current state to continue at pc later (the
// other side of a branch), counting it as a branch of its checkpoint.
func (v *verifier) push(st *state, pc int) {
	st.prevPC = v.cur.pc
	st.pc = pc
	if st.parent != nil {
		st.parent.branches++
	}
	v.work = append(v.work, st)
}

// finishPath ends a path: its checkpoints lose a live branch, and those
// reaching zero become proven (usable for pruning).
func (v *verifier) finishPath(st *state) {
	for cp := st.parent; cp != nil; cp = cp.parent {
		cp.branches--
		if cp.branches > 0 {
			break
		}
	}
}

// checkStackDepth enforces the combined stack budget over every call chain.
func (v *verifier) checkStackDepth() error {
	depth := make([]int, len(v.subprogs))
	for i, sp := range v.subprogs {
		depth[i] = (max(sp.stackDepth, 1) + 31) &^ 31
	}
	// Callees of each subprogram.
	callees := make([][]int, len(v.subprogs))
	for pc, ins := range v.insns {
		if v.info[pc].second {
			continue
		}
		if ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal ||
			ins.Opcode == isa.OpLdImm64 && ins.Src == isa.PseudoFunc {
			t := pc + 1 + int(ins.Imm)
			callees[v.info[pc].sub] = append(callees[v.info[pc].sub], v.info[t].sub)
		}
	}
	// Deepest stack and longest chain from each subprogram, memoized;
	// a cycle is recursion, which no finite frame budget allows.
	const (
		unseen = iota
		active
		done
	)
	mark := make([]int, len(v.subprogs))
	deep := make([]int, len(v.subprogs))
	chain := make([]int, len(v.subprogs))
	var walk func(sp int) error
	walk = func(sp int) error {
		switch mark[sp] {
		case active:
			return &Error{Insn: v.subprogs[sp].start, Reason: fmt.Sprintf("recursive call to the function at insn %d", v.subprogs[sp].start)}
		case done:
			return nil
		}
		mark[sp] = active
		for _, c := range callees[sp] {
			if err := walk(c); err != nil {
				return err
			}
			deep[sp] = max(deep[sp], deep[c])
			chain[sp] = max(chain[sp], chain[c])
		}
		deep[sp] += depth[sp]
		chain[sp]++
		mark[sp] = done
		return nil
	}
	err := walk(0)
	if err == nil && chain[0] > 8 {
		err = &Error{Insn: 0, Reason: fmt.Sprintf("the call stack of %d frames is too deep", chain[0])}
	}
	if err == nil && deep[0] > MaxCombinedStack {
		err = &Error{Insn: 0, Reason: fmt.Sprintf("combined stack size of %d calls is %d. Too large", chain[0], deep[0])}
	}
	if err != nil {
		v.log.printf("%s\n", err.(*Error).Reason)
		return err
	}
	return nil
}
