package verifier

import (
	"errors"
	"slices"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// errPathDead ends a path that no concrete execution can follow.
var errPathDead = errors.New("dead path")

func (v *verifier) checkCall(pc int, ins isa.Instruction) error {
	if v.cur.lock.held && !(ins.Src == isa.CallHelper && (ins.Imm == 94 || ins.Imm == 93)) {
		return v.errAt(pc, "function calls are not allowed while holding a lock")
	}
	if ins.Src == isa.CallLocal && isa.Source(ins.Opcode) == isa.SrcK {
		return v.enterFrame(pc, pc+1+int(ins.Imm), false, nil)
	}
	num := ins.Imm
	if isa.Source(ins.Opcode) == isa.SrcX { // callx: the helper number is in dst
		r, err := v.readReg(pc, ins.Dst)
		if err != nil {
			return err
		}
		if !r.isConst() || r.constVal() > 1<<31 {
			return v.errAt(pc, "callx R%d: the helper number must be a known constant", ins.Dst)
		}
		num = int32(r.constVal())
	}
	return v.checkHelper(pc, num)
}

// enterFrame starts a bpf-to-bpf call (or a helper's callback) of the
// function at target: arguments r1-r5 are passed, r10 is the new frame.
func (v *verifier) enterFrame(pc, target int, callback bool, args *[6]reg) error {
	st := v.cur
	if len(st.frames) >= 8 {
		return v.errAt(pc, "the call stack of %d frames is too deep", len(st.frames)+1)
	}
	caller := st.cur()
	f := &frame{callsite: pc, subprog: v.info[target].sub, callback: callback}
	v.initFrameRegs(f, len(st.frames))
	if callback {
		f.cbArgs = *args
		f.cbArgs[0] = reg{} // r0 is dead at a call: the call sets it
	} else {
		copy(f.regs[1:6], caller.regs[1:6])
	}
	st.frames = append(st.frames, f)
	st.pc = target
	return nil
}

// checkExit handles exit: from the program (done) or from a function.
func (v *verifier) checkExit(pc int) (bool, error) {
	st := v.cur
	f := st.cur()
	r0 := f.regs[0]
	if r0.typ == notInit {
		return false, v.errAt(pc, "R0 !read_ok")
	}
	if st.lock.held {
		return false, v.errAt(pc, "bpf_spin_unlock is missing")
	}
	if len(st.frames) == 1 {
		if r0.typ != scalar {
			return false, v.errAt(pc, "At program exit the register R0 is not a known value (%s)", r0.typ)
		}
		if len(st.refs) > 0 {
			return false, v.errAt(pc, "Unreleased reference id=%d alloc_insn=%d", st.refs[0].id, st.refs[0].insn)
		}
		return true, nil
	}
	depth := len(st.frames) - 1
	if r0.typ == ptrStack && int(r0.frame) == depth {
		return false, v.errAt(pc, "cannot return stack pointer to the caller")
	}
	if f.callback && (r0.typ != scalar || r0.smin < 0 || r0.umax > 1) {
		return false, v.errAt(pc, "At callback return the register R0 has %s value should have been in [0, 1]", v.regString(&r0))
	}
	if f.callback {
		// References acquired by the callback must not outlive it (the
		// helper may call it again, acquiring more each time).
		for _, r := range st.refs {
			if r.cb == depth {
				return false, v.errAt(pc, "Unreleased reference id=%d alloc_insn=%d", r.id, r.insn)
			}
		}
	}
	st.frames = st.frames[:depth]
	caller := st.cur()
	// Pointers into the popped frame would dangle.
	st.forEachReg(func(r *reg) {
		if r.typ == ptrStack && int(r.frame) >= depth {
			*r = v.invalidated()
		}
	})
	if f.callback {
		// Back to the helper call: it may call the callback again or
		// return (see checkHelper); pruning there bounds the iterations.
		copy(caller.regs[0:6], f.cbArgs[:])
		st.pc = f.callsite
		st.cbReturn = true
		return false, nil
	}
	caller.regs[0] = r0
	for i := 1; i <= 5; i++ {
		caller.regs[i] = reg{}
	}
	st.pc = f.callsite + 1
	return false, nil
}

// invalidated is what a register holding a pointer that became invalid
// turns into (mark_reg_invalid): a number for privileged programs.
func (v *verifier) invalidated() reg {
	if v.opts.Unprivileged {
		return reg{}
	}
	return unknownScalar()
}

// helperMeta gathers what argument checks learn for later arguments.
type helperMeta struct {
	mapInfo  MapInfo
	mapID    uint32
	hasMap   bool
	memReg   *reg
	memRegNo uint8
	memKind  argKind
	allocSz  int64
	release  uint32
	cbTarget int
	cbCtx    reg
	// zeroKey says the key argument is stack bytes known to be zero.
	zeroKey bool
}

func (v *verifier) checkHelper(pc int, num int32) error {
	st := v.cur
	f := st.cur()
	proto := helperProtos[num]
	if proto == nil {
		return v.errAt(pc, "invalid func unknown#%d", num)
	}
	if !v.pt.helper(num) {
		return v.errAt(pc, "program of type %s cannot call helper %s#%d", v.pt.name, helperName(num), num)
	}
	var m helperMeta
	for i, kind := range proto.args {
		regno := uint8(i + 1)
		r := &f.regs[regno]
		if kind == argNone {
			continue
		}
		if r.typ == notInit {
			return v.errAt(pc, "R%d !read_ok", regno)
		}
		if err := v.checkArg(pc, proto, num, regno, r, kind, &m); err != nil {
			return err
		}
	}
	if num == 12 && len(st.refs) > 0 {
		return v.errAt(pc, "tail_call would lead to reference leak")
	}
	if m.release != 0 {
		if !releaseRef(st, m.release) {
			return v.errAt(pc, "R1 must be referenced when passed to release function")
		}
		id := m.release
		inv := v.invalidated()
		st.forEachReg(func(r *reg) {
			if r.refID == id {
				*r = inv
			}
		})
	}
	var args [6]reg
	copy(args[:], f.regs[0:6])
	for i := 1; i <= 5; i++ {
		f.regs[i] = reg{}
	}
	r0 := &f.regs[0]
	switch proto.ret {
	case retInteger:
		*r0 = unknownScalar()
		if proto.retMax != 0 {
			r0.umax = proto.retMax
			r0.sync()
		}
	case retVoid:
		*r0 = reg{}
	case retMapValueOrNull:
		*r0 = pointer(ptrMapValueOrNull)
		r0.mapID = m.mapID
		if t := m.mapInfo.Type; t == maps.ArrayOfMaps || t == maps.HashOfMaps {
			// The value of a map-in-map is an inner map.
			if m.mapInfo.Inner == nil {
				return v.errAt(pc, "map-in-map %d has no inner map description", m.mapID)
			}
			*r0 = pointer(constPtrMapOrNull)
			r0.mapID = m.mapID | innerMapBit
		}
		// (Not for inner maps: the template's size need not be the
		// size of the map found at run time.)
		if num == 1 && m.zeroKey && !v.opts.Unprivileged && m.mapInfo.MaxEntries > 0 && m.mapID&innerMapBit == 0 &&
			(m.mapInfo.Type == maps.Array || m.mapInfo.Type == maps.PerCPUArray) {
			// Element 0 of an array always exists (Linux 6.13+ elides the
			// NULL check for constant in-range keys).
			r0.typ = ptrMapValue
		}
		r0.id = v.newID()
	case retMemOrNull:
		*r0 = pointer(ptrMemOrNull)
		r0.memSize = int32(m.allocSz)
		r0.id = v.newID()
		r0.refID = r0.id
		cb := 0
		for d := len(st.frames) - 1; d > 0; d-- {
			if st.frames[d].callback {
				cb = d
				break
			}
		}
		st.refs = append(st.refs, ref{id: r0.id, insn: pc, cb: cb})
	}
	if proto.pktChange {
		inv := v.invalidated()
		st.forEachReg(func(r *reg) {
			if r.typ == ptrPacket || r.typ == ptrPacketEnd || r.typ == ptrPacketMeta {
				*r = inv
			}
		})
	}
	st.cbReturn = false
	if proto.callback == noCallback {
		st.pc = pc + 1
		return nil
	}
	// Callback helpers: one path returns (the callback ran zero or more
	// times, its effects already in the state), the other runs it once
	// more and comes back to this call.
	v.push(st.clone(), pc+1)
	var cb [6]reg
	cb[0] = unknownScalar() // the callback's own r0 slot is unused
	switch proto.callback {
	case loopCallback:
		cb[1] = unknownScalar()
		cb[1].umax = 1 << 23 // BPF_MAX_LOOPS
		cb[1].sync()
		cb[2] = m.cbCtx
	case forEachCallback:
		cb[1] = pointer(constPtrMap)
		cb[1].mapID = m.mapID
		cb[2] = pointer(ptrMem)
		cb[2].memSize = int32(m.mapInfo.KeySize)
		cb[2].rdonly = true
		cb[3] = pointer(ptrMapValue)
		cb[3].mapID = m.mapID
		cb[4] = m.cbCtx
	}
	*r0 = reg{}
	if err := v.enterFrame(pc, m.cbTarget, true, &args); err != nil {
		return err
	}
	nf := st.cur()
	copy(nf.regs[1:6], cb[1:6])
	return nil
}

// checkArg checks one helper argument against its kind (check_func_arg).
func (v *verifier) checkArg(pc int, proto *helperProto, num int32, regno uint8, r *reg, kind argKind, m *helperMeta) error {
	typeErr := func(want string) error {
		return v.errAt(pc, "R%d type=%s expected=%s", regno, r.typ, want)
	}
	switch kind {
	case argAnything:
		if r.typ.isPtr() && v.opts.Unprivileged {
			return v.errAt(pc, "R%d leaks addr into helper function", regno)
		}
	case argScalar:
		if r.typ != scalar {
			return typeErr("scalar")
		}
	case argConstMap:
		if r.typ != constPtrMap {
			return typeErr("map_ptr")
		}
		mi, _ := v.maps(r.mapID)
		ok := generalMap(mi.Type)
		if proto.mapTypes != nil {
			ok = slices.Contains(proto.mapTypes, mi.Type)
		}
		switch {
		case num == 51: // redirect_map: device, cpu and xsk maps
			ok = mi.Type != maps.RingBuf
		case mi.Type == maps.ArrayOfMaps || mi.Type == maps.HashOfMaps:
			ok = num == 1 // programs may only look up inner maps
		}
		if !ok {
			return v.errAt(pc, "cannot pass map_type %d into func %s#%d", uint32(mi.Type), helperName(num), num)
		}
		m.mapInfo, m.mapID, m.hasMap = mi, r.mapID, true
	case argMapKey, argMapValue, argMapValueOut:
		if !m.hasMap {
			return v.errAt(pc, "invalid map_ptr to access map->key")
		}
		if r.typ.maybeNull() || r.typ == scalar {
			return typeErr("fp, pkt, map_value, mem")
		}
		size := int64(m.mapInfo.KeySize)
		if kind != argMapKey {
			size = int64(m.mapInfo.ValueSize)
		}
		if err := v.helperMemAccess(pc, regno, r, size, kind == argMapValueOut); err != nil {
			return err
		}
		if kind == argMapKey {
			m.zeroKey = v.zeroStackKey(r, size)
		}
	case argConstStr:
		if r.typ != ptrMapValue {
			return typeErr("map_value (constant string)")
		}
		mi, _ := v.maps(r.mapID)
		if mi.Flags&maps.FlagRdOnlyProg == 0 {
			return v.errAt(pc, "R%d does not point to a readonly map", regno)
		}
		if !r.fixedOff() || r.off < 0 || uint32(r.off) >= mi.ValueSize {
			return v.errAt(pc, "R%d: constant string must be at a fixed offset inside the value", regno)
		}
	case argMem, argMemOrNull, argMemOut, argMemOutOrNull:
		if (kind == argMemOrNull || kind == argMemOutOrNull) && r.isConst() && r.constVal() == 0 {
			m.memReg, m.memRegNo, m.memKind = nil, regno, kind
			return nil
		}
		if !r.typ.isPtr() || r.typ.maybeNull() {
			return typeErr("fp, pkt, map_value, mem")
		}
		m.memReg, m.memRegNo, m.memKind = r, regno, kind
	case argConstSize, argConstSizeOrZero:
		if r.typ != scalar {
			return typeErr("scalar")
		}
		if r.smin < 0 {
			return v.errAt(pc, "R%d min value is negative, either use unsigned or 'var &= const'", regno)
		}
		if r.umax == 0 && kind == argConstSize {
			return v.errAt(pc, "R%d invalid zero-sized read", regno)
		}
		if r.umax >= maxVarOff {
			return v.errAt(pc, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno)
		}
		if m.memReg == nil {
			if r.umax != 0 {
				return v.errAt(pc, "R%d: NULL memory with non-zero size", regno)
			}
			return nil
		}
		if err := v.helperMemAccess(pc, m.memRegNo, m.memReg, int64(r.umax), m.memKind == argMemOut || m.memKind == argMemOutOrNull); err != nil {
			return err
		}
		m.memReg = nil
	case argConstAllocSize:
		if !r.isConst() {
			return v.errAt(pc, "R%d is not a known constant", regno)
		}
		if r.constVal() >= maxVarOff {
			return v.errAt(pc, "R%d allocation size %d is too large", regno, r.constVal())
		}
		m.allocSz = int64(r.constVal())
	case argCtx:
		if r.typ != ptrCtx {
			return typeErr("ctx")
		}
		if r.off != 0 || !r.fixedOff() {
			return v.errAt(pc, "dereference of modified ctx ptr R%d off=%d disallowed", regno, r.off)
		}
	case argRingbufMem:
		if r.typ != ptrMem || r.refID == 0 {
			return typeErr("ringbuf_mem")
		}
		if r.off != 0 || !r.fixedOff() {
			return v.errAt(pc, "R%d must have zero offset when passed to release func", regno)
		}
		m.release = r.refID
	case argFunc:
		if r.typ != ptrFunc {
			return typeErr("func")
		}
		m.cbTarget = int(r.memSize)
	case argCallbackCtx:
		m.cbCtx = *r
	case argSpinLock:
		return v.checkSpinLock(pc, num, regno, r)
	}
	return nil
}

// checkSpinLock takes or releases a bpf_spin_lock. Without BTF the lock's
// place in the value is not known: it must be 4 aligned bytes inside it.
func (v *verifier) checkSpinLock(pc int, num int32, regno uint8, r *reg) error {
	if r.typ != ptrMapValue {
		return v.errAt(pc, "R%d type=%s expected=map_value", regno, r.typ)
	}
	if !r.fixedOff() || r.off%4 != 0 {
		return v.errAt(pc, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno)
	}
	if err := v.regionAccess(pc, regno, r, 0, 4, int64(mustMap(v, r.mapID).ValueSize), "map value"); err != nil {
		return err
	}
	st := v.cur
	l := spinLock{held: true, mapID: r.mapID, id: r.id, off: r.off}
	if num == 93 {
		if st.lock.held {
			return v.errAt(pc, "Locks nested (bpf_spin_lock is already held)")
		}
		st.lock = l
		return nil
	}
	if !st.lock.held {
		return v.errAt(pc, "bpf_spin_unlock without taking a lock")
	}
	if st.lock != l {
		return v.errAt(pc, "bpf_spin_unlock of different lock")
	}
	st.lock = spinLock{}
	return nil
}

func mustMap(v *verifier, id uint32) MapInfo {
	mi, _ := v.maps(id)
	return mi
}

// zeroStackKey reports whether key (a helper's key argument) points to size
// stack bytes of one slot that are known to be zero, the constant key Linux
// recognizes (get_constant_map_key; 8-byte spills do not count there).
func (v *verifier) zeroStackKey(key *reg, size int64) bool {
	if key.typ != ptrStack || !key.fixedOff() || size <= 0 || size > 8 {
		return false
	}
	lo := int64(key.off)
	if lo >= 0 || (lo%8+8)%8+size > 8 {
		return false
	}
	f := v.cur.frames[key.frame]
	i := int((-lo - 1) / 8)
	if i >= len(f.stack) {
		return false
	}
	s := &f.stack[i]
	for o := lo; o < lo+size; o++ {
		if s.kinds[(o%8+8)%8] != stackZero {
			return false
		}
	}
	return true
}
