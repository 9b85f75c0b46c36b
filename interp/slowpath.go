package interp

import "github.com/bpfhost/bpfhost/vm"

// The machine's out-of-line and rarely taken paths: budget accounting,
// checked accesses that are not on the stack or packet, and helper calls
// with their tail-call and callback handling.

// jump returns the new pc of the taken jump ins, with pc one past it.
// Forward jumps stay in the current segment; a backward one ends it (see
// charge). When that exhausts the budget, jump returns -1 and leaves the
// jump's index in m.pc for the error.
func (m *machine) jump(pc int, ins *insn) int {
	t := int(ins.off)
	if t < pc && !m.charge(pc, t) {
		m.pc = pc - 1
		return -1
	}
	return t
}

// charge ends the straight-line segment that began at m.seg with the
// instruction before pc, and starts a new one at next. Within a segment
// execution only moves forward (every backward move - a backward jump, a
// call, a return - ends the segment), so it executes at most pc-m.seg
// instructions: charging that bound, at least 1 per segment, keeps the
// budget an upper bound of the instructions executed while costing nothing
// on straight-line code and forward jumps. charge reports false when the
// budget is exhausted.
func (m *machine) charge(pc, next int) bool {
	m.budget -= int64(pc - m.seg)
	m.seg = next
	return m.budget >= 0
}

// inPacket is the inline check of packet accesses, the other frequent kind:
// it accepts exactly what vm.Context.Check accepts for the packet, and
// anything it refuses goes to the full check.
func inPacket(ctx *vm.Context, a, n uint64) bool {
	return ctx.HasPacket && a >= ctx.Pkt.Meta && a <= ctx.Pkt.End-n && ctx.Pkt.End >= n
}

// check is the out-of-line part of a checked access: everything but the
// stack goes through ctx.Check. m.pc is one past the accessing instruction.
func (m *machine) check(ctx *vm.Context, a uint64, size int, write bool) error {
	if !ctx.Check(a, size, write) {
		return ctx.CheckError(m.pc-1, a, size, write)
	}
	return nil
}

// checkAtomic checks an atomic access: in bounds and naturally aligned.
func (m *machine) checkAtomic(ctx *vm.Context, a uint64, size int) error {
	return checkAtomic(ctx, m.pc-1, a, size)
}

// callHelper runs the helper of a call or callx instruction with m.pc one
// past it. It reports tail = true when the helper asked for a tail call,
// after setting m up to start the target.
func (m *machine) callHelper(ctx *vm.Context, ins *insn) (tail bool, err error) {
	r := &m.r
	e := m.e
	num := ins.k
	if ins.op == opCallX {
		num = r[ins.dst&15]
	}
	var h vm.Helper
	if num < vm.MaxHelpers {
		h = e.helpers[num]
	}
	if h == nil {
		return false, helperError(e, m.pc-1, num)
	}
	st := m.st
	if st == nil {
		// First helper call of the run: publish ctx.Call.
		st = stateFor(ctx)
		ctx.Call = st.callFn
		m.st = st
	}
	st.exe, st.depth, st.fp, st.budget = e, m.base+m.nf, r[10], m.budget
	r[0] = h(ctx, r[1], r[2], r[3], r[4], r[5])
	m.budget = st.budget
	if err := st.err; err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	next := ctx.TailCall
	if next == nil {
		return false, nil
	}
	ctx.TailCall = nil
	m.tails++
	if m.tails > vm.MaxTailCalls {
		return false, tailCallLimitError(m.pc - 1)
	}
	// A dispatcher jumps to the same few programs on every run: the last
	// target is kept on the CPU's state, saving the synchronised lookup of
	// the program's compiled cache.
	ne := st.tailExe
	if next != st.tailProg {
		if ne, err = executableFor(next); err != nil {
			return false, tailCallError(m.pc-1, next, err)
		}
		st.tailProg, st.tailExe = next, ne
	}
	// The target replaces the whole call chain of this exec: it starts at
	// its first instruction in the entry frame, with r1 (its context) as
	// the caller left it.
	if !m.charge(m.pc, 0) {
		return false, budgetError(m.pc - 1)
	}
	if ne.prog.Checked && m.budget > checkedBudget {
		m.budget = checkedBudget
	}
	m.e, m.pc, m.nf, r[10] = ne, 0, 0, m.fp0
	return true, nil
}
