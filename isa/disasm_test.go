package isa

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestFormatForms checks texts written out by hand from llvm-objdump-19
// output, so that the test still says something where LLVM is absent.
func TestFormatForms(t *testing.T) {
	cases := []struct {
		ins  []Instruction
		want string
	}{
		{[]Instruction{{Opcode: 0x61, Src: 1, Offset: 4}}, "r0 = *(u32 *)(r1 + 0x4)"},
		{[]Instruction{{Opcode: 0x91, Dst: 4, Src: 4}}, "r4 = *(s8 *)(r4 + 0x0)"},
		{[]Instruction{{Opcode: 0x0c, Src: 1}}, "w0 += w1"},
		{[]Instruction{{Opcode: 0x04, Dst: 6, Imm: -5}}, "w6 += -0x5"},
		{[]Instruction{{Opcode: 0x25, Dst: 1, Offset: 3, Imm: 5}}, "if r1 > 0x5 goto +0x3"},
		{[]Instruction{{Opcode: 0xde, Dst: 1, Src: 2, Offset: -2}}, "if w1 s<= w2 goto -0x2"},
		{[]Instruction{{Opcode: 0x7b, Dst: 10, Src: 2, Offset: -16}}, "*(u64 *)(r10 - 0x10) = r2"},
		{[]Instruction{{Opcode: 0x7a, Dst: 9, Offset: 0x58, Imm: -1}}, "*(u64 *)(r9 + 0x58) = -0x1"},
		{[]Instruction{{Opcode: 0x3f, Dst: 4, Offset: 1}}, "r4 s/= r0"},
		{[]Instruction{{Opcode: 0xbf, Dst: 4, Src: 3, Offset: 32}}, "r4 = (s32)r3"},
		{[]Instruction{{Opcode: 0xd7, Dst: 1, Imm: 32}}, "r1 = bswap32 r1"},
		{[]Instruction{{Opcode: 0xdc, Dst: 2, Imm: 16}}, "r2 = be16 r2"},
		{[]Instruction{{Opcode: 0x87, Dst: 3}}, "r3 = -r3"},
		{[]Instruction{{Opcode: 0xdb, Dst: 9, Src: 1, Offset: 0x60}}, "lock *(u64 *)(r9 + 0x60) += r1"},
		{[]Instruction{{Opcode: 0xdb, Dst: 9, Src: 1, Offset: 0x60, Imm: 1}}, "r1 = atomic_fetch_add((u64 *)(r9 + 0x60), r1)"},
		{[]Instruction{{Opcode: 0xdb, Dst: 9, Src: 1, Offset: 0x60, Imm: 0xe1}}, "r1 = xchg_64(r9 + 0x60, r1)"},
		{[]Instruction{{Opcode: 0xc3, Dst: 5, Src: 8, Offset: 0x20, Imm: 0xf1}}, "w0 = cmpxchg32_32(r5 + 0x20, w0, w8)"},
		{[]Instruction{{Opcode: 0x18, Dst: 2, Imm: 0x56789abc}, {Imm: 0x1234}}, "r2 = 0x123456789abc ll"},
		{[]Instruction{{Opcode: 0x18, Dst: 1, Imm: -1}, {Imm: -1}}, "r1 = -0x1 ll"},
		{[]Instruction{{Opcode: 0x85, Imm: 1}}, "call 0x1"},
		{[]Instruction{{Opcode: 0x85, Src: 1, Imm: -1}}, "call -0x1"},
		{[]Instruction{{Opcode: 0x8d, Dst: 2}}, "callx r2"},
		{[]Instruction{{Opcode: 0x06, Imm: 2}}, "gotol +0x2"},
		{[]Instruction{{Opcode: 0x95}}, "exit"},
		{[]Instruction{{Opcode: 0xe7}}, "<unknown>"},
		{[]Instruction{{Opcode: 0x99}}, "<unknown>"},
		{[]Instruction{{Opcode: 0xb7, Dst: 12}}, "<unknown>"},
	}
	for _, c := range cases {
		if got := Format(c.ins, 0, DisasmOptions{}); got != c.want {
			t.Errorf("% x: got %q, want %q", Encode(c.ins), got, c.want)
		}
	}
	if got := (Instruction{Opcode: 0xbc, Dst: 1, Src: 8, Offset: 16}).String(); got != "w1 = (s16)w8" {
		t.Errorf("String: got %q", got)
	}
}

func TestFormatXlated(t *testing.T) {
	prog := []Instruction{
		{Opcode: OpLdImm64, Dst: 1, Src: PseudoMapFD, Imm: 7}, {},
		{Opcode: OpLdImm64, Dst: 2, Src: PseudoMapValue, Imm: 3}, {Imm: 16},
		{Opcode: OpCall, Imm: 1},
		{Opcode: OpCall, Imm: 200},
		{Opcode: OpCall, Src: CallLocal, Imm: 2},
		{Opcode: OpLdImm64, Dst: 2, Src: PseudoFunc, Imm: -3}, {},
		{Opcode: 0x15, Dst: 0, Offset: -9},
		{Opcode: OpExit},
	}
	var b bytes.Buffer
	if err := DisassembleWith(&b, prog, DisasmOptions{Xlated: true, Symbol: "prog"}); err != nil {
		t.Fatal(err)
	}
	want := "   0: (18) r1 = map[id:7]\n" +
		"   2: (18) r2 = map[id:3][0]+16\n" +
		"   4: (85) call bpf_map_lookup_elem#1\n" +
		"   5: (85) call #200\n" +
		"   6: (85) call pc+2\n" +
		"   7: (18) r2 = subprog[pc-3]\n" +
		"   9: (15) if r0 == 0x0 goto -0x9 <prog+0x8>\n" +
		"  10: (95) exit\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := Disassemble(&b, prog[:2]); err != nil {
		t.Fatal(err)
	}
	if b.String() != "       0:\tr1 = 0x7 ll\n" {
		t.Fatalf("plain ld_imm64: %q", b.String())
	}
}

// objdumpLine matches "     12:\t<bytes>\t<text>".
var objdumpLine = regexp.MustCompile(`^\s*(\d+):\t[0-9a-f ]+\t(.*)$`)

// annotation is objdump's jump target comment.
var annotation = regexp.MustCompile(` <[^<>]*>$`)

// symbolLine matches objdump's "0000000000000000 <f>:".
var symbolLine = regexp.MustCompile(`^[0-9a-f]+ <(.*)>:$`)

// objdump returns slot -> text of the code sections of obj, by section,
// and the first symbol of each section (which jump annotations name; each
// test source has one function per section).
func objdump(t *testing.T, tool, obj string, extra ...string) (map[string]map[int]string, map[string]string) {
	out, err := exec.Command(tool, append([]string{"-d", obj}, extra...)...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	res := map[string]map[int]string{}
	syms := map[string]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "Disassembly of section "); ok {
			section = strings.TrimSuffix(s, ":")
			res[section] = map[int]string{}
			syms[section] = section
			continue
		}
		if m := symbolLine.FindStringSubmatch(line); m != nil && syms[section] == section {
			syms[section] = m[1]
			continue
		}
		m := objdumpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		res[section][n] = m[2]
	}
	return res, syms
}

// TestDisassembleMatchesObjdump compiles C and assembly with LLVM 19 and
// compares every instruction with llvm-objdump-19's text, jump target
// annotations included. 32-bit atomics
// are compared with the +alu32 output, the only one in which objdump 19
// decodes all of them (it prints <unknown> otherwise).
func TestDisassembleMatchesObjdump(t *testing.T) {
	for _, tool := range []string{"clang-19", "llvm-mc-19", "llvm-objdump-19"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	type build struct {
		out, tool string
		args      []string
	}
	src := func(f string) string { return filepath.Join("testdata", "disasm", f) }
	builds := []build{
		{"alu_v4.o", "clang-19", []string{"-O2", "-target", "bpf", "-mcpu=v4", "-c", src("alu_mem_atomic.c")}},
		{"loops_v1.o", "clang-19", []string{"-O2", "-target", "bpf", "-mcpu=v1", "-c", src("loops_endian.c")}},
		{"loops_v3.o", "clang-19", []string{"-O2", "-target", "bpf", "-mcpu=v3", "-c", src("loops_endian.c")}},
		{"forms.o", "llvm-mc-19", []string{"-triple", "bpfel", "-mattr=+alu32", "-filetype=obj", src("forms.s")}},
	}
	total := 0
	for _, b := range builds {
		obj := filepath.Join(dir, b.out)
		if out, err := exec.Command(b.tool, append(b.args, "-o", obj)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", b.tool, err, out)
		}
		total += compareWithObjdump(t, obj, true)
	}
	// The project's compiled test programs, with several functions per
	// section: compared without the jump annotations.
	objs, _ := filepath.Glob(filepath.Join("..", "testdata", "progs", "*.o"))
	for _, obj := range objs {
		total += compareWithObjdump(t, obj, false)
	}
	t.Logf("%d instructions match llvm-objdump-19", total)
}

// compareWithObjdump compares every instruction of obj's code sections with
// llvm-objdump-19 and returns how many it compared. With symbols, jump
// annotations are compared too (one function per section).
func compareWithObjdump(t *testing.T, obj string, symbols bool) int {
	plain, syms := objdump(t, "llvm-objdump-19", obj)
	alu32, _ := objdump(t, "llvm-objdump-19", obj, "--mattr=+alu32")
	f, err := elf.Open(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := filepath.Base(obj)
	total := 0
	for _, sec := range f.Sections {
		if sec.Flags&elf.SHF_EXECINSTR == 0 || sec.Size == 0 {
			continue
		}
		code, err := sec.Data()
		if err != nil {
			t.Fatal(err)
		}
		insns, err := Decode(code)
		if err != nil {
			t.Fatal(err)
		}
		want := plain[sec.Name]
		if len(want) == 0 {
			t.Fatalf("%s: objdump shows nothing for section %s", name, sec.Name)
		}
		opts := DisasmOptions{}
		if symbols {
			opts.Symbol = syms[sec.Name]
		}
		for i := 0; i < len(insns); i++ {
			w, ok := want[i]
			if Class(insns[i].Opcode) == ClassSTX && Mode(insns[i].Opcode) == ModeATOMIC && Size(insns[i].Opcode) == SizeW {
				w, ok = alu32[sec.Name][i]
			}
			if !symbols {
				w = annotation.ReplaceAllString(w, "")
			}
			if !ok {
				t.Errorf("%s %s: objdump has no line for slot %d", name, sec.Name, i)
			} else if got := Format(insns, i, opts); got != w {
				t.Errorf("%s %s slot %d (% x): got %q, objdump %q", name, sec.Name, i, Encode(insns[i:i+1]), got, w)
			}
			total++
			if insns[i].IsLdImm64() {
				i++
			}
		}
	}
	return total
}
