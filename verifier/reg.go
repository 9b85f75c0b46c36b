package verifier

import "math"

// regType is the abstract type of a register or spilled stack slot.
type regType uint8

const (
	notInit           regType = iota // never written: reading it is an error
	scalar                           // a number, bounded by the scalar fields
	ptrCtx                           // the program's context (r1 at entry)
	ptrStack                         // a frame's stack; off is relative to its r10
	ptrPacket                        // packet data; rng bytes after the pointer are known to exist
	ptrPacketMeta                    // packet metadata (xdp data_meta), bounded by data
	ptrPacketEnd                     // one past the packet: only comparable
	ptrMapValue                      // a map value of mapID
	ptrMapValueOrNull                // map_lookup_elem's result before the null check
	constPtrMap                      // a map handle (ld_imm64 pseudo map fd)
	ptrMem                           // memSize bytes of memory (ringbuf record, raw memory)
	ptrMemOrNull                     // ringbuf_reserve's result before the null check
	ptrFunc                          // a subprogram reference (ld_imm64 pseudo func)
	constPtrMapOrNull                // map-in-map lookup result before the null check
)

var regTypeNames = [...]string{
	notInit: "?", scalar: "scalar", ptrCtx: "ctx", ptrStack: "fp", ptrPacket: "pkt",
	ptrPacketMeta: "pkt_meta", ptrPacketEnd: "pkt_end", ptrMapValue: "map_value",
	ptrMapValueOrNull: "map_value_or_null", constPtrMap: "map_ptr", ptrMem: "mem",
	ptrMemOrNull: "mem_or_null", ptrFunc: "func", constPtrMapOrNull: "map_ptr_or_null",
}

// String returns the kernel log's name of the type.
func (t regType) String() string { return regTypeNames[t] }

// isPtr reports whether the type is any pointer.
func (t regType) isPtr() bool { return t != notInit && t != scalar }

// maybeNull reports whether the pointer may be NULL until checked.
func (t regType) maybeNull() bool {
	return t == ptrMapValueOrNull || t == ptrMemOrNull || t == constPtrMapOrNull
}

// reg is the abstract value of a register, the kernel's bpf_reg_state.
//
// For scalars the bound fields describe the value. For pointers off is the
// fixed offset from the object's start and the bound fields describe the
// variable offset added on top of it (constant zero for most pointers).
type reg struct {
	typ regType
	// frame is the frame a stack pointer points into.
	frame uint8
	off   int32
	// rng is, for packet pointers, how many bytes after the pointer's
	// variable base are known to be inside the packet.
	rng int32
	// id links copies of a pointer that may be NULL (so that a null check
	// on one refines all) and packet pointers sharing a variable offset.
	id uint32
	// refID is the reference (ringbuf reservation) the pointer carries.
	refID uint32
	// mapID is the map of constPtrMap and map value pointers.
	mapID uint32
	// memSize is the size of ptrMem/ptrMemOrNull memory; for ptrFunc, the
	// target instruction.
	memSize int32
	// rdonly marks ptrMem memory the program may only read (map keys).
	rdonly bool

	varOff         tnum
	smin, smax     int64
	umin, umax     uint64
	s32min, s32max int32
	u32min, u32max uint32
}

func (r *reg) markUnknownBounds() {
	r.varOff = tnumUnknown
	r.smin, r.smax = math.MinInt64, math.MaxInt64
	r.umin, r.umax = 0, math.MaxUint64
	r.s32min, r.s32max = math.MinInt32, math.MaxInt32
	r.u32min, r.u32max = 0, math.MaxUint32
}

func (r *reg) markKnownBounds(v uint64) {
	r.varOff = tnumConst(v)
	r.smin, r.smax = int64(v), int64(v)
	r.umin, r.umax = v, v
	r.s32min, r.s32max = int32(v), int32(v)
	r.u32min, r.u32max = uint32(v), uint32(v)
}

// unknownScalar returns a scalar about which nothing is known.
func unknownScalar() reg {
	r := reg{typ: scalar}
	r.markUnknownBounds()
	return r
}

// constScalar returns the scalar v.
func constScalar(v uint64) reg {
	r := reg{typ: scalar}
	r.markKnownBounds(v)
	return r
}

// pointer returns a pointer of type t with a zero variable offset.
func pointer(t regType) reg {
	r := reg{typ: t}
	r.markKnownBounds(0)
	return r
}

// isConst reports whether the register is a scalar of known value.
func (r *reg) isConst() bool { return r.typ == scalar && r.varOff.isConst() }

// constVal returns the value of a constant scalar.
func (r *reg) constVal() uint64 { return r.varOff.value }

// fixedOff reports whether the pointer's variable offset is zero.
func (r *reg) fixedOff() bool { return r.varOff.isConst() && r.varOff.value == 0 }

// subreg32Const reports whether the low 32 bits are known.
func (r *reg) subreg32Const() bool { return r.varOff.cast(4).isConst() }

// updateBounds narrows the ranges by the known bits (__update_reg_bounds).
func (r *reg) updateBounds() {
	v, m := r.varOff.value, r.varOff.mask
	// Signed: the sign bit, if unknown, may be either.
	r.smin = max(r.smin, int64(v|m&(1<<63)))
	r.smax = min(r.smax, int64(v|m&^(1<<63)))
	r.umin = max(r.umin, v)
	r.umax = min(r.umax, v|m)
	v32, m32 := uint32(v), uint32(m)
	r.s32min = max(r.s32min, int32(v32|m32&(1<<31)))
	r.s32max = min(r.s32max, int32(v32|m32&^(1<<31)))
	r.u32min = max(r.u32min, v32)
	r.u32max = min(r.u32max, v32|m32)
}

// deduceBounds shares what each of the four ranges knows with the others
// (__reg_deduce_bounds).
func (r *reg) deduceBounds() {
	// 32-bit signed <-> unsigned.
	if int32(r.u32min) <= int32(r.u32max) {
		r.s32min = max(r.s32min, int32(r.u32min))
		r.s32max = min(r.s32max, int32(r.u32max))
	}
	if uint32(r.s32min) <= uint32(r.s32max) {
		r.u32min = max(r.u32min, uint32(r.s32min))
		r.u32max = min(r.u32max, uint32(r.s32max))
	}
	// 64-bit -> 32-bit when the upper halves agree.
	if r.umin>>32 == r.umax>>32 {
		if uint32(r.umin) <= uint32(r.umax) {
			r.u32min = max(r.u32min, uint32(r.umin))
			r.u32max = min(r.u32max, uint32(r.umax))
		}
		if int32(r.umin) <= int32(r.umax) {
			r.s32min = max(r.s32min, int32(r.umin))
			r.s32max = min(r.s32max, int32(r.umax))
		}
	}
	if uint64(r.smin)>>32 == uint64(r.smax)>>32 {
		if uint32(r.smin) <= uint32(r.smax) {
			r.u32min = max(r.u32min, uint32(r.smin))
			r.u32max = min(r.u32max, uint32(r.smax))
		}
		if int32(r.smin) <= int32(r.smax) {
			r.s32min = max(r.s32min, int32(r.smin))
			r.s32max = min(r.s32max, int32(r.smax))
		}
	}
	// 32-bit -> 64-bit when the upper half is known to be zero.
	if r.umax <= math.MaxUint32 {
		r.umin = max(r.umin, uint64(r.u32min))
		r.umax = min(r.umax, uint64(r.u32max))
	}
	// 64-bit signed <-> unsigned.
	if int64(r.umin) <= int64(r.umax) {
		r.smin = max(r.smin, int64(r.umin))
		r.smax = min(r.smax, int64(r.umax))
	}
	if uint64(r.smin) <= uint64(r.smax) {
		r.umin = max(r.umin, uint64(r.smin))
		r.umax = min(r.umax, uint64(r.smax))
	}
}

// boundOffset narrows the known bits by the ranges (__reg_bound_offset).
func (r *reg) boundOffset() {
	t64 := r.varOff.intersect(tnumRange(r.umin, r.umax))
	t32 := t64.cast(4).intersect(tnumRange(uint64(r.u32min), uint64(r.u32max)))
	r.varOff = t64.withSubreg(t32)
}

// sync makes the four ranges and the known bits agree (reg_bounds_sync).
func (r *reg) sync() {
	r.updateBounds()
	r.deduceBounds()
	r.deduceBounds()
	r.boundOffset()
	r.updateBounds()
	r.deduceBounds()
}

// feasible reports whether some value satisfies all the facts.
func (r *reg) feasible() bool {
	if r.smin > r.smax || r.umin > r.umax || r.s32min > r.s32max || r.u32min > r.u32max {
		return false
	}
	// Known bits outside every range value.
	if r.varOff.value > r.umax || r.varOff.value|r.varOff.mask < r.umin {
		return false
	}
	return true
}

// boundsContain reports whether every value of cur is a value of old.
func (old *reg) boundsContain(cur *reg) bool {
	return old.smin <= cur.smin && old.smax >= cur.smax &&
		old.umin <= cur.umin && old.umax >= cur.umax &&
		old.s32min <= cur.s32min && old.s32max >= cur.s32max &&
		old.u32min <= cur.u32min && old.u32max >= cur.u32max &&
		old.varOff.contains(cur.varOff)
}

func (r *reg) boundsEqual(o *reg) bool {
	return r.varOff == o.varOff && r.smin == o.smin && r.smax == o.smax &&
		r.umin == o.umin && r.umax == o.umax && r.s32min == o.s32min &&
		r.s32max == o.s32max && r.u32min == o.u32min && r.u32max == o.u32max
}

// zext32 keeps only the low 32 bits of a scalar, as a 32-bit ALU result.
func (r *reg) zext32() {
	r.varOff = r.varOff.cast(4)
	r.smin, r.smax = int64(r.u32min), int64(r.u32max)
	r.umin, r.umax = uint64(r.u32min), uint64(r.u32max)
	r.sync()
}

// truncate32 turns a 64-bit result into its low 32 bits, zero-extended:
// exact if the value already fits, otherwise only the known bits survive.
func (r *reg) truncate32() {
	if r.umax <= math.MaxUint32 {
		r.s32min, r.s32max = math.MinInt32, math.MaxInt32
		r.u32min, r.u32max = 0, math.MaxUint32
		r.sync()
		return
	}
	t := r.varOff.cast(4)
	r.markUnknownBounds()
	r.varOff = t
	r.umin, r.umax = 0, math.MaxUint32
	r.sync()
}

// view32 returns the low 32 bits as a 64-bit scalar, zero- or sign-extended.
func (r *reg) view32(signed bool) reg {
	v := unknownScalar()
	if signed {
		v.varOff = r.varOff.sext32()
		v.smin, v.smax = int64(r.s32min), int64(r.s32max)
	} else {
		v.varOff = r.varOff.cast(4)
		v.umin, v.umax = uint64(r.u32min), uint64(r.u32max)
	}
	v.sync()
	return v
}

// setFromView32 narrows the low 32 bits by a refined view (see view32).
func (r *reg) setFromView32(v *reg, signed bool) {
	if signed {
		r.s32min = max(r.s32min, int32(max(v.smin, math.MinInt32)))
		r.s32max = min(r.s32max, int32(min(v.smax, math.MaxInt32)))
	} else {
		r.u32min = max(r.u32min, uint32(min(v.umin, math.MaxUint32)))
		r.u32max = min(r.u32max, uint32(min(v.umax, math.MaxUint32)))
	}
	r.varOff = r.varOff.withSubreg(r.varOff.cast(4).intersect(v.varOff.cast(4)))
	if r.varOff.cast(4).conflicts(v.varOff.cast(4)) {
		r.u32min, r.u32max = 1, 0 // infeasible
	}
}
