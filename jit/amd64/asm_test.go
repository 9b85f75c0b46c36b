package amd64

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

var names64 = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}
var names32 = [16]string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"}
var names16 = [16]string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"}
var names8 = [16]string{"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"}

func rn(w bool, r reg) string {
	if w {
		return names64[r]
	}
	return names32[r]
}

func mem(base reg, disp int32) string {
	switch {
	case disp == 0:
		return fmt.Sprintf("[%s]", names64[base])
	case disp < -128:
		// x86asm prints negative 32-bit displacements unsigned.
		return fmt.Sprintf("[%s+%#x]", names64[base], uint32(disp))
	case disp < 0:
		return fmt.Sprintf("[%s-%#x]", names64[base], -disp)
	}
	return fmt.Sprintf("[%s+%#x]", names64[base], disp)
}

func ptr(size int) string {
	return map[int]string{1: "byte ptr ", 2: "word ptr ", 4: "dword ptr ", 8: "qword ptr "}[size]
}

// check decodes the single instruction emit produces and compares its
// Intel-syntax text with want.
func check(t *testing.T, want string, emit func(a *asm)) {
	t.Helper()
	var a asm
	emit(&a)
	inst, err := x86asm.Decode(a.b, 64)
	if err != nil {
		t.Errorf("%s: % x does not decode: %v", want, a.b, err)
		return
	}
	if inst.Len != len(a.b) {
		t.Errorf("%s: % x decodes as %d bytes (%s)", want, a.b, inst.Len, x86asm.IntelSyntax(inst, 0, nil))
		return
	}
	if got := x86asm.IntelSyntax(inst, 0, nil); got != want {
		t.Errorf("% x: got %q, want %q", a.b, got, want)
	}
}

var allRegs = func() []reg {
	var r []reg
	for i := reg(0); i < 16; i++ {
		r = append(r, i)
	}
	return r
}()

func TestEncodeRegReg(t *testing.T) {
	ops := []struct {
		op   int
		name string
	}{{aluAdd, "add"}, {aluOr, "or"}, {aluAnd, "and"}, {aluSub, "sub"}, {aluXor, "xor"}, {aluCmp, "cmp"}}
	for _, w := range []bool{false, true} {
		for _, d := range allRegs {
			for _, s := range allRegs {
				for _, o := range ops {
					check(t, fmt.Sprintf("%s %s, %s", o.name, rn(w, d), rn(w, s)), func(a *asm) { a.aluRR(o.op, w, d, s) })
				}
				check(t, fmt.Sprintf("mov %s, %s", rn(w, d), rn(w, s)), func(a *asm) { a.movRR(w, d, s) })
				check(t, fmt.Sprintf("test %s, %s", rn(w, d), rn(w, s)), func(a *asm) { a.testRR(w, d, s) })
				check(t, fmt.Sprintf("imul %s, %s", rn(w, d), rn(w, s)), func(a *asm) { a.imulRR(w, d, s) })
				check(t, fmt.Sprintf("imul %s, %s, 0x12345", rn(w, d), rn(w, s)), func(a *asm) { a.imulRRI(w, d, s, 0x12345) })
				check(t, fmt.Sprintf("imul %s, %s, 0x7", rn(w, d), rn(w, s)), func(a *asm) { a.imulRRI(w, d, s, 7) })
				check(t, fmt.Sprintf("movsx %s, %s", rn(w, d), names8[s]), func(a *asm) { a.movsxRR(8, w, d, s) })
				check(t, fmt.Sprintf("movsx %s, %s", rn(w, d), names16[s]), func(a *asm) { a.movsxRR(16, w, d, s) })
				check(t, fmt.Sprintf("movzx %s, %s", names32[d], names8[s]), func(a *asm) { a.movzxRR(8, d, s) })
				check(t, fmt.Sprintf("movzx %s, %s", names32[d], names16[s]), func(a *asm) { a.movzxRR(16, d, s) })
			}
			check(t, fmt.Sprintf("movsxd %s, %s", names64[d], names32[(d+3)%16]), func(a *asm) { a.movsxRR(32, true, d, (d+3)%16) })
		}
	}
}

func TestEncodeRegImm(t *testing.T) {
	ops := []struct {
		op   int
		name string
	}{{aluAdd, "add"}, {aluOr, "or"}, {aluAnd, "and"}, {aluSub, "sub"}, {aluXor, "xor"}, {aluCmp, "cmp"}}
	for _, w := range []bool{false, true} {
		for _, d := range allRegs {
			for _, o := range ops {
				check(t, fmt.Sprintf("%s %s, 0x5", o.name, rn(w, d)), func(a *asm) { a.aluRI(o.op, w, d, 5) })
				check(t, fmt.Sprintf("%s %s, 0x12345678", o.name, rn(w, d)), func(a *asm) { a.aluRI(o.op, w, d, 0x12345678) })
			}
			check(t, fmt.Sprintf("add %s, -0x2", rn(w, d)), func(a *asm) { a.aluRI(aluAdd, w, d, -2) })
			check(t, fmt.Sprintf("test %s, 0x100", rn(w, d)), func(a *asm) { a.testRI(w, d, 0x100) })
			for _, s := range []struct {
				op   int
				name string
			}{{shShl, "shl"}, {shShr, "shr"}, {shSar, "sar"}} {
				check(t, fmt.Sprintf("%s %s, 0x7", s.name, rn(w, d)), func(a *asm) { a.shiftRI(s.op, w, d, 7) })
				check(t, fmt.Sprintf("%s %s, 0x1", s.name, rn(w, d)), func(a *asm) { a.shiftRI(s.op, w, d, 1) })
				check(t, fmt.Sprintf("%s %s, cl", s.name, rn(w, d)), func(a *asm) { a.shiftRCL(s.op, w, d) })
			}
			check(t, fmt.Sprintf("neg %s", rn(w, d)), func(a *asm) { a.neg(w, d) })
			check(t, fmt.Sprintf("div %s", rn(w, d)), func(a *asm) { a.div(w, false, d) })
			check(t, fmt.Sprintf("idiv %s", rn(w, d)), func(a *asm) { a.div(w, true, d) })
			check(t, fmt.Sprintf("bswap %s", rn(w, d)), func(a *asm) { a.bswap(w, d) })
		}
	}
	for _, d := range allRegs {
		check(t, fmt.Sprintf("mov %s, -0x76543211", names32[d]), func(a *asm) { a.movRI32(d, 0x89abcdef) })
		check(t, fmt.Sprintf("mov %s, -0x7b", names64[d]), func(a *asm) { a.movRIsx(d, -123) })
		check(t, fmt.Sprintf("mov %s, 0x123456789abcdef0", names64[d]), func(a *asm) { a.movabs(d, 0x123456789abcdef0) })
		check(t, fmt.Sprintf("ror %s, 0x8", names16[d]), func(a *asm) { a.ror16by8(d) })
		check(t, fmt.Sprintf("push %s", names64[d]), func(a *asm) { a.push(d) })
		check(t, fmt.Sprintf("pop %s", names64[d]), func(a *asm) { a.pop(d) })
		check(t, fmt.Sprintf("dec %s", names64[d]), func(a *asm) { a.decR(d) })
	}
	check(t, "cqo", func(a *asm) { a.cqo(true) })
	check(t, "cdq", func(a *asm) { a.cqo(false) })
	check(t, "ret", func(a *asm) { a.ret() })
}

func TestEncodeMemory(t *testing.T) {
	sizeName := func(size int, r reg) string {
		return map[int]string{1: names8[r], 2: names16[r], 4: names32[r], 8: names64[r]}[size]
	}
	for _, base := range allRegs {
		for _, disp := range []int32{0, 8, -8, 127, 128, -129, 0x7fff, -0x8000} {
			m := mem(base, disp)
			for _, r := range allRegs {
				for _, size := range []int{1, 2, 4, 8} {
					check(t, fmt.Sprintf("mov %s%s, %s", ptr(size), m, sizeName(size, r)), func(a *asm) { a.store(size, base, disp, r) })
				}
				check(t, fmt.Sprintf("movzx %s, %s%s", names32[r], ptr(1), m), func(a *asm) { a.load(1, r, base, disp) })
				check(t, fmt.Sprintf("movzx %s, %s%s", names32[r], ptr(2), m), func(a *asm) { a.load(2, r, base, disp) })
				check(t, fmt.Sprintf("mov %s, %s%s", names32[r], ptr(4), m), func(a *asm) { a.load(4, r, base, disp) })
				check(t, fmt.Sprintf("mov %s, %s%s", names64[r], ptr(8), m), func(a *asm) { a.load(8, r, base, disp) })
				check(t, fmt.Sprintf("movsx %s, %s%s", names64[r], ptr(1), m), func(a *asm) { a.loadSX(1, r, base, disp) })
				check(t, fmt.Sprintf("movsx %s, %s%s", names64[r], ptr(2), m), func(a *asm) { a.loadSX(2, r, base, disp) })
				check(t, fmt.Sprintf("movsxd %s, %s%s", names64[r], ptr(4), m), func(a *asm) { a.loadSX(4, r, base, disp) })
				check(t, fmt.Sprintf("lea %s, ptr %s", names64[r], m), func(a *asm) { a.lea(r, base, disp) })
				for _, w := range []bool{false, true} {
					sz := 4
					if w {
						sz = 8
					}
					for _, o := range []struct {
						op   int
						name string
					}{{aluAdd, "add"}, {aluOr, "or"}, {aluAnd, "and"}, {aluXor, "xor"}} {
						check(t, fmt.Sprintf("lock %s %s%s, %s", o.name, ptr(sz), m, rn(w, r)), func(a *asm) { a.lockOp(o.op, w, base, disp, r) })
						check(t, fmt.Sprintf("%s %s, %s%s", o.name, rn(w, r), ptr(sz), m), func(a *asm) { a.aluRM(o.op, w, r, base, disp) })
					}
					check(t, fmt.Sprintf("cmp %s, %s%s", rn(w, r), ptr(sz), m), func(a *asm) { a.aluRM(aluCmp, w, r, base, disp) })
					check(t, fmt.Sprintf("lock xadd %s%s, %s", ptr(sz), m, rn(w, r)), func(a *asm) { a.lockXadd(w, base, disp, r) })
					check(t, fmt.Sprintf("xchg %s%s, %s", ptr(sz), m, rn(w, r)), func(a *asm) { a.xchg(w, base, disp, r) })
					check(t, fmt.Sprintf("lock cmpxchg %s%s, %s", ptr(sz), m, rn(w, r)), func(a *asm) { a.lockCmpxchg(w, base, disp, r) })
				}
			}
			check(t, fmt.Sprintf("mov byte ptr %s, 0x85", m), func(a *asm) { a.storeImm(1, base, disp, -123) })
			check(t, fmt.Sprintf("mov word ptr %s, -0x7b", m), func(a *asm) { a.storeImm(2, base, disp, -123) })
			check(t, fmt.Sprintf("mov dword ptr %s, -0x7b", m), func(a *asm) { a.storeImm(4, base, disp, -123) })
			check(t, fmt.Sprintf("mov qword ptr %s, -0x7b", m), func(a *asm) { a.storeImm(8, base, disp, -123) })
			check(t, fmt.Sprintf("call qword ptr %s", m), func(a *asm) { a.callMem(base, disp) })
			check(t, fmt.Sprintf("jmp qword ptr %s", m), func(a *asm) { a.jmpMem(base, disp) })
		}
	}
}

func TestEncodeBranches(t *testing.T) {
	check(t, "jmp .+0x10", func(a *asm) { a.patch32(a.jmp32(), 0x15) })
	check(t, "call .-0x10", func(a *asm) { a.patch32(a.call32(), -0xb) })
	check(t, "jnz .+0x2", func(a *asm) { p := a.jcc8(condNE); a.b = append(a.b, 0, 0); a.patch8(p); a.b = a.b[:2] })
	for c, name := range map[cond]string{condB: "jb", condAE: "jnb", condE: "jz", condNE: "jnz", condBE: "jbe", condA: "jnbe", condL: "jl", condGE: "jnl", condLE: "jle", condG: "jnle"} {
		check(t, name+" .+0x0", func(a *asm) { a.jcc32(c) })
	}
	for _, r := range allRegs {
		check(t, fmt.Sprintf("lea %s, ptr [rip]", names64[r]), func(a *asm) { a.leaRIP(r) })
	}
	if t.Failed() {
		t.Log(strings.Repeat("-", 10))
	}
}
