package verifier

import (
	"github.com/bpfhost/bpfhost/maps"
)

// Kinds of base pointers an instruction accessed memory through.
const (
	baseCtx   uint8 = 1
	baseOther uint8 = 2
)

// checkMem checks a load (write false) or store (write true, val the value
// stored) of size bytes at register ptrno + off, and returns what a load
// yields.
func (v *verifier) checkMem(pc int, ptrno uint8, off int16, size int, write bool, val *reg, signExt bool) (reg, error) {
	p := v.cur.cur().regs[ptrno]
	// One instruction may not access the context on one path and other
	// memory on another: context accesses are rewritten per instruction
	// for the host layout (the kernel's "same insn cannot be used with
	// different pointers").
	kind := baseOther
	if p.typ == ptrCtx {
		kind = baseCtx
	}
	if b := &v.info[pc].base; *b == 0 {
		*b = kind
	} else if *b != kind && p.typ.isPtr() {
		return reg{}, v.errAt(pc, "same insn cannot be used with different pointers")
	}
	if write && val.typ.isPtr() && v.opts.Unprivileged && p.typ != ptrStack {
		return reg{}, v.errAt(pc, "R%d leaks addr into %s", ptrno, p.typ)
	}
	switch p.typ {
	case ptrStack:
		return v.stackAccess(pc, ptrno, &p, off, size, write, val, signExt)
	case ptrCtx:
		return v.ctxAccess(pc, ptrno, &p, off, size, write, signExt)
	case ptrPacket, ptrPacketMeta:
		if write && !v.pt.pktWrite {
			return reg{}, v.errAt(pc, "cannot write into packet")
		}
		if p.smin < 0 {
			return reg{}, v.errAt(pc, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", ptrno)
		}
		o := int64(p.off) + int64(off)
		if o < 0 || o+int64(size) > int64(p.rng) {
			return reg{}, v.errAt(pc, "invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\nR%d offset is outside of the packet",
				o, size, ptrno, p.id, p.off, p.rng, ptrno)
		}
		return loadedScalar(size, signExt), nil
	case ptrMapValue:
		mi, _ := v.maps(p.mapID)
		if write && mi.Flags&maps.FlagRdOnlyProg != 0 {
			return reg{}, v.errAt(pc, "write into map forbidden, value_size=%d off=%d size=%d", mi.ValueSize, int64(p.off)+int64(off), size)
		}
		if !write && mi.Flags&maps.FlagWrOnlyProg != 0 {
			return reg{}, v.errAt(pc, "read from map forbidden, value_size=%d off=%d size=%d", mi.ValueSize, int64(p.off)+int64(off), size)
		}
		if err := v.regionAccess(pc, ptrno, &p, off, size, int64(mi.ValueSize), "map value"); err != nil {
			return reg{}, err
		}
		return loadedScalar(size, signExt), nil
	case ptrMem:
		if write && p.rdonly {
			return reg{}, v.errAt(pc, "cannot write into read-only memory R%d", ptrno)
		}
		if err := v.regionAccess(pc, ptrno, &p, off, size, int64(p.memSize), "mem"); err != nil {
			return reg{}, err
		}
		return loadedScalar(size, signExt), nil
	case notInit:
		return reg{}, v.errAt(pc, "R%d !read_ok", ptrno)
	}
	return reg{}, v.errAt(pc, "R%d invalid mem access '%s'", ptrno, p.typ)
}

// regionAccess checks an access to [0, limit) of a memory object through a
// pointer with a fixed and a variable offset (check_mem_region_access).
func (v *verifier) regionAccess(pc int, ptrno uint8, p *reg, off int16, size int, limit int64, what string) error {
	o := int64(p.off) + int64(off)
	if p.fixedOff() {
		if o < 0 || o+int64(size) > limit {
			return v.errAt(pc, "invalid access to %s, size=%d off=%d access_size=%d", what, limit, o, size)
		}
		return nil
	}
	if p.smin < 0 {
		return v.errAt(pc, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", ptrno)
	}
	if o+p.smin < 0 {
		return v.errAt(pc, "R%d min value is outside of the allowed memory range (%s off=%d+%d size=%d)", ptrno, what, o, p.smin, limit)
	}
	if p.umax >= maxVarOff || o+int64(p.umax)+int64(size) > limit {
		return v.errAt(pc, "R%d max value is outside of the allowed memory range (%s off=%d+%d size=%d, access %d bytes)",
			ptrno, what, o, clamp64(p.umax), limit, size)
	}
	return nil
}

// ctxAccess checks an access to the program context (check_ctx_access).
func (v *verifier) ctxAccess(pc int, ptrno uint8, p *reg, off int16, size int, write, signExt bool) (reg, error) {
	if p.off != 0 || !p.fixedOff() {
		return reg{}, v.errAt(pc, "dereference of modified ctx ptr R%d off=%d disallowed", ptrno, p.off)
	}
	if v.pt.ctx != nil {
		k, err := v.pt.ctx.Access(int32(off), size, write)
		if err != nil {
			return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d: %v", off, size, err)
		}
		t, err := fieldType(k)
		if err != nil {
			return reg{}, v.errAt(pc, "%v", err)
		}
		if t == scalar || write {
			return loadedScalar(size, signExt), nil
		}
		if signExt || size != 4 && size != 8 {
			return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d (partial load of a packet pointer)", off, size)
		}
		return pointer(t), nil
	}
	f, ok := v.pt.field(int(off), size, v.opts.HostContext)
	if !ok {
		return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d", off, size)
	}
	if f.devmapOnly {
		return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d (%s needs a devmap program)", off, size, f.name)
	}
	if write && !f.writable {
		return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d (%s is read-only)", off, size, f.name)
	}
	if f.typ == scalar {
		return loadedScalar(size, signExt), nil
	}
	if signExt {
		return reg{}, v.errAt(pc, "invalid bpf_context access off=%d size=%d (sign-extending load of %s)", off, size, f.name)
	}
	return pointer(f.typ), nil
}

// stackBounds returns the range of stack offsets [lo, hi) an access covers,
// after checking it stays in the frame.
func (v *verifier) stackBounds(pc int, ptrno uint8, p *reg, off int16, size int, write bool) (lo, hi int64, err error) {
	o := int64(p.off) + int64(off)
	kind := "read from"
	if write {
		kind = "write to"
	}
	if p.fixedOff() {
		if o < -512 || o+int64(size) > 0 {
			return 0, 0, v.errAt(pc, "invalid %s stack R%d off=%d size=%d", kind, ptrno, o, size)
		}
		if o%int64(size) != 0 {
			return 0, 0, v.errAt(pc, "misaligned stack access off %d size %d", o, size)
		}
		lo, hi = o, o+int64(size)
	} else {
		if p.smin < -512 || p.smax > 512 {
			return 0, 0, v.errAt(pc, "invalid unbounded variable-offset %s stack R%d", kind, ptrno)
		}
		lo, hi = o+p.smin, o+p.smax+int64(size)
		if lo < -512 || hi > 0 {
			return 0, 0, v.errAt(pc, "invalid variable-offset %s stack R%d var_off=%s off=%d size=%d", kind, ptrno, p.varOff, o, size)
		}
	}
	st := v.cur
	sp := &v.subprogs[st.frames[p.frame].subprog]
	sp.stackDepth = max(sp.stackDepth, int(-lo))
	return lo, hi, nil
}

// stackAccess loads or stores on the stack of the frame p points into,
// tracking spilled registers and which bytes were written.
func (v *verifier) stackAccess(pc int, ptrno uint8, p *reg, off int16, size int, write bool, val *reg, signExt bool) (reg, error) {
	lo, hi, err := v.stackBounds(pc, ptrno, p, off, size, write)
	if err != nil {
		return reg{}, err
	}
	f := v.cur.frames[p.frame]
	fixed := p.fixedOff()
	if write {
		if val.typ.isPtr() && size != 8 {
			return reg{}, v.errAt(pc, "invalid size of register spill")
		}
		if fixed && size == 8 {
			s := f.slotAt(int(lo))
			s.spill = *val
			for i := range s.kinds {
				s.kinds[i] = stackSpill
			}
			return reg{}, nil
		}
		kind := stackMisc
		if fixed && val.isConst() && val.constVal() == 0 {
			kind = stackZero
		}
		for o := lo; o < hi; o++ {
			s := f.slotAt(int(o))
			if s.isSpill() {
				if s.spill.typ != scalar && v.opts.Unprivileged {
					return reg{}, v.errAt(pc, "attempt to corrupt spilled pointer on stack")
				}
				for i := range s.kinds {
					s.kinds[i] = stackMisc
				}
				s.spill = reg{}
			}
			b := int((o%8 + 8) % 8)
			if !fixed {
				if s.kinds[b] == stackInvalid && v.opts.Unprivileged {
					return reg{}, v.errAt(pc, "uninit stack in range of var-offset write prohibited for !root")
				}
				if s.kinds[b] == stackZero && kind == stackZero {
					continue
				}
			}
			s.kinds[b] = kind
		}
		return reg{}, nil
	}
	// Loads.
	if fixed && size == 8 {
		s := f.slotAt(int(lo))
		if s.isSpill() {
			return s.spill, nil
		}
	}
	allZero := true
	for o := lo; o < hi; o++ {
		i := int((-o - 1) / 8)
		var k uint8
		var s *slot
		if i < len(f.stack) {
			s = &f.stack[i]
			k = s.kinds[(o%8+8)%8]
		}
		switch k {
		case stackInvalid:
			if v.opts.Unprivileged {
				return reg{}, v.errAt(pc, "invalid read from stack R%d off %d+%d size %d", ptrno, p.off, off, size)
			}
			allZero = false
		case stackSpill:
			if s.spill.typ != scalar && fixed {
				return reg{}, v.errAt(pc, "invalid size of register fill")
			}
			if s.spill.typ != scalar && v.opts.Unprivileged {
				return reg{}, v.errAt(pc, "leaking pointer from stack off %d", o)
			}
			if !(s.spill.isConst() && s.spill.constVal() == 0) {
				allZero = false
			}
		case stackMisc:
			allZero = false
		}
	}
	if allZero && fixed {
		return constScalar(0), nil
	}
	return loadedScalar(size, signExt), nil
}

// helperMemAccess checks that a helper may read (or write) size bytes
// [0, umax of the size] at pointer p (check_helper_mem_access).
func (v *verifier) helperMemAccess(pc int, regno uint8, p *reg, size int64, write bool) error {
	if size == 0 {
		return nil
	}
	switch p.typ {
	case ptrStack:
		// Checked byte by byte as loads (reads) or stores of unknown data.
		lo, hi, err := v.stackBounds(pc, regno, &reg{typ: ptrStack, frame: p.frame, off: p.off, varOff: p.varOff, smin: p.smin, smax: p.smax, umin: p.umin, umax: p.umax}, 0, 1, write)
		if err != nil {
			return err
		}
		hi = hi - 1 + size
		if hi > 0 {
			return v.errAt(pc, "invalid indirect access to stack R%d off=%d size=%d", regno, lo, size)
		}
		sp := &v.subprogs[v.cur.frames[p.frame].subprog]
		sp.stackDepth = max(sp.stackDepth, int(-lo))
		f := v.cur.frames[p.frame]
		for o := lo; o < hi; o++ {
			s := f.slotAt(int(o))
			b := int((o%8 + 8) % 8)
			if write {
				if s.isSpill() {
					for i := range s.kinds {
						s.kinds[i] = stackMisc
					}
					s.spill = reg{}
				}
				s.kinds[b] = stackMisc
				continue
			}
			switch s.kinds[b] {
			case stackInvalid:
				if v.opts.Unprivileged || !p.fixedOff() {
					return v.errAt(pc, "invalid indirect read from stack R%d off %d+%d size %d", regno, p.off, o-lo, size)
				}
				// Privileged: unwritten stack reads as unknown bytes.
			case stackSpill:
				if s.spill.typ != scalar && v.opts.Unprivileged {
					return v.errAt(pc, "leaking pointer from stack off %d", o)
				}
			}
		}
		return nil
	case ptrPacket, ptrPacketMeta:
		if write && !v.pt.pktWrite {
			return v.errAt(pc, "helper access to the packet is not allowed")
		}
		if p.smin < 0 {
			return v.errAt(pc, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno)
		}
		o := int64(p.off)
		if o < 0 || o+size > int64(p.rng) {
			return v.errAt(pc, "invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)", o, size, regno, p.id, p.off, p.rng)
		}
		return nil
	case ptrMapValue:
		mi, _ := v.maps(p.mapID)
		if write && mi.Flags&maps.FlagRdOnlyProg != 0 {
			return v.errAt(pc, "write into map forbidden")
		}
		return v.regionAccess(pc, regno, p, 0, int(size), int64(mi.ValueSize), "map value")
	case ptrMem:
		if write && p.rdonly {
			return v.errAt(pc, "cannot write into read-only memory R%d", regno)
		}
		return v.regionAccess(pc, regno, p, 0, int(size), int64(p.memSize), "mem")
	case ptrCtx:
		return v.errAt(pc, "R%d type=ctx expected=fp, pkt, pkt_meta, map_value, mem", regno)
	}
	return v.errAt(pc, "R%d type=%s expected=fp, pkt, pkt_meta, map_value, mem", regno, p.typ)
}
