package jit

import (
	"fmt"
	"io"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"
)

// Disassemble writes the machine code of code in GNU syntax, one
// instruction a line with its offset and bytes, headed by the eBPF
// instruction (or stub) each run of code belongs to: what `prog dump
// jited` prints.
func Disassemble(code *Code, w io.Writer) error {
	if code == nil {
		return fmt.Errorf("jit: no code to disassemble")
	}
	marks := map[uint32][]string{}
	mark := func(off uint32, s string) { marks[off] = append(marks[off], s) }
	mark(code.Prologue, "prologue")
	mark(code.Run, "run")
	mark(code.Start, "start")
	mark(code.Call, "call")
	mark(code.Callback, "callback")
	n := len(code.Offsets) - 1
	for i, off := range code.Offsets {
		switch {
		case off == NoOffset:
		case i == n:
			mark(off, "end of program (fall-off fault), then stubs")
		default:
			mark(off, fmt.Sprintf("insn %d", i))
		}
	}
	text := code.Text
	for pc := 0; pc < len(text); {
		for _, m := range marks[uint32(pc)] {
			if _, err := fmt.Fprintf(w, "; %s\n", m); err != nil {
				return err
			}
		}
		size, asm := decodeOne(code.Arch, text[pc:], uint64(pc))
		if size <= 0 {
			size = 1
			asm = "(bad)"
		}
		if pc+size > len(text) {
			size = len(text) - pc
		}
		if _, err := fmt.Fprintf(w, "%6x:\t% -24x\t%s\n", pc, text[pc:pc+size], asm); err != nil {
			return err
		}
		pc += size
	}
	return nil
}

// decodeOne decodes the instruction at the start of b for arch.
func decodeOne(arch string, b []byte, pc uint64) (int, string) {
	switch arch {
	case "amd64":
		inst, err := x86asm.Decode(b, 64)
		if err != nil {
			return 0, ""
		}
		return inst.Len, x86asm.GNUSyntax(inst, pc, nil)
	case "arm64":
		if len(b) < 4 {
			return 0, ""
		}
		inst, err := arm64asm.Decode(b[:4])
		if err != nil {
			w := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
			if s, ok := decodeLSE(w); ok {
				return 4, s
			}
			return 4, fmt.Sprintf(".word %#08x", w)
		}
		return 4, arm64asm.GNUSyntax(inst)
	}
	return 0, ""
}
