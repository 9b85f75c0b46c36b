package arm64

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

func compileInsns(t *testing.T, insns []isa.Instruction, opts jit.Options) *jit.Code {
	t.Helper()
	code, err := Compile(&vm.Program{Name: "golden", Insns: insns, Helpers: &vm.HelperTable{}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// listingOf disassembles code with jit.Disassemble, by byte offset.
func listingOf(t *testing.T, code *jit.Code) map[uint32]string {
	t.Helper()
	var b strings.Builder
	if err := jit.Disassemble(code, &b); err != nil {
		t.Fatal(err)
	}
	out := map[uint32]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		off, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(f[0], ":")), 16, 32)
		if err != nil {
			t.Fatalf("bad listing line %q", line)
		}
		out[uint32(off)] = f[2]
	}
	return out
}

// body returns the disassembly of eBPF instruction i's native code.
func body(t *testing.T, code *jit.Code, i int) []string {
	t.Helper()
	start, end := code.Offsets[i], code.Offsets[i+1]
	for j := i + 1; end == jit.NoOffset; j++ {
		end = code.Offsets[j+1]
	}
	lst := listingOf(t, code)
	var out []string
	for off := start; off < end; off += 4 {
		out = append(out, lst[off])
	}
	return out
}

func alu(op uint8, dst, src uint8, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Opcode: op, Dst: dst, Src: src, Offset: off, Imm: imm}
}

// TestGoldenInstructions checks the native code of one instruction of each
// interesting kind, disassembled with arm64asm.
func TestGoldenInstructions(t *testing.T) {
	saved := useLSE
	defer func() { useLSE = saved }()
	const (
		a64  = isa.ClassALU64
		a32  = isa.ClassALU
		x    = isa.SrcX
		stx  = isa.ClassSTX | isa.ModeATOMIC
		exit = isa.OpExit
	)
	tests := []struct {
		ins  isa.Instruction
		lse  bool
		want string
	}{
		{alu(a64|isa.ALUMov, 0, 0, 0, 42), true, "mov x0, #0x2a"},
		{alu(a64|isa.ALUMov, 0, 0, 0, -1), true, "mov x0, #0xffffffffffffffff"},
		{alu(a32|isa.ALUMov, 0, 0, 0, -1), true, "mov w0, #0xffffffff"},
		{alu(a64|isa.ALUAdd, 6, 0, 0, 4095), true, "add x19, x19, #0xfff"},
		{alu(a64|isa.ALUAdd, 6, 0, 0, -8), true, "sub x19, x19, #0x8"},
		{alu(a32|isa.ALUSub|x, 1, 2, 0, 0), true, "sub w1, w1, w2"},
		{alu(a64|isa.ALUDiv|x, 1, 2, 0, 0), true, "udiv x1, x1, x2"},
		{alu(a32|isa.ALUDiv|x, 1, 2, 1, 0), true, "sdiv w1, w1, w2"},
		{alu(a64|isa.ALUMod|x, 1, 2, 0, 0), true, "udiv x9, x1, x2; msub x1, x9, x2, x1"},
		{alu(a32|isa.ALUMod|x, 1, 2, 1, 0), true, "sdiv w9, w1, w2; msub w1, w9, w2, w1"},
		{alu(a64|isa.ALULsh|x, 1, 2, 0, 0), true, "lsl x1, x1, x2"},
		{alu(a32|isa.ALUAnd, 1, 0, 0, 0xff), true, "and w1, w1, #0xff"},
		{alu(a64|isa.ALUAnd, 1, 0, 0, -16), true, "and x1, x1, #0xfffffffffffffff0"},
		{alu(a32|isa.ALUOr, 1, 0, 0, 0x0f0f0f0f), true, "orr w1, w1, #0xf0f0f0f"},
		{alu(a64|isa.ALUXor, 1, 0, 0, -256), true, "eor x1, x1, #0xffffffffffffff00"},
		{alu(a32|isa.ALUXor, 1, 0, 0, -1), true, "mov w10, #0xffffffff; eor w1, w1, w10"},
		{alu(a64|isa.ALUAnd, 1, 0, 0, 0x12345), true, "mov x10, #0x2345; movk x10, #0x1, lsl #16; and x1, x1, x10"},
		{alu(isa.ClassJMP32|isa.JmpJSET, 1, 0, 0, 0x80), true, "tst w1, #0x80; b.ne .+8"},
		{alu(isa.ClassJMP|isa.JmpJSLT, 1, 0, 0, -5), true, "cmn x1, #0x5; b.lt .+8"},
		{alu(a32|isa.ALUArsh, 1, 0, 0, 33), true, "asr w1, w1, #1"},
		{alu(a64|isa.ALURsh, 1, 0, 0, 64), true, ""},
		{alu(a32|isa.ALURsh, 1, 0, 0, 32), true, "mov w1, w1"},
		{alu(a64|isa.ALUNeg, 7, 0, 0, 0), true, "neg x20, x20"},
		{alu(a64|isa.ALUMov|x, 1, 2, 32, 0), true, "sxtw x1, w2"},
		{alu(a32|isa.ALUMov|x, 1, 2, 8, 0), true, "sxtb w1, w2"},
		{alu(a32|isa.ALUEnd|isa.EndToBE, 1, 0, 0, 16), true, "rev16 w1, w1; uxth w1, w1"},
		{alu(a32|isa.ALUEnd|isa.EndToLE, 1, 0, 0, 32), true, "mov w1, w1"},
		{alu(a64|isa.ALUEnd, 1, 0, 0, 64), true, "rev x1, x1"},
		{alu(isa.ClassLDX|isa.ModeMEMSX|isa.SizeH, 0, 10, -2, 0), true, "ldursh x0, [x23,#-2]"},
		{alu(isa.ClassLDX|isa.ModeMEM|isa.SizeDW, 0, 1, 4096, 0), true, "ldr x0, [x1,#4096]"},
		{alu(isa.ClassLDX|isa.ModeMEM|isa.SizeW, 0, 1, -4096, 0), true, "mov x9, #0xfffffffffffff000; ldr w0, [x1,x9]"},
		{alu(isa.ClassST|isa.ModeMEM|isa.SizeB, 10, 0, -1, 0), true, "sturb wzr, [x23,#-1]"},
		{alu(stx|isa.SizeDW, 10, 1, -8, isa.AtomicAdd|isa.AtomicFetch), true, "sub x10, x23, #0x8; ldaddal x1, x1, [x10]"},
		{alu(stx|isa.SizeW, 10, 1, -8, isa.AtomicAnd), true, "sub x10, x23, #0x8; mvn x12, x1; ldclral w12, w11, [x10]"},
		{alu(stx|isa.SizeDW, 10, 2, -8, isa.AtomicCmpXchg), true, "sub x10, x23, #0x8; casal x0, x2, [x10]"},
		{alu(stx|isa.SizeW, 10, 2, -8, isa.AtomicXchg), false,
			"sub x10, x23, #0x8; ldaxr w11, [x10]; stlxr w13, w2, [x10]; cbnz w13, .-8; dmb ish; mov x2, x11"},
		{alu(stx|isa.SizeDW, 10, 2, -8, isa.AtomicCmpXchg), false,
			"sub x10, x23, #0x8; ldaxr x11, [x10]; cmp x11, x0; b.ne .+12; stlxr w13, x2, [x10]; cbnz w13, .-16; dmb ish; mov x0, x11"},
		{alu(exit, 0, 0, 0, 0), true, "ldr x30, [sp],#16; ret"},
	}
	for _, tc := range tests {
		useLSE = tc.lse
		insns := []isa.Instruction{tc.ins, {Opcode: exit}}
		got := strings.Join(body(t, compileInsns(t, insns, jit.Options{}), 0), "; ")
		if got != strings.ReplaceAll(tc.want, " .", " .") && !sameModuloPCRel(got, tc.want) {
			t.Errorf("%v:\n got  %s\n want %s", tc.ins, got, tc.want)
		}
	}
}

// sameModuloPCRel compares listings where the want side writes relative
// branches as .+N/.-N (arm64asm prints absolute offsets from 0).
func sameModuloPCRel(got, want string) bool {
	g, w := strings.Split(got, "; "), strings.Split(want, "; ")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		k := strings.Index(w[i], " .")
		if k < 0 || !strings.HasPrefix(g[i], w[i][:k]) {
			return false
		}
	}
	return true
}

// TestAllWordsDecode compiles the random-program corpus with every option
// and checks that every emitted word is a valid instruction.
func TestAllWordsDecode(t *testing.T) {
	insns := []isa.Instruction{
		alu(isa.OpLdImm64, 1, 0, 0, 0x12345678), {Imm: -2},
		alu(isa.ClassJMP|isa.JmpJGT|isa.SrcK, 1, 0, 2, 100000),
		alu(isa.OpCall, 0, 0, 0, 1),
		alu(isa.OpCall, 0, isa.CallLocal, 0, 2),
		alu(isa.ClassJMP32|isa.JmpJSLT|isa.SrcX, 1, 2, -4, 0),
		alu(isa.OpExit, 0, 0, 0, 0),
		alu(isa.ClassALU64|isa.ALUMul, 0, 0, 0, -77),
		alu(isa.OpExit, 0, 0, 0, 0),
	}
	helpers := &vm.HelperTable{}
	helpers[1] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 { return 0 }
	for _, opts := range []jit.Options{{}, {Blind: true, BlindSeed: 7}, {NoInline: true}} {
		code, err := Compile(&vm.Program{Name: "words", Insns: insns, Helpers: helpers}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for off, s := range listingOf(t, code) {
			if strings.HasPrefix(s, ".word") || s == "" {
				t.Errorf("opts %+v: offset %#x: %q", opts, off, s)
			}
		}
	}
}

// TestBlinding checks that with Blind no program immediate appears in the
// code, and that the same seed gives the same code.
func TestBlinding(t *testing.T) {
	const magic = 0x5eadbeef
	insns := []isa.Instruction{
		alu(isa.ClassALU64|isa.ALUMov, 0, 0, 0, magic),
		alu(isa.ClassALU64|isa.ALUAdd, 0, 0, 0, magic),
		alu(isa.ClassJMP|isa.JmpJEQ, 0, 0, 0, magic),
		alu(isa.ClassST|isa.ModeMEM|isa.SizeW, 10, 0, -4, magic),
		alu(isa.ClassALU64|isa.ALULsh, 0, 0, 0, magic),
		alu(isa.ClassALU|isa.ALUDiv, 0, 0, 0, magic),
		alu(isa.OpExit, 0, 0, 0, 0),
	}
	plain := compileInsns(t, insns, jit.Options{})
	if !containsHalf(plain.Text, magic) {
		t.Fatal("the immediate's halves are not in plain code; the test cannot see blinding")
	}
	b1 := compileInsns(t, insns, jit.Options{Blind: true, BlindSeed: 99})
	b2 := compileInsns(t, insns, jit.Options{Blind: true, BlindSeed: 99})
	if !b1.Blinded || string(b1.Text) != string(b2.Text) {
		t.Error("blinding with a fixed seed is not reproducible")
	}
	if containsHalf(b1.Text, magic) {
		t.Error("a blinded program still carries its immediate in a MOVZ/MOVK")
	}
}

// containsHalf reports whether a MOV wide immediate in text carries either
// 16-bit half of v.
func containsHalf(text []byte, v uint32) bool {
	for off := 0; off+4 <= len(text); off += 4 {
		w := binary.LittleEndian.Uint32(text[off:])
		if w&0x1f800000 == 0x12800000 { // MOVN/MOVZ/MOVK
			h := uint16(w >> 5)
			if h == uint16(v) || h == uint16(v>>16) {
				return true
			}
		}
	}
	return false
}

// TestLongBranches compiles a program whose code exceeds the ±1 MiB reach
// of B.cond: the compiler must switch to inverted B.cond over B, and every
// branch must land on its target's code.
func TestLongBranches(t *testing.T) {
	insns := LongProgram()
	code := compileInsns(t, insns, jit.Options{})
	if len(code.Text) <= 4*maxCondBranch {
		t.Fatalf("code is only %d bytes; the test needs more than 1 MiB", len(code.Text))
	}
	// Instruction 1 is the forward jeq over the calls: b.ne +2; b target.
	got := body(t, code, 1)
	if len(got) != 3 || !strings.HasPrefix(got[1], "b.ne") || !strings.HasPrefix(got[2], "b ") {
		t.Fatalf("long conditional jump compiled to %q", got)
	}
	off := int(code.Offsets[1]) + 8
	w := binary.LittleEndian.Uint32(code.Text[off:])
	tgt := off + int(int32(w<<6)>>6)*4
	if want := int(code.Offsets[len(insns)-2]); tgt != want {
		t.Errorf("long jump lands at %#x, want %#x", tgt, want)
	}
}

// LongProgram returns a program that jumps (jeq, taken) over 32000
// bpf-to-bpf call sites — more than 1 MiB of code — and returns 7.
func LongProgram() []isa.Instruction {
	const n = 32000
	insns := []isa.Instruction{
		alu(isa.ClassALU64|isa.ALUMov, 0, 0, 0, 0),
		alu(isa.ClassJMP|isa.JmpJEQ, 0, 0, n, 0),
	}
	for i := 0; i < n; i++ {
		// call local → the final exit
		insns = append(insns, alu(isa.OpCall, 0, isa.CallLocal, 0, int32(n-i)))
	}
	return append(insns,
		alu(isa.ClassALU64|isa.ALUMov, 0, 0, 0, 7),
		alu(isa.OpExit, 0, 0, 0, 0))
}

// TestCompileErrors checks that bad programs are refused with an error
// naming the instruction, never a panic.
func TestCompileErrors(t *testing.T) {
	exit := alu(isa.OpExit, 0, 0, 0, 0)
	for _, tc := range []struct {
		insns []isa.Instruction
		want  string
	}{
		{[]isa.Instruction{alu(isa.ClassALU64|isa.ALUMov, 10, 0, 0, 1), exit}, "instruction 0 (opcode 0xb7): r10 is the read-only frame pointer"},
		{[]isa.Instruction{alu(isa.ClassJMP|isa.JmpJEQ, 0, 0, 5, 0), exit}, "instruction 0: target 6 is outside the program"},
		{[]isa.Instruction{alu(isa.OpLdImm64, 0, 0, 0, 0)}, "ld_imm64 is truncated"},
		{[]isa.Instruction{alu(isa.OpJA, 0, 0, 1, 0), alu(isa.OpLdImm64, 0, 0, 0, 0), {}, exit}, "second slot of an ld_imm64"},
		{[]isa.Instruction{alu(0xff, 0, 0, 0, 0), exit}, "instruction 0 (opcode 0xff)"},
		{[]isa.Instruction{alu(isa.ClassALU64|isa.ALUEnd, 0, 0, 0, 17), exit}, "byte swap width 17"},
		{[]isa.Instruction{alu(isa.ClassALU64|isa.ALUDiv, 0, 0, 2, 1), exit}, "offset must be 0 or 1"},
		{[]isa.Instruction{alu(isa.ClassSTX|isa.ModeATOMIC|isa.SizeDW, 10, 1, -8, 0x33), exit}, "unknown atomic operation 0x33"},
		{[]isa.Instruction{alu(isa.ClassLD|isa.ModeABS|isa.SizeW, 0, 0, 0, 0), exit}, "BPF_ABS/BPF_IND"},
		{[]isa.Instruction{alu(isa.OpCall, 0, isa.CallKfunc, 0, 5), exit}, "kfunc calls are not supported"},
		{[]isa.Instruction{alu(isa.ClassST|isa.ModeATOMIC|isa.SizeW, 10, 0, -4, 0), exit}, "unknown opcode"},
		{[]isa.Instruction{alu(isa.ClassLDX|isa.ModeMEMSX|isa.SizeDW, 0, 10, -8, 0), exit}, "unknown opcode"},
		{[]isa.Instruction{alu(isa.ClassSTX|isa.ModeMEMSX|isa.SizeW, 10, 0, -4, 0), exit}, "unknown opcode"},
		{[]isa.Instruction{alu(isa.ClassALU64|isa.ALUAdd, 0, 0, 3, 1), exit}, "offset 3 must be 0"},
	} {
		_, err := Compile(&vm.Program{Name: "bad", Insns: tc.insns, Helpers: &vm.HelperTable{}}, jit.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.insns, err, tc.want)
		}
	}
	if _, err := Compile(&vm.Program{Name: "checked", Insns: []isa.Instruction{exit}, Checked: true}, jit.Options{}); err == nil {
		t.Error("a checked program was compiled")
	}
}
