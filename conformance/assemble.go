package conformance

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bpfhost/bpfhost/isa"
)

// AsmError is an assembly error at a source line.
type AsmError struct {
	// Line is the 1-based source line.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error implements error.
func (e *AsmError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Assemble assembles a program in the suite's uBPF-style syntax. Lines are
// numbered from 1; `#` starts a comment.
func Assemble(src string) ([]isa.Instruction, error) {
	var lines []Line
	for i, text := range strings.Split(src, "\n") {
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		if text = strings.TrimSpace(text); text != "" {
			lines = append(lines, Line{N: i + 1, Text: text})
		}
	}
	return AssembleLines(lines)
}

// fixup is a label reference to resolve once all labels are known.
type fixup struct {
	slot  int
	line  int
	label string
	imm   bool // the offset goes in imm (ja32, call local), else in offset
}

type assembler struct {
	out       []isa.Instruction
	labels    map[string]int
	firstExit int
	fixups    []fixup
	line      int
}

// AssembleLines assembles comment-free source lines (see Assemble).
func AssembleLines(lines []Line) ([]isa.Instruction, error) {
	a := &assembler{labels: map[string]int{}, firstExit: -1}
	for _, l := range lines {
		a.line = l.N
		if err := a.statement(l.Text); err != nil {
			return nil, &AsmError{Line: l.N, Msg: err.Error()}
		}
	}
	for _, f := range a.fixups {
		t, ok := a.labels[f.label]
		if !ok && f.label == "exit" && a.firstExit >= 0 {
			// The suite's programs jump to "exit" meaning the first exit
			// instruction, a convention of its assembler.
			t, ok = a.firstExit, true
		}
		if !ok {
			return nil, &AsmError{Line: f.line, Msg: fmt.Sprintf("undefined label %q", f.label)}
		}
		rel := int64(t - f.slot - 1)
		if f.imm {
			a.out[f.slot].Imm = int32(rel)
			continue
		}
		if rel < -32768 || rel > 32767 {
			return nil, &AsmError{Line: f.line, Msg: fmt.Sprintf("label %q is %d instructions away, beyond a 16-bit jump offset", f.label, rel)}
		}
		a.out[f.slot].Offset = int16(rel)
	}
	return a.out, nil
}

func (a *assembler) emit(ins isa.Instruction) { a.out = append(a.out, ins) }

// statement assembles one line: an optional label, then an optional instruction.
func (a *assembler) statement(text string) error {
	if i := strings.IndexByte(text, ':'); i >= 0 && !strings.ContainsAny(text[:i], " \t[%,") {
		name := text[:i]
		if !isLabel(name) {
			return fmt.Errorf("invalid label name %q", name)
		}
		if _, dup := a.labels[name]; dup {
			return fmt.Errorf("duplicate label %q", name)
		}
		a.labels[name] = len(a.out)
		text = strings.TrimSpace(text[i+1:])
		if text == "" {
			return nil
		}
	}
	mnemonic, rest := cutWord(text)
	switch mnemonic {
	case "lock":
		return a.lock(rest)
	case "call":
		return a.call(rest)
	}
	ops, err := operands(rest)
	if err != nil {
		return err
	}
	return a.instruction(mnemonic, ops)
}

func isLabel(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}

// operands splits a comma-separated operand list.
func operands(rest string) ([]string, error) {
	if rest == "" {
		return nil, nil
	}
	ops := strings.Split(rest, ",")
	for i := range ops {
		ops[i] = strings.TrimSpace(ops[i])
		if ops[i] == "" {
			return nil, fmt.Errorf("empty operand in %q", rest)
		}
	}
	return ops, nil
}

func wantOperands(mnemonic string, ops []string, n int) error {
	if len(ops) != n {
		return fmt.Errorf("%s takes %d operand(s), got %d", mnemonic, n, len(ops))
	}
	return nil
}

// ALU operations by mnemonic stem, with the offset that selects the signed
// variants.
var aluOps = map[string]struct {
	op  uint8
	off int16
}{
	"add": {isa.ALUAdd, 0}, "sub": {isa.ALUSub, 0}, "mul": {isa.ALUMul, 0},
	"div": {isa.ALUDiv, 0}, "sdiv": {isa.ALUDiv, 1}, "or": {isa.ALUOr, 0},
	"and": {isa.ALUAnd, 0}, "lsh": {isa.ALULsh, 0}, "rsh": {isa.ALURsh, 0},
	"mod": {isa.ALUMod, 0}, "smod": {isa.ALUMod, 1}, "xor": {isa.ALUXor, 0},
	"mov": {isa.ALUMov, 0}, "arsh": {isa.ALUArsh, 0},
}

var jmpOps = map[string]uint8{
	"jeq": isa.JmpJEQ, "jgt": isa.JmpJGT, "jge": isa.JmpJGE, "jset": isa.JmpJSET,
	"jne": isa.JmpJNE, "jsgt": isa.JmpJSGT, "jsge": isa.JmpJSGE, "jlt": isa.JmpJLT,
	"jle": isa.JmpJLE, "jslt": isa.JmpJSLT, "jsle": isa.JmpJSLE,
}

var sizes = map[string]uint8{"b": isa.SizeB, "h": isa.SizeH, "w": isa.SizeW, "dw": isa.SizeDW}

// movsx mnemonics: source width and class.
var movsx = map[string]struct {
	off   int16
	class uint8
}{
	"movsx832": {8, isa.ClassALU}, "movsx1632": {16, isa.ClassALU},
	"movsx864": {8, isa.ClassALU64}, "movsx1664": {16, isa.ClassALU64}, "movsx3264": {32, isa.ClassALU64},
}

func (a *assembler) instruction(m string, ops []string) error {
	switch m {
	case "exit":
		if err := wantOperands(m, ops, 0); err != nil {
			return err
		}
		if a.firstExit < 0 {
			a.firstExit = len(a.out)
		}
		a.emit(isa.Instruction{Opcode: isa.OpExit})
		return nil
	case "ja", "ja32", "gotol":
		if err := wantOperands(m, ops, 1); err != nil {
			return err
		}
		if m == "ja" {
			off, err := a.jumpTarget(ops[0], false)
			if err != nil {
				return err
			}
			a.emit(isa.Instruction{Opcode: isa.OpJA, Offset: int16(off)})
			return nil
		}
		off, err := a.jumpTarget(ops[0], true)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: isa.OpJA32, Imm: int32(off)})
		return nil
	case "lddw":
		if err := wantOperands(m, ops, 2); err != nil {
			return err
		}
		dst, err := register(ops[0])
		if err != nil {
			return err
		}
		v, err := imm64(ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))})
		a.emit(isa.Instruction{Imm: int32(uint32(v >> 32))})
		return nil
	case "neg", "neg32", "neg64":
		if err := wantOperands(m, ops, 1); err != nil {
			return err
		}
		dst, err := register(ops[0])
		if err != nil {
			return err
		}
		class := isa.ClassALU64
		if m == "neg32" {
			class = isa.ClassALU
		}
		a.emit(isa.Instruction{Opcode: class | isa.ALUNeg, Dst: dst})
		return nil
	}
	if sx, ok := movsx[m]; ok {
		if err := wantOperands(m, ops, 2); err != nil {
			return err
		}
		dst, err := register(ops[0])
		if err != nil {
			return err
		}
		src, err := register(ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: sx.class | isa.ALUMov | isa.SrcX, Dst: dst, Src: src, Offset: sx.off})
		return nil
	}
	if ins, ok, err := byteSwap(m, ops); ok {
		if err != nil {
			return err
		}
		a.emit(ins)
		return nil
	}
	if stem, class, ok := aluMnemonic(m); ok {
		if err := wantOperands(m, ops, 2); err != nil {
			return err
		}
		op := aluOps[stem]
		dst, err := register(ops[0])
		if err != nil {
			return err
		}
		ins := isa.Instruction{Opcode: class | op.op, Dst: dst, Offset: op.off}
		if err := a.source(&ins, ops[1]); err != nil {
			return err
		}
		a.emit(ins)
		return nil
	}
	if j, ok := jmpOps[strings.TrimSuffix(m, "32")]; ok {
		if err := wantOperands(m, ops, 3); err != nil {
			return err
		}
		class := isa.ClassJMP
		if strings.HasSuffix(m, "32") {
			class = isa.ClassJMP32
		}
		dst, err := register(ops[0])
		if err != nil {
			return err
		}
		ins := isa.Instruction{Opcode: class | j, Dst: dst}
		if err := a.source(&ins, ops[1]); err != nil {
			return err
		}
		off, err := a.jumpTarget(ops[2], false)
		if err != nil {
			return err
		}
		ins.Offset = int16(off)
		a.emit(ins)
		return nil
	}
	return a.memory(m, ops)
}

// aluMnemonic splits an ALU mnemonic into its stem and class: no suffix or
// "64" is ALU64, "32" is ALU.
func aluMnemonic(m string) (stem string, class uint8, ok bool) {
	class = isa.ClassALU64
	switch {
	case strings.HasSuffix(m, "32"):
		m, class = strings.TrimSuffix(m, "32"), isa.ClassALU
	case strings.HasSuffix(m, "64"):
		m = strings.TrimSuffix(m, "64")
	}
	_, ok = aluOps[m]
	return m, class, ok
}

// byteSwap assembles le16..be64 and swap16/bswap16..64.
func byteSwap(m string, ops []string) (isa.Instruction, bool, error) {
	var opcode uint8
	var width string
	switch {
	case strings.HasPrefix(m, "le"):
		opcode, width = isa.ClassALU|isa.ALUEnd|isa.EndToLE, m[2:]
	case strings.HasPrefix(m, "be"):
		opcode, width = isa.ClassALU|isa.ALUEnd|isa.EndToBE, m[2:]
	case strings.HasPrefix(m, "swap"):
		opcode, width = isa.ClassALU64|isa.ALUEnd, m[4:]
	case strings.HasPrefix(m, "bswap"):
		opcode, width = isa.ClassALU64|isa.ALUEnd, m[5:]
	default:
		return isa.Instruction{}, false, nil
	}
	if width != "16" && width != "32" && width != "64" {
		return isa.Instruction{}, false, nil
	}
	if err := wantOperands(m, ops, 1); err != nil {
		return isa.Instruction{}, true, err
	}
	dst, err := register(ops[0])
	if err != nil {
		return isa.Instruction{}, true, err
	}
	w, _ := strconv.Atoi(width)
	return isa.Instruction{Opcode: opcode, Dst: dst, Imm: int32(w)}, true, nil
}

// source fills the second operand of an ALU or jump: a register (setting
// the X bit) or a 32-bit immediate.
func (a *assembler) source(ins *isa.Instruction, op string) error {
	if strings.HasPrefix(op, "%") {
		src, err := register(op)
		if err != nil {
			return err
		}
		ins.Opcode |= isa.SrcX
		ins.Src = src
		return nil
	}
	v, err := imm32(op)
	if err != nil {
		return err
	}
	ins.Imm = v
	return nil
}

// memory assembles loads and stores.
func (a *assembler) memory(m string, ops []string) error {
	var ins isa.Instruction
	switch {
	case strings.HasPrefix(m, "ldxs") && validSize(m[4:]) && m[4:] != "dw":
		ins.Opcode = isa.ClassLDX | isa.ModeMEMSX | sizes[m[4:]]
	case strings.HasPrefix(m, "ldx") && validSize(m[3:]):
		ins.Opcode = isa.ClassLDX | isa.ModeMEM | sizes[m[3:]]
	case strings.HasPrefix(m, "stx") && validSize(m[3:]):
		ins.Opcode = isa.ClassSTX | isa.ModeMEM | sizes[m[3:]]
	case strings.HasPrefix(m, "st") && validSize(m[2:]):
		ins.Opcode = isa.ClassST | isa.ModeMEM | sizes[m[2:]]
	default:
		return fmt.Errorf("unknown mnemonic %q", m)
	}
	if err := wantOperands(m, ops, 2); err != nil {
		return err
	}
	var err error
	switch isa.Class(ins.Opcode) {
	case isa.ClassLDX:
		if ins.Dst, err = register(ops[0]); err != nil {
			return err
		}
		if ins.Src, ins.Offset, err = memOperand(ops[1]); err != nil {
			return err
		}
	case isa.ClassST:
		if ins.Dst, ins.Offset, err = memOperand(ops[0]); err != nil {
			return err
		}
		if ins.Imm, err = imm32(ops[1]); err != nil {
			return err
		}
	default:
		if ins.Dst, ins.Offset, err = memOperand(ops[0]); err != nil {
			return err
		}
		if ins.Src, err = register(ops[1]); err != nil {
			return err
		}
	}
	a.emit(ins)
	return nil
}

func validSize(s string) bool { _, ok := sizes[s]; return ok }

// atomic operations by name: imm value.
var atomicOps = map[string]int32{
	"add": isa.AtomicAdd, "or": isa.AtomicOr, "and": isa.AtomicAnd, "xor": isa.AtomicXor,
	"xchg": isa.AtomicXchg, "cmpxchg": isa.AtomicCmpXchg,
}

// lock assembles "lock [fetch] op[32] [dst+off], src".
func (a *assembler) lock(rest string) error {
	word, body := cutWord(rest)
	if word == "" {
		return fmt.Errorf("invalid number of operands for lock")
	}
	fetch := false
	if word == "fetch" {
		fetch = true
		if word, body = cutWord(body); word == "" {
			return fmt.Errorf("invalid number of operands for lock fetch")
		}
	}
	name := word
	size := isa.SizeDW
	if strings.HasSuffix(name, "32") {
		name, size = strings.TrimSuffix(name, "32"), isa.SizeW
	}
	op, ok := atomicOps[name]
	if !ok {
		return fmt.Errorf("unknown atomic operation %q", word)
	}
	if fetch {
		op |= isa.AtomicFetch
	}
	ops, err := operands(body)
	if err != nil {
		return err
	}
	if len(ops) != 2 {
		return fmt.Errorf("invalid number of operands for lock %s: want [dst+off], src", word)
	}
	ins := isa.Instruction{Opcode: isa.ClassSTX | isa.ModeATOMIC | size, Imm: op}
	if ins.Dst, ins.Offset, err = memOperand(ops[0]); err != nil {
		return err
	}
	if ins.Src, err = register(ops[1]); err != nil {
		return err
	}
	a.emit(ins)
	return nil
}

// cutWord splits off the first whitespace-separated word of s.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// call assembles "call N", "call helper N", "call %rN" (callx, register in
// dst as the upstream assembler and LLVM encode it), "call local target"
// and "call runtime N" (a kfunc call, which Validate refuses).
func (a *assembler) call(rest string) error {
	words := strings.Fields(rest)
	mode := "helper"
	if len(words) == 2 {
		mode, words = words[0], words[1:]
	}
	if len(words) != 1 {
		return fmt.Errorf("call takes a target (N, %%rN, local label, helper N), got %q", rest)
	}
	target := words[0]
	switch mode {
	case "helper":
		if strings.HasPrefix(target, "%") {
			r, err := register(target)
			if err != nil {
				return err
			}
			a.emit(isa.Instruction{Opcode: isa.OpCallX, Dst: r})
			return nil
		}
		v, err := imm32(target)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: isa.OpCall, Src: isa.CallHelper, Imm: v})
	case "local":
		off, err := a.jumpTarget(target, true)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: isa.OpCall, Src: isa.CallLocal, Imm: int32(off)})
	case "runtime":
		v, err := imm32(target)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Opcode: isa.OpCall, Src: isa.CallKfunc, Imm: v})
	default:
		return fmt.Errorf("invalid call mode %q (want helper, local or runtime)", mode)
	}
	return nil
}

// jumpTarget reads a jump target: a signed number is a relative offset, a
// name a label resolved at the end. wide selects a 32-bit offset.
func (a *assembler) jumpTarget(s string, wide bool) (int64, error) {
	if s != "" && (s[0] == '+' || s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		v, err := parseInt(s)
		if err != nil {
			return 0, fmt.Errorf("invalid jump offset %q", s)
		}
		lo, hi := int64(-32768), int64(32767)
		if wide {
			lo, hi = -1<<31, 1<<31-1
		}
		if v < lo || v > hi {
			return 0, fmt.Errorf("jump offset %s is out of range [%d, %d]", s, lo, hi)
		}
		return v, nil
	}
	if !isLabel(s) {
		return 0, fmt.Errorf("invalid jump target %q", s)
	}
	a.fixups = append(a.fixups, fixup{slot: len(a.out), line: a.line, label: s, imm: wide})
	return 0, nil
}

// register reads %r0..%r10.
func register(s string) (uint8, error) {
	if !strings.HasPrefix(s, "%r") {
		return 0, fmt.Errorf("invalid register %q", s)
	}
	n, err := strconv.ParseUint(s[2:], 10, 8)
	if err != nil || n > 10 || (len(s) > 3 && s[2] == '0') {
		return 0, fmt.Errorf("invalid register %q (r0-r10)", s)
	}
	return uint8(n), nil
}

// memOperand reads [%rN], [%rN+off] or [%rN-off].
func memOperand(s string) (reg uint8, off int16, err error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, 0, fmt.Errorf("invalid memory operand %q (want [%%rN+offset])", s)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	i := strings.IndexAny(inner, "+-")
	if i < 0 {
		r, err := register(inner)
		return r, 0, err
	}
	r, err := register(strings.TrimSpace(inner[:i]))
	if err != nil {
		return 0, 0, err
	}
	numText := inner[i:i+1] + strings.TrimSpace(inner[i+1:])
	v, err := parseInt(numText)
	if err != nil {
		return 0, 0, fmt.Errorf("invalid offset %q", inner[i:])
	}
	if err := inRange(numText, v, 16); err != nil {
		return 0, 0, fmt.Errorf("offset %w", err)
	}
	return r, int16(v), nil
}

// imm32 reads a 32-bit immediate. Decimal must fit int32; hex may also be
// written as the unsigned bit pattern (0x80000000 is -2147483648).
func imm32(s string) (int32, error) {
	v, err := parseInt(s)
	if err != nil {
		return 0, fmt.Errorf("invalid immediate %q", s)
	}
	if err := inRange(s, v, 32); err != nil {
		return 0, fmt.Errorf("immediate %w", err)
	}
	return int32(v), nil
}

// inRange checks a bits-wide field: signed values, plus unsigned bit
// patterns when written in hex.
func inRange(text string, v int64, bits uint) error {
	lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
	if isHex(text) {
		hi = int64(1)<<bits - 1
	}
	if v < lo || v > hi {
		return fmt.Errorf("%s does not fit in %d bits", text, bits)
	}
	return nil
}

func isHex(s string) bool {
	s = strings.TrimLeft(s, "+-")
	_, ok := cutHex(s)
	return ok
}

// parseInt reads an optionally signed decimal or 0x hex number into int64.
func parseInt(s string) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	base := 10
	if h, ok := cutHex(s); ok {
		s, base = h, 16
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("bad number")
	}
	u, err := strconv.ParseUint(s, base, 63)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// imm64 reads lddw's immediate: any 64-bit pattern in hex, or a decimal
// from -2^63 to 2^64-1.
func imm64(s string) (uint64, error) {
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 {
		return 0, fmt.Errorf("invalid immediate %q", s)
	}
	base := 10
	if h, ok := cutHex(t); ok {
		t, base = h, 16
	}
	u, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid 64-bit immediate %q", s)
	}
	if neg {
		if u > 1<<63 {
			return 0, fmt.Errorf("immediate %s does not fit in 64 bits", s)
		}
		return -u, nil
	}
	return u, nil
}
