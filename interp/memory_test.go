package interp

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

var ne = binary.NativeEndian

// firstWord is what a 32-bit load reads at the address of a 64-bit store of
// v: the low half on little-endian hosts, the high half on big-endian ones.
func firstWord(v uint64) uint64 {
	b := make([]byte, 8)
	ne.PutUint64(b, v)
	if bigEndian {
		if ne.Uint32(b) != uint32(v>>32) {
			panic("byte order")
		}
	} else if ne.Uint32(b) != uint32(v) {
		panic("byte order")
	}
	return uint64(ne.Uint32(b))
}

func TestLoadsStores(t *testing.T) {
	e := newEnv(t)
	for _, c := range []progCase{
		// Stack through r10: store immediates, read back.
		{"stack st/ldx dw", prog(st(isa.SizeDW, r10, -8, -2), ldx(isa.SizeDW, r0, r10, -8), exit()), neg(-2)},
		{"stack st/ldx w", prog(st(isa.SizeW, r10, -4, -2), ldx(isa.SizeW, r0, r10, -4), exit()), 0xffff_fffe},
		{"stack st/ldx h", prog(st(isa.SizeH, r10, -2, -2), ldx(isa.SizeH, r0, r10, -2), exit()), 0xfffe},
		{"stack st/ldx b", prog(st(isa.SizeB, r10, -1, -2), ldx(isa.SizeB, r0, r10, -1), exit()), 0xfe},
		{"stack stx/ldx dw", prog(ldImm64(r1, 0x1122_3344_5566_7788), stx(isa.SizeDW, r10, r1, -16), ldx(isa.SizeDW, r0, r10, -16), exit()), 0x1122_3344_5566_7788},
		{"stx w truncates", prog(ldImm64(r1, 0x1122_3344_5566_7788), stx(isa.SizeW, r10, r1, -8), ldx(isa.SizeW, r0, r10, -8), exit()), 0x5566_7788},
		{"stx h truncates", prog(ldImm64(r1, 0x1122_3344_5566_7788), stx(isa.SizeH, r10, r1, -8), ldx(isa.SizeH, r0, r10, -8), exit()), 0x7788},
		{"stx b truncates", prog(ldImm64(r1, 0x1122_3344_5566_7788), stx(isa.SizeB, r10, r1, -8), ldx(isa.SizeB, r0, r10, -8), exit()), 0x88},
		// Native byte order: a 64-bit store read back as halves.
		{"byte order", prog(ldImm64(r2, 0x1122_3344_5566_7788), stx(isa.SizeDW, r1, r2, 8), ldx(isa.SizeW, r0, r1, 8), exit()),
			firstWord(0x1122_3344_5566_7788)},
		// Memory block through r1, misaligned.
		{"mem misaligned", prog(ldImm64(r2, 0x0102_0304_0506_0708), stx(isa.SizeDW, r1, r2, 3), ldx(isa.SizeDW, r0, r1, 3), exit()), 0x0102_0304_0506_0708},
		{"mem misaligned w", prog(mov64(r2, 0x7abbccdd), stx(isa.SizeW, r1, r2, 5), ldx(isa.SizeW, r0, r1, 5), exit()), 0x7abbccdd},
		{"mem misaligned h", prog(mov64(r2, 0x1234), stx(isa.SizeH, r1, r2, 7), ldx(isa.SizeH, r0, r1, 7), exit()), 0x1234},
		{"mem last byte", prog(st(isa.SizeB, r1, memSize-1, 0x5a), ldx(isa.SizeB, r0, r1, memSize-1), exit()), 0x5a},
		// Sign-extending loads.
		{"ldxsb", prog(st(isa.SizeB, r10, -1, 0x80), ldxsx(isa.SizeB, r0, r10, -1), exit()), neg(-128)},
		{"ldxsb positive", prog(st(isa.SizeB, r10, -1, 0x7f), ldxsx(isa.SizeB, r0, r10, -1), exit()), 0x7f},
		{"ldxsh", prog(st(isa.SizeH, r10, -2, 0x8001), ldxsx(isa.SizeH, r0, r10, -2), exit()), neg(-32767)},
		{"ldxsw", prog(st(isa.SizeW, r10, -4, math.MinInt32), ldxsx(isa.SizeW, r0, r10, -4), exit()), 0xffff_ffff_8000_0000},
		{"ldxsw positive", prog(st(isa.SizeW, r10, -4, 0x7fff_ffff), ldxsx(isa.SizeW, r0, r10, -4), exit()), 0x7fff_ffff},
		// Pseudo ld_imm64 sources are plain immediates at run time.
		{"ld_imm64 pseudo map fd", prog(ldPseudo(r0, isa.PseudoMapFD, vm.MapHandle(7)), exit()), vm.MapHandle(7)},
		{"ld_imm64 pseudo func", prog(ldPseudo(r0, isa.PseudoFunc, vm.FuncHandle(3)), exit()), vm.FuncHandle(3)},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
	// r1 and r2 at entry, and the memory left behind.
	got, err := e.run(prog(st(isa.SizeW, r1, 0, 0x01020304), movReg(r0, r2), exit()))
	if err != nil || got != memSize {
		t.Errorf("r2 at entry: got %d, %v", got, err)
	}
	if v := ne.Uint32(e.mem()); v != 0x01020304 {
		t.Errorf("store to memory block: read back %#x", v)
	}
}

func TestAtomics(t *testing.T) {
	e := newEnv(t)
	const init64 = 0x0f0f_0000_0000_00f0
	const init32 = 0x0f0f_00f0
	// Each program: mem[8] = init; r2 = operand; atomic; r0 = result of interest.
	run := func(size uint8, op int32, operand uint64, result isa.Instruction) []isa.Instruction {
		init := uint64(init64)
		if size == isa.SizeW {
			init = init32
		}
		// Stored and read back with the operation's size, so the test holds
		// on big-endian hosts too.
		return prog(ldImm64(r3, init), stx(size, r1, r3, 8), ldImm64(r2, operand), mov64(r0, 0x77),
			atomicOp(size, r1, r2, 8, op), result, exit())
	}
	memory := func(size uint8) isa.Instruction { return ldx(size, r0, r1, 8) }
	fetched := movReg(r0, r2)
	for _, c := range []progCase{
		{"add64", run(isa.SizeDW, isa.AtomicAdd, 0x10, memory(isa.SizeDW)), init64 + 0x10},
		{"add64 keeps src", run(isa.SizeDW, isa.AtomicAdd, 0x10, fetched), 0x10},
		{"or64", run(isa.SizeDW, isa.AtomicOr, 0xf, memory(isa.SizeDW)), init64 | 0xf},
		{"and64", run(isa.SizeDW, isa.AtomicAnd, 0xff, memory(isa.SizeDW)), 0xf0},
		{"xor64", run(isa.SizeDW, isa.AtomicXor, 0xff, memory(isa.SizeDW)), init64 ^ 0xff},
		{"fetch add64 old", run(isa.SizeDW, isa.AtomicAdd|isa.AtomicFetch, 1, fetched), init64},
		{"fetch add64 new", run(isa.SizeDW, isa.AtomicAdd|isa.AtomicFetch, 1, memory(isa.SizeDW)), init64 + 1},
		{"fetch or64", run(isa.SizeDW, isa.AtomicOr|isa.AtomicFetch, 1, fetched), init64},
		{"fetch or64 new", run(isa.SizeDW, isa.AtomicOr|isa.AtomicFetch, 1, memory(isa.SizeDW)), init64 | 1},
		{"fetch and64", run(isa.SizeDW, isa.AtomicAnd|isa.AtomicFetch, 0xf, fetched), init64},
		{"fetch and64 new", run(isa.SizeDW, isa.AtomicAnd|isa.AtomicFetch, 0xf0, memory(isa.SizeDW)), 0xf0},
		{"fetch xor64", run(isa.SizeDW, isa.AtomicXor|isa.AtomicFetch, 0xf, fetched), init64},
		{"fetch xor64 new", run(isa.SizeDW, isa.AtomicXor|isa.AtomicFetch, 0xf, memory(isa.SizeDW)), init64 ^ 0xf},
		{"xchg64 old", run(isa.SizeDW, isa.AtomicXchg, 0x1234_5678_9abc, fetched), init64},
		{"xchg64 new", run(isa.SizeDW, isa.AtomicXchg, 0x1234_5678_9abc, memory(isa.SizeDW)), 0x1234_5678_9abc},
		{"add32", run(isa.SizeW, isa.AtomicAdd, 0xffff_ffff, memory(isa.SizeW)), init32 - 1},
		{"or32", run(isa.SizeW, isa.AtomicOr, 0xf, memory(isa.SizeW)), init32 | 0xf},
		{"and32", run(isa.SizeW, isa.AtomicAnd, 0xff, memory(isa.SizeW)), 0xf0},
		{"xor32", run(isa.SizeW, isa.AtomicXor, 0xff, memory(isa.SizeW)), init32 ^ 0xff},
		{"fetch add32 old zero-extended", run(isa.SizeW, isa.AtomicAdd|isa.AtomicFetch, 0xdead_0000_0000_0001, fetched), init32},
		{"fetch add32 new", run(isa.SizeW, isa.AtomicAdd|isa.AtomicFetch, 0xdead_0000_0000_0001, memory(isa.SizeW)), init32 + 1},
		{"fetch or32", run(isa.SizeW, isa.AtomicOr|isa.AtomicFetch, 1, fetched), init32},
		{"fetch and32", run(isa.SizeW, isa.AtomicAnd|isa.AtomicFetch, 1, fetched), init32},
		{"fetch and32 new", run(isa.SizeW, isa.AtomicAnd|isa.AtomicFetch, 0xf0, memory(isa.SizeW)), 0xf0},
		{"fetch xor32", run(isa.SizeW, isa.AtomicXor|isa.AtomicFetch, 1, fetched), init32},
		{"xchg32", run(isa.SizeW, isa.AtomicXchg, 0x1_0000_0005, fetched), init32},
		{"xchg32 new", run(isa.SizeW, isa.AtomicXchg, 0x1_0000_0005, memory(isa.SizeW)), 5},
		// cmpxchg: r0 is the expected value (0x77 in run, overridden here).
		{"cmpxchg64 match stores", prog(ldImm64(r3, init64), stx(isa.SizeDW, r1, r3, 8), mov64(r2, 9), ldImm64(r0, init64),
			atomicOp(isa.SizeDW, r1, r2, 8, isa.AtomicCmpXchg), ldx(isa.SizeDW, r0, r1, 8), exit()), 9},
		{"cmpxchg64 match old in r0", prog(ldImm64(r3, init64), stx(isa.SizeDW, r1, r3, 8), mov64(r2, 9), ldImm64(r0, init64),
			atomicOp(isa.SizeDW, r1, r2, 8, isa.AtomicCmpXchg), exit()), init64},
		{"cmpxchg64 mismatch keeps memory", prog(ldImm64(r3, init64), stx(isa.SizeDW, r1, r3, 8), mov64(r2, 9), mov64(r0, 1),
			atomicOp(isa.SizeDW, r1, r2, 8, isa.AtomicCmpXchg), ldx(isa.SizeDW, r0, r1, 8), exit()), init64},
		{"cmpxchg64 mismatch old in r0", prog(ldImm64(r3, init64), stx(isa.SizeDW, r1, r3, 8), mov64(r2, 9), mov64(r0, 1),
			atomicOp(isa.SizeDW, r1, r2, 8, isa.AtomicCmpXchg), exit()), init64},
		{"cmpxchg32 compares low half of r0", prog(ldImm64(r3, init32), stx(isa.SizeW, r1, r3, 8), mov64(r2, 9), ldImm64(r0, 0xffff_0000_0000_0000|init32),
			atomicOp(isa.SizeW, r1, r2, 8, isa.AtomicCmpXchg), ldx(isa.SizeW, r0, r1, 8), exit()), 9},
		{"cmpxchg32 old zero-extended", prog(ldImm64(r3, init32), stx(isa.SizeW, r1, r3, 8), mov64(r2, 9), ldImm64(r0, 0xffff_0000_0000_0000),
			atomicOp(isa.SizeW, r1, r2, 8, isa.AtomicCmpXchg), exit()), init32},
		{"atomic on stack", prog(st(isa.SizeDW, r10, -8, 40), mov64(r2, 2), atomicOp(isa.SizeDW, r10, r2, -8, isa.AtomicAdd), ldx(isa.SizeDW, r0, r10, -8), exit()), 42},
	} {
		e.mustRun(c.name, c.insns, c.want)
	}
}

func TestCheckedAccessErrors(t *testing.T) {
	e := newEnv(t)
	below := int16(-vm.StackBytes - 8)
	for _, c := range []struct {
		name  string
		insns []isa.Instruction
		sub   string
	}{
		{"stack load at r10", prog(ldx(isa.SizeDW, r0, r10, 0), exit()), "instruction 0: out-of-bounds load of 8 bytes"},
		{"stack load straddling top", prog(ldx(isa.SizeDW, r0, r10, -4), exit()), "out-of-bounds load of 8 bytes"},
		{"stack store below bottom", prog(st(isa.SizeDW, r10, below, 1), exit()), "instruction 0: out-of-bounds store of 8 bytes"},
		{"stack atomic at r10", prog(mov64(r2, 1), atomicOp(isa.SizeDW, r10, r2, 0, isa.AtomicAdd), exit()), "instruction 1: out-of-bounds store of 8 bytes"},
		{"mem load past end", prog(ldx(isa.SizeB, r0, r1, memSize), exit()), "out-of-bounds load of 1 bytes"},
		{"mem load straddling end", prog(ldx(isa.SizeW, r0, r1, memSize-2), exit()), "out-of-bounds load of 4 bytes"},
		{"mem load before start", prog(ldx(isa.SizeB, r0, r1, -1), exit()), "out-of-bounds load"},
		{"mem stx past end", prog(stx(isa.SizeH, r1, r1, memSize-1), exit()), "out-of-bounds store of 2 bytes"},
		{"mem atomic past end", prog(mov64(r2, 1), atomicOp(isa.SizeW, r1, r2, memSize, isa.AtomicXchg), exit()), "out-of-bounds store of 4 bytes"},
		{"mem atomic misaligned", prog(mov64(r2, 1), atomicOp(isa.SizeDW, r1, r2, 4, isa.AtomicAdd), exit()), "misaligned 8-byte atomic"},
		{"mem cmpxchg misaligned", prog(mov64(r2, 1), atomicOp(isa.SizeW, r1, r2, 2, isa.AtomicCmpXchg), exit()), "misaligned 4-byte atomic"},
		{"null load", prog(mov64(r1, 0), ldx(isa.SizeDW, r0, r1, 0), exit()), "at 0x0"},
		{"wrapping address", prog(mov64(r1, -1), ldx(isa.SizeDW, r0, r1, 0), exit()), "out-of-bounds load"},
		{"map handle is not memory", prog(ldImm64(r1, vm.MapHandle(1)), ldx(isa.SizeB, r0, r1, 0), exit()), "out-of-bounds load"},
	} {
		_, err := e.run(c.insns)
		wantAbort(t, c.name, err, c.sub)
	}
}

// TestCheckedContextAndPacket uses a read-only context and a packet, the
// layout of real program types.
func TestCheckedContextAndPacket(t *testing.T) {
	e := newEnv(t)
	ctxMem := e.cpu.Ctx[:32]
	pkt := e.cpu.Packet[vm.PacketHeadroom : vm.PacketHeadroom+100]
	runRO := func(insns []isa.Instruction) (uint64, error) {
		p := &vm.Program{Name: "ro", Insns: insns, Checked: true}
		exe, err := New().Prepare(p)
		if err != nil {
			return 0, err
		}
		ctx := &e.cpu.Run
		ctx.Reset(p)
		ctx.Ctx, ctx.CtxSize = vm.AddrOf(ctxMem), len(ctxMem)
		ctx.HasPacket = true
		ctx.Pkt = vm.Packet{Meta: vm.AddrOf(pkt), Data: vm.AddrOf(pkt), End: vm.AddrOf(pkt) + uint64(len(pkt))}
		return exe.Run(ctx, ctx.Ctx, 0)
	}
	ne.PutUint64(ctxMem, vm.AddrOf(pkt))
	pkt[99] = 0xab
	got, err := runRO(prog(ldx(isa.SizeDW, r2, r1, 0), ldx(isa.SizeB, r0, r2, 99), exit()))
	if err != nil || got != 0xab {
		t.Errorf("packet load: got %#x, %v; want 0xab", got, err)
	}
	_, err = runRO(prog(ldx(isa.SizeDW, r2, r1, 0), ldx(isa.SizeB, r0, r2, 100), exit()))
	wantAbort(t, "packet load past end", err, "instruction 1: out-of-bounds load of 1 bytes")
	_, err = runRO(prog(ldx(isa.SizeDW, r2, r1, 0), ldx(isa.SizeB, r0, r2, -1), exit()))
	wantAbort(t, "packet load before data", err, "out-of-bounds load")
	_, err = runRO(prog(ldx(isa.SizeDW, r2, r1, 0), st(isa.SizeB, r2, 0, 1), mov64(r0, 0), exit()))
	if err != nil {
		t.Errorf("packet store: %v", err)
	}
	_, err = runRO(prog(st(isa.SizeW, r1, 0, 1), exit()))
	wantAbort(t, "read-only context store", err, "instruction 0: out-of-bounds store of 4 bytes")
	_, err = runRO(prog(ldx(isa.SizeDW, r0, r1, 32), exit()))
	wantAbort(t, "context load past end", err, "out-of-bounds load of 8 bytes")
	_, err = runRO(prog(mov64(r2, 1), atomicOp(isa.SizeDW, r1, r2, 8, isa.AtomicAdd), exit()))
	wantAbort(t, "context atomic", err, "out-of-bounds store")
}

// ldPseudo is an ld_imm64 with a pseudo source, as loader.Finalize leaves it.
func ldPseudo(dst, src uint8, v uint64) []isa.Instruction {
	ins := ldImm64(dst, v)
	ins[0].Src = src
	return ins
}
