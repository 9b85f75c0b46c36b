package verifier

import (
	"math"
	"math/bits"

	"github.com/bpfhost/bpfhost/isa"
)

// scalarALU64 computes dst = dst op src on 64-bit scalars
// (adjust_scalar_min_max_vals). signed selects sdiv/smod (offset 1).
func scalarALU64(dst *reg, src *reg, op uint8, signed bool) {
	if dst.isConst() && src.isConst() {
		if v, ok := constALU64(dst.constVal(), src.constVal(), op, signed); ok {
			dst.markKnownBounds(v)
			return
		}
	}
	switch op {
	case isa.ALUAdd:
		smin, o1 := addOverflows(dst.smin, src.smin)
		smax, o2 := addOverflows(dst.smax, src.smax)
		if o1 || o2 {
			smin, smax = math.MinInt64, math.MaxInt64
		}
		umin, c1 := bits.Add64(dst.umin, src.umin, 0)
		umax, c2 := bits.Add64(dst.umax, src.umax, 0)
		if c1 != 0 || c2 != 0 {
			umin, umax = 0, math.MaxUint64
		}
		t := dst.varOff.add(src.varOff)
		dst.markUnknownBounds()
		dst.smin, dst.smax, dst.umin, dst.umax, dst.varOff = smin, smax, umin, umax, t
	case isa.ALUSub:
		smin, o1 := subOverflows(dst.smin, src.smax)
		smax, o2 := subOverflows(dst.smax, src.smin)
		if o1 || o2 {
			smin, smax = math.MinInt64, math.MaxInt64
		}
		umin, umax := dst.umin-src.umax, dst.umax-src.umin
		if dst.umin < src.umax {
			umin, umax = 0, math.MaxUint64
		}
		t := dst.varOff.sub(src.varOff)
		dst.markUnknownBounds()
		dst.smin, dst.smax, dst.umin, dst.umax, dst.varOff = smin, smax, umin, umax, t
	case isa.ALUMul:
		t := dst.varOff.mul(src.varOff)
		hi1, lo1 := bits.Mul64(dst.umax, src.umax)
		umin, umax := dst.umin*src.umin, lo1
		dst.markUnknownBounds()
		dst.varOff = t
		if hi1 == 0 {
			dst.umin, dst.umax = umin, umax
		}
	case isa.ALUAnd:
		t := dst.varOff.and(src.varOff)
		umax := min(dst.umax, src.umax)
		dst.markUnknownBounds()
		dst.varOff, dst.umax = t, umax
	case isa.ALUOr:
		t := dst.varOff.or(src.varOff)
		umin := max(dst.umin, src.umin)
		dst.markUnknownBounds()
		dst.varOff, dst.umin = t, umin
	case isa.ALUXor:
		t := dst.varOff.xor(src.varOff)
		dst.markUnknownBounds()
		dst.varOff = t
	case isa.ALULsh, isa.ALURsh, isa.ALUArsh:
		if !src.isConst() {
			dst.markUnknownBounds()
			return
		}
		s := uint(src.constVal() & 63)
		switch op {
		case isa.ALULsh:
			t := dst.varOff.lsh(s)
			umin, umax := dst.umin<<s, dst.umax<<s
			ok := s == 0 || dst.umax>>(64-s) == 0
			dst.markUnknownBounds()
			dst.varOff = t
			if ok {
				dst.umin, dst.umax = umin, umax
			}
		case isa.ALURsh:
			t := dst.varOff.rsh(s)
			umin, umax := dst.umin>>s, dst.umax>>s
			dst.markUnknownBounds()
			dst.varOff, dst.umin, dst.umax = t, umin, umax
		default:
			t := dst.varOff.arsh(s)
			smin, smax := dst.smin>>s, dst.smax>>s
			dst.markUnknownBounds()
			dst.varOff, dst.smin, dst.smax = t, smin, smax
		}
	case isa.ALUMod:
		// An unsigned remainder by a positive constant is below it;
		// modulo zero leaves dst unchanged (the ISA's rule).
		if !signed && src.isConst() && src.constVal() != 0 {
			d := src.constVal()
			umax := min(dst.umax, d-1)
			dst.markUnknownBounds()
			dst.umax = umax
			break
		}
		if !signed && src.umin > 0 {
			umax := min(dst.umax, src.umax-1)
			dst.markUnknownBounds()
			dst.umax = umax
			break
		}
		dst.markUnknownBounds()
	case isa.ALUDiv:
		if !signed && src.umin > 0 {
			umin, umax := dst.umin/src.umax, dst.umax/src.umin
			dst.markUnknownBounds()
			dst.umin, dst.umax = umin, umax
			break
		}
		dst.markUnknownBounds()
	default: // neg and anything not tracked
		dst.markUnknownBounds()
	}
	dst.sync()
}

// scalarALU32 computes a 32-bit ALU operation: the operands' low 32 bits,
// a zero-extended result.
func scalarALU32(dst *reg, src *reg, op uint8, signed bool) {
	if dst.subreg32Const() && src.subreg32Const() {
		if v, ok := constALU32(uint32(dst.varOff.value), uint32(src.varOff.value), op, signed); ok {
			dst.markKnownBounds(uint64(v))
			return
		}
	}
	switch op {
	case isa.ALUArsh:
		d := dst.view32(true)
		s := src.view32(false)
		if s.isConst() {
			s.markKnownBounds(s.constVal() & 31)
		}
		scalarALU64(&d, &s, op, false)
		*dst = d
		dst.truncate32()
		return
	case isa.ALULsh, isa.ALURsh:
		d := dst.view32(false)
		s := src.view32(false)
		if s.isConst() {
			s.markKnownBounds(s.constVal() & 31)
		}
		scalarALU64(&d, &s, op, false)
		*dst = d
		dst.truncate32()
		return
	case isa.ALUDiv, isa.ALUMod:
		if signed {
			dst.markUnknownBounds()
			dst.zext32()
			return
		}
	}
	d := dst.view32(false)
	s := src.view32(false)
	scalarALU64(&d, &s, op, false)
	*dst = d
	dst.truncate32()
}

func addOverflows(a, b int64) (int64, bool) {
	s := a + b
	return s, (b > 0 && s < a) || (b < 0 && s > a)
}

func subOverflows(a, b int64) (int64, bool) {
	s := a - b
	return s, (b < 0 && s < a) || (b > 0 && s > a)
}

// constALU64 evaluates an operation on known operands as the interpreter does.
func constALU64(a, b uint64, op uint8, signed bool) (uint64, bool) {
	switch op {
	case isa.ALUAdd:
		return a + b, true
	case isa.ALUSub:
		return a - b, true
	case isa.ALUMul:
		return a * b, true
	case isa.ALUDiv:
		if b == 0 {
			return 0, true
		}
		if signed {
			if int64(b) == -1 {
				return -a, true
			}
			return uint64(int64(a) / int64(b)), true
		}
		return a / b, true
	case isa.ALUMod:
		if b == 0 {
			return a, true
		}
		if signed {
			if int64(b) == -1 {
				return 0, true
			}
			return uint64(int64(a) % int64(b)), true
		}
		return a % b, true
	case isa.ALUOr:
		return a | b, true
	case isa.ALUAnd:
		return a & b, true
	case isa.ALUXor:
		return a ^ b, true
	case isa.ALULsh:
		return a << (b & 63), true
	case isa.ALURsh:
		return a >> (b & 63), true
	case isa.ALUArsh:
		return uint64(int64(a) >> (b & 63)), true
	case isa.ALUNeg:
		return -a, true
	}
	return 0, false
}

// constALU32 is constALU64 for the 32-bit class.
func constALU32(a, b uint32, op uint8, signed bool) (uint32, bool) {
	switch op {
	case isa.ALUDiv:
		if b == 0 {
			return 0, true
		}
		if signed {
			if int32(b) == -1 {
				return -a, true
			}
			return uint32(int32(a) / int32(b)), true
		}
		return a / b, true
	case isa.ALUMod:
		if b == 0 {
			return a, true
		}
		if signed {
			if int32(b) == -1 {
				return 0, true
			}
			return uint32(int32(a) % int32(b)), true
		}
		return a % b, true
	case isa.ALULsh:
		return a << (b & 31), true
	case isa.ALURsh:
		return a >> (b & 31), true
	case isa.ALUArsh:
		return uint32(int32(a) >> (b & 31)), true
	}
	v, ok := constALU64(uint64(a), uint64(b), op, signed)
	return uint32(v), ok
}

// signExtend gives a scalar the value of its low bits bits, sign-extended
// (movsx and ldsx).
func signExtend(r *reg, nbits uint) {
	if r.varOff.cast(nbits / 8).isConst() {
		v := r.varOff.value
		r.markKnownBounds(uint64(int64(v<<(64-nbits)) >> (64 - nbits)))
		return
	}
	lim := int64(1) << (nbits - 1)
	if r.umax < uint64(lim) { // already a small non-negative value
		return
	}
	r.markUnknownBounds()
	r.smin, r.smax = -lim, lim-1
	r.sync()
}

// zeroExtendWidth keeps the low nbits of a scalar (le16/le32, narrow loads).
func zeroExtendWidth(r *reg, nbits uint) {
	if nbits >= 64 {
		return
	}
	if r.umax < uint64(1)<<nbits {
		return
	}
	t := r.varOff.cast(nbits / 8)
	r.markUnknownBounds()
	r.varOff = t
	r.sync()
}

// byteSwap swaps the low nbits bytes of a scalar (be16/32/64, bswap).
func byteSwap(r *reg, nbits uint) {
	if r.isConst() {
		v := r.constVal()
		switch nbits {
		case 16:
			v = uint64(bits.ReverseBytes16(uint16(v)))
		case 32:
			v = uint64(bits.ReverseBytes32(uint32(v)))
		default:
			v = bits.ReverseBytes64(v)
		}
		r.markKnownBounds(v)
		return
	}
	r.markUnknownBounds()
	if nbits < 64 {
		r.umax = uint64(1)<<nbits - 1
	}
	r.sync()
}
