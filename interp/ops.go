package interp

// Internal opcodes. Prepare translates every eBPF instruction into one of
// these dense numbers so that the run loop's switch compiles to a single
// jump table, and so that distinctions the encoding makes with other fields
// (signed division by offset, sign-extending moves by offset, le/be and
// bswap by immediate, gotol by class) are resolved once instead of on every
// execution.
const (
	// opInvalid marks slots that must never execute: the second half of an
	// ld_imm64. It is zero so that missing table entries mean "invalid".
	opInvalid uint8 = iota
	// opFallOff is the sentinel after the last instruction: reaching it
	// means the program ran past its end without exit.
	opFallOff

	// 64-bit ALU.
	opAdd64K
	opAdd64X
	opSub64K
	opSub64X
	opMul64K
	opMul64X
	opDiv64K
	opDiv64X
	opSDiv64K
	opSDiv64X
	opOr64K
	opOr64X
	opAnd64K
	opAnd64X
	opLsh64K
	opLsh64X
	opRsh64K
	opRsh64X
	opNeg64
	opMod64K
	opMod64X
	opSMod64K
	opSMod64X
	opXor64K
	opXor64X
	opMov64K
	opMov64X
	opMovSX64B
	opMovSX64H
	opMovSX64W
	opArsh64K
	opArsh64X

	// Byte order operations (le/be resolved against the host's byte order).
	opSwap16
	opSwap32
	opSwap64
	opZext16
	opZext32
	opNop

	// 32-bit ALU: operate on the low halves, zero-extend the result.
	opAdd32K
	opAdd32X
	opSub32K
	opSub32X
	opMul32K
	opMul32X
	opDiv32K
	opDiv32X
	opSDiv32K
	opSDiv32X
	opOr32K
	opOr32X
	opAnd32K
	opAnd32X
	opLsh32K
	opLsh32X
	opRsh32K
	opRsh32X
	opNeg32
	opMod32K
	opMod32X
	opSMod32K
	opSMod32X
	opXor32K
	opXor32X
	opMov32K
	opMov32X
	opMovSX32B
	opMovSX32H
	opArsh32K
	opArsh32X

	// Memory.
	opLdxB
	opLdxH
	opLdxW
	opLdxDW
	opLdxSB
	opLdxSH
	opLdxSW
	opStB
	opStH
	opStW
	opStDW
	opStxB
	opStxH
	opStxW
	opStxDW
	opLdImm64

	// Atomics.
	opAtomicAdd32
	opAtomicOr32
	opAtomicAnd32
	opAtomicXor32
	opAtomicFetchAdd32
	opAtomicFetchOr32
	opAtomicFetchAnd32
	opAtomicFetchXor32
	opAtomicXchg32
	opAtomicCmpXchg32
	opAtomicAdd64
	opAtomicOr64
	opAtomicAnd64
	opAtomicXor64
	opAtomicFetchAdd64
	opAtomicFetchOr64
	opAtomicFetchAnd64
	opAtomicFetchXor64
	opAtomicXchg64
	opAtomicCmpXchg64

	// Control flow. Conditional jumps come in K/X pairs, 64-bit then 32-bit.
	opJA
	opJEQ64K
	opJEQ64X
	opJGT64K
	opJGT64X
	opJGE64K
	opJGE64X
	opJSET64K
	opJSET64X
	opJNE64K
	opJNE64X
	opJSGT64K
	opJSGT64X
	opJSGE64K
	opJSGE64X
	opJLT64K
	opJLT64X
	opJLE64K
	opJLE64X
	opJSLT64K
	opJSLT64X
	opJSLE64K
	opJSLE64X
	opJEQ32K
	opJEQ32X
	opJGT32K
	opJGT32X
	opJGE32K
	opJGE32X
	opJSET32K
	opJSET32X
	opJNE32K
	opJNE32X
	opJSGT32K
	opJSGT32X
	opJSGE32K
	opJSGE32X
	opJLT32K
	opJLT32X
	opJLE32K
	opJLE32X
	opJSLT32K
	opJSLT32X
	opJSLE32K
	opJSLE32X
	opCall
	opCallX
	opCallLocal
	opExit

	// opCount is the number of internal opcodes.
	opCount
)

// insn is the decoded form of one instruction slot. Slots stay one-to-one
// with the bytecode so that instruction indexes in errors match the
// program's; the second slot of an ld_imm64 is opInvalid and never runs.
type insn struct {
	op  uint8 // internal opcode
	dst uint8 // destination register, < 11
	src uint8 // source register, < 11
	_   uint8
	// off is the memory offset of loads, stores and atomics, and the
	// absolute target index of jumps and local calls.
	off int32
	// k is the immediate sign-extended to 64 bits; the full 64-bit value
	// for ld_imm64; the helper number for calls.
	k uint64
}
