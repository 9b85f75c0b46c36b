package jit_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// TestAdjustOffsets pins the vm.Context offsets the native adjustments
// read and write.
func TestAdjustOffsets(t *testing.T) {
	var ctx vm.Context
	base := unsafe.Pointer(&ctx)
	*(*uint64)(unsafe.Add(base, jit.CtxCtx)) = 1
	*(*bool)(unsafe.Add(base, jit.CtxHasPacket)) = true
	*(*uint64)(unsafe.Add(base, jit.CtxPktHardStart)) = 2
	*(*uint64)(unsafe.Add(base, jit.CtxPktMeta)) = 3
	*(*uint64)(unsafe.Add(base, jit.CtxPktData)) = 4
	*(*uint64)(unsafe.Add(base, jit.CtxPktEnd)) = 5
	*(*uint64)(unsafe.Add(base, jit.CtxPktBufEnd)) = 6
	if want := (vm.Packet{HardStart: 2, Meta: 3, Data: 4, End: 5, BufEnd: 6}); ctx.Ctx != 1 || !ctx.HasPacket || ctx.Pkt != want {
		t.Fatalf("through the offsets: Ctx %d HasPacket %v Pkt %+v", ctx.Ctx, ctx.HasPacket, ctx.Pkt)
	}
}

// TestAdjustFor: only progtype.XDP's own adjust helpers are compiled
// natively.
func TestAdjustFor(t *testing.T) {
	xdp := &vm.Program{Helpers: progtype.XDP.Helpers()}
	for num, want := range map[int32]jit.AdjustKind{
		helpers.FnXDPAdjustHead: jit.AdjustHead,
		helpers.FnXDPAdjustMeta: jit.AdjustMeta,
		helpers.FnXDPAdjustTail: jit.AdjustTail,
		helpers.FnRedirect:      jit.AdjustNone,
	} {
		if got := jit.AdjustFor(xdp, num); got != want {
			t.Errorf("helper %d: kind %d, want %d", num, got, want)
		}
		// Same functions, another refresh (another context layout).
		if got := jit.AdjustFor(&vm.Program{Helpers: helpers.XDP(nil)}, num); got != jit.AdjustNone {
			t.Errorf("helper %d of another XDP table: kind %d", num, got)
		}
	}
	if got := jit.AdjustFor(&vm.Program{}, helpers.FnXDPAdjustHead); got != jit.AdjustNone {
		t.Errorf("no helper table: kind %d", got)
	}
}

// adjustNative lists the back ends that compile the adjustments natively.
var adjustNative = map[string]bool{"amd64": true, "arm64": true}

// adjustBuf is the test's packet buffer: hard start at 0, 512 bytes.
const adjustBuf = 512

// adjustState is a packet state relative to the buffer's start.
type adjustState struct {
	meta, data, end, bufEnd uint64
	noPacket                bool
}

// adjustEngines prepares insns for progtype.XDP on the interpreter, the
// JIT with native adjustments (checking that inlined calls were compiled
// natively) and the JIT through Go.
func adjustEngines(t *testing.T, insns []isa.Instruction, inlined int) []struct {
	name string
	exe  vm.Executable
} {
	t.Helper()
	if !adjustNative[runtime.GOARCH] {
		inlined = 0
	}
	tab := progtype.XDP.Helpers()
	pi := &vm.Program{Name: "adjust", Type: "xdp", Insns: insns, Helpers: tab, Checked: true}
	ie, err := interp.New().Prepare(pi)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		exe  vm.Executable
	}{{"interp", ie}, {"native", prepareN(t, jit.Options{}, insns, tab, inlined)}, {"go", prepareN(t, jit.Options{NoInline: true}, insns, tab, 0)}}
}

// adjustRun runs exe once on a fresh buffer (bytes i+1, so zero-fills and
// moved metadata show) in state s with r2 = delta, and describes r0, the
// packet after the run (relative), the context block's words and the buffer.
func adjustRun(cpu *vm.CPU, exe vm.Executable, s adjustState, delta int32) string {
	var buf [adjustBuf]byte
	for i := range buf {
		buf[i] = byte(i + 1)
	}
	var blk [6]uint64
	h := uint64(uintptr(unsafe.Pointer(&buf[0])))
	ctx := &cpu.Run
	ctx.Reset(ctx.Prog)
	ctx.Ctx = uint64(uintptr(unsafe.Pointer(&blk[0])))
	ctx.CtxSize = progtype.XDPHostSize
	ctx.HasPacket = !s.noPacket
	ctx.Pkt = vm.Packet{HardStart: h, Meta: h + s.meta, Data: h + s.data, End: h + s.end, BufEnd: h + s.bufEnd}
	blk[0], blk[1], blk[2] = h+s.data, h+s.end, h+s.meta
	r0, err := exe.Run(ctx, ctx.Ctx, uint64(int64(delta)))
	p := ctx.Pkt
	rel := func(v uint64) int64 { return int64(v - h) }
	out := fmt.Sprintf("%s pkt=[%d %d %d %d %d] blk=[%d %d %d] buf=%x", outcome(r0, err),
		rel(p.HardStart), rel(p.Meta), rel(p.Data), rel(p.End), rel(p.BufEnd),
		rel(blk[0]), rel(blk[1]), rel(blk[2]), buf)
	runtime.KeepAlive(&buf)
	runtime.KeepAlive(&blk)
	return out
}

// adjustCPU returns a virtual CPU for the test.
func adjustCPU(t testing.TB) *vm.CPU {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	cpu := cpus.Acquire()
	t.Cleanup(func() { cpus.Release(cpu); cpus.Close() })
	return cpu
}

// TestAdjustBounds: each adjustment on both sides of each of its bounds,
// with the exact r0 and packet after it; the native code, the Go route and
// the interpreter agree on r0, the packet, the context block and the bytes.
func TestAdjustBounds(t *testing.T) {
	cpu := adjustCPU(t)
	const (
		einval   = "r0=0xffffffffffffffea"
		eacces   = "r0=0xfffffffffffffff3"
		enotsupp = "r0=0xfffffffffffffdf4"
		ok       = "r0=0x0"
	)
	// Frame at 256..356 without metadata, buffer end 480.
	plain := adjustState{meta: 256, data: 256, end: 356, bufEnd: 480}
	withMeta := adjustState{meta: 248, data: 256, end: 356, bufEnd: 480}
	for _, c := range []struct {
		num   int32
		s     adjustState
		delta int32
		want  string // r0 and the packet [hard meta data end bufend]
	}{
		// head: new data >= hard + 40 + metalen, <= end - 14.
		{helpers.FnXDPAdjustHead, plain, -216, ok + " pkt=[0 40 40 356 480]"},
		{helpers.FnXDPAdjustHead, plain, -217, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustHead, plain, 86, ok + " pkt=[0 342 342 356 480]"},
		{helpers.FnXDPAdjustHead, plain, 87, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustHead, plain, 0, ok + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustHead, plain, math.MinInt32, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustHead, plain, math.MaxInt32, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustHead, adjustState{noPacket: true}, 0, einval + " pkt=[0 0 0 0 0]"},
		{helpers.FnXDPAdjustHead, withMeta, -208, ok + " pkt=[0 40 48 356 480]"},
		{helpers.FnXDPAdjustHead, withMeta, -209, einval + " pkt=[0 248 256 356 480]"},
		{helpers.FnXDPAdjustHead, withMeta, 86, ok + " pkt=[0 334 342 356 480]"},
		{helpers.FnXDPAdjustHead, withMeta, 87, einval + " pkt=[0 248 256 356 480]"},
		// Metadata moved by less than its length: the copy overlaps.
		{helpers.FnXDPAdjustHead, withMeta, -4, ok + " pkt=[0 244 252 356 480]"},
		{helpers.FnXDPAdjustHead, withMeta, 4, ok + " pkt=[0 252 260 356 480]"},
		// tail: new end <= bufend, >= data + 14; growth zero-fills.
		{helpers.FnXDPAdjustTail, plain, 124, ok + " pkt=[0 256 256 480 480]"},
		{helpers.FnXDPAdjustTail, plain, 125, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustTail, plain, -86, ok + " pkt=[0 256 256 270 480]"},
		{helpers.FnXDPAdjustTail, plain, -87, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustTail, plain, 1, ok + " pkt=[0 256 256 357 480]"},
		{helpers.FnXDPAdjustTail, plain, 0, ok + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustTail, plain, math.MinInt32, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustTail, plain, math.MaxInt32, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustTail, adjustState{noPacket: true}, 1, einval + " pkt=[0 0 0 0 0]"},
		// meta: new meta >= hard + 40, <= data; length 4-aligned, <= 252.
		{helpers.FnXDPAdjustMeta, plain, -252, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustMeta, plain, -4, ok + " pkt=[0 252 256 356 480]"},
		{helpers.FnXDPAdjustMeta, plain, -3, eacces + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustMeta, plain, -256, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 300, data: 300, end: 400, bufEnd: 480}, -252, ok + " pkt=[0 48 300 400 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 300, data: 300, end: 400, bufEnd: 480}, -256, eacces + " pkt=[0 300 300 400 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 300, data: 300, end: 400, bufEnd: 480}, -250, eacces + " pkt=[0 300 300 400 480]"},
		{helpers.FnXDPAdjustMeta, plain, 1, einval + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustMeta, withMeta, 8, ok + " pkt=[0 256 256 356 480]"},
		{helpers.FnXDPAdjustMeta, withMeta, 9, einval + " pkt=[0 248 256 356 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 60, data: 100, end: 200, bufEnd: 480}, -20, ok + " pkt=[0 40 100 200 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 60, data: 100, end: 200, bufEnd: 480}, -24, einval + " pkt=[0 60 100 200 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{meta: 101, data: 100, end: 200, bufEnd: 480}, 0, enotsupp + " pkt=[0 101 100 200 480]"},
		{helpers.FnXDPAdjustMeta, adjustState{noPacket: true}, 0, einval + " pkt=[0 0 0 0 0]"},
	} {
		insns := prog(callHelper(c.num), exit())
		var first string
		for _, e := range adjustEngines(t, insns, 1) {
			cpu.Run.Reset(nil)
			got := adjustRun(cpu, e.exe, c.s, c.delta)
			if e.name == "interp" {
				first = got
				if head := got[:len(c.want)]; head != c.want {
					t.Errorf("helper %d %+v delta %d: %s, want %s", c.num, c.s, c.delta, head, c.want)
				}
			} else if got != first {
				t.Errorf("helper %d %+v delta %d: %s gives\n%s\nthe interpreter\n%s", c.num, c.s, c.delta, e.name, got, first)
			}
		}
	}
}
