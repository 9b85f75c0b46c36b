// Package progen generates eBPF programs from bytes for the verifier's fuzz
// and differential tests: mostly well-formed XDP programs (every register
// initialized, jumps in range, real helpers and map IDs 1-6) that exercise
// the abstract interpreter rather than only the decoder.
package progen

import "github.com/bpfhost/bpfhost/isa"

// Generate builds a program from fuzz bytes: every 4 bytes pick an
// instruction from templates biased towards what gets past the structural
// checks (registers, stack and context bases, short jumps, real helpers),
// so that the abstract interpreter, not only the decoder, is exercised.
func Generate(data []byte, wellFormed bool) []isa.Instruction {
	n := len(data) / 4
	if n > 256 {
		n = 256
	}
	// Initialize every register so that paths get past the first reads.
	out := []isa.Instruction{{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 6, Src: 1}}
	for _, r := range []uint8{0, 2, 3, 4, 5, 7, 8, 9} {
		out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov, Dst: r, Imm: int32(r)})
	}
	helpers := []int32{1, 2, 3, 5, 6, 7, 12, 23, 28, 44, 87, 88, 130, 131, 132, 133, 181}
	sizes := []uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}
	for i := 0; i < n; i++ {
		b := data[i*4 : i*4+4]
		dst, src := b[1]%11, b[1]>>4%11
		imm := int32(int8(b[2])) * int32(1+b[3]%4)
		off := int16(int8(b[3]))
		if wellFormed {
			switch b[0] % 16 {
			case 5, 6:
				b = []byte{b[0], b[1], b[2] | 0x80, b[3]}
			case 14:
				b = []byte{7, b[1], b[2], b[3]}
			case 15, 12:
				b = []byte{15, b[1], b[2] | 1, b[3]} // packet access template
			}
		}
		if b[0] == 0xff && b[1] == 0xff { // rarely, a raw slot: anything at all
			out = append(out, isa.Instruction{Opcode: b[2], Dst: b[1] & 15, Src: b[1] >> 4, Offset: off, Imm: int32(b[3])})
			continue
		}
		switch b[0] % 16 {
		case 0, 1:
			out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov, Dst: dst % 10, Imm: imm})
		case 2:
			op := []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUAnd, isa.ALUOr, isa.ALULsh, isa.ALURsh, isa.ALUMul, isa.ALUMod, isa.ALUXor, isa.ALUArsh, isa.ALUDiv}[b[2]%11]
			out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | op | isa.SrcX, Dst: dst % 10, Src: src})
		case 3:
			op := []uint8{isa.ALUAdd, isa.ALUSub, isa.ALUAnd, isa.ALUOr, isa.ALULsh, isa.ALURsh}[b[3]%6]
			cls := []uint8{isa.ClassALU64, isa.ClassALU}[b[2]%2]
			out = append(out, isa.Instruction{Opcode: cls | op, Dst: dst % 10, Imm: int32(b[2] % 64)})
		case 4:
			out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: dst % 10, Src: src})
		case 5:
			if b[2]&0x80 != 0 { // well-formed: a stack slot or a context field
				if b[2]&0x40 != 0 {
					out = append(out, isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeW, Dst: dst % 10, Src: 6, Offset: 4 * int16(b[3]%6)})
				} else {
					out = append(out, isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: dst % 10, Src: 10, Offset: -8 * int16(1+b[3]%8)})
				}
				break
			}
			base := []uint8{1, 10, 0, src}[b[2]%4]
			out = append(out, isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | sizes[b[2]>>2%4], Dst: dst % 10, Src: base, Offset: off})
		case 6:
			if b[2]&0x80 != 0 { // well-formed: an aligned stack slot
				out = append(out, isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 10, Src: src, Offset: -8 * int16(1+b[3]%8)})
				break
			}
			base := []uint8{10, 0, 1, dst}[b[2]%4]
			out = append(out, isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | sizes[b[2]>>2%4], Dst: base, Src: src, Offset: off})
		case 7:
			out = append(out, isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | sizes[b[2]%4], Dst: 10, Offset: -8 * int16(1+b[3]%8), Imm: int32(b[2])})
		case 8, 9:
			op := []uint8{isa.JmpJEQ, isa.JmpJNE, isa.JmpJGT, isa.JmpJGE, isa.JmpJLT, isa.JmpJSGT, isa.JmpJSLE, isa.JmpJSET}[b[2]%8]
			cls := []uint8{isa.ClassJMP, isa.ClassJMP32}[b[3]%2]
			srcSel := []uint8{isa.SrcK, isa.SrcX}[b[2]>>3%2]
			ins := isa.Instruction{Opcode: cls | op | srcSel, Dst: dst % 10, Offset: int16(int8(b[3]))%8 + 2}
			if srcSel == isa.SrcX {
				ins.Src = src
			} else {
				ins.Imm = int32(b[2] % 32)
			}
			out = append(out, ins)
		case 10:
			out = append(out, isa.Instruction{Opcode: isa.OpCall, Imm: helpers[int(b[2])%len(helpers)]})
		case 11:
			out = append(out, isa.Instruction{Opcode: isa.OpLdImm64, Dst: dst % 10, Src: isa.PseudoMapFD, Imm: int32(1 + b[2]%6)}, isa.Instruction{})
		case 12:
			out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd, Dst: dst % 10, Imm: -8 * int32(1+b[2]%8)})
		case 13:
			// A loop back edge (the jump fix-up below keeps it in range).
			out = append(out, isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJLT | isa.SrcK, Dst: dst % 10, Imm: int32(b[2]), Offset: -int16(1 + b[3]%6)})
		case 14:
			out = append(out, isa.Instruction{Opcode: isa.ClassSTX | isa.ModeATOMIC | sizes[2+b[2]%2], Dst: []uint8{10, 0}[b[3]%2], Src: src, Offset: off &^ 7,
				Imm: []int32{isa.AtomicAdd, isa.AtomicOr | isa.AtomicFetch, isa.AtomicXchg, isa.AtomicCmpXchg}[b[2]>>1%4]})
		default:
			if b[2]&1 == 0 {
				out = append(out, isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ, Dst: 0, Offset: int16(b[3] % 4)})
				break
			}
			// A packet access after a bounds check, as clang emits it:
			// data and data_end from the context (kept in r6), a check
			// of K bytes, then an access at J that may or may not be
			// covered by it. Accepted programs then run on real packets.
			k, j := int32(b[3]%48), int16(b[2]>>1%56)
			size := sizes[b[1]%3]
			if b[1]&0x40 == 0 { // mostly inside the checked range
				j = int16(int32(b[2]>>1) % max(k-int32(isa.SizeBytes(size))+1, 1))
			}
			out = append(out,
				isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeW, Dst: 2, Src: 6, Offset: 0},
				isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeW, Dst: 3, Src: 6, Offset: 4},
				isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 4, Src: 2},
				isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd, Dst: 4, Imm: k},
				isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJGT | isa.SrcX, Dst: 4, Src: 3, Offset: 1})
			if b[1]&0x80 != 0 {
				out = append(out, isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | size, Dst: 2, Offset: j, Imm: int32(b[3])})
			} else {
				out = append(out, isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | size, Dst: 5, Src: 2, Offset: j})
			}
		}
	}
	out = append(out, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov, Dst: 0}, isa.Instruction{Opcode: isa.OpExit})
	// Keep jumps inside the program and off ld_imm64 second slots, so that
	// most programs reach the abstract interpreter.
	second := make([]bool, len(out)+1)
	for i := 0; i+1 < len(out); i++ {
		if out[i].Opcode == isa.OpLdImm64 {
			second[i+1] = true
			i++
		}
	}
	for i := range out {
		c := isa.Class(out[i].Opcode)
		if second[i] || (c != isa.ClassJMP && c != isa.ClassJMP32) || out[i].Opcode == isa.OpCall || out[i].Opcode == isa.OpExit {
			continue
		}
		t := i + 1 + int(out[i].Offset)
		if t < 0 || t >= len(out) || second[t] {
			out[i].Offset = 0
		}
	}
	return out
}
