package isa

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DisasmOptions select the flavour of disassembly.
type DisasmOptions struct {
	// Symbol, when set, annotates jumps with their target as llvm-objdump
	// does: "goto +0x1 <Symbol+0x10>" (byte offset from the start).
	Symbol string
	// Xlated formats linked programs as `bpftool prog dump xlated` does:
	// helper calls by name ("call bpf_map_lookup_elem#1"), local calls as
	// "call pc+N", and ld_imm64 map references as "r1 = map[id:N]" or
	// "r1 = map[id:N][0]+off". Lines are numbered as bpftool numbers
	// them, with the opcode: "   4: (85) call bpf_map_lookup_elem#1".
	Xlated bool
}

// Disassemble writes one line per instruction in llvm-objdump's BPF syntax,
// each prefixed with its slot number as objdump numbers them (an ld_imm64
// takes two slots and one line).
func Disassemble(w io.Writer, insns []Instruction) error {
	return DisassembleWith(w, insns, DisasmOptions{})
}

// DisassembleWith is Disassemble with options.
func DisassembleWith(w io.Writer, insns []Instruction, opts DisasmOptions) error {
	var buf []byte
	for i := 0; i < len(insns); i++ {
		if opts.Xlated {
			buf = fmt.Appendf(buf[:0], "%4d: (%02x) %s\n", i, insns[i].Opcode, Format(insns, i, opts))
		} else {
			buf = fmt.Appendf(buf[:0], "%8d:\t%s\n", i, Format(insns, i, opts))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if insns[i].IsLdImm64() {
			i++
		}
	}
	return nil
}

// String formats one slot in llvm-objdump syntax. An ld_imm64 shows only
// the low half of its immediate; use Format to see both slots.
func (ins Instruction) String() string {
	return format([]Instruction{ins}, 0, DisasmOptions{})
}

// Format returns the text of the instruction at insns[i].
func Format(insns []Instruction, i int, opts DisasmOptions) string {
	return format(insns, i, opts)
}

// HelperNames maps the Linux helper numbers bpfhost implements to their
// kernel names without the "bpf_" prefix (include/uapi/linux/bpf.h).
var HelperNames = map[int32]string{
	1:   "map_lookup_elem",
	2:   "map_update_elem",
	3:   "map_delete_elem",
	5:   "ktime_get_ns",
	6:   "trace_printk",
	7:   "get_prandom_u32",
	8:   "get_smp_processor_id",
	12:  "tail_call",
	14:  "get_current_pid_tgid",
	23:  "redirect",
	25:  "perf_event_output",
	28:  "csum_diff",
	44:  "xdp_adjust_head",
	51:  "redirect_map",
	54:  "xdp_adjust_meta",
	65:  "xdp_adjust_tail",
	87:  "map_push_elem",
	88:  "map_pop_elem",
	89:  "map_peek_elem",
	118: "jiffies64",
	125: "ktime_get_boot_ns",
	130: "ringbuf_output",
	131: "ringbuf_reserve",
	132: "ringbuf_submit",
	133: "ringbuf_discard",
	134: "ringbuf_query",
	160: "ktime_get_coarse_ns",
	164: "for_each_map_elem",
	165: "snprintf",
	181: "loop",
	182: "strncmp",
	188: "xdp_get_buff_len",
}

// hex formats a signed value as objdump does: 0x1f, -0x3.
func hex(v int64) string {
	if v < 0 {
		return "-0x" + strconv.FormatUint(uint64(-v), 16)
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

// signedHex formats a jump offset: +0x1, -0x3.
func signedHex(v int64) string {
	if v >= 0 {
		return "+" + hex(v)
	}
	return hex(v)
}

func reg(r uint8, wide bool) string {
	if wide {
		return "r" + strconv.Itoa(int(r))
	}
	return "w" + strconv.Itoa(int(r))
}

var aluText = [16]string{
	ALUAdd >> 4: "+=", ALUSub >> 4: "-=", ALUMul >> 4: "*=", ALUDiv >> 4: "/=",
	ALUOr >> 4: "|=", ALUAnd >> 4: "&=", ALULsh >> 4: "<<=", ALURsh >> 4: ">>=",
	ALUMod >> 4: "%=", ALUXor >> 4: "^=", ALUMov >> 4: "=", ALUArsh >> 4: "s>>=",
}

var jmpText = [16]string{
	JmpJEQ >> 4: "==", JmpJGT >> 4: ">", JmpJGE >> 4: ">=", JmpJSET >> 4: "&",
	JmpJNE >> 4: "!=", JmpJSGT >> 4: "s>", JmpJSGE >> 4: "s>=", JmpJLT >> 4: "<",
	JmpJLE >> 4: "<=", JmpJSLT >> 4: "s<", JmpJSLE >> 4: "s<=",
}

var sizeText = map[uint8]string{SizeB: "8", SizeH: "16", SizeW: "32", SizeDW: "64"}

const unknown = "<unknown>"

func format(insns []Instruction, i int, opts DisasmOptions) string {
	ins := insns[i]
	if ins.Dst >= NumRegs || ins.Src >= NumRegs {
		return unknown
	}
	switch Class(ins.Opcode) {
	case ClassALU, ClassALU64:
		return formatALU(ins)
	case ClassJMP, ClassJMP32:
		return formatJump(ins, i, opts)
	case ClassLD:
		return formatLD(insns, i, opts)
	case ClassLDX:
		mode := Mode(ins.Opcode)
		if mode != ModeMEM && (mode != ModeMEMSX || Size(ins.Opcode) == SizeDW) {
			return unknown
		}
		sign := "u"
		if mode == ModeMEMSX {
			sign = "s"
		}
		return fmt.Sprintf("%s = *(%s%s *)%s", reg(ins.Dst, true), sign, sizeText[Size(ins.Opcode)], addr(ins.Src, ins.Offset))
	case ClassST:
		if Mode(ins.Opcode) != ModeMEM {
			return unknown
		}
		return fmt.Sprintf("*(u%s *)%s = %s", sizeText[Size(ins.Opcode)], addr(ins.Dst, ins.Offset), hex(int64(ins.Imm)))
	default:
		return formatSTX(ins)
	}
}

// addr formats a memory operand: (r1 + 0x4), (r10 - 0x8).
func addr(r uint8, off int16) string {
	if off < 0 {
		return fmt.Sprintf("(r%d - %s)", r, hex(-int64(off)))
	}
	return fmt.Sprintf("(r%d + %s)", r, hex(int64(off)))
}

func formatALU(ins Instruction) string {
	wide := Class(ins.Opcode) == ClassALU64
	op := ALUOp(ins.Opcode)
	d := reg(ins.Dst, wide)
	switch op {
	case ALUNeg:
		return fmt.Sprintf("%s = -%s", d, d)
	case ALUEnd:
		kind := "le"
		switch {
		case wide:
			kind = "bswap"
		case Source(ins.Opcode) == SrcX:
			kind = "be"
		}
		return fmt.Sprintf("r%d = %s%d r%d", ins.Dst, kind, ins.Imm, ins.Dst)
	}
	text := aluText[op>>4]
	if text == "" {
		return unknown
	}
	if ins.Offset != 0 {
		switch {
		case (op == ALUDiv || op == ALUMod) && ins.Offset == 1:
			text = "s" + text
		case op == ALUMov && Source(ins.Opcode) == SrcX && (ins.Offset == 8 || ins.Offset == 16 || ins.Offset == 32):
			return fmt.Sprintf("%s = (s%d)%s", d, ins.Offset, reg(ins.Src, wide))
		default:
			return unknown
		}
	}
	if Source(ins.Opcode) == SrcX {
		return fmt.Sprintf("%s %s %s", d, text, reg(ins.Src, wide))
	}
	return fmt.Sprintf("%s %s %s", d, text, hex(int64(ins.Imm)))
}

func formatJump(ins Instruction, i int, opts DisasmOptions) string {
	wide := Class(ins.Opcode) == ClassJMP
	op := ALUOp(ins.Opcode)
	switch {
	case op == JmpJA && wide:
		return "goto " + signedHex(int64(ins.Offset)) + annotate(i, int64(ins.Offset), opts)
	case op == JmpJA:
		return "gotol " + signedHex(int64(ins.Imm)) + annotate(i, int64(ins.Imm), opts)
	case op == JmpCall && wide && Source(ins.Opcode) == SrcX:
		return fmt.Sprintf("callx r%d", ins.Dst)
	case op == JmpCall && wide:
		if opts.Xlated {
			switch ins.Src {
			case CallHelper:
				if name, ok := HelperNames[ins.Imm]; ok {
					return fmt.Sprintf("call bpf_%s#%d", name, ins.Imm)
				}
				return fmt.Sprintf("call #%d", ins.Imm)
			case CallLocal:
				return "call pc" + signedDec(int64(ins.Imm))
			}
		}
		return "call " + hex(int64(ins.Imm))
	case op == JmpExit && wide:
		return "exit"
	}
	text := jmpText[op>>4]
	if text == "" {
		return unknown
	}
	src := hex(int64(ins.Imm))
	if Source(ins.Opcode) == SrcX {
		src = reg(ins.Src, wide)
	}
	return fmt.Sprintf("if %s %s %s goto %s%s", reg(ins.Dst, wide), text, src, signedHex(int64(ins.Offset)), annotate(i, int64(ins.Offset), opts))
}

func signedDec(v int64) string {
	if v >= 0 {
		return "+" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}

// annotate returns objdump's " <sym+0xOFF>" for a jump from i by rel.
func annotate(i int, rel int64, opts DisasmOptions) string {
	if opts.Symbol == "" {
		return ""
	}
	off := (int64(i) + rel + 1) * InstructionSize
	if off == 0 {
		return " <" + opts.Symbol + ">"
	}
	return " <" + opts.Symbol + "+" + hex(off) + ">"
}

func formatLD(insns []Instruction, i int, opts DisasmOptions) string {
	ins := insns[i]
	if ins.Opcode != OpLdImm64 {
		return unknown
	}
	d := reg(ins.Dst, true)
	if i+1 >= len(insns) {
		return fmt.Sprintf("%s = %s ll", d, hex(int64(ins.Imm)))
	}
	if opts.Xlated {
		switch ins.Src {
		case PseudoMapFD:
			return fmt.Sprintf("%s = map[id:%d]", d, uint32(ins.Imm))
		case PseudoMapValue:
			return fmt.Sprintf("%s = map[id:%d][0]+%d", d, uint32(ins.Imm), uint32(insns[i+1].Imm))
		case PseudoFunc:
			return fmt.Sprintf("%s = subprog[pc%s]", d, signedDec(int64(ins.Imm)))
		}
	}
	return fmt.Sprintf("%s = %s ll", d, hex(int64(Imm64(insns, i))))
}

var atomicText = map[int32]string{AtomicAdd: "add", AtomicOr: "or", AtomicAnd: "and", AtomicXor: "xor"}

func formatSTX(ins Instruction) string {
	size := Size(ins.Opcode)
	switch Mode(ins.Opcode) {
	case ModeMEM:
		return fmt.Sprintf("*(u%s *)%s = r%d", sizeText[size], addr(ins.Dst, ins.Offset), ins.Src)
	case ModeATOMIC:
	default:
		return unknown
	}
	if size != SizeW && size != SizeDW {
		return unknown
	}
	// 32-bit atomics use w registers, as objdump prints them with alu32.
	wide := size == SizeDW
	s := reg(ins.Src, wide)
	bits := sizeText[size]
	switch ins.Imm {
	case AtomicXchg:
		return fmt.Sprintf("%s = xchg%s_%s(r%d %s, %s)", s, xchgWidth(wide), bits, ins.Dst, offText(ins.Offset), s)
	case AtomicCmpXchg:
		r0 := reg(R0, wide)
		return fmt.Sprintf("%s = cmpxchg%s_%s(r%d %s, %s, %s)", r0, xchgWidth(wide), bits, ins.Dst, offText(ins.Offset), r0, s)
	}
	name, ok := atomicText[ins.Imm&^AtomicFetch]
	if !ok {
		return unknown
	}
	if ins.Imm&AtomicFetch != 0 {
		return fmt.Sprintf("%s = atomic_fetch_%s((u%s *)%s, %s)", s, name, bits, addr(ins.Dst, ins.Offset), s)
	}
	return fmt.Sprintf("lock *(u%s *)%s %s %s", bits, addr(ins.Dst, ins.Offset), aluText[ins.Imm>>4], s)
}

// xchgWidth is objdump's infix: xchg_64 for 64 bits, xchg32_32 for 32.
func xchgWidth(wide bool) string {
	if wide {
		return ""
	}
	return "32"
}

// offText formats "+ 0x60" / "- 0x8" as inside xchg/cmpxchg operands.
func offText(off int16) string {
	return strings.TrimSuffix(strings.TrimPrefix(addr(0, off), "(r0 "), ")")
}
