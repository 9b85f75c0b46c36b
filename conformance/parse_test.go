package conformance

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

func TestParseFull(t *testing.T) {
	src := `# Copyright header
-- asm
mov %r0, 1 # comment
# whole-line comment

exit
-- mem # input
aa bb
0c
-- result
0xFFFFFFFFFFFFFFF6
-- c
int main() { return 1; } # ignored
-- no register offset
call instruction
`
	f, err := Parse(strings.NewReader(src), "x.data")
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasAsm || f.HasRaw || !f.HasResult || f.HasError {
		t.Fatalf("flags wrong: %+v", f)
	}
	if len(f.Asm) != 2 || f.Asm[0] != (Line{N: 3, Text: "mov %r0, 1"}) || f.Asm[1] != (Line{N: 6, Text: "exit"}) {
		t.Fatalf("asm lines: %+v", f.Asm)
	}
	if !bytes.Equal(f.Mem, []byte{0xaa, 0xbb, 0x0c}) {
		t.Fatalf("mem % x", f.Mem)
	}
	if f.Result != 0xfffffffffffffff6 {
		t.Fatalf("result %#x", f.Result)
	}
	prog, err := f.Program()
	if err != nil {
		t.Fatal(err)
	}
	if len(prog) != 2 || prog[0] != (isa.Instruction{Opcode: 0xb7, Imm: 1}) || prog[1].Opcode != isa.OpExit {
		t.Fatalf("program %+v", prog)
	}
}

func TestParseRawSpellings(t *testing.T) {
	words := "-- raw\n0x5566778800000018\n0x1122334400000000\n0x0000000000000095\n-- result\n0x1122334455667788\n"
	bytesForm := "-- raw\n18 00 00 00 88 77 66 55\n00 00 00 00 44 33 22 11\n95 00 00 00 00 00 00 00\n-- error\nsome text\n"
	want := []isa.Instruction{{Opcode: 0x18, Imm: 0x55667788}, {Imm: 0x11223344}, {Opcode: 0x95}}
	for _, src := range []string{words, bytesForm} {
		f, err := Parse(strings.NewReader(src), "raw.data")
		if err != nil {
			t.Fatal(err)
		}
		prog, err := f.Program()
		if err != nil {
			t.Fatal(err)
		}
		if len(prog) != len(want) {
			t.Fatalf("got %+v", prog)
		}
		for i := range want {
			if prog[i] != want[i] {
				t.Fatalf("slot %d: got %+v, want %+v", i, prog[i], want[i])
			}
		}
	}
	f, _ := Parse(strings.NewReader(bytesForm), "raw.data")
	if !f.HasError || f.Error != "some text" || f.HasResult {
		t.Fatalf("error section: %+v", f)
	}
}

func TestParseResultDecimal(t *testing.T) {
	for src, want := range map[string]uint64{"-- result\n0\n": 0, "-- result\n42\n": 42, "-- result\n-1\n": 1<<64 - 1} {
		f, err := Parse(strings.NewReader(src), "r.data")
		if err != nil {
			t.Fatal(err)
		}
		if f.Result != want {
			t.Errorf("%q: %#x, want %#x", src, f.Result, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"-- asm\nexit\n-- Unknown directive\n", `e.data:3: unknown section "Unknown directive"`},
		{"-- mem\nzz\n", `e.data:2: memory byte "zz"`},
		{"-- mem\n100\n", `memory byte "100"`},
		{"-- result\n0x1\n0x2\n", "e.data:3: more than one result value"},
		{"-- result\n0x10000000000000000\n", "not a 64-bit hex number"},
		{"-- result\n1 2\n", "not a single number"},
		{"-- result\nabc\n", "not a 64-bit number"},
		{"-- raw\n0x95\n95 00\n", `e.data:1: raw section: token "95"`},
		{"-- raw\n95 00 00 00 00 00 00 00 0x95\n", `token "0x95": expected a two-digit`},
		{"-- raw\n95 00 00\n", "not a multiple of 8"},
		{"-- raw\n0xg5\n", "not a 64-bit hex word"},
		{"-- asm\nexit\n-- asm\nexit\n", `e.data:3: duplicate "asm" section`},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(c.src), "e.data")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
	_, err := Parse(strings.NewReader("-- foo\n"), "e.data")
	if !errors.Is(err, ErrUnknownSection) {
		t.Errorf("unknown section error %v does not wrap ErrUnknownSection", err)
	}
}

func TestProgramErrors(t *testing.T) {
	f, err := Parse(strings.NewReader("# nothing\n-- result\n0x0\n"), "n.data")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Program(); err == nil || err.Error() != "n.data: no asm or raw section" {
		t.Fatalf("got %v", err)
	}
	f, err = Parse(strings.NewReader("-- asm\nmov %r0, 1\nldxq %r0, %r1\n"), "m.data")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Program(); err == nil || err.Error() != `m.data: line 3: unknown mnemonic "ldxq"` {
		t.Fatalf("got %v", err)
	}
}
