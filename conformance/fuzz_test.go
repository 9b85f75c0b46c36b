package conformance

import (
	"strings"
	"testing"
)

// FuzzParseAssemble feeds arbitrary text to the parser and assembler, which
// must report errors, never panic.
func FuzzParseAssemble(f *testing.F) {
	f.Add("-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n")
	f.Add("-- asm\nlock fetch add32 [%r10-8], %r1\nja32 L\nL:\nexit\n-- mem\n00 01\n")
	f.Add("-- raw\n0x0000000000000095\n-- error\nx\n")
	f.Add("-- asm\ncall local f\nf: exit\nldxsh %r0, [%r1-0x8000]\n")
	f.Fuzz(func(t *testing.T, src string) {
		if file, err := Parse(strings.NewReader(src), "fuzz.data"); err == nil {
			_, _ = file.Program()
		}
		_, _ = Assemble(src)
	})
}
