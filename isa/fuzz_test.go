package isa

import (
	"io"
	"testing"
)

// FuzzDecodeValidateDisassemble feeds arbitrary bytecode through decoding,
// validation and disassembly, which must report problems, never panic.
func FuzzDecodeValidateDisassemble(f *testing.F) {
	f.Add([]byte{0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x18, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xdb, 0x1a, 0xf8, 0xff, 0xf1, 0, 0, 0, 0x05, 0, 0xfe, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0x18, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, code []byte) {
		insns, err := Decode(code)
		if err != nil {
			return
		}
		_ = Validate(insns)
		if err := DisassembleWith(io.Discard, insns, DisasmOptions{Xlated: true, Symbol: "f"}); err != nil {
			t.Fatal(err)
		}
	})
}
