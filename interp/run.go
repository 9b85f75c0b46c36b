package interp

import (
	"math/bits"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/vm"
)

// exec runs e from pc with the given arguments in r1-r5 and frame pointer
// fp until the exit of the entry frame. base is the frame depth fp belongs
// to (non-zero for callbacks run through ctx.Call); st is the per-CPU state
// if a helper has already needed it in this run.
//
// The registers live in a local array and the frames in another: both stay
// on the goroutine stack, cost no allocation, and index with a mask so the
// compiler drops bounds checks. Every memory access tests the loop-invariant
// checked flag; verified programs skip ctx.Check.
func exec(e *executable, ctx *vm.Context, st *state, pc int, a1, a2, a3, a4, a5, fp uint64, base int, budget int64) (uint64, error) {
	var r [16]uint64
	r[1], r[2], r[3], r[4], r[5], r[10] = a1, a2, a3, a4, a5, fp
	var frames [vm.MaxCallDepth]frame
	nf := 0 // frames saved by local calls in this exec
	tails := 0
	code := e.code
	checked := e.prog.Checked
	for {
		budget--
		if budget < 0 {
			return 0, budgetError(pc)
		}
		ins := &code[pc]
		pc++
		switch ins.op {
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
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 1, false) {
				return 0, ctx.CheckError(pc-1, a, 1, false)
			}
			r[ins.dst&15] = vm.Load8(a)
		case opLdxH:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 2, false) {
				return 0, ctx.CheckError(pc-1, a, 2, false)
			}
			r[ins.dst&15] = load16(a)
		case opLdxW:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 4, false) {
				return 0, ctx.CheckError(pc-1, a, 4, false)
			}
			r[ins.dst&15] = load32(a)
		case opLdxDW:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 8, false) {
				return 0, ctx.CheckError(pc-1, a, 8, false)
			}
			r[ins.dst&15] = load64(a)
		case opLdxSB:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 1, false) {
				return 0, ctx.CheckError(pc-1, a, 1, false)
			}
			r[ins.dst&15] = uint64(int64(int8(vm.Load8(a))))
		case opLdxSH:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 2, false) {
				return 0, ctx.CheckError(pc-1, a, 2, false)
			}
			r[ins.dst&15] = uint64(int64(int16(load16(a))))
		case opLdxSW:
			a := r[ins.src&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 4, false) {
				return 0, ctx.CheckError(pc-1, a, 4, false)
			}
			r[ins.dst&15] = uint64(int64(int32(load32(a))))
		case opLdImm64:
			r[ins.dst&15] = ins.k
			pc++

		// Stores
		case opStB, opStxB:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 1, true) {
				return 0, ctx.CheckError(pc-1, a, 1, true)
			}
			v := ins.k
			if ins.op == opStxB {
				v = r[ins.src&15]
			}
			vm.Store8(a, v)
		case opStH, opStxH:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 2, true) {
				return 0, ctx.CheckError(pc-1, a, 2, true)
			}
			v := ins.k
			if ins.op == opStxH {
				v = r[ins.src&15]
			}
			store16(a, v)
		case opStW, opStxW:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 4, true) {
				return 0, ctx.CheckError(pc-1, a, 4, true)
			}
			v := ins.k
			if ins.op == opStxW {
				v = r[ins.src&15]
			}
			store32(a, v)
		case opStDW, opStxDW:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked && !ctx.Check(a, 8, true) {
				return 0, ctx.CheckError(pc-1, a, 8, true)
			}
			v := ins.k
			if ins.op == opStxDW {
				v = r[ins.src&15]
			}
			store64(a, v)

		// Atomics
		case opAtomicAdd32, opAtomicOr32, opAtomicAnd32, opAtomicXor32,
			opAtomicFetchAdd32, opAtomicFetchOr32, opAtomicFetchAnd32, opAtomicFetchXor32,
			opAtomicXchg32, opAtomicCmpXchg32:
			a := r[ins.dst&15] + uint64(int64(ins.off))
			if checked {
				if err := checkAtomic(ctx, pc-1, a, 4); err != nil {
					return 0, err
				}
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
			if checked {
				if err := checkAtomic(ctx, pc-1, a, 8); err != nil {
					return 0, err
				}
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
			pc = int(ins.off)
		case opJEQ64K:
			if r[ins.dst&15] == ins.k {
				pc = int(ins.off)
			}
		case opJEQ64X:
			if r[ins.dst&15] == r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJGT64K:
			if r[ins.dst&15] > ins.k {
				pc = int(ins.off)
			}
		case opJGT64X:
			if r[ins.dst&15] > r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJGE64K:
			if r[ins.dst&15] >= ins.k {
				pc = int(ins.off)
			}
		case opJGE64X:
			if r[ins.dst&15] >= r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJSET64K:
			if r[ins.dst&15]&ins.k != 0 {
				pc = int(ins.off)
			}
		case opJSET64X:
			if r[ins.dst&15]&r[ins.src&15] != 0 {
				pc = int(ins.off)
			}
		case opJNE64K:
			if r[ins.dst&15] != ins.k {
				pc = int(ins.off)
			}
		case opJNE64X:
			if r[ins.dst&15] != r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJSGT64K:
			if int64(r[ins.dst&15]) > int64(ins.k) {
				pc = int(ins.off)
			}
		case opJSGT64X:
			if int64(r[ins.dst&15]) > int64(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSGE64K:
			if int64(r[ins.dst&15]) >= int64(ins.k) {
				pc = int(ins.off)
			}
		case opJSGE64X:
			if int64(r[ins.dst&15]) >= int64(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJLT64K:
			if r[ins.dst&15] < ins.k {
				pc = int(ins.off)
			}
		case opJLT64X:
			if r[ins.dst&15] < r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJLE64K:
			if r[ins.dst&15] <= ins.k {
				pc = int(ins.off)
			}
		case opJLE64X:
			if r[ins.dst&15] <= r[ins.src&15] {
				pc = int(ins.off)
			}
		case opJSLT64K:
			if int64(r[ins.dst&15]) < int64(ins.k) {
				pc = int(ins.off)
			}
		case opJSLT64X:
			if int64(r[ins.dst&15]) < int64(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSLE64K:
			if int64(r[ins.dst&15]) <= int64(ins.k) {
				pc = int(ins.off)
			}
		case opJSLE64X:
			if int64(r[ins.dst&15]) <= int64(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJEQ32K:
			if uint32(r[ins.dst&15]) == uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJEQ32X:
			if uint32(r[ins.dst&15]) == uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJGT32K:
			if uint32(r[ins.dst&15]) > uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJGT32X:
			if uint32(r[ins.dst&15]) > uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJGE32K:
			if uint32(r[ins.dst&15]) >= uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJGE32X:
			if uint32(r[ins.dst&15]) >= uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSET32K:
			if uint32(r[ins.dst&15])&uint32(ins.k) != 0 {
				pc = int(ins.off)
			}
		case opJSET32X:
			if uint32(r[ins.dst&15])&uint32(r[ins.src&15]) != 0 {
				pc = int(ins.off)
			}
		case opJNE32K:
			if uint32(r[ins.dst&15]) != uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJNE32X:
			if uint32(r[ins.dst&15]) != uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSGT32K:
			if int32(r[ins.dst&15]) > int32(ins.k) {
				pc = int(ins.off)
			}
		case opJSGT32X:
			if int32(r[ins.dst&15]) > int32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSGE32K:
			if int32(r[ins.dst&15]) >= int32(ins.k) {
				pc = int(ins.off)
			}
		case opJSGE32X:
			if int32(r[ins.dst&15]) >= int32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJLT32K:
			if uint32(r[ins.dst&15]) < uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJLT32X:
			if uint32(r[ins.dst&15]) < uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJLE32K:
			if uint32(r[ins.dst&15]) <= uint32(ins.k) {
				pc = int(ins.off)
			}
		case opJLE32X:
			if uint32(r[ins.dst&15]) <= uint32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSLT32K:
			if int32(r[ins.dst&15]) < int32(ins.k) {
				pc = int(ins.off)
			}
		case opJSLT32X:
			if int32(r[ins.dst&15]) < int32(r[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJSLE32K:
			if int32(r[ins.dst&15]) <= int32(ins.k) {
				pc = int(ins.off)
			}
		case opJSLE32X:
			if int32(r[ins.dst&15]) <= int32(r[ins.src&15]) {
				pc = int(ins.off)
			}

		// Calls
		case opCall, opCallX:
			num := ins.k
			if ins.op == opCallX {
				num = r[ins.dst&15]
			}
			var h vm.Helper
			if num < vm.MaxHelpers {
				h = e.helpers[num]
			}
			if h == nil {
				return 0, helperError(e, pc-1, num)
			}
			if st == nil {
				// First helper call of the run: publish ctx.Call.
				st = stateFor(ctx)
				ctx.Call = st.callFn
			}
			st.exe, st.depth, st.fp, st.budget = e, base+nf, r[10], budget
			r[0] = h(ctx, r[1], r[2], r[3], r[4], r[5])
			budget = st.budget
			if err := st.err; err != nil {
				return 0, err
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if next := ctx.TailCall; next != nil {
				ctx.TailCall = nil
				tails++
				if tails > vm.MaxTailCalls {
					return 0, tailCallLimitError(pc - 1)
				}
				ne, err := executableFor(next)
				if err != nil {
					return 0, tailCallError(pc-1, next, err)
				}
				// The target replaces the whole call chain of this exec:
				// it starts at its first instruction in the entry frame,
				// with r1 (its context) as the caller left it.
				e, code, checked = ne, ne.code, ne.prog.Checked
				if checked && budget > CheckedBudget {
					budget = CheckedBudget
				}
				pc, nf, r[10] = 0, 0, fp
			}
		case opCallLocal:
			if base+nf+1 >= vm.MaxCallDepth || nf >= len(frames) {
				return 0, depthError(pc - 1)
			}
			frames[nf] = frame{r6: r[6], r7: r[7], r8: r[8], r9: r[9], fp: r[10], ret: pc}
			nf++
			r[10] -= vm.StackSize
			pc = int(ins.off)
		case opExit:
			if nf == 0 {
				if st != nil {
					st.budget = budget
				}
				return r[0], nil
			}
			nf--
			f := &frames[nf]
			r[6], r[7], r[8], r[9], r[10] = f.r6, f.r7, f.r8, f.r9, f.fp
			pc = f.ret

		case opFallOff:
			return 0, fallOffError(e, pc-1)
		default:
			return 0, invalidError(pc - 1)
		}
	}
}
