package arm64

import (
	"encoding/binary"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// disasm decodes one instruction word in GNU syntax.
func disasm(t *testing.T, w uint32) string {
	t.Helper()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], w)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		return "error: " + err.Error()
	}
	return arm64asm.GNUSyntax(inst)
}

// TestEncodings checks every encoder function against the disassembler.
func TestEncodings(t *testing.T) {
	tests := []struct {
		w    uint32
		want string
	}{
		{addReg(true, 0, 1, 2), "add x0, x1, x2"},
		{addReg(false, 0, 1, 2), "add w0, w1, w2"},
		{subReg(true, 3, 4, 5), "sub x3, x4, x5"},
		{subReg(true, 3, XZR, 5), "neg x3, x5"},
		{cmpReg(true, 1, 2), "cmp x1, x2"},
		{cmpReg(false, 1, 2), "cmp w1, w2"},
		{andReg(true, 0, 1, 2), "and x0, x1, x2"},
		{orrReg(false, 0, 1, 2), "orr w0, w1, w2"},
		{eorReg(true, 19, 20, 21), "eor x19, x20, x21"},
		{tstReg(true, 1, 2), "tst x1, x2"},
		{ornReg(true, 9, XZR, 2), "mvn x9, x2"},
		{movReg(true, 0, 19), "mov x0, x19"},
		{movReg(false, 0, 19), "mov w0, w19"},
		{addImm(true, 0, 1, 4095), "add x0, x1, #0xfff"},
		{addImm(true, SP, SP, 16), "add sp, sp, #0x10"},
		{subImm(true, 23, 23, 512), "sub x23, x23, #0x200"},
		{subsImm(true, XZR, 24, 7), "cmp x24, #0x7"},
		{subsImm(true, 25, 25, 1), "subs x25, x25, #0x1"},
		{addsImm(true, XZR, 3, 4095), "cmn x3, #0xfff"},
		{addsImm(false, XZR, 3, 1), "cmn w3, #0x1"},
		{mul(true, 0, 1, 2), "mul x0, x1, x2"},
		{mul(false, 0, 1, 2), "mul w0, w1, w2"},
		{msub(true, 0, 9, 2, 0), "msub x0, x9, x2, x0"},
		{udiv(true, 9, 0, 2), "udiv x9, x0, x2"},
		{sdiv(false, 9, 0, 2), "sdiv w9, w0, w2"},
		{lslv(true, 0, 0, 1), "lsl x0, x0, x1"},
		{lsrv(false, 0, 0, 1), "lsr w0, w0, w1"},
		{asrv(true, 0, 0, 1), "asr x0, x0, x1"},
		{lslImm(true, 0, 1, 3), "lsl x0, x1, #3"},
		{lslImm(false, 0, 1, 31), "lsl w0, w1, #31"},
		{lsrImm(true, 0, 1, 63), "lsr x0, x1, #63"},
		{lsrImm(false, 0, 1, 5), "lsr w0, w1, #5"},
		{asrImm(true, 0, 1, 1), "asr x0, x1, #1"},
		{asrImm(false, 0, 1, 31), "asr w0, w1, #31"},
		{sxt(true, 0, 1, 8), "sxtb x0, w1"},
		{sxt(true, 0, 1, 16), "sxth x0, w1"},
		{sxt(true, 0, 1, 32), "sxtw x0, w1"},
		{sxt(false, 0, 1, 8), "sxtb w0, w1"},
		{uxt(0, 1, 16), "uxth w0, w1"},
		{uxt(0, 1, 8), "uxtb w0, w1"},
		{rev16w(0, 0), "rev16 w0, w0"},
		{rev32w(3, 3), "rev w3, w3"},
		{rev64(3, 3), "rev x3, x3"},
		{movz(true, 0, 0x1234, 0), "mov x0, #0x1234"},
		{movz(true, 0, 0x1234, 3), "mov x0, #0x1234000000000000"},
		{movz(false, 0, 0x1234, 1), "mov w0, #0x12340000"},
		{movn(true, 0, 0, 0), "mov x0, #0xffffffffffffffff"},
		{movk(true, 0, 0xbeef, 2), "movk x0, #0xbeef, lsl #32"},
		{csel(true, 0, 1, 2, CondEQ), "csel x0, x1, x2, eq"},
		{ldstUnscaled(3, opcLoad, 0, 1, -8), "ldur x0, [x1,#-8]"},
		{ldstUnscaled(0, opcLoad, 0, 1, 255), "ldurb w0, [x1,#255]"},
		{ldstUnscaled(1, opcLoadSX, 0, 1, -2), "ldursh x0, [x1,#-2]"},
		{ldstUnscaled(2, opcStore, 0, 1, 4), "stur w0, [x1,#4]"},
		{ldstUnscaled(2, opcLoadSX, 0, 1, 0), "ldursw x0, [x1]"},
		{ldstScaled(3, opcLoad, 0, 1, 32760), "ldr x0, [x1,#32760]"},
		{ldstScaled(1, opcStore, 0, 1, 512), "strh w0, [x1,#512]"},
		{ldstScaled(0, opcLoadSX, 0, 1, 4095), "ldrsb x0, [x1,#4095]"},
		{ldstReg(3, opcLoad, 0, 1, 9), "ldr x0, [x1,x9]"},
		{ldstReg(0, opcStore, 0, 1, 9), "strb w0, [x1,x9]"},
		{ldstReg(2, opcLoadSX, 0, 1, 9), "ldrsw x0, [x1,x9]"},
		{stpPre(19, 20, SP, -48), "stp x19, x20, [sp,#-48]!"},
		{ldpPost(19, 20, SP, 48), "ldp x19, x20, [sp],#48"},
		{stp(21, 22, SP, 16), "stp x21, x22, [sp,#16]"},
		{ldp(23, 30, SP, 32), "ldp x23, x30, [sp,#32]"},
		{strPre(30, SP, -16), "str x30, [sp,#-16]!"},
		{ldrPost(30, SP, 16), "ldr x30, [sp],#16"},
		{ldaxr(3, 9, 10), "ldaxr x9, [x10]"},
		{ldaxr(2, 9, 10), "ldaxr w9, [x10]"},
		{stlxr(3, 11, 12, 10), "stlxr w11, x12, [x10]"},
		{stlxr(2, 11, 12, 10), "stlxr w11, w12, [x10]"},
		{dmbISH, "dmb ish"},
		{br(9), "br x9"},
		{blr(9), "blr x9"},
		{ret(), "ret"},
		{brk(0x3e8), "brk #0x3e8"},
	}
	for _, tc := range tests {
		if got := disasm(t, tc.w); got != tc.want {
			t.Errorf("%#08x: got %q, want %q", tc.w, got, tc.want)
		}
	}
}

// TestBranchEncodings checks branch offsets (relative to the branch, in
// instructions) including the extremes of each form's range.
func TestBranchEncodings(t *testing.T) {
	decode := func(w uint32) arm64asm.Inst {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], w)
		inst, err := arm64asm.Decode(b[:])
		if err != nil {
			t.Fatalf("%#08x: %v", w, err)
		}
		return inst
	}
	for _, off := range []int32{1, -1, 0, 1000, -1000, maxCondBranch, -maxCondBranch - 1} {
		for _, tc := range []struct {
			w  uint32
			op arm64asm.Op
		}{
			{bcond(CondNE, off), arm64asm.B},
			{cbz(true, 9, off), arm64asm.CBZ},
			{cbnz(false, 9, off), arm64asm.CBNZ},
		} {
			inst := decode(tc.w)
			if inst.Op != tc.op {
				t.Errorf("%#08x: op %v, want %v", tc.w, inst.Op, tc.op)
			}
			if got := pcrel(inst); got != int64(off)*4 {
				t.Errorf("%v offset %d: decoded %d bytes", tc.op, off, got)
			}
		}
		inst := decode(adr(9, off))
		if inst.Op != arm64asm.ADR || pcrel(inst) != int64(off) {
			t.Errorf("adr %d: decoded %v", off, inst)
		}
	}
	for _, off := range []int32{1, -1, maxBranch, -maxBranch - 1} {
		for _, w := range []uint32{b(off), bl(off)} {
			inst := decode(w)
			if got := pcrel(inst); got != int64(off)*4 {
				t.Errorf("%v %d: decoded %d bytes", inst.Op, off, got)
			}
		}
	}
}

// lseGolden lists the LSE atomics, which arm64asm (an ARMv8.0 decoder) does
// not know. The words were produced by `llvm-mc-19 -triple=aarch64
// -mattr=+lse -show-encoding`; TestLSEWithLLVM repeats that check live.
var lseGolden = []struct {
	w    uint32
	want uint32
	text string
}{
	{ldopal(3, lseAdd, 1, 9, 0), 0xf8e10009, "ldaddal x1, x9, [x0]"},
	{ldopal(2, lseClr, 1, 9, 0), 0xb8e11009, "ldclral w1, w9, [x0]"},
	{ldopal(3, lseEor, 1, 9, 0), 0xf8e12009, "ldeoral x1, x9, [x0]"},
	{ldopal(2, lseSet, 1, 9, 0), 0xb8e13009, "ldsetal w1, w9, [x0]"},
	{swpal(3, 1, 9, 0), 0xf8e18009, "swpal x1, x9, [x0]"},
	{casal(2, 9, 1, 10), 0x88e9fd41, "casal w9, w1, [x10]"},
	{casal(3, 9, 1, 10), 0xc8e9fd41, "casal x9, x1, [x10]"},
}

func TestLSEEncodings(t *testing.T) {
	for _, tc := range lseGolden {
		if tc.w != tc.want {
			t.Errorf("%s: encoded %#08x, want %#08x", tc.text, tc.w, tc.want)
		}
	}
}

// TestLSEWithLLVM assembles the LSE golden instructions with llvm-mc, when
// it is installed, and compares the bytes.
func TestLSEWithLLVM(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc-19")
	if err != nil {
		if mc, err = exec.LookPath("llvm-mc"); err != nil {
			t.Skip("llvm-mc not installed")
		}
	}
	var src strings.Builder
	for _, tc := range lseGolden {
		src.WriteString(tc.text + "\n")
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-mattr=+lse", "-show-encoding")
	cmd.Stdin = strings.NewReader(src.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`encoding: \[0x(..),0x(..),0x(..),0x(..)\]`)
	ms := re.FindAllStringSubmatch(string(out), -1)
	if len(ms) != len(lseGolden) {
		t.Fatalf("llvm-mc printed %d encodings, want %d:\n%s", len(ms), len(lseGolden), out)
	}
	for i, m := range ms {
		w, _ := strconv.ParseUint(m[4]+m[3]+m[2]+m[1], 16, 32)
		if uint32(w) != lseGolden[i].w {
			t.Errorf("%s: llvm-mc %#08x, encoder %#08x", lseGolden[i].text, w, lseGolden[i].w)
		}
	}
}

// pcrel returns the PC-relative operand of a decoded branch, in bytes.
func pcrel(inst arm64asm.Inst) int64 {
	for _, a := range inst.Args {
		if p, ok := a.(arm64asm.PCRel); ok {
			return int64(p)
		}
	}
	return -1 << 62
}
