package verifier

import (
	"math/rand"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// contains reports whether the abstract scalar r admits the concrete value x.
func (r *reg) admits(x uint64) bool {
	return r.umin <= x && x <= r.umax && r.smin <= int64(x) && int64(x) <= r.smax &&
		r.u32min <= uint32(x) && uint32(x) <= r.u32max &&
		r.s32min <= int32(x) && int32(x) <= r.s32max &&
		x&^r.varOff.mask == r.varOff.value
}

// randValue draws values with interesting bit patterns.
func randValue(rng *rand.Rand) uint64 {
	switch rng.Intn(6) {
	case 0:
		return uint64(rng.Intn(16))
	case 1:
		return uint64(rng.Int63n(1 << 16))
	case 2:
		return -uint64(rng.Intn(16))
	case 3:
		return uint64(rng.Uint32())
	case 4:
		return 1<<63 + uint64(rng.Intn(8)) - 4
	}
	return rng.Uint64()
}

// randAbstract returns an abstract scalar admitting a few concrete values
// (the values are returned too).
func randAbstract(rng *rand.Rand) (reg, []uint64) {
	x := randValue(rng)
	vals := []uint64{x}
	for i := rng.Intn(3); i > 0; i-- {
		switch rng.Intn(3) {
		case 0:
			vals = append(vals, x+uint64(rng.Intn(64)))
		case 1:
			vals = append(vals, x^uint64(1)<<rng.Intn(64))
		default:
			vals = append(vals, randValue(rng))
		}
	}
	r := unknownScalar()
	r.umin, r.umax = vals[0], vals[0]
	r.smin, r.smax = int64(vals[0]), int64(vals[0])
	r.u32min, r.u32max = uint32(vals[0]), uint32(vals[0])
	r.s32min, r.s32max = int32(vals[0]), int32(vals[0])
	t := tnumConst(vals[0])
	for _, v := range vals[1:] {
		r.umin, r.umax = min(r.umin, v), max(r.umax, v)
		r.smin, r.smax = min(r.smin, int64(v)), max(r.smax, int64(v))
		r.u32min, r.u32max = min(r.u32min, uint32(v)), max(r.u32max, uint32(v))
		r.s32min, r.s32max = min(r.s32min, int32(v)), max(r.s32max, int32(v))
		d := t.value ^ v | t.mask
		t = tnum{v &^ d, d}
	}
	r.varOff = t
	if rng.Intn(4) == 0 { // sometimes less precise
		r.umax = max(r.umax, r.umax|uint64(rng.Intn(1<<20)))
		r.smin, r.smax = -1<<63, 1<<63-1
	}
	r.sync()
	return r, vals
}

var aluOps = []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUMul, isa.ALUDiv, isa.ALUOr, isa.ALUAnd,
	isa.ALULsh, isa.ALURsh, isa.ALUMod, isa.ALUXor, isa.ALUArsh}

// TestScalarALUSound checks that the abstract ALU result admits every
// concrete result of its operands (soundness of the bounds tracking).
func TestScalarALUSound(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		a, av := randAbstract(rng)
		b, bv := randAbstract(rng)
		for _, v := range av {
			if !a.admits(v) {
				t.Fatalf("generator: %s does not admit %#x", boundsString(&a), v)
			}
		}
		op := aluOps[rng.Intn(len(aluOps))]
		signed := (op == isa.ALUDiv || op == isa.ALUMod) && rng.Intn(2) == 0
		is64 := rng.Intn(2) == 0
		res := a
		if is64 {
			scalarALU64(&res, &b, op, signed)
		} else {
			scalarALU32(&res, &b, op, signed)
		}
		for _, x := range av {
			for _, y := range bv {
				var want uint64
				if is64 {
					want, _ = constALU64(x, y, op, signed)
				} else {
					w, _ := constALU32(uint32(x), uint32(y), op, signed)
					want = uint64(w)
				}
				if !res.admits(want) {
					t.Fatalf("op %#x is64=%v signed=%v: %#x op %#x = %#x not admitted by %s\na=%s\nb=%s",
						op, is64, signed, x, y, want, boundsString(&res), boundsString(&a), boundsString(&b))
				}
			}
		}
	}
}

var jmpOps = []uint8{isa.JmpJEQ, isa.JmpJNE, isa.JmpJGT, isa.JmpJGE, isa.JmpJLT, isa.JmpJLE,
	isa.JmpJSGT, isa.JmpJSGE, isa.JmpJSLT, isa.JmpJSLE, isa.JmpJSET}

func concreteCmp(x, y uint64, op uint8) bool {
	switch op {
	case isa.JmpJEQ:
		return x == y
	case isa.JmpJNE:
		return x != y
	case isa.JmpJGT:
		return x > y
	case isa.JmpJGE:
		return x >= y
	case isa.JmpJLT:
		return x < y
	case isa.JmpJLE:
		return x <= y
	case isa.JmpJSGT:
		return int64(x) > int64(y)
	case isa.JmpJSGE:
		return int64(x) >= int64(y)
	case isa.JmpJSLT:
		return int64(x) < int64(y)
	case isa.JmpJSLE:
		return int64(x) <= int64(y)
	case isa.JmpJSET:
		return x&y != 0
	}
	panic("op")
}

// TestRefineSound checks branch decisions and refinements against concrete
// comparisons, 64-bit and through the 32-bit views.
func TestRefineSound(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 200000; i++ {
		a, av := randAbstract(rng)
		b, bv := randAbstract(rng)
		if rng.Intn(3) == 0 {
			b = constScalar(bv[0])
			bv = bv[:1]
		}
		op := jmpOps[rng.Intn(len(jmpOps))]
		is32 := rng.Intn(2) == 0
		for _, x := range av {
			for _, y := range bv {
				cx, cy := x, y
				va, vb := a, b
				signed := op == isa.JmpJSGT || op == isa.JmpJSGE || op == isa.JmpJSLT || op == isa.JmpJSLE
				if is32 {
					va, vb = a.view32(signed), b.view32(signed)
					if signed {
						cx, cy = uint64(int64(int32(x))), uint64(int64(int32(y)))
					} else {
						cx, cy = uint64(uint32(x)), uint64(uint32(y))
					}
				}
				truth := concreteCmp(cx, cy, op)
				tk := branchTaken(&va, &vb, op)
				if tk == 1 && !truth || tk == 0 && truth {
					t.Fatalf("branchTaken(%#x op %#x)=%d but truth %v (32=%v)\na=%s\nb=%s", cx, cy, tk, truth, is32, boundsString(&va), boundsString(&vb))
				}
				eff := op
				if !truth {
					eff = negate(op)
				}
				ra, rb := va, vb
				if !refine(&ra, &rb, eff) {
					t.Fatalf("refine(%#x, %#x, %#x) infeasible but holds (32=%v)", cx, cy, eff, is32)
				}
				if !ra.admits(cx) || !rb.admits(cy) {
					t.Fatalf("refine op %#x lost %#x/%#x: %s / %s", eff, cx, cy, boundsString(&ra), boundsString(&rb))
				}
				if is32 {
					fa := a
					fa.setFromView32(&ra, signed)
					fa.sync()
					if !fa.feasible() || !fa.admits(x) {
						t.Fatalf("setFromView32 lost %#x: %s", x, boundsString(&fa))
					}
				}
			}
		}
	}
}

func TestTnum(t *testing.T) {
	r := tnumRange(16, 31)
	if r != (tnum{16, 15}) {
		t.Fatalf("tnumRange(16,31) = %v", r)
	}
	if !tnumUnknown.contains(tnumConst(5)) || tnumConst(5).contains(tnumUnknown) {
		t.Fatal("contains")
	}
	if got := tnumConst(3).add(tnumConst(4)); got != tnumConst(7) {
		t.Fatalf("3+4 = %v", got)
	}
	if got := (tnum{0, 0xff}).and(tnumConst(0x0f)); got != (tnum{0, 0x0f}) {
		t.Fatalf("and = %v", got)
	}
}
