package interp

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
)

// aluOps maps the operation nibble of an ALU64 (index 0) or ALU (index 1)
// opcode and its source bit (K=0, X=1) to the internal opcode. Operations
// whose meaning depends on other fields (div, mod, mov, end) are refined in
// decodeALU; zero entries are invalid encodings.
var aluOps = [2][16][2]uint8{
	{
		{opAdd64K, opAdd64X}, {opSub64K, opSub64X}, {opMul64K, opMul64X}, {opDiv64K, opDiv64X},
		{opOr64K, opOr64X}, {opAnd64K, opAnd64X}, {opLsh64K, opLsh64X}, {opRsh64K, opRsh64X},
		{opNeg64, opInvalid}, {opMod64K, opMod64X}, {opXor64K, opXor64X}, {opMov64K, opMov64X},
		{opArsh64K, opArsh64X},
	},
	{
		{opAdd32K, opAdd32X}, {opSub32K, opSub32X}, {opMul32K, opMul32X}, {opDiv32K, opDiv32X},
		{opOr32K, opOr32X}, {opAnd32K, opAnd32X}, {opLsh32K, opLsh32X}, {opRsh32K, opRsh32X},
		{opNeg32, opInvalid}, {opMod32K, opMod32X}, {opXor32K, opXor32X}, {opMov32K, opMov32X},
		{opArsh32K, opArsh32X},
	},
}

// jmpOps maps the operation nibble of a JMP (index 0) or JMP32 (index 1)
// conditional jump and its source bit to the internal opcode.
var jmpOps = [2][16][2]uint8{
	{
		1: {opJEQ64K, opJEQ64X}, 2: {opJGT64K, opJGT64X}, 3: {opJGE64K, opJGE64X},
		4: {opJSET64K, opJSET64X}, 5: {opJNE64K, opJNE64X}, 6: {opJSGT64K, opJSGT64X},
		7: {opJSGE64K, opJSGE64X}, 0xa: {opJLT64K, opJLT64X}, 0xb: {opJLE64K, opJLE64X},
		0xc: {opJSLT64K, opJSLT64X}, 0xd: {opJSLE64K, opJSLE64X},
	},
	{
		1: {opJEQ32K, opJEQ32X}, 2: {opJGT32K, opJGT32X}, 3: {opJGE32K, opJGE32X},
		4: {opJSET32K, opJSET32X}, 5: {opJNE32K, opJNE32X}, 6: {opJSGT32K, opJSGT32X},
		7: {opJSGE32K, opJSGE32X}, 0xa: {opJLT32K, opJLT32X}, 0xb: {opJLE32K, opJLE32X},
		0xc: {opJSLT32K, opJSLT32X}, 0xd: {opJSLE32K, opJSLE32X},
	},
}

// atomicOps maps the immediate of an atomic instruction to the internal
// opcode of the 32-bit variant; the 64-bit one follows at a fixed distance.
var atomicOps = map[int32]uint8{
	isa.AtomicAdd:                   opAtomicAdd32,
	isa.AtomicOr:                    opAtomicOr32,
	isa.AtomicAnd:                   opAtomicAnd32,
	isa.AtomicXor:                   opAtomicXor32,
	isa.AtomicAdd | isa.AtomicFetch: opAtomicFetchAdd32,
	isa.AtomicOr | isa.AtomicFetch:  opAtomicFetchOr32,
	isa.AtomicAnd | isa.AtomicFetch: opAtomicFetchAnd32,
	isa.AtomicXor | isa.AtomicFetch: opAtomicFetchXor32,
	isa.AtomicXchg:                  opAtomicXchg32,
	isa.AtomicCmpXchg:               opAtomicCmpXchg32,
}

const atomic64Delta = opAtomicAdd64 - opAtomicAdd32

// decode translates instruction slots into the internal form, followed by
// the opFallOff sentinel. It rejects everything the run loop relies on not
// happening: unknown encodings, registers beyond r10, writes to r10, jump
// and call targets outside the program or inside an ld_imm64, and a
// truncated ld_imm64. After decode, every reachable pc indexes the slice.
func decode(insns []isa.Instruction) ([]insn, error) {
	n := len(insns)
	code := make([]insn, n+1)
	code[n].op = opFallOff
	// Mark second halves first so that jumps into them can be refused.
	second := make([]bool, n+1)
	for i := 0; i < n; i++ {
		if insns[i].Opcode == isa.OpLdImm64 {
			if i+1 >= n {
				return nil, fmt.Errorf("instruction %d: ld_imm64 is truncated (its second slot is missing)", i)
			}
			second[i+1] = true
			i++
		}
	}
	target := func(i int, rel int64) (int32, error) {
		t := int64(i) + 1 + rel
		if t < 0 || t >= int64(n) {
			return 0, fmt.Errorf("target %d is outside the program (0..%d)", t, n-1)
		}
		if second[t] {
			return 0, fmt.Errorf("target %d is the second slot of an ld_imm64", t)
		}
		return int32(t), nil
	}
	for i := 0; i < n; i++ {
		ins := insns[i]
		if ins.Dst > isa.R10 || ins.Src > isa.R10 && ins.Opcode != isa.OpLdImm64 && ins.Opcode != isa.OpCall {
			return nil, fmt.Errorf("instruction %d (opcode %#02x): invalid register (dst r%d, src r%d)", i, ins.Opcode, ins.Dst, ins.Src)
		}
		out := insn{dst: ins.Dst, src: ins.Src, k: uint64(int64(ins.Imm))}
		var err error
		switch isa.Class(ins.Opcode) {
		case isa.ClassALU, isa.ClassALU64:
			out.op, err = decodeALU(ins)
		case isa.ClassJMP, isa.ClassJMP32:
			out, err = decodeJump(ins, i, out, target)
		case isa.ClassLD:
			if ins.Opcode != isa.OpLdImm64 {
				if m := isa.Mode(ins.Opcode); m == isa.ModeABS || m == isa.ModeIND {
					return nil, fmt.Errorf("instruction %d (opcode %#02x): legacy packet access (BPF_ABS/BPF_IND) is not supported", i, ins.Opcode)
				}
				break
			}
			if ins.Dst == isa.R10 {
				return nil, fmt.Errorf("instruction %d (opcode %#02x): r10 is the read-only frame pointer", i, ins.Opcode)
			}
			// Any pseudo source is accepted: loader.Finalize has already
			// replaced map and function references with plain values.
			out.op, out.src = opLdImm64, 0
			out.k = isa.Imm64(insns, i)
			code[i] = out
			i++ // the second slot stays opInvalid
			continue
		case isa.ClassLDX:
			out.op = decodeLoad(ins.Opcode)
			out.off = int32(ins.Offset)
		case isa.ClassST:
			if isa.Mode(ins.Opcode) == isa.ModeMEM {
				out.op = [4]uint8{opStW, opStH, opStB, opStDW}[isa.Size(ins.Opcode)>>3]
			}
			out.off = int32(ins.Offset)
		case isa.ClassSTX:
			out.off = int32(ins.Offset)
			switch isa.Mode(ins.Opcode) {
			case isa.ModeMEM:
				out.op = [4]uint8{opStxW, opStxH, opStxB, opStxDW}[isa.Size(ins.Opcode)>>3]
			case isa.ModeATOMIC:
				out.op, err = decodeAtomic(ins)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("instruction %d (opcode %#02x): %w", i, ins.Opcode, err)
		}
		if out.op == opInvalid {
			return nil, fmt.Errorf("instruction %d: unknown opcode %#02x (src r%d, offset %d, imm %d)", i, ins.Opcode, ins.Src, ins.Offset, ins.Imm)
		}
		if writesReg(out, 10) {
			return nil, fmt.Errorf("instruction %d (opcode %#02x): r10 is the read-only frame pointer", i, ins.Opcode)
		}
		code[i] = out
	}
	return code, nil
}

// writesReg reports whether the decoded instruction writes register r.
func writesReg(in insn, r uint8) bool {
	switch {
	case in.op >= opAdd64K && in.op <= opArsh32X, in.op >= opLdxB && in.op <= opLdxSW, in.op == opLdImm64:
		return in.dst == r
	case in.op >= opAtomicFetchAdd32 && in.op <= opAtomicXchg32, in.op >= opAtomicFetchAdd64 && in.op <= opAtomicXchg64:
		return in.src == r
	}
	return false
}

func decodeALU(ins isa.Instruction) (uint8, error) {
	alu32 := 0
	if isa.Class(ins.Opcode) == isa.ClassALU {
		alu32 = 1
	}
	x := 0
	if isa.Source(ins.Opcode) == isa.SrcX {
		x = 1
	}
	opn := isa.ALUOp(ins.Opcode)
	op := aluOps[alu32][opn>>4][x]
	switch opn {
	case isa.ALUDiv, isa.ALUMod:
		switch ins.Offset {
		case 0:
		case 1: // signed variants follow their unsigned pair
			op += opSDiv64K - opDiv64K
		default:
			return 0, fmt.Errorf("division/modulo offset must be 0 or 1, not %d", ins.Offset)
		}
	case isa.ALUMov:
		switch {
		case ins.Offset == 0:
		case x == 1 && (ins.Offset == 8 || ins.Offset == 16 || ins.Offset == 32 && alu32 == 0):
			op = [2][3]uint8{{opMovSX64B, opMovSX64H, opMovSX64W}, {opMovSX32B, opMovSX32H}}[alu32][ins.Offset/16]
		default:
			return 0, fmt.Errorf("invalid offset %d for mov", ins.Offset)
		}
	case isa.ALUEnd:
		return decodeEnd(ins, alu32 == 0, x == 1)
	default:
		if ins.Offset != 0 {
			return 0, fmt.Errorf("offset %d must be 0 for this ALU operation", ins.Offset)
		}
	}
	return op, nil
}

// decodeEnd resolves byte-order instructions: bswap (ALU64) always swaps;
// le/be (ALU) swap only when the requested order differs from the host's,
// otherwise they truncate to the width.
func decodeEnd(ins isa.Instruction, alu64, toBE bool) (uint8, error) {
	w := 0
	switch ins.Imm {
	case 16:
		w = 0
	case 32:
		w = 1
	case 64:
		w = 2
	default:
		return 0, fmt.Errorf("byte swap width %d is not 16, 32 or 64", ins.Imm)
	}
	swaps := [3]uint8{opSwap16, opSwap32, opSwap64}
	if alu64 {
		if toBE {
			return 0, fmt.Errorf("bswap must use the K source")
		}
		return swaps[w], nil
	}
	if toBE == bigEndian {
		return [3]uint8{opZext16, opZext32, opNop}[w], nil
	}
	return swaps[w], nil
}

func decodeLoad(opcode uint8) uint8 {
	sz := isa.Size(opcode) >> 3
	switch isa.Mode(opcode) {
	case isa.ModeMEM:
		return [4]uint8{opLdxW, opLdxH, opLdxB, opLdxDW}[sz]
	case isa.ModeMEMSX:
		return [4]uint8{opLdxSW, opLdxSH, opLdxSB, opInvalid}[sz]
	}
	return opInvalid
}

func decodeAtomic(ins isa.Instruction) (uint8, error) {
	op, ok := atomicOps[ins.Imm]
	if !ok {
		return 0, fmt.Errorf("unknown atomic operation %#x", ins.Imm)
	}
	switch isa.Size(ins.Opcode) {
	case isa.SizeW:
		return op, nil
	case isa.SizeDW:
		return op + atomic64Delta, nil
	}
	return 0, fmt.Errorf("atomic operations must be 32 or 64 bits wide")
}

func decodeJump(ins isa.Instruction, i int, out insn, target func(int, int64) (int32, error)) (insn, error) {
	jmp32 := 0
	if isa.Class(ins.Opcode) == isa.ClassJMP32 {
		jmp32 = 1
	}
	x := 0
	if isa.Source(ins.Opcode) == isa.SrcX {
		x = 1
	}
	var err error
	switch opn := isa.ALUOp(ins.Opcode); {
	case ins.Opcode == isa.OpJA:
		out.op = opJA
		out.off, err = target(i, int64(ins.Offset))
	case ins.Opcode == isa.OpJA32: // gotol: the offset is in imm
		out.op = opJA
		out.off, err = target(i, int64(ins.Imm))
	case ins.Opcode == isa.OpExit:
		out.op = opExit
	case ins.Opcode == isa.OpCallX:
		out.op = opCallX
	case ins.Opcode == isa.OpCall:
		switch ins.Src {
		case isa.CallHelper:
			if ins.Imm < 0 || ins.Imm >= 256 {
				return out, fmt.Errorf("helper number %d is out of range", ins.Imm)
			}
			out.op, out.src = opCall, 0
		case isa.CallLocal:
			out.op, out.src = opCallLocal, 0
			out.off, err = target(i, int64(ins.Imm))
		case isa.CallKfunc:
			return out, fmt.Errorf("kfunc calls are not supported")
		default:
			return out, fmt.Errorf("unknown call kind (src %d)", ins.Src)
		}
	case opn == isa.JmpJA || opn == isa.JmpCall || opn == isa.JmpExit:
		// left invalid: other encodings of these operations
	default:
		out.op = jmpOps[jmp32][opn>>4][x]
		if out.op != opInvalid {
			out.off, err = target(i, int64(ins.Offset))
		}
	}
	return out, err
}
