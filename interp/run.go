package interp

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/bpfhost/bpfhost/vm"
)

// exec runs e from pc with the given arguments in r1-r5 and frame pointer
// fp until the exit of the entry frame. base is the frame depth fp belongs
// to (non-zero for callbacks run through ctx.Call); st is the per-CPU state
// if a helper has already needed it in this run.
func exec(e *executable, ctx *vm.Context, st *state, pc int, a1, a2, a3, a4, a5, fp uint64, base int, budget int64) (uint64, error) {
	var m machine
	m.r[1], m.r[2], m.r[3], m.r[4], m.r[5], m.r[10] = a1, a2, a3, a4, a5, fp
	m.e, m.st, m.base, m.fp0 = e, st, base, fp
	m.pc, m.budget, m.seg = pc, budget, pc
	m.stackLo = vm.AddrOf(ctx.CPU.Stack)
	for {
		ret, tail, err := m.loop(ctx)
		if !tail {
			if err == nil && m.st != nil {
				m.st.budget = m.budget
			}
			return ret, err
		}
	}
}

// machine is the state of one exec. The run loop keeps only the program
// counter in a machine register; everything else is here, on the goroutine
// stack (exec's frame), with no allocation.
type machine struct {
	// r are the eBPF registers, indexed with a mask so that the compiler
	// drops bounds checks (decode guarantees indexes below 11).
	r [16]uint64
	// frames saved by local calls in this exec; nf is how many.
	frames [vm.MaxCallDepth]frame
	nf     int
	// base is the frame depth of fp0, the entry frame's r10.
	base int
	fp0  uint64
	// e is the running program (a tail call replaces it); tails counts
	// tail calls taken.
	e     *executable
	tails int
	st    *state
	// pc holds the loop's program counter across out-of-line calls.
	pc int
	// budget is the number of instructions the run may still execute
	// (see charge); seg is where the current straight-line segment began.
	budget int64
	seg    int
	// stackLo is the lowest stack address, for the inline stack check.
	stackLo uint64
}

// loop runs m.e from m.pc until exit, an error or a tail call (tail is
// true; m is then set up for the target).
//
// Go's register allocator spills every value that is live across a call at
// the value's definition; for the loop-carried pc that would mean a store
// on every instruction. So the cases that call out (checked accesses off
// the stack and packet, helper calls) store pc into m and reload it
// afterwards: the register value is never live across a call, and only
// those rare paths pay.
//
// The budget is charged per straight-line segment rather than per
// instruction (see charge), so the common path does not touch it at all.
//
// In checked mode, stack and packet accesses (the most frequent) are
// checked inline; anything else goes through ctx.Check.
func (m *machine) loop(ctx *vm.Context) (ret uint64, tail bool, err error) {
	r := &m.r
	code := m.e.code
	checked := m.e.prog.Checked
	stackLo := m.stackLo
	base := unsafe.Pointer(unsafe.SliceData(code))
	pc := m.pc
	for {
		// decode guarantees that pc is always within code: jump and call
		// targets are validated and the sentinel ends the slice. So the
		// bounds check is skipped.
		ins := (*insn)(unsafe.Add(base, uintptr(pc)*unsafe.Sizeof(insn{})))
		pc++
		switch ins.op {
		case opInvalid:
			return 0, false, invalidError(pc - 1)

		// 64-bit ALU
		case opAdd64K:
			r[ins.dst&15] += ins.k
		case opAdd64X:
			r[ins.dst&15] += r[ins.src&15]
		case opSub64K:
			r[ins.dst&15] -= ins.k
		case opSub64X:
			r[ins.dst&15] -= r[ins.src&15]
		case opMul64K:
			r[ins.dst&15] *= ins.k
		case opMul64X:
			r[ins.dst&15] *= r[ins.src&15]
		case opDiv64K:
			if ins.k == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] /= ins.k
			}
		case opDiv64X:
			if v := r[ins.src&15]; v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] /= v
			}
		case opSDiv64K:
			if ins.k == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(int64(r[ins.dst&15]) / int64(ins.k))
			}
		case opSDiv64X:
			if v := r[ins.src&15]; v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(int64(r[ins.dst&15]) / int64(v))
			}
		case opOr64K:
			r[ins.dst&15] |= ins.k
		case opOr64X:
			r[ins.dst&15] |= r[ins.src&15]
		case opAnd64K:
			r[ins.dst&15] &= ins.k
		case opAnd64X:
			r[ins.dst&15] &= r[ins.src&15]
		case opLsh64K:
			r[ins.dst&15] <<= ins.k & 63
		case opLsh64X:
			r[ins.dst&15] <<= r[ins.src&15] & 63
		case opRsh64K:
			r[ins.dst&15] >>= ins.k & 63
		case opRsh64X:
			r[ins.dst&15] >>= r[ins.src&15] & 63
		case opNeg64:
			r[ins.dst&15] = -r[ins.dst&15]
		case opMod64K:
			if ins.k != 0 {
				r[ins.dst&15] %= ins.k
			}
		case opMod64X:
			if v := r[ins.src&15]; v != 0 {
				r[ins.dst&15] %= v
			}
		case opSMod64K:
			if ins.k != 0 {
				r[ins.dst&15] = uint64(int64(r[ins.dst&15]) % int64(ins.k))
			}
		case opSMod64X:
			if v := r[ins.src&15]; v != 0 {
				r[ins.dst&15] = uint64(int64(r[ins.dst&15]) % int64(v))
			}
		case opXor64K:
			r[ins.dst&15] ^= ins.k
		case opXor64X:
			r[ins.dst&15] ^= r[ins.src&15]
		case opMov64K:
			r[ins.dst&15] = ins.k
		case opMov64X:
			r[ins.dst&15] = r[ins.src&15]
		case opMovSX64B:
			r[ins.dst&15] = uint64(int64(int8(r[ins.src&15])))
		case opMovSX64H:
			r[ins.dst&15] = uint64(int64(int16(r[ins.src&15])))
		case opMovSX64W:
			r[ins.dst&15] = uint64(int64(int32(r[ins.src&15])))
		case opArsh64K:
			r[ins.dst&15] = uint64(int64(r[ins.dst&15]) >> (ins.k & 63))
		case opArsh64X:
			r[ins.dst&15] = uint64(int64(r[ins.dst&15]) >> (r[ins.src&15] & 63))

		// Byte order
		case opSwap16:
			r[ins.dst&15] = uint64(bits.ReverseBytes16(uint16(r[ins.dst&15])))
		case opSwap32:
			r[ins.dst&15] = uint64(bits.ReverseBytes32(uint32(r[ins.dst&15])))
		case opSwap64:
			r[ins.dst&15] = bits.ReverseBytes64(r[ins.dst&15])
		case opZext16:
			r[ins.dst&15] = uint64(uint16(r[ins.dst&15]))
		case opZext32:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]))
		case opNop:

		// 32-bit ALU
		case opAdd32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) + uint32(ins.k))
		case opAdd32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) + uint32(r[ins.src&15]))
		case opSub32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) - uint32(ins.k))
		case opSub32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) - uint32(r[ins.src&15]))
		case opMul32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) * uint32(ins.k))
		case opMul32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) * uint32(r[ins.src&15]))
		case opDiv32K:
			if v := uint32(ins.k); v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) / v)
			}
		case opDiv32X:
			if v := uint32(r[ins.src&15]); v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) / v)
			}
		case opSDiv32K:
			if v := int32(ins.k); v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) / v))
			}
		case opSDiv32X:
			if v := int32(r[ins.src&15]); v == 0 {
				r[ins.dst&15] = 0
			} else {
				r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) / v))
			}
		case opOr32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) | uint32(ins.k))
		case opOr32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) | uint32(r[ins.src&15]))
		case opAnd32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) & uint32(ins.k))
		case opAnd32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) & uint32(r[ins.src&15]))
		case opLsh32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) << (ins.k & 31))
		case opLsh32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) << (r[ins.src&15] & 31))
		case opRsh32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) >> (ins.k & 31))
		case opRsh32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) >> (r[ins.src&15] & 31))
		case opNeg32:
			r[ins.dst&15] = uint64(-uint32(r[ins.dst&15]))
		case opMod32K:
			if v := uint32(ins.k); v == 0 {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]))
			} else {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) % v)
			}
		case opMod32X:
			if v := uint32(r[ins.src&15]); v == 0 {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]))
			} else {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) % v)
			}
		case opSMod32K:
			if v := int32(ins.k); v == 0 {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]))
			} else {
				r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) % v))
			}
		case opSMod32X:
			if v := int32(r[ins.src&15]); v == 0 {
				r[ins.dst&15] = uint64(uint32(r[ins.dst&15]))
			} else {
				r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) % v))
			}
		case opXor32K:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) ^ uint32(ins.k))
		case opXor32X:
			r[ins.dst&15] = uint64(uint32(r[ins.dst&15]) ^ uint32(r[ins.src&15]))
		case opMov32K:
			r[ins.dst&15] = uint64(uint32(ins.k))
		case opMov32X:
			r[ins.dst&15] = uint64(uint32(r[ins.src&15]))
		case opMovSX32B:
			r[ins.dst&15] = uint64(uint32(int32(int8(r[ins.src&15]))))
		case opMovSX32H:
			r[ins.dst&15] = uint64(uint32(int32(int16(r[ins.src&15]))))
		case opArsh32K:
			r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) >> (ins.k & 31)))
		case opArsh32X:
			r[ins.dst&15] = uint64(uint32(int32(r[ins.dst&15]) >> (r[ins.src&15] & 31)))

		// Loads
		case opLdxB:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-1 && !inPacket(ctx, a, 1) {
				m.pc = pc
				if err := m.check(ctx, a, 1, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = vm.Load8(a)
		case opLdxH:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-2 && !inPacket(ctx, a, 2) {
				m.pc = pc
				if err := m.check(ctx, a, 2, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = load16(a)
		case opLdxW:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-4 && !inPacket(ctx, a, 4) {
				m.pc = pc
				if err := m.check(ctx, a, 4, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = load32(a)
		case opLdxDW:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-8 && !inPacket(ctx, a, 8) {
				m.pc = pc
				if err := m.check(ctx, a, 8, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = load64(a)
		case opLdxSB:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-1 && !inPacket(ctx, a, 1) {
				m.pc = pc
				if err := m.check(ctx, a, 1, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = uint64(int64(int8(vm.Load8(a))))
		case opLdxSH:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-2 && !inPacket(ctx, a, 2) {
				m.pc = pc
				if err := m.check(ctx, a, 2, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = uint64(int64(int16(load16(a))))
		case opLdxSW:
			d := ins.dst & 15 // computed before the check: ins is not kept across calls
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && a-stackLo > vm.StackBytes-4 && !inPacket(ctx, a, 4) {
				m.pc = pc
				if err := m.check(ctx, a, 4, false); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			r[d] = uint64(int64(int32(load32(a))))
		case opLdImm64:
			r[ins.dst&15] = ins.k
			pc++

		// Stores
		case opStB, opStxB:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			v := ins.k
			if ins.op == opStxB {
				v = r[ins.src&15]
			}
			if checked && a-stackLo > vm.StackBytes-1 && !inPacket(ctx, a, 1) {
				m.pc = pc
				if err := m.check(ctx, a, 1, true); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			vm.Store8(a, v)
		case opStH, opStxH:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			v := ins.k
			if ins.op == opStxH {
				v = r[ins.src&15]
			}
			if checked && a-stackLo > vm.StackBytes-2 && !inPacket(ctx, a, 2) {
				m.pc = pc
				if err := m.check(ctx, a, 2, true); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			store16(a, v)
		case opStW, opStxW:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			v := ins.k
			if ins.op == opStxW {
				v = r[ins.src&15]
			}
			if checked && a-stackLo > vm.StackBytes-4 && !inPacket(ctx, a, 4) {
				m.pc = pc
				if err := m.check(ctx, a, 4, true); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			store32(a, v)
		case opStDW, opStxDW:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			v := ins.k
			if ins.op == opStxDW {
				v = r[ins.src&15]
			}
			if checked && a-stackLo > vm.StackBytes-8 && !inPacket(ctx, a, 8) {
				m.pc = pc
				if err := m.check(ctx, a, 8, true); err != nil {
					return 0, false, err
				}
				pc = m.pc
			}
			store64(a, v)

		// Atomics
		case opAtomicAdd32, opAtomicOr32, opAtomicAnd32, opAtomicXor32,
			opAtomicFetchAdd32, opAtomicFetchOr32, opAtomicFetchAnd32, opAtomicFetchXor32,
			opAtomicXchg32, opAtomicCmpXchg32:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && (a-stackLo > vm.StackBytes-4 || a&3 != 0) {
				m.pc = pc
				if err := m.checkAtomic(ctx, a, 4); err != nil {
					return 0, false, err
				}
				pc = m.pc
				ins = &code[pc-1] // not kept live across the call
			}
			p := vm.Atomic32(a)
			v := uint32(r[ins.src&15])
			switch ins.op {
			case opAtomicAdd32:
				atomic.AddUint32(p, v)
			case opAtomicOr32:
				atomic.OrUint32(p, v)
			case opAtomicAnd32:
				atomic.AndUint32(p, v)
			case opAtomicXor32:
				xor32(p, v)
			case opAtomicFetchAdd32:
				r[ins.src&15] = uint64(atomic.AddUint32(p, v) - v)
			case opAtomicFetchOr32:
				r[ins.src&15] = uint64(atomic.OrUint32(p, v))
			case opAtomicFetchAnd32:
				r[ins.src&15] = uint64(atomic.AndUint32(p, v))
			case opAtomicFetchXor32:
				r[ins.src&15] = uint64(xor32(p, v))
			case opAtomicXchg32:
				r[ins.src&15] = uint64(atomic.SwapUint32(p, v))
			case opAtomicCmpXchg32:
				r[0] = uint64(cmpxchg32(p, uint32(r[0]), v))
			}
		case opAtomicAdd64, opAtomicOr64, opAtomicAnd64, opAtomicXor64,
			opAtomicFetchAdd64, opAtomicFetchOr64, opAtomicFetchAnd64, opAtomicFetchXor64,
			opAtomicXchg64, opAtomicCmpXchg64:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && (a-stackLo > vm.StackBytes-8 || a&7 != 0) {
				m.pc = pc
				if err := m.checkAtomic(ctx, a, 8); err != nil {
					return 0, false, err
				}
				pc = m.pc
				ins = &code[pc-1]
			}
			p := vm.Atomic64(a)
			v := r[ins.src&15]
			switch ins.op {
			case opAtomicAdd64:
				atomic.AddUint64(p, v)
			case opAtomicOr64:
				atomic.OrUint64(p, v)
			case opAtomicAnd64:
				atomic.AndUint64(p, v)
			case opAtomicXor64:
				xor64(p, v)
			case opAtomicFetchAdd64:
				r[ins.src&15] = atomic.AddUint64(p, v) - v
			case opAtomicFetchOr64:
				r[ins.src&15] = atomic.OrUint64(p, v)
			case opAtomicFetchAnd64:
				r[ins.src&15] = atomic.AndUint64(p, v)
			case opAtomicFetchXor64:
				r[ins.src&15] = xor64(p, v)
			case opAtomicXchg64:
				r[ins.src&15] = atomic.SwapUint64(p, v)
			case opAtomicCmpXchg64:
				r[0] = cmpxchg64(p, r[0], v)
			}

		// Jumps
		case opJA:
			if pc = m.jump(pc, ins); pc < 0 {
				return 0, false, budgetError(m.pc)
			}
		case opJEQ64K:
			if r[ins.dst&15] == ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJEQ64X:
			if r[ins.dst&15] == r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGT64K:
			if r[ins.dst&15] > ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGT64X:
			if r[ins.dst&15] > r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGE64K:
			if r[ins.dst&15] >= ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGE64X:
			if r[ins.dst&15] >= r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSET64K:
			if r[ins.dst&15]&ins.k != 0 {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSET64X:
			if r[ins.dst&15]&r[ins.src&15] != 0 {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJNE64K:
			if r[ins.dst&15] != ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJNE64X:
			if r[ins.dst&15] != r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGT64K:
			if int64(r[ins.dst&15]) > int64(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGT64X:
			if int64(r[ins.dst&15]) > int64(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGE64K:
			if int64(r[ins.dst&15]) >= int64(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGE64X:
			if int64(r[ins.dst&15]) >= int64(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLT64K:
			if r[ins.dst&15] < ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLT64X:
			if r[ins.dst&15] < r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLE64K:
			if r[ins.dst&15] <= ins.k {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLE64X:
			if r[ins.dst&15] <= r[ins.src&15] {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLT64K:
			if int64(r[ins.dst&15]) < int64(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLT64X:
			if int64(r[ins.dst&15]) < int64(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLE64K:
			if int64(r[ins.dst&15]) <= int64(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLE64X:
			if int64(r[ins.dst&15]) <= int64(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJEQ32K:
			if uint32(r[ins.dst&15]) == uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJEQ32X:
			if uint32(r[ins.dst&15]) == uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGT32K:
			if uint32(r[ins.dst&15]) > uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGT32X:
			if uint32(r[ins.dst&15]) > uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGE32K:
			if uint32(r[ins.dst&15]) >= uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJGE32X:
			if uint32(r[ins.dst&15]) >= uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSET32K:
			if uint32(r[ins.dst&15])&uint32(ins.k) != 0 {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSET32X:
			if uint32(r[ins.dst&15])&uint32(r[ins.src&15]) != 0 {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJNE32K:
			if uint32(r[ins.dst&15]) != uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJNE32X:
			if uint32(r[ins.dst&15]) != uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGT32K:
			if int32(r[ins.dst&15]) > int32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGT32X:
			if int32(r[ins.dst&15]) > int32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGE32K:
			if int32(r[ins.dst&15]) >= int32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSGE32X:
			if int32(r[ins.dst&15]) >= int32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLT32K:
			if uint32(r[ins.dst&15]) < uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLT32X:
			if uint32(r[ins.dst&15]) < uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLE32K:
			if uint32(r[ins.dst&15]) <= uint32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJLE32X:
			if uint32(r[ins.dst&15]) <= uint32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLT32K:
			if int32(r[ins.dst&15]) < int32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLT32X:
			if int32(r[ins.dst&15]) < int32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLE32K:
			if int32(r[ins.dst&15]) <= int32(ins.k) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}
		case opJSLE32X:
			if int32(r[ins.dst&15]) <= int32(r[ins.src&15]) {
				if pc = m.jump(pc, ins); pc < 0 {
					return 0, false, budgetError(m.pc)
				}
			}

		// Calls
		case opCall, opCallX:
			m.pc = pc
			tail, err := m.callHelper(ctx, ins)
			if err != nil || tail {
				return 0, tail, err
			}
			pc = m.pc
		case opCallLocal:
			if m.base+m.nf+1 >= vm.MaxCallDepth || m.nf >= len(m.frames) {
				return 0, false, depthError(pc - 1)
			}
			m.frames[m.nf] = frame{r6: r[6], r7: r[7], r8: r[8], r9: r[9], fp: r[10], ret: pc}
			m.nf++
			r[10] -= vm.StackSize
			if !m.charge(pc, int(ins.off)) {
				return 0, false, budgetError(pc - 1)
			}
			pc = int(ins.off)
		case opExit:
			if m.nf == 0 {
				return r[0], false, nil
			}
			m.nf--
			f := &m.frames[m.nf]
			r[6], r[7], r[8], r[9], r[10] = f.r6, f.r7, f.r8, f.r9, f.fp
			if !m.charge(pc, f.ret) {
				return 0, false, budgetError(pc - 1)
			}
			pc = f.ret

		case opFallOff:
			return 0, false, fallOffError(m.e, pc-1)
		default:
			return 0, false, invalidError(pc - 1)
		}
	}
}
