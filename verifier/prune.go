package verifier

import "github.com/bpfhost/bpfhost/isa"

// visit is called at prune points: it ends the path if an explored state at
// pc covers the current one, and otherwise records a checkpoint
// (is_state_visited).
func (v *verifier) visit(pc int) (pruned bool, err error) {
	cur := v.cur
	v.cleanDead(cur, pc)
	cbCall := v.isCallbackCall(pc)
	list := v.explored[pc]
	// Checkpoints that keep failing to match are dropped from the list,
	// as the kernel does (miss_cnt > hit_cnt*3+3): they cost comparisons
	// and rarely help. Their branch counts stay linked through parents.
	keep := list[:0]
	pruned = false
	for i, cp := range list {
		if pruned {
			keep = append(keep, list[i:]...)
			break
		}
		if cp.branches > 0 {
			// Still being explored: an ancestor of this path (depth-first
			// order). Pruning against it would be circular, except at a
			// callback helper, whose iterations the helper bounds.
			if cbCall && cur.cbReturn {
				if v.statesCover(cp.st, cur, pc, false) {
					cp.hits++
					pruned = true
					keep = append(keep, cp)
					continue
				}
				v.widen(cp.st, cur)
			} else if v.statesCover(cp.st, cur, pc, true) {
				v.explored[pc] = append(keep, list[i:]...)
				return false, v.errAt(pc, "infinite loop detected at insn %d", pc)
			}
		} else if v.statesCover(cp.st, cur, pc, false) {
			cp.hits++
			pruned = true
			keep = append(keep, cp)
			continue
		}
		cp.misses++
		if cp.misses > cp.hits*3+3 {
			cp.st = nil
			v.liveStates--
			continue
		}
		keep = append(keep, cp)
	}
	v.explored[pc] = keep
	if pruned {
		return true, nil
	}
	list = keep
	// Like the kernel, take a new checkpoint only every few jumps and
	// instructions (a checkpoint per loop iteration costs memory and
	// comparisons), except where a callback loop or a function starts.
	force := cbCall || v.subprogs[v.info[pc].sub].start == pc
	if !force && (v.processed-v.lastCPInsn < 8 || v.jumps-v.lastCPJumps < 2) {
		return false, nil
	}
	v.lastCPInsn, v.lastCPJumps = v.processed, v.jumps
	cp := &checkpoint{st: cur.clone(), branches: 1, parent: cur.parent}
	cur.parent = cp
	if len(list) >= maxStatesPerInsn {
		// Drop the least useful finished checkpoint (costs only pruning).
		drop := -1
		for i, c := range list {
			if c.branches == 0 && (drop < 0 || c.hits < list[drop].hits) {
				drop = i
			}
		}
		if drop < 0 {
			drop = 0 // all in flight (a long loop): forget the oldest
		}
		// Its state is no longer compared against; keep only the branch
		// count (paths below it still report to it).
		list[drop].st = nil
		list = append(list[:drop], list[drop+1:]...)
		v.liveStates--
	}
	v.explored[pc] = append(list, cp)
	v.totalStates++
	v.liveStates++
	v.peakStates = max(v.peakStates, v.liveStates)
	v.maxStatesInsn = max(v.maxStatesInsn, len(v.explored[pc]))
	return false, nil
}

// isCallbackCall reports whether pc calls a helper that calls back.
func (v *verifier) isCallbackCall(pc int) bool {
	ins := v.insns[pc]
	if ins.Opcode != isa.OpCall || ins.Src != isa.CallHelper {
		return false
	}
	p := helperProtos[ins.Imm]
	return p != nil && p.callback != noCallback
}

// cleanDead forgets registers no path from pc reads before writing, so that
// states differing only in dead values compare equal. Scalar links (ids)
// left with a single member are dropped too.
func (v *verifier) cleanDead(s *state, pc int) {
	n := len(s.frames)
	for i, f := range s.frames {
		var live uint16
		if i == n-1 {
			live = v.info[pc].liveIn
		} else {
			callee := s.frames[i+1]
			if callee.callback {
				live = v.info[callee.callsite].liveIn &^ 0x3f
			} else {
				live = v.info[callee.callsite+1].liveIn &^ 0x3f
			}
		}
		for r := 0; r < 10; r++ {
			if live&(1<<r) == 0 {
				f.regs[r] = reg{}
			}
		}
	}
	// Singleton scalar ids.
	var counts map[uint32]int
	s.forEachReg(func(r *reg) {
		if r.typ == scalar && r.id != 0 {
			if counts == nil {
				counts = map[uint32]int{}
			}
			counts[r.id]++
		}
	})
	if counts != nil {
		s.forEachReg(func(r *reg) {
			if r.typ == scalar && r.id != 0 && counts[r.id] == 1 {
				r.id = 0
			}
		})
	}
}

// idMap checks that ids correspond one to one between two states (check_ids).
type idMap struct {
	oldToCur map[uint32]uint32
	curToOld map[uint32]uint32
}

func (m *idMap) check(old, cur uint32) bool {
	if m.oldToCur == nil {
		m.oldToCur, m.curToOld = map[uint32]uint32{}, map[uint32]uint32{}
	}
	if c, ok := m.oldToCur[old]; ok {
		return c == cur
	}
	if o, ok := m.curToOld[cur]; ok {
		return o == old
	}
	m.oldToCur[old] = cur
	m.curToOld[cur] = old
	return true
}

// statesCover reports whether old, proven safe, covers cur: every concrete
// state cur describes is one old describes (exact: they are identical).
func (v *verifier) statesCover(old, cur *state, pc int, exact bool) bool {
	if len(old.frames) != len(cur.frames) || len(old.refs) != len(cur.refs) || old.lock.held != cur.lock.held {
		return false
	}
	if old.lock.held && (old.lock.mapID != cur.lock.mapID || old.lock.off != cur.lock.off) {
		return false
	}
	var ids idMap
	for i := range old.frames {
		of, cf := old.frames[i], cur.frames[i]
		if of.callsite != cf.callsite || of.callback != cf.callback {
			return false
		}
		precise := v.preciseMask(old, i, pc)
		for r := range of.regs {
			o, c := &of.regs[r], &cf.regs[r]
			if precise&(1<<r) == 0 && o.typ == scalar && c.typ == scalar {
				continue // its value changes nothing from here
			}
			if !v.regCovers(o, c, exact, &ids) {
				return false
			}
		}
		if of.callback {
			for r := range of.cbArgs {
				if !v.regCovers(&of.cbArgs[r], &cf.cbArgs[r], exact, &ids) {
					return false
				}
			}
		}
		if !v.stackCovers(of, cf, exact, &ids) {
			return false
		}
	}
	for i := range old.refs {
		if old.refs[i].cb != cur.refs[i].cb || !ids.check(old.refs[i].id, cur.refs[i].id) {
			return false
		}
	}
	if old.lock.held && !ids.check(old.lock.id, cur.lock.id) {
		return false
	}
	return true
}

// preciseMask returns the registers of frame i whose value may matter when
// the state is at pc.
func (v *verifier) preciseMask(s *state, i, pc int) uint16 {
	if i == len(s.frames)-1 {
		return v.info[pc].preciseIn
	}
	callee := s.frames[i+1]
	if callee.callback {
		return v.info[callee.callsite].preciseIn &^ 0x3f
	}
	return v.info[callee.callsite+1].preciseIn &^ 0x3f
}

// regCovers is regsafe: whether old's value covers cur's.
func (v *verifier) regCovers(old, cur *reg, exact bool, ids *idMap) bool {
	if old.typ == notInit {
		// The explored path never read it (it would have been refused).
		return !exact || cur.typ == notInit
	}
	if old.typ != cur.typ {
		return false
	}
	if old.typ == scalar {
		if exact {
			return old.boundsEqual(cur) && (old.id == 0) == (cur.id == 0) && (old.id == 0 || ids.check(old.id, cur.id))
		}
		if !old.boundsContain(cur) {
			return false
		}
		return old.id == 0 || cur.id != 0 && ids.check(old.id, cur.id)
	}
	if old.off != cur.off || old.frame != cur.frame || old.mapID != cur.mapID ||
		old.memSize != cur.memSize || old.rdonly != cur.rdonly {
		return false
	}
	if exact {
		if !old.boundsEqual(cur) || old.rng != cur.rng {
			return false
		}
	} else {
		if !old.boundsContain(cur) || cur.rng < old.rng {
			return false
		}
	}
	// Ids matter for null checks, packet ranges, and which map element a
	// held spin lock belongs to.
	if (old.typ.maybeNull() || old.typ == ptrPacket || old.typ == ptrPacketMeta || old.typ == ptrMapValue) && !ids.check(old.id, cur.id) {
		return false
	}
	if (old.refID != 0 || cur.refID != 0) && !ids.check(old.refID|1<<31, cur.refID|1<<31) {
		return false
	}
	return true
}

// stackCovers is stacksafe: every stack byte old relied on is covered.
func (v *verifier) stackCovers(of, cf *frame, exact bool, ids *idMap) bool {
	var empty slot
	for i := range of.stack {
		os := &of.stack[i]
		cs := &empty
		if i < len(cf.stack) {
			cs = &cf.stack[i]
		}
		if exact {
			if os.kinds != cs.kinds {
				return false
			}
			if os.isSpill() && !v.regCovers(&os.spill, &cs.spill, true, ids) {
				return false
			}
			continue
		}
		if os.isSpill() {
			if !cs.isSpill() || !v.regCovers(&os.spill, &cs.spill, false, ids) {
				return false
			}
			continue
		}
		curScalarSpill := cs.isSpill() && cs.spill.typ == scalar
		curZeroSpill := curScalarSpill && cs.spill.isConst() && cs.spill.constVal() == 0
		for b := 0; b < 8; b++ {
			switch os.kinds[b] {
			case stackInvalid:
			case stackMisc:
				k := cs.kinds[b]
				if !(k == stackMisc || k == stackZero || curScalarSpill) {
					return false
				}
			case stackZero:
				if !(cs.kinds[b] == stackZero || curZeroSpill) {
					return false
				}
			}
		}
	}
	if exact {
		for i := len(of.stack); i < len(cf.stack); i++ {
			if cf.stack[i].kinds != empty.kinds {
				return false
			}
		}
	}
	return true
}

// widen forgets the bounds of scalars that changed since the checkpoint
// old (a loop around a callback helper), so that iterations converge.
func (v *verifier) widen(old, cur *state) {
	if len(old.frames) != len(cur.frames) {
		return
	}
	w := func(o, c *reg) {
		if o.typ == scalar && c.typ == scalar && !o.boundsContain(c) {
			id := c.id
			*c = unknownScalar()
			c.id = id
		}
	}
	for i := range old.frames {
		of, cf := old.frames[i], cur.frames[i]
		for r := range of.regs {
			w(&of.regs[r], &cf.regs[r])
		}
		for j := range cf.stack {
			if j < len(of.stack) && of.stack[j].isSpill() && cf.stack[j].isSpill() {
				w(&of.stack[j].spill, &cf.stack[j].spill)
			}
		}
	}
}
