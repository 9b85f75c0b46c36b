package verifier

import "github.com/bpfhost/bpfhost/vm"

// Kinds of stack bytes (the kernel's STACK_*).
const (
	stackInvalid uint8 = iota // never written
	stackSpill                // part of a spilled register
	stackMisc                 // written with an unknown value
	stackZero                 // written with zero
)

// slot is one 8-byte stack slot.
type slot struct {
	kinds [8]uint8 // kinds[i] describes the byte at slot offset i
	spill reg      // the spilled register when the slot holds one
}

// isSpill reports whether the whole slot holds a spilled register.
func (s *slot) isSpill() bool { return s.kinds[0] == stackSpill }

// maxSlots is the number of 8-byte slots in a frame.
const maxSlots = vm.StackSize / 8

// frame is the abstract state of one call frame (bpf_func_state).
type frame struct {
	regs [11]reg
	// stack[i] is the slot at r10-8*(i+1); it grows as the program uses it.
	stack []slot
	// callsite is the instruction that called this frame (-1 for the main
	// program); the caller resumes after it.
	callsite int
	// subprog is the index of the subprogram the frame runs.
	subprog int
	// callback marks a frame entered by a helper (bpf_loop ...): its r0
	// must be 0 or 1 at exit and the caller resumes with an unknown r0.
	callback bool
	// cbArgs are the caller's r0-r5 at the helper call that entered the
	// callback, restored when it returns to that call.
	cbArgs [6]reg
}

func (f *frame) clone() *frame {
	n := *f
	n.stack = append([]slot(nil), f.stack...)
	return &n
}

// slotAt returns the slot holding stack offset off (negative), growing the
// tracked stack if needed.
func (f *frame) slotAt(off int) *slot {
	i := (-off - 1) / 8
	for len(f.stack) <= i {
		f.stack = append(f.stack, slot{})
	}
	return &f.stack[i]
}

// byteKind returns the kind of the byte at stack offset off.
func (f *frame) byteKind(off int) uint8 {
	i := (-off - 1) / 8
	if i >= len(f.stack) {
		return stackInvalid
	}
	return f.stack[i].kinds[(off%8+8)%8]
}

// spinLock identifies a held bpf_spin_lock: the map value (map and pointer
// id, which tells elements apart) and the lock's offset in it.
type spinLock struct {
	held  bool
	mapID uint32
	id    uint32
	off   int32
}

// ref is an acquired reference that must be released before exit.
type ref struct {
	id   uint32
	insn int // the instruction that acquired it
	// cb is the depth of the innermost callback frame that acquired it
	// (0: none); the callback must release it before returning.
	cb int
}

// state is the abstract state of one path (bpf_verifier_state).
type state struct {
	frames []*frame
	refs   []ref
	pc     int
	// parent is the last checkpoint on this path (for branch counting).
	parent *checkpoint
	// prevPC is the instruction the path came from (for the log).
	prevPC int
	// lock is the bpf_spin_lock held, if any.
	lock spinLock
	// cbReturn says the path just came back from a callback to its helper
	// call (pruning there may use in-progress checkpoints).
	cbReturn bool
}

func (s *state) cur() *frame { return s.frames[len(s.frames)-1] }

func (s *state) clone() *state {
	n := &state{pc: s.pc, parent: s.parent, prevPC: s.prevPC, cbReturn: s.cbReturn, lock: s.lock}
	n.frames = make([]*frame, len(s.frames))
	for i, f := range s.frames {
		n.frames[i] = f.clone()
	}
	n.refs = append([]ref(nil), s.refs...)
	return n
}

// checkpoint is a state stored at a prune point. branches counts the paths
// from it still being explored; only a checkpoint whose branches reached
// zero is proven safe and may prune other states.
type checkpoint struct {
	st       *state
	branches int
	parent   *checkpoint
	hits     int
	misses   int
}

// forEachReg calls fn for every register and spilled register in every frame.
func (s *state) forEachReg(fn func(r *reg)) {
	for _, f := range s.frames {
		for i := range f.regs {
			fn(&f.regs[i])
		}
		for i := range f.stack {
			if f.stack[i].isSpill() {
				fn(&f.stack[i].spill)
			}
		}
	}
}
