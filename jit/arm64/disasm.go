package arm64

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/bpfhost/bpfhost/jit"
)

// Disassemble writes code as A64 assembly (GNU syntax), one instruction a
// line with its byte offset and word, preceded by a "; insn N" line where
// eBPF instruction N starts and by the names of the entry stubs. It is what
// prog dump jited prints for arm64.
func Disassemble(w io.Writer, code *jit.Code) error {
	if code == nil || code.Arch != "arm64" {
		return fmt.Errorf("jit/arm64: not arm64 code")
	}
	if len(code.Text)%4 != 0 {
		return fmt.Errorf("jit/arm64: code length %d is not a multiple of 4", len(code.Text))
	}
	type mark struct {
		off  uint32
		text string
	}
	var marks []mark
	for i, off := range code.Offsets {
		if off == jit.NoOffset {
			continue
		}
		if i == len(code.Offsets)-1 {
			marks = append(marks, mark{off, "; end of program (fall-off fault)"})
		} else {
			marks = append(marks, mark{off, fmt.Sprintf("; insn %d", i)})
		}
	}
	marks = append(marks, mark{code.Prologue, "; prologue"}, mark{code.Start, "; start"}, mark{code.Callback, "; callback"})
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].off < marks[j].off })
	m := 0
	for off := 0; off < len(code.Text); off += 4 {
		for m < len(marks) && marks[m].off <= uint32(off) {
			if _, err := fmt.Fprintln(w, marks[m].text); err != nil {
				return err
			}
			m++
		}
		word := binary.LittleEndian.Uint32(code.Text[off:])
		if _, err := fmt.Fprintf(w, "%6x:\t%08x\t%s\n", off, word, decodeWord(word, off)); err != nil {
			return err
		}
	}
	return nil
}

// decodeWord disassembles one word; branch targets are shown as code
// offsets. LSE atomics, which arm64asm does not decode, are named here.
func decodeWord(word uint32, off int) string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], word)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		if s, ok := decodeLSE(word); ok {
			return s
		}
		return fmt.Sprintf(".word\t%#08x", word)
	}
	s := arm64asm.GNUSyntax(inst)
	for _, a := range inst.Args {
		if p, ok := a.(arm64asm.PCRel); ok {
			s += fmt.Sprintf("\t// -> %#x", off+int(p))
		}
	}
	return s
}

// decodeLSE names the ARMv8.1 atomics the back end emits.
func decodeLSE(w uint32) (string, bool) {
	sz := w >> 30
	r := func(n uint32) string {
		n &= 31
		if n == 31 {
			if sz == 3 {
				return "xzr"
			}
			return "wzr"
		}
		if sz == 3 {
			return fmt.Sprintf("x%d", n)
		}
		return fmt.Sprintf("w%d", n)
	}
	rs, rn, rt := w>>16&31, w>>5&31, w&31
	if sz < 2 {
		return "", false
	}
	switch {
	case w&0x3fe0fc00 == 0x08e0fc00:
		return fmt.Sprintf("casal %s, %s, [x%d]", r(rs), r(rt), rn), true
	case w&0x3fe0fc00 == 0x38e08000:
		return fmt.Sprintf("swpal %s, %s, [x%d]", r(rs), r(rt), rn), true
	case w&0x3fe08c00 == 0x38e00000:
		names := [4]string{"ldaddal", "ldclral", "ldeoral", "ldsetal"}
		return fmt.Sprintf("%s %s, %s, [x%d]", names[w>>12&3], r(rs), r(rt), rn), true
	}
	return "", false
}
