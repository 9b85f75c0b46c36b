package isa

import (
	"encoding/binary"
	"fmt"
)

// InstructionSize is the size in bytes of one encoded instruction slot.
const InstructionSize = 8

// MaxInstructions is the largest program accepted, as in the Linux kernel.
const MaxInstructions = 1_000_000

// Instruction is one 64-bit eBPF instruction slot.
type Instruction struct {
	Opcode uint8
	Dst    uint8 // destination register (low nibble of byte 1 on little-endian)
	Src    uint8 // source register (high nibble of byte 1 on little-endian)
	Offset int16
	Imm    int32
}

// IsLdImm64 reports whether the slot is the first half of a 16-byte ld_imm64.
func (ins Instruction) IsLdImm64() bool { return ins.Opcode == OpLdImm64 }

// Decode parses little-endian bytecode into instruction slots. The length must
// be a multiple of eight; the content is not validated (see Validate).
func Decode(code []byte) ([]Instruction, error) {
	if len(code)%InstructionSize != 0 {
		return nil, fmt.Errorf("bytecode length %d is not a multiple of %d", len(code), InstructionSize)
	}
	n := len(code) / InstructionSize
	if n > MaxInstructions {
		return nil, fmt.Errorf("program has %d instructions, more than the limit of %d", n, MaxInstructions)
	}
	insns := make([]Instruction, n)
	for i := range insns {
		b := code[i*InstructionSize:]
		insns[i] = Instruction{
			Opcode: b[0],
			Dst:    b[1] & 0x0f,
			Src:    b[1] >> 4,
			Offset: int16(binary.LittleEndian.Uint16(b[2:])),
			Imm:    int32(binary.LittleEndian.Uint32(b[4:])),
		}
	}
	return insns, nil
}

// Encode serialises instruction slots as little-endian bytecode.
func Encode(insns []Instruction) []byte {
	out := make([]byte, len(insns)*InstructionSize)
	for i, ins := range insns {
		b := out[i*InstructionSize:]
		b[0] = ins.Opcode
		b[1] = ins.Dst&0x0f | ins.Src<<4
		binary.LittleEndian.PutUint16(b[2:], uint16(ins.Offset))
		binary.LittleEndian.PutUint32(b[4:], uint32(ins.Imm))
	}
	return out
}

// Imm64 returns the 64-bit immediate of the ld_imm64 starting at insns[i].
// The caller guarantees that insns[i+1] exists.
func Imm64(insns []Instruction, i int) uint64 {
	return uint64(uint32(insns[i].Imm)) | uint64(uint32(insns[i+1].Imm))<<32
}

// SetImm64 stores a 64-bit immediate into the ld_imm64 starting at insns[i].
func SetImm64(insns []Instruction, i int, v uint64) {
	insns[i].Imm = int32(uint32(v))
	insns[i+1].Imm = int32(uint32(v >> 32))
}
