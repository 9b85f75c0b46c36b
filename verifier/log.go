package verifier

import (
	"fmt"
	"math"
	"strings"

	"github.com/bpfhost/bpfhost/isa"
)

// maxLogBytes bounds the log; the end is kept short of it with a marker.
const maxLogBytes = 16 << 20

// logger accumulates the verifier log.
type logger struct {
	level     int
	b         strings.Builder
	truncated bool
}

func (l *logger) printf(format string, args ...any) {
	if l.b.Len() > maxLogBytes {
		if !l.truncated {
			l.b.WriteString("... log truncated ...\n")
			l.truncated = true
		}
		return
	}
	fmt.Fprintf(&l.b, format, args...)
}

// String returns the log text.
func (l *logger) String() string { return l.b.String() }

// regString formats a register as the kernel log does.
func (v *verifier) regString(r *reg) string {
	switch r.typ {
	case notInit:
		return "?"
	case scalar:
		if r.isConst() {
			return fmt.Sprintf("%d", int64(r.constVal()))
		}
		return "scalar(" + boundsString(r) + ")"
	}
	var parts []string
	if r.id != 0 {
		parts = append(parts, fmt.Sprintf("id=%d", r.id))
	}
	if r.refID != 0 {
		parts = append(parts, fmt.Sprintf("ref_obj_id=%d", r.refID))
	}
	if r.typ == ptrStack {
		s := fmt.Sprintf("fp%d", r.off)
		if r.frame != 0 {
			s = fmt.Sprintf("fp[%d]%d", r.frame, r.off)
		}
		if !r.fixedOff() {
			s += "(" + boundsString(r) + ")"
		}
		return s
	}
	if r.off != 0 {
		parts = append(parts, fmt.Sprintf("off=%d", r.off))
	}
	if r.typ == ptrPacket || r.typ == ptrPacketMeta {
		parts = append(parts, fmt.Sprintf("r=%d", r.rng))
	}
	if r.typ == ptrMem || r.typ == ptrMemOrNull {
		parts = append(parts, fmt.Sprintf("sz=%d", r.memSize))
	}
	if r.mapID != 0 {
		if mi, ok := v.maps(r.mapID); ok {
			parts = append(parts, fmt.Sprintf("map=%d,ks=%d,vs=%d", r.mapID, mi.KeySize, mi.ValueSize))
		}
	}
	if r.typ == ptrFunc {
		parts = append(parts, fmt.Sprintf("pc=%d", r.memSize))
	}
	if !r.fixedOff() {
		parts = append(parts, boundsString(r))
	}
	return r.typ.String() + "(" + strings.Join(parts, ",") + ")"
}

// boundsString lists the bounds that say something.
func boundsString(r *reg) string {
	var p []string
	if r.smin != math.MinInt64 {
		p = append(p, fmt.Sprintf("smin=%d", r.smin))
	}
	if r.smax != math.MaxInt64 {
		p = append(p, fmt.Sprintf("smax=%d", r.smax))
	}
	if r.umin != 0 {
		p = append(p, fmt.Sprintf("umin=%d", r.umin))
	}
	if r.umax != math.MaxUint64 {
		p = append(p, fmt.Sprintf("umax=%d", r.umax))
	}
	if r.s32min != math.MinInt32 && int64(r.s32min) != r.smin {
		p = append(p, fmt.Sprintf("smin32=%d", r.s32min))
	}
	if r.s32max != math.MaxInt32 && int64(r.s32max) != r.smax {
		p = append(p, fmt.Sprintf("smax32=%d", r.s32max))
	}
	if r.u32min != 0 && uint64(r.u32min) != r.umin {
		p = append(p, fmt.Sprintf("umin32=%d", r.u32min))
	}
	if r.u32max != math.MaxUint32 && uint64(r.u32max) != r.umax {
		p = append(p, fmt.Sprintf("umax32=%d", r.u32max))
	}
	if r.varOff.mask != math.MaxUint64 {
		p = append(p, "var_off="+r.varOff.String())
	}
	if r.id != 0 {
		p = append(p, fmt.Sprintf("id=%d", r.id))
	}
	return strings.Join(p, ",")
}

// stateString formats every initialized register and stack slot of every
// frame, the innermost last.
func (v *verifier) stateString(s *state) string {
	var b strings.Builder
	for fi, f := range s.frames {
		if len(s.frames) > 1 {
			fmt.Fprintf(&b, "frame%d: ", fi)
		}
		first := true
		for i := range f.regs {
			r := &f.regs[i]
			if r.typ == notInit {
				continue
			}
			if !first {
				b.WriteByte(' ')
			}
			first = false
			fmt.Fprintf(&b, "R%d=%s", i, v.regString(r))
		}
		for i := range f.stack {
			sl := &f.stack[i]
			if sl.kinds == [8]uint8{} {
				continue
			}
			if sl.isSpill() {
				fmt.Fprintf(&b, " fp%d=%s", -8*(i+1), v.regString(&sl.spill))
				continue
			}
			var k [8]byte
			for j := 0; j < 8; j++ {
				k[7-j] = "?rm0"[sl.kinds[j]]
			}
			fmt.Fprintf(&b, " fp%d=%s", -8*(i+1), k[:])
		}
		if fi < len(s.frames)-1 {
			b.WriteByte('\n')
		}
	}
	for _, r := range s.refs {
		fmt.Fprintf(&b, " refs=%d(insn %d)", r.id, r.insn)
	}
	return b.String()
}

var sizeNames = map[uint8]string{isa.SizeB: "u8", isa.SizeH: "u16", isa.SizeW: "u32", isa.SizeDW: "u64"}
var ssizeNames = map[uint8]string{isa.SizeB: "s8", isa.SizeH: "s16", isa.SizeW: "s32"}

var jmpNames = map[uint8]string{
	isa.JmpJEQ: "==", isa.JmpJGT: ">", isa.JmpJGE: ">=", isa.JmpJSET: "&", isa.JmpJNE: "!=",
	isa.JmpJSGT: "s>", isa.JmpJSGE: "s>=", isa.JmpJLT: "<", isa.JmpJLE: "<=", isa.JmpJSLT: "s<", isa.JmpJSLE: "s<=",
}

// disasm formats the instruction at pc in the kernel log's syntax, with the
// opcode in parentheses as the kernel prints it.
func (v *verifier) disasm(pc int) string {
	return fmt.Sprintf("(%02x) %s", v.insns[pc].Opcode, Disasm(v.insns, pc))
}

// Disasm formats the instruction at pc (the first slot of an ld_imm64
// covers both) in the syntax of the kernel verifier log.
func Disasm(insns []isa.Instruction, pc int) string {
	ins := insns[pc]
	op := ins.Opcode
	cls := isa.Class(op)
	rn := func(r uint8, w bool) string {
		if w {
			return fmt.Sprintf("w%d", r)
		}
		return fmt.Sprintf("r%d", r)
	}
	switch cls {
	case isa.ClassALU, isa.ClassALU64:
		w := cls == isa.ClassALU
		aop := isa.ALUOp(op)
		d := rn(ins.Dst, w)
		src := fmt.Sprintf("%d", ins.Imm)
		if isa.Source(op) == isa.SrcX {
			src = rn(ins.Src, w)
		}
		switch aop {
		case isa.ALUNeg:
			return fmt.Sprintf("%s = -%s", d, d)
		case isa.ALUEnd:
			if cls == isa.ClassALU64 {
				return fmt.Sprintf("r%d = bswap%d r%d", ins.Dst, ins.Imm, ins.Dst)
			}
			e := "le"
			if isa.Source(op) == isa.EndToBE {
				e = "be"
			}
			return fmt.Sprintf("r%d = %s%d r%d", ins.Dst, e, ins.Imm, ins.Dst)
		case isa.ALUMov:
			if ins.Offset != 0 {
				return fmt.Sprintf("%s = (s%d)%s", d, ins.Offset, src)
			}
		case isa.ALUDiv, isa.ALUMod:
			if ins.Offset == 1 {
				return fmt.Sprintf("%s s%s %s", d, aluNames[aop], src)
			}
		}
		return fmt.Sprintf("%s %s %s", d, aluNames[aop], src)
	case isa.ClassLDX:
		sz := sizeNames[isa.Size(op)]
		if isa.Mode(op) == isa.ModeMEMSX {
			sz = ssizeNames[isa.Size(op)]
		}
		return fmt.Sprintf("r%d = *(%s *)(r%d %+d)", ins.Dst, sz, ins.Src, ins.Offset)
	case isa.ClassST:
		return fmt.Sprintf("*(%s *)(r%d %+d) = %d", sizeNames[isa.Size(op)], ins.Dst, ins.Offset, ins.Imm)
	case isa.ClassSTX:
		sz := sizeNames[isa.Size(op)]
		if isa.Mode(op) == isa.ModeATOMIC {
			w := isa.Size(op) == isa.SizeW
			s := rn(ins.Src, w)
			names := map[int32]string{isa.AtomicAdd: "+=", isa.AtomicOr: "|=", isa.AtomicAnd: "&=", isa.AtomicXor: "^="}
			switch {
			case ins.Imm == isa.AtomicXchg:
				return fmt.Sprintf("%s = atomic_xchg((%s *)(r%d %+d), %s)", s, sz, ins.Dst, ins.Offset, s)
			case ins.Imm == isa.AtomicCmpXchg:
				return fmt.Sprintf("%s = atomic_cmpxchg((%s *)(r%d %+d), %s, %s)", rn(0, w), sz, ins.Dst, ins.Offset, rn(0, w), s)
			case ins.Imm&isa.AtomicFetch != 0:
				return fmt.Sprintf("%s = atomic_fetch_%s((%s *)(r%d %+d), %s)", s, strings.TrimSuffix(names[ins.Imm&^isa.AtomicFetch], "="), sz, ins.Dst, ins.Offset, s)
			}
			return fmt.Sprintf("lock *(%s *)(r%d %+d) %s %s", sz, ins.Dst, ins.Offset, names[ins.Imm], s)
		}
		return fmt.Sprintf("*(%s *)(r%d %+d) = r%d", sz, ins.Dst, ins.Offset, ins.Src)
	case isa.ClassLD:
		if op == isa.OpLdImm64 && pc+1 < len(insns) {
			switch ins.Src {
			case isa.PseudoMapFD:
				return fmt.Sprintf("r%d = map[id:%d]", ins.Dst, ins.Imm)
			case isa.PseudoMapValue:
				return fmt.Sprintf("r%d = map[id:%d][0]+%d", ins.Dst, ins.Imm, insns[pc+1].Imm)
			case isa.PseudoFunc:
				return fmt.Sprintf("r%d = func pc%+d", ins.Dst, ins.Imm)
			}
			return fmt.Sprintf("r%d = %#x", ins.Dst, isa.Imm64(insns, pc))
		}
	case isa.ClassJMP, isa.ClassJMP32:
		jop := isa.ALUOp(op)
		switch {
		case op == isa.OpJA32:
			return fmt.Sprintf("gotol pc%+d", ins.Imm)
		case jop == isa.JmpJA:
			return fmt.Sprintf("goto pc%+d", ins.Offset)
		case op == isa.OpCallX:
			return fmt.Sprintf("callx r%d", ins.Dst)
		case jop == isa.JmpCall && ins.Src == isa.CallLocal:
			return fmt.Sprintf("call pc%+d", ins.Imm)
		case jop == isa.JmpCall:
			return fmt.Sprintf("call %s#%d", helperName(ins.Imm), ins.Imm)
		case jop == isa.JmpExit:
			return "exit"
		}
		w := cls == isa.ClassJMP32
		src := fmt.Sprintf("%#x", ins.Imm)
		if isa.Source(op) == isa.SrcX {
			src = rn(ins.Src, w)
		}
		if name, ok := jmpNames[jop]; ok {
			return fmt.Sprintf("if %s %s %s goto pc%+d", rn(ins.Dst, w), name, src, ins.Offset)
		}
	}
	return fmt.Sprintf("invalid opcode %#02x", op)
}
