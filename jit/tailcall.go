package jit

import (
	"reflect"
	"sync"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Native tail calls: bpf_tail_call compiled to machine code, as the kernel's
// JITs do. See docs/jit.md ("Native tail calls") for the design; in short:
//
//	if index >= desc.MaxEntries          { r0 = -ENOENT; continue }   // not counted
//	if Frame.TailCalls >= MaxTailCalls   { r0 = -E2BIG;  continue }
//	id = u32 at desc.Values + index*desc.Stride
//	if id == 0 { Frame.TailCalls++; r0 = -ENOENT; continue }          // empty slot
//	e = table + (id & TailTableMask)*TailEntryBytes                    // table: Frame word OffTailTable
//	if table == 0 || u32(e.tag) != id  { helper exit to Go }          // Go decides
//	Frame.TailCalls++; tail word = e.tag
//	SP = Frame.RunStackSP - return slot; r10 = Frame.RunFP; jmp e.entry // r1 kept
//
// The jump goes to the target's first instruction with the stack as the
// run's Start (or Callback) stub left it when it called the entry function:
// the target's exit returns into that stub, which leaves with ExitReturn,
// and calls and returns stay paired (a jump to the target's own Start stub
// would leave one call unreturned and cost a mispredicted return at every
// level up to Go: about 70 ns a run). Go keeps the code of that stub alive
// for the run (Run's executable, Go-route targets in state.keep, the
// callback's executable in call).
//
// which is what helpers.tailCall followed by the run loop's jump does, in
// the same order (an out-of-range index is not counted, an empty slot is).

// OffTailTable is the Frame word (Spare[0]) holding the address of the
// run's tail table (see TailTableSize), or 0 when native tail calls are off
// for the run and every bpf_tail_call takes the Go route.
const OffTailTable = OffSpare

// The tail table: TailTableSize entries of TailEntryBytes at the address
// in Frame word OffTailTable, one table per (Options, program type), entry
// id&TailTableMask for program id. An entry is two u64 words:
//
//	tag   (offset TailOffTag):   id | generation<<32, 0 when the entry is free
//	entry (offset TailOffEntry): absolute address of the program's first
//	                            instruction (its entry function)
//
// Go publishes an entry by storing entry, then tag (both atomically), and
// withdraws it by storing tag = 0; entry stays valid until a grace period
// later (see tailtable.go). Readers load tag (load-acquire on arm64), compare
// its low 32 bits with the ID, then load entry.
const (
	TailTableSize  = 1 << 12
	TailTableMask  = TailTableSize - 1
	TailEntryBytes = 16
	TailEntryShift = 4
	TailOffTag     = 0
	TailOffEntry   = 8
)

// The tail word is the u64 at Frame.NativeStack (just above the CPU's native
// stack, in the top tailWordBytes of its off-heap block): native code stores the tag of the
// table entry it jumps through there before jumping, so Go can tell which
// executable runs (and hold it) after the next exit, and the reclaimer can
// tell which CPUs may still run withdrawn code. Go zeroes it when a run or
// callback starts and after a tail call it made itself.
const tailWordBytes = 64

// Negated errnos the native route returns, as helpers.tailCall does.
const (
	TailENOENT = -int32(maps.ENOENT)
	TailE2BIG  = -int32(maps.E2BIG)
)

// TailCall describes a bpf_tail_call that a back end compiles natively.
type TailCall struct {
	// Desc is the address of the program array's NativeDesc (Route
	// RouteProgArray), valid while the program (which holds the map) lives.
	Desc uintptr
}

// progArrayDesc returns a prog array's native descriptor; tests replace it
// with hand-made descriptors.
var progArrayDesc = maps.NativeDescOf

// tailHelper is the Go implementation of bpf_tail_call whose semantics the
// native route reproduces; a program type with another helper under the
// same number keeps the Go route.
var tailHelper = sync.OnceValue(func() uintptr {
	return reflect.ValueOf(helpers.Generic()[helpers.FnTailCall]).Pointer()
})

// NativeTailCall reports whether the helper call num at pc can be compiled
// as a native tail call: it must be bpf_tail_call with the standard helper,
// r2 must provably hold a program array's handle (an ld_imm64 in the same
// basic block, nothing writing r2 in between), and the array must publish a
// RouteProgArray descriptor. second marks the second slots of ld_imm64,
// target the jump and call targets.
func NativeTailCall(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (TailCall, bool) {
	if num != helpers.FnTailCall {
		return TailCall{}, false
	}
	h := p.Helpers.Lookup(num)
	if h == nil || reflect.ValueOf(h).Pointer() != tailHelper() {
		return TailCall{}, false
	}
	v, ok := constReg(insns, second, target, pc, isa.R2)
	if !ok {
		return TailCall{}, false
	}
	m := vm.MapFromHandle(v)
	if m == nil || m.Spec().Type != maps.ProgArray {
		return TailCall{}, false
	}
	d, ok := progArrayDesc(m)
	if !ok || d == 0 {
		return TailCall{}, false
	}
	return TailCall{Desc: d}, true
}

// constReg finds the value of register r at the call at pc when an
// ld_imm64 in the same basic block sets it and nothing between writes r.
func constReg(insns []isa.Instruction, second, target []bool, pc int, r uint8) (uint64, bool) {
	if target[pc] {
		return 0, false
	}
	for i := pc - 1; i >= 0; i-- {
		if second[i] {
			continue
		}
		ins := insns[i]
		if ins.Opcode == isa.OpLdImm64 && ins.Dst == r {
			return isa.Imm64(insns, i), true
		}
		if writesReg(ins, r) {
			return 0, false
		}
		if target[i] {
			return 0, false
		}
	}
	return 0, false
}

// writesReg reports whether ins may change r (conservatively: any call,
// and any atomic whose source register is r).
func writesReg(ins isa.Instruction, r uint8) bool {
	switch isa.Class(ins.Opcode) {
	case isa.ClassALU, isa.ClassALU64, isa.ClassLDX, isa.ClassLD:
		return ins.Dst == r
	case isa.ClassSTX:
		return isa.Mode(ins.Opcode) == isa.ModeATOMIC && ins.Src == r
	case isa.ClassJMP, isa.ClassJMP32:
		return isa.ALUOp(ins.Opcode) == isa.JmpCall
	}
	return false
}
