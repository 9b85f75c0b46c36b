package verifier

import "github.com/bpfhost/bpfhost/isa"

// A tiny assembler for hand-written test programs.

type insn = isa.Instruction

const (
	r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
)

func prog(parts ...any) []insn {
	var out []insn
	for _, p := range parts {
		switch p := p.(type) {
		case insn:
			out = append(out, p)
		case []insn:
			out = append(out, p...)
		default:
			panic("prog: bad part")
		}
	}
	return out
}

func alu64i(op uint8, dst uint8, imm int32) insn {
	return insn{Opcode: isa.ClassALU64 | op | isa.SrcK, Dst: dst, Imm: imm}
}
func alu64r(op uint8, dst, src uint8) insn {
	return insn{Opcode: isa.ClassALU64 | op | isa.SrcX, Dst: dst, Src: src}
}
func alu32i(op uint8, dst uint8, imm int32) insn {
	return insn{Opcode: isa.ClassALU | op | isa.SrcK, Dst: dst, Imm: imm}
}
func alu32r(op uint8, dst, src uint8) insn {
	return insn{Opcode: isa.ClassALU | op | isa.SrcX, Dst: dst, Src: src}
}
func mov64i(dst uint8, imm int32) insn { return alu64i(isa.ALUMov, dst, imm) }
func mov64r(dst, src uint8) insn       { return alu64r(isa.ALUMov, dst, src) }
func mov32i(dst uint8, imm int32) insn { return alu32i(isa.ALUMov, dst, imm) }
func add64i(dst uint8, imm int32) insn { return alu64i(isa.ALUAdd, dst, imm) }
func add64r(dst, src uint8) insn       { return alu64r(isa.ALUAdd, dst, src) }

func ldx(size uint8, dst, src uint8, off int16) insn {
	return insn{Opcode: isa.ClassLDX | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off}
}
func stx(size uint8, dst, src uint8, off int16) insn {
	return insn{Opcode: isa.ClassSTX | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off}
}
func st(size uint8, dst uint8, off int16, imm int32) insn {
	return insn{Opcode: isa.ClassST | isa.ModeMEM | size, Dst: dst, Offset: off, Imm: imm}
}
func atomic(size uint8, dst, src uint8, off int16, op int32) insn {
	return insn{Opcode: isa.ClassSTX | isa.ModeATOMIC | size, Dst: dst, Src: src, Offset: off, Imm: op}
}
func jmpi(op uint8, dst uint8, imm int32, off int16) insn {
	return insn{Opcode: isa.ClassJMP | op | isa.SrcK, Dst: dst, Imm: imm, Offset: off}
}
func jmpr(op uint8, dst, src uint8, off int16) insn {
	return insn{Opcode: isa.ClassJMP | op | isa.SrcX, Dst: dst, Src: src, Offset: off}
}
func jmp32i(op uint8, dst uint8, imm int32, off int16) insn {
	return insn{Opcode: isa.ClassJMP32 | op | isa.SrcK, Dst: dst, Imm: imm, Offset: off}
}
func ja(off int16) insn        { return insn{Opcode: isa.OpJA, Offset: off} }
func call(n int32) insn        { return insn{Opcode: isa.OpCall, Imm: n} }
func callLocal(off int32) insn { return insn{Opcode: isa.OpCall, Src: isa.CallLocal, Imm: off} }
func exit() insn               { return insn{Opcode: isa.OpExit} }
func ldImm64(dst uint8, v uint64) []insn {
	return []insn{{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))}, {Imm: int32(uint32(v >> 32))}}
}
func ldMap(dst uint8, id uint32) []insn {
	return []insn{{Opcode: isa.OpLdImm64, Dst: dst, Src: isa.PseudoMapFD, Imm: int32(id)}, {}}
}
func ldMapValue(dst uint8, id uint32, off int32) []insn {
	return []insn{{Opcode: isa.OpLdImm64, Dst: dst, Src: isa.PseudoMapValue, Imm: int32(id)}, {Imm: off}}
}
func ldFunc(dst uint8, off int32) []insn {
	return []insn{{Opcode: isa.OpLdImm64, Dst: dst, Src: isa.PseudoFunc, Imm: off}, {}}
}

var (
	B  = isa.SizeB
	H  = isa.SizeH
	W  = isa.SizeW
	DW = isa.SizeDW
)

// Map IDs of the test map table.
const (
	mapHash    = 1 // hash, key 4, value 16
	mapArray   = 2 // array, key 4, value 64
	mapRingbuf = 3 // ringbuf
	mapProgs   = 4 // prog_array
	mapRdOnly  = 5 // array, read-only for programs, value 8
	mapQueue   = 6 // queue, value 8
	mapOfMaps  = 7 // array of maps whose inner maps are like mapArray
)

var testMaps = MapTable(map[uint32]MapInfo{
	mapHash:    {Type: 1, KeySize: 4, ValueSize: 16, MaxEntries: 16},
	mapArray:   {Type: 2, KeySize: 4, ValueSize: 64, MaxEntries: 4},
	mapRingbuf: {Type: 27, MaxEntries: 4096},
	mapProgs:   {Type: 3, KeySize: 4, ValueSize: 4, MaxEntries: 4},
	mapRdOnly:  {Type: 2, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: 1 << 7},
	mapQueue:   {Type: 22, ValueSize: 8, MaxEntries: 8},
	mapOfMaps:  {Type: 12, KeySize: 4, ValueSize: 4, MaxEntries: 2, Inner: &MapInfo{Type: 2, KeySize: 4, ValueSize: 64, MaxEntries: 4}},
})

// retZero ends a program with r0 = 0.
var retZero = []insn{mov64i(r0, 0), exit()}

// xdpPrologue loads data into r2 and data_end into r3 (Linux xdp_md layout).
var xdpPrologue = []insn{ldx(W, r2, r1, 0), ldx(W, r3, r1, 4)}

// lookup calls map_lookup_elem(map, fp-8 holding key 0); r0 = value or NULL.
func lookup(id uint32) []insn {
	return prog(st(W, r10, -8, 0), ldMap(r1, id), mov64r(r2, r10), add64i(r2, -8), call(1))
}
