package conformance

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// TestAssembleEncodings checks one line at a time against the encoding
// RFC 9669 defines, written out byte by byte.
func TestAssembleEncodings(t *testing.T) {
	cases := []struct{ src, want string }{
		{"mov32 %r0, 0", "b400000000000000"},
		{"mov %r1, -1", "b7010000ffffffff"},
		{"mov64 %r1, %r2", "bf21000000000000"},
		{"add32 %r1, 0x7fffffff", "04010000ffffff7f"},
		{"jeq %r1, 0x80000000, +1", "1501010000000080"},
		{"sub %r3, %r10", "1fa3000000000000"},
		{"sdiv %r1, 3", "3701010003000000"},
		{"sdiv32 %r1, %r2", "3c21010000000000"},
		{"smod %r1, %r2", "9f21010000000000"},
		{"smod32 %r1, -3", "94010100fdffffff"},
		{"mod32 %r1, 3", "9401000003000000"},
		{"arsh32 %r1, 4", "c401000004000000"},
		{"lsh %r1, %r2", "6f21000000000000"},
		{"neg %r2", "8702000000000000"},
		{"neg32 %r2", "8402000000000000"},
		{"movsx832 %r2, %r1", "bc12080000000000"},
		{"movsx1632 %r2, %r1", "bc12100000000000"},
		{"movsx864 %r2, %r1", "bf12080000000000"},
		{"movsx1664 %r2, %r1", "bf12100000000000"},
		{"movsx3264 %r2, %r1", "bf12200000000000"},
		{"le16 %r3", "d403000010000000"},
		{"be32 %r3", "dc03000020000000"},
		{"be64 %r3", "dc03000040000000"},
		{"swap16 %r3", "d703000010000000"},
		{"bswap64 %r3", "d703000040000000"},
		{"ldxb %r0, [%r1+2]", "7110020000000000"},
		{"ldxh %r0, [%r1]", "6910000000000000"},
		{"ldxw %r0, [%r10-4]", "61a0fcff00000000"},
		{"ldxdw %r0, [%r1+0x10]", "7910100000000000"},
		{"ldxsb %r0, [%r10-1]", "91a0ffff00000000"},
		{"ldxsh %r0, [%r1+2]", "8910020000000000"},
		{"ldxsw %r0, [%r1+4]", "8110040000000000"},
		{"stb [%r10-1], 0x80", "720affff80000000"},
		{"sth [%r1+2], -1", "6a010200ffffffff"},
		{"stw [%r1], 7", "6201000007000000"},
		{"stdw [%r1+8], 1", "7a01080001000000"},
		{"stxb [%r1+1], %r2", "7321010000000000"},
		{"stxdw [%r10-8], %r1", "7b1af8ff00000000"},
		{"lddw %r0, 0x1122334455667788", "1800000088776655" + "0000000044332211"},
		{"lddw %r1, -1", "18010000ffffffff" + "00000000ffffffff"},
		{"lddw %r1, 18446744073709551615", "18010000ffffffff" + "00000000ffffffff"},
		{"ja +3", "0500030000000000"},
		{"ja -1", "0500ffff00000000"},
		{"ja32 +5", "0600000005000000"},
		{"gotol -2", "06000000feffffff"},
		{"jne32 %r2, 0xffffff80, +1", "5602010080ffffff"},
		{"jsgt %r1, %r2, -3", "6d21fdff00000000"},
		{"jset32 %r1, 8, +0", "4601000008000000"},
		{"exit", "9500000000000000"},
		{"call 5", "8500000005000000"},
		{"call helper 6", "8500000006000000"},
		{"call %r2", "8d02000000000000"},
		{"call local +2", "8510000002000000"},
		{"lock add [%r10-8], %r1", "db1af8ff00000000"},
		{"lock add32 [%r10-4], %r1", "c31afcff00000000"},
		{"lock fetch add [%r10-8], %r1", "db1af8ff01000000"},
		{"lock or32 [%r1], %r2", "c321000040000000"},
		{"lock fetch and [%r1], %r2", "db21000051000000"},
		{"lock fetch xor32 [%r1], %r2", "c3210000a1000000"},
		{"lock xchg [%r10-8], %r1", "db1af8ffe1000000"},
		{"lock xchg32 [%r10-8], %r1", "c31af8ffe1000000"},
		{"lock cmpxchg [%r10-8], %r1", "db1af8fff1000000"},
		{"lock cmpxchg32 [%r10-8], %r1", "c31af8fff1000000"},
		{"mov %r0, 1 # trailing comment", "b700000001000000"},
	}
	for _, c := range cases {
		insns, err := Assemble(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := hex.EncodeToString(isa.Encode(insns)); got != c.want {
			t.Errorf("%q: got %s, want %s", c.src, got, c.want)
		}
	}
}

func TestAssembleLabels(t *testing.T) {
	src := `mov %r0, 0
ja L2
L1:
mov %r2, 0
exit
L2: mov %r0, 1
jne %r0, 1, exit
call local fn
ja32 L1
fn:
exit`
	insns, err := Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	// ja L2: from 1 to 4 -> +2; jne ... exit: from 5 to the first exit (3) -> -3;
	// call local fn: from 6 to 8 -> +1; ja32 L1: from 7 to 2 -> -6.
	if insns[1].Offset != 2 || insns[5].Offset != -3 || insns[6].Imm != 1 || insns[7].Imm != -6 {
		t.Fatalf("bad fixups: %+v", insns)
	}
}

func TestAssembleErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"ldxq %r0, %r1", `line 1: unknown mnemonic "ldxq"`},
		{"mov %r0, 0\nor %r0, %r50", `line 2: invalid register "%r50"`},
		{"or %r0, %r11", "invalid register"},
		{"or %r0, r1", "invalid immediate"},
		{"mov32 %r0, 2147483648", "does not fit in 32 bits"},
		{"mov32 %r0, -2147483649", "does not fit in 32 bits"},
		{"mov32 %r0, 0x100000000", "does not fit in 32 bits"},
		{"ldxb %r0, [%r1+0x10000]", "offset +0x10000 does not fit in 16 bits"},
		{"ldxb %r0, [%r1+32768]", "does not fit in 16 bits"},
		{"ldxb %r0, %r1", "invalid memory operand"},
		{"ldxb %r0, [%r1+x]", "invalid offset"},
		{"lddw %r0", "lddw takes 2 operand(s), got 1"},
		{"lddw %r0, 0x10000000000000000", "invalid 64-bit immediate"},
		{"mov %r0, 1, 2", "mov takes 2 operand(s), got 3"},
		{"mov %r0,", "empty operand"},
		{"exit %r0", "exit takes 0 operand(s)"},
		{"ja NOT_A_LABEL\nexit", `line 1: undefined label "NOT_A_LABEL"`},
		{"ja +40000", "out of range"},
		{"ja 1x", "invalid jump offset"},
		{"L:\nL:\nexit", `line 2: duplicate label "L"`},
		{"lock", "invalid number of operands for lock"},
		{"lock or [%r10-8]", "invalid number of operands for lock or"},
		{"lock fetch", "invalid number of operands for lock fetch"},
		{"lock nand [%r1], %r2", `unknown atomic operation "nand"`},
		{"call", "call takes a target"},
		{"call remote 5", "invalid call mode"},
		{"call %r11", "invalid register"},
		{"le8 %r1", "unknown mnemonic"},
		{"be16 %r1, %r2", "be16 takes 1 operand(s)"},
		{"movsx832 %r1, 5", "invalid register"},
		{"jeq %r1, 1", "jeq takes 3 operand(s)"},
	}
	for _, c := range cases {
		_, err := Assemble(c.src)
		if err == nil {
			t.Errorf("%q: assembled", c.src)
			continue
		}
		var ae *AsmError
		if !errors.As(err, &ae) {
			t.Errorf("%q: %v is not an *AsmError", c.src, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %q, want %q", c.src, err, c.want)
		}
	}
}

// TestAssembleLabelFarAway checks that a label beyond a 16-bit offset is an
// error for ja but fine for ja32.
func TestAssembleLabelFarAway(t *testing.T) {
	var b strings.Builder
	b.WriteString("ja far\nja32 far\n")
	for i := 0; i < 40000; i++ {
		b.WriteString("mov %r0, 0\n")
	}
	b.WriteString("far:\nexit\n")
	if _, err := Assemble(b.String()); err == nil || !strings.Contains(err.Error(), "line 1: label \"far\"") {
		t.Fatalf("got %v", err)
	}
	insns, err := Assemble(strings.Replace(b.String(), "ja far\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	if insns[0].Imm != 40000 {
		t.Fatalf("ja32 imm %d, want 40000", insns[0].Imm)
	}
}
