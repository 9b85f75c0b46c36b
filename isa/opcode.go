// Package isa defines the eBPF instruction set of RFC 9669 (versions 1 to 4):
// the instruction encoding, opcode constants, decoding and encoding of raw
// bytecode, structural validation and a disassembler.
//
// An Instruction is one 64-bit slot. The wide load ld_imm64 occupies two
// slots, as in the encoding; the second slot carries the upper 32 bits of the
// immediate in its Imm field. Keeping slots one-to-one with the bytecode keeps
// jump offsets, BTF line info and kernel logs directly comparable.
package isa

// Instruction classes (the low three bits of the opcode).
const (
	ClassLD    uint8 = 0x00
	ClassLDX   uint8 = 0x01
	ClassST    uint8 = 0x02
	ClassSTX   uint8 = 0x03
	ClassALU   uint8 = 0x04
	ClassJMP   uint8 = 0x05
	ClassJMP32 uint8 = 0x06
	ClassALU64 uint8 = 0x07
)

// Source operand selector for ALU and jump instructions.
const (
	SrcK uint8 = 0x00 // use the 32-bit immediate
	SrcX uint8 = 0x08 // use the source register
)

// ALU operations (the high four bits of an ALU/ALU64 opcode).
const (
	ALUAdd  uint8 = 0x00
	ALUSub  uint8 = 0x10
	ALUMul  uint8 = 0x20
	ALUDiv  uint8 = 0x30 // offset 1: signed division
	ALUOr   uint8 = 0x40
	ALUAnd  uint8 = 0x50
	ALULsh  uint8 = 0x60
	ALURsh  uint8 = 0x70
	ALUNeg  uint8 = 0x80
	ALUMod  uint8 = 0x90 // offset 1: signed modulo
	ALUXor  uint8 = 0xa0
	ALUMov  uint8 = 0xb0 // offset 8/16/32: sign-extending move
	ALUArsh uint8 = 0xc0
	ALUEnd  uint8 = 0xd0 // byte swap; ALU class: to LE (K) or BE (X); ALU64 class: unconditional bswap
)

// Byte-swap direction for ALUEnd in the ALU class.
const (
	EndToLE uint8 = 0x00
	EndToBE uint8 = 0x08
)

// Jump operations (the high four bits of a JMP/JMP32 opcode).
const (
	JmpJA   uint8 = 0x00
	JmpJEQ  uint8 = 0x10
	JmpJGT  uint8 = 0x20
	JmpJGE  uint8 = 0x30
	JmpJSET uint8 = 0x40
	JmpJNE  uint8 = 0x50
	JmpJSGT uint8 = 0x60
	JmpJSGE uint8 = 0x70
	JmpCall uint8 = 0x80
	JmpExit uint8 = 0x90
	JmpJLT  uint8 = 0xa0
	JmpJLE  uint8 = 0xb0
	JmpJSLT uint8 = 0xc0
	JmpJSLE uint8 = 0xd0
)

// Memory access sizes (bits 3-4 of a load/store opcode).
const (
	SizeW  uint8 = 0x00 // 4 bytes
	SizeH  uint8 = 0x08 // 2 bytes
	SizeB  uint8 = 0x10 // 1 byte
	SizeDW uint8 = 0x18 // 8 bytes
)

// Memory access modes (the high three bits of a load/store opcode).
const (
	ModeIMM    uint8 = 0x00 // ld_imm64 (with ClassLD and SizeDW)
	ModeABS    uint8 = 0x20 // legacy packet access (not supported)
	ModeIND    uint8 = 0x40 // legacy packet access (not supported)
	ModeMEM    uint8 = 0x60
	ModeMEMSX  uint8 = 0x80 // sign-extending load
	ModeATOMIC uint8 = 0xc0
)

// Atomic operations, carried in the immediate of a ModeATOMIC store.
const (
	AtomicAdd     int32 = 0x00
	AtomicOr      int32 = 0x40
	AtomicAnd     int32 = 0x50
	AtomicXor     int32 = 0xa0
	AtomicFetch   int32 = 0x01 // flag: return the old value in src
	AtomicXchg    int32 = 0xe0 | AtomicFetch
	AtomicCmpXchg int32 = 0xf0 | AtomicFetch
)

// Pseudo source registers of ld_imm64 (relocations resolved by the loader).
const (
	PseudoMapFD       uint8 = 1 // imm: map; the register receives a map handle
	PseudoMapValue    uint8 = 2 // imm: map, next imm: offset; register receives a value address
	PseudoBTFID       uint8 = 3
	PseudoFunc        uint8 = 4 // imm: relative instruction offset of a subprogram
	PseudoMapIdx      uint8 = 5
	PseudoMapIdxValue uint8 = 6
)

// Source register values of a call instruction.
const (
	CallHelper uint8 = 0 // imm: helper number
	CallLocal  uint8 = 1 // imm: relative offset of a bpf-to-bpf callee
	CallKfunc  uint8 = 2 // imm: BTF id of a kernel function (not supported)
)

// Frequently used whole opcodes.
const (
	OpLdImm64 = ClassLD | SizeDW | ModeIMM // 0x18
	OpCall    = ClassJMP | JmpCall         // 0x85
	OpCallX   = ClassJMP | JmpCall | SrcX  // 0x8d: call the helper whose number is in dst
	OpExit    = ClassJMP | JmpExit         // 0x95
	OpJA      = ClassJMP | JmpJA           // 0x05
	OpJA32    = ClassJMP32 | JmpJA         // 0x06: gotol, 32-bit offset in imm
)

// Register numbers. R10 is the read-only frame pointer.
const (
	R0 uint8 = iota
	R1
	R2
	R3
	R4
	R5
	R6
	R7
	R8
	R9
	R10
	// NumRegs is the number of eBPF registers.
	NumRegs = 11
)

// Class returns the instruction class of an opcode.
func Class(op uint8) uint8 { return op & 0x07 }

// Size returns the memory access size bits of a load/store opcode.
func Size(op uint8) uint8 { return op & 0x18 }

// Mode returns the memory access mode bits of a load/store opcode.
func Mode(op uint8) uint8 { return op & 0xe0 }

// ALUOp returns the operation bits of an ALU or jump opcode.
func ALUOp(op uint8) uint8 { return op & 0xf0 }

// Source returns the source selector bit of an ALU or jump opcode.
func Source(op uint8) uint8 { return op & 0x08 }

// SizeBytes returns the number of bytes a load/store of the given size bits moves.
func SizeBytes(size uint8) int {
	switch size {
	case SizeB:
		return 1
	case SizeH:
		return 2
	case SizeW:
		return 4
	default:
		return 8
	}
}
