package verifier

import (
	"fmt"
	"math/bits"
)

// tnum is a "tristate number": the bits set in mask are unknown, the others
// have the value of the corresponding bit in value (value&mask is always 0).
// It is the kernel verifier's representation of known bits.
type tnum struct {
	value, mask uint64
}

var tnumUnknown = tnum{0, ^uint64(0)}

func tnumConst(v uint64) tnum { return tnum{v, 0} }

// tnumRange returns the tnum covering every value in [min, max].
func tnumRange(min, max uint64) tnum {
	chi := min ^ max
	b := bits.Len64(chi)
	if b > 63 {
		return tnumUnknown
	}
	delta := uint64(1)<<b - 1
	return tnum{min &^ delta, delta}
}

func (a tnum) isConst() bool { return a.mask == 0 }

func (a tnum) add(b tnum) tnum {
	sm := a.mask + b.mask
	sv := a.value + b.value
	sigma := sm + sv
	chi := sigma ^ sv
	mu := chi | a.mask | b.mask
	return tnum{sv &^ mu, mu}
}

func (a tnum) sub(b tnum) tnum {
	dv := a.value - b.value
	alpha := dv + a.mask
	beta := dv - b.mask
	chi := alpha ^ beta
	mu := chi | a.mask | b.mask
	return tnum{dv &^ mu, mu}
}

func (a tnum) and(b tnum) tnum {
	alpha := a.value | a.mask
	beta := b.value | b.mask
	v := a.value & b.value
	return tnum{v, alpha & beta &^ v}
}

func (a tnum) or(b tnum) tnum {
	v := a.value | b.value
	mu := a.mask | b.mask
	return tnum{v, mu &^ v}
}

func (a tnum) xor(b tnum) tnum {
	v := a.value ^ b.value
	mu := a.mask | b.mask
	return tnum{v &^ mu, mu}
}

// mul multiplies bit by bit (the kernel's tnum_mul).
func (a tnum) mul(b tnum) tnum {
	accV := a.value * b.value
	accM := tnum{}
	for a.value != 0 || a.mask != 0 {
		if a.value&1 != 0 {
			accM = accM.add(tnum{0, b.mask})
		} else if a.mask&1 != 0 {
			accM = accM.add(tnum{0, b.value | b.mask})
		}
		a = a.rsh(1)
		b = b.lsh(1)
	}
	return tnum{accV, 0}.add(accM)
}

func (a tnum) lsh(s uint) tnum  { return tnum{a.value << s, a.mask << s} }
func (a tnum) rsh(s uint) tnum  { return tnum{a.value >> s, a.mask >> s} }
func (a tnum) arsh(s uint) tnum { return tnum{uint64(int64(a.value) >> s), uint64(int64(a.mask) >> s)} }

// intersect combines two facts about the same value.
func (a tnum) intersect(b tnum) tnum {
	v := a.value | b.value
	mu := a.mask & b.mask
	return tnum{v &^ mu, mu}
}

// conflicts reports whether no value satisfies both a and b.
func (a tnum) conflicts(b tnum) bool {
	known := ^a.mask & ^b.mask
	return (a.value^b.value)&known != 0
}

// contains reports whether every value of b is a value of a.
func (a tnum) contains(b tnum) bool {
	if b.mask&^a.mask != 0 {
		return false
	}
	return a.value == b.value&^a.mask
}

// cast truncates to the low size bytes.
func (a tnum) cast(size uint) tnum {
	if size >= 8 {
		return a
	}
	m := uint64(1)<<(size*8) - 1
	return tnum{a.value & m, a.mask & m}
}

// sext32 sign-extends the low 32 bits.
func (a tnum) sext32() tnum {
	return tnum{uint64(int64(int32(uint32(a.value)))), uint64(int64(int32(uint32(a.mask))))}
}

// withSubreg replaces the low 32 bits of a by those of sub.
func (a tnum) withSubreg(sub tnum) tnum {
	hi := tnum{a.value &^ 0xffffffff, a.mask &^ 0xffffffff}
	return hi.or(sub.cast(4))
}

// String formats as the kernel log does: (value; mask).
func (a tnum) String() string { return fmt.Sprintf("(%#x; %#x)", a.value, a.mask) }
