package helpers

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// xdpCtx sets up ctx.Pkt like an XDP test run: a frame of n bytes after 256
// bytes of headroom, tailroom up to 4096-320 bytes from the buffer start.
func xdpCtx(t *testing.T, n int) (*vm.Context, *int) {
	ctx := newCtx(t)
	base := vm.AddrOf(ctx.CPU.Packet)
	ctx.HasPacket = true
	ctx.Pkt = vm.Packet{HardStart: base, Meta: base + 256, Data: base + 256, End: base + 256 + uint64(n), BufEnd: base + 4096 - 320}
	for i := 0; i < n; i++ {
		ctx.CPU.Packet[256+i] = byte(i)
	}
	refreshes := new(int)
	return ctx, refreshes
}

func xdpTable(refreshes *int) *vm.HelperTable {
	return XDP(func(*vm.Context) { *refreshes++ })
}

func offsets(ctx *vm.Context) (meta, data, end int) {
	b := ctx.Pkt.HardStart
	return int(ctx.Pkt.Meta - b), int(ctx.Pkt.Data - b), int(ctx.Pkt.End - b)
}

func TestXDPAdjustHead(t *testing.T) {
	ctx, n := xdpCtx(t, 64)
	tab := xdpTable(n)
	neg := func(d int) uint64 { return uint64(int64(d)) }
	steps := []struct {
		delta             int
		ret               uint64
		meta, data, end   int
		refreshesExpected int
	}{
		{-16, 0, 240, 240, 320, 1},
		{16, 0, 256, 256, 320, 2},
		{-216, 0, 40, 40, 320, 3},                 // down to the end of the xdp_frame (40 bytes)
		{-1, errno(maps.EINVAL), 40, 40, 320, 3},  // into the xdp_frame
		{266, 0, 306, 306, 320, 4},                // ETH_HLEN (14) bytes left
		{1, errno(maps.EINVAL), 306, 306, 320, 4}, // fewer than ETH_HLEN
	}
	for i, s := range steps {
		if r := call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, neg(s.delta)); r != s.ret {
			t.Fatalf("step %d: adjust_head(%d) = %d, want %d", i, s.delta, int64(r), int64(s.ret))
		}
		m, d, e := offsets(ctx)
		if m != s.meta || d != s.data || e != s.end || *n != s.refreshesExpected {
			t.Fatalf("step %d: meta/data/end = %d/%d/%d, refreshes %d; want %d/%d/%d, %d", i, m, d, e, *n, s.meta, s.data, s.end, s.refreshesExpected)
		}
	}
	// The frame's bytes stayed where they were.
	if got := ctx.CPU.Packet[306]; got != 50 {
		t.Fatalf("byte at new data = %d, want 50", got)
	}
}

func TestXDPAdjustHeadMovesMetadata(t *testing.T) {
	ctx, n := xdpCtx(t, 64)
	tab := xdpTable(n)
	if r := call(t, tab, FnXDPAdjustMeta, ctx, ctx.Ctx, uint64(1<<64-8)); r != 0 {
		t.Fatalf("adjust_meta(-8) = %d", int64(r))
	}
	copy(ctx.CPU.Packet[248:256], "metadata")
	if r := call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, 20); r != 0 {
		t.Fatalf("adjust_head(20) = %d", int64(r))
	}
	if m, d, _ := offsets(ctx); m != 268 || d != 276 || string(ctx.CPU.Packet[268:276]) != "metadata" {
		t.Fatalf("meta %d data %d content %q; want 268 276 \"metadata\"", m, d, ctx.CPU.Packet[268:276])
	}
	// With 8 bytes of metadata the data may not come closer than 48 bytes to the start.
	if r := call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, uint64(1<<64-(276-47))); r != errno(maps.EINVAL) {
		t.Fatalf("adjust_head into the frame area = %d, want -EINVAL", int64(r))
	}
	if r := call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, uint64(1<<64-(276-48))); r != 0 {
		t.Fatalf("adjust_head to the limit = %d, want 0", int64(r))
	}
}

func TestXDPAdjustTail(t *testing.T) {
	ctx, n := xdpCtx(t, 64)
	tab := xdpTable(n)
	delta := func(d int) uint64 { return uint64(int64(d)) }
	ctx.CPU.Packet[320] = 0xaa // stale byte the growth must clear
	if r := call(t, tab, FnXDPAdjustTail, ctx, ctx.Ctx, 8); r != 0 {
		t.Fatalf("adjust_tail(8) = %d", int64(r))
	}
	if _, _, e := offsets(ctx); e != 328 || ctx.CPU.Packet[320] != 0 {
		t.Fatalf("end %d, first new byte %#x; want 328, 0", e, ctx.CPU.Packet[320])
	}
	if r := call(t, tab, FnXDPAdjustTail, ctx, ctx.Ctx, uint64(4096-320-328)); r != 0 {
		t.Fatalf("adjust_tail to the buffer end = %d", int64(r))
	}
	if r := call(t, tab, FnXDPAdjustTail, ctx, ctx.Ctx, 1); r != errno(maps.EINVAL) {
		t.Fatalf("adjust_tail past the buffer end = %d, want -EINVAL", int64(r))
	}
	// Shrink to exactly ETH_HLEN, then one more byte fails.
	if r := call(t, tab, FnXDPAdjustTail, ctx, ctx.Ctx, delta(256+14-(4096-320))); r != 0 {
		t.Fatalf("shrink to 14 bytes = %d", int64(r))
	}
	if r := call(t, tab, FnXDPAdjustTail, ctx, ctx.Ctx, uint64(1<<64-1)); r != errno(maps.EINVAL) {
		t.Fatalf("shrink below ETH_HLEN = %d, want -EINVAL", int64(r))
	}
	if got := call(t, tab, FnXDPGetBuffLen, ctx, ctx.Ctx); got != 14 {
		t.Fatalf("xdp_get_buff_len = %d, want 14", got)
	}
	if *n != 3 {
		t.Fatalf("refreshed %d times, want 3 (once per successful adjustment)", *n)
	}
}

func TestXDPAdjustMeta(t *testing.T) {
	ctx, n := xdpCtx(t, 200)
	tab := xdpTable(n)
	delta := func(d int) uint64 { return uint64(int64(d)) }
	// Make room: with the data 100 bytes further in, the headroom can hold
	// the longest metadata.
	if r := call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, 100); r != 0 {
		t.Fatalf("adjust_head(100) = %d", int64(r))
	}
	cases := []struct {
		delta int
		ret   uint64
		meta  int
	}{
		{-4, 0, 352},
		{-2, errno(eACCES), 352}, // not a multiple of 4
		{-XDPMaxMetaLen + 4, 0, 356 - XDPMaxMetaLen},
		{-4, errno(eACCES), 356 - XDPMaxMetaLen},                     // too long
		{XDPMaxMetaLen + 4, errno(maps.EINVAL), 356 - XDPMaxMetaLen}, // past data
		{XDPMaxMetaLen, 0, 356},                                      // no metadata
	}
	for i, c := range cases {
		if r := call(t, tab, FnXDPAdjustMeta, ctx, ctx.Ctx, delta(c.delta)); r != c.ret {
			t.Fatalf("case %d: adjust_meta(%d) = %d, want %d", i, c.delta, int64(r), int64(c.ret))
		}
		if m, _, _ := offsets(ctx); m != c.meta {
			t.Fatalf("case %d: meta = %d, want %d", i, m, c.meta)
		}
	}
	// Metadata may not reach into the xdp_frame: move data down first.
	call(t, tab, FnXDPAdjustHead, ctx, ctx.Ctx, delta(-300))
	if r := call(t, tab, FnXDPAdjustMeta, ctx, ctx.Ctx, delta(-20)); r != errno(maps.EINVAL) {
		t.Fatalf("adjust_meta into the xdp_frame = %d, want -EINVAL", int64(r))
	}
	if r := call(t, tab, FnXDPAdjustMeta, ctx, ctx.Ctx, delta(-16)); r != 0 {
		t.Fatalf("adjust_meta to the xdp_frame's end = %d, want 0", int64(r))
	}
}

func TestXDPRedirect(t *testing.T) {
	ctx, n := xdpCtx(t, 64)
	tab := xdpTable(n)
	if r := call(t, tab, FnRedirect, ctx, 7, 0); r != XDPRedirect || ctx.Redirect != (vm.Redirect{Set: true, IfIndex: 7}) {
		t.Fatalf("redirect(7, 0) = %d, %+v", r, ctx.Redirect)
	}
	if r := call(t, tab, FnRedirect, ctx, 7, 1); r != XDPAborted {
		t.Fatalf("redirect with flags = %d, want XDP_ABORTED", r)
	}

	arr := newFakeArray(t, maps.Array, 4, 4)
	h := vm.MapHandle(arr.ID())
	if r := call(t, tab, FnRedirectMap, ctx, h, 2, 0); r != XDPRedirect ||
		ctx.Redirect != (vm.Redirect{Set: true, Map: arr.ID(), Key: 2}) {
		t.Fatalf("redirect_map(key 2) = %d, %+v", r, ctx.Redirect)
	}
	// A missing key returns the action in the flags' low bits and clears the decision.
	if r := call(t, tab, FnRedirectMap, ctx, h, 9, XDPPass); r != XDPPass || ctx.Redirect.Set {
		t.Fatalf("redirect_map(missing, XDP_PASS) = %d, %+v", r, ctx.Redirect)
	}
	// Broadcast redirects even without an entry and keeps the flags.
	if r := call(t, tab, FnRedirectMap, ctx, h, 9, redirectBroadcast|redirectExcludeIngress); r != XDPRedirect ||
		ctx.Redirect.Flags != redirectBroadcast|redirectExcludeIngress {
		t.Fatalf("broadcast redirect_map = %d, %+v", r, ctx.Redirect)
	}
	if r := call(t, tab, FnRedirectMap, ctx, h, 1, 1<<5); r != XDPAborted {
		t.Fatalf("redirect_map with unknown flags = %d, want XDP_ABORTED", r)
	}
}

func TestXDPPerfEventOutput(t *testing.T) {
	ctx, n := xdpCtx(t, 64)
	tab := xdpTable(n)
	pm := newFakePerf(t, 2)
	h := vm.MapHandle(pm.ID())
	data := stackBuf(ctx, []byte("meta"))
	const current = perfCurrentCPU
	if r := call(t, tab, FnPerfEventOutput, ctx, ctx.Ctx, h, current|6<<32, data, 4); r != 0 {
		t.Fatalf("perf_event_output = %d", int64(r))
	}
	want := []byte{'m', 'e', 't', 'a', 0, 1, 2, 3, 4, 5}
	if got := pm.samples[0]; len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("samples = %v, want [%v]", got, want)
	}
	if r := call(t, tab, FnPerfEventOutput, ctx, ctx.Ctx, h, 65<<32, data, 4); r != errno(eFAULT) {
		t.Fatalf("perf_event_output with more packet than there is = %d, want -EFAULT", int64(r))
	}
	if r := call(t, tab, FnPerfEventOutput, ctx, ctx.Ctx, h, 2, data, 4); r != errno(maps.E2BIG) {
		t.Fatalf("perf_event_output to index 2 of 2 = %d, want -E2BIG", int64(r))
	}
	if r := call(t, tab, FnPerfEventOutput, ctx, ctx.Ctx, h, 1<<63, data, 4); r != errno(maps.EINVAL) {
		t.Fatalf("perf_event_output with bad flags = %d, want -EINVAL", int64(r))
	}
	// The generic flavour refuses the packet-length bits.
	if r := call(t, Generic(), FnPerfEventOutput, ctx, ctx.Ctx, h, 1<<32, data, 4); r != errno(maps.EINVAL) {
		t.Fatalf("generic perf_event_output with CTXLEN = %d, want -EINVAL", int64(r))
	}
	if r := call(t, Generic(), FnPerfEventOutput, ctx, ctx.Ctx, h, 1, data, 4); r != 0 || len(pm.samples[1]) != 1 {
		t.Fatalf("generic perf_event_output to index 1 = %d, samples %v", int64(r), pm.samples)
	}
}

func TestCsumDiff(t *testing.T) {
	ctx := newCtx(t)
	tab := XDP(func(*vm.Context) {})
	from := stackBuf(ctx, bytes.Repeat([]byte{0xef, 0xbe, 0xad, 0xde}, 2))
	to := from + 64
	copy(vm.Bytes(to, 8), bytes.Repeat([]byte{0xab}, 8))
	// The kernel selftests' vectors (test_csum_diff.c), and a worked
	// example: ~0xdeadbeef = 0x21524110, twice = 0x42a48220; 0xabababab
	// twice = 0x157575756; their sum 0x199fbd976 folds to 0x99fbd977 and
	// then to 16 bits: 0xd977 + 0x99fb = 0x17372 -> 0x7373.
	cases := []struct {
		name           string
		fromLen, toLen uint64
		seed           uint64
		want           uint64
	}{
		{"diff", 8, 8, 0, 0x7373},
		{"push", 0, 8, 0, 0xaeae},
		{"pull", 8, 0, 0, 0xc4c4},
		{"seed only", 0, 0, 0x1234, 0x1234},
		{"seed folded", 0, 0, 0x1674c268, 0xd8dc},
	}
	for _, c := range cases {
		if got := call(t, tab, FnCsumDiff, ctx, from, c.fromLen, to, c.toLen, c.seed); got != c.want {
			t.Errorf("%s: csum_diff = %#x, want %#x", c.name, got, c.want)
		}
	}
	// Sizes that are not multiples of 4, with results from Linux 6.18 on
	// x86-64: the partial last word is padded in host order, so these
	// values hold on little-endian hosts only.
	littleEndian := binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	buf := stackBuf(ctx, bytes.Join([][]byte{u32(0x11223344), u32(0x55667788), u32(0x7a7b7c7d), u32(0x01020304),
		u32(0x0f0e0d0c), u32(0x13579bdf), u32(0x2468ace0), u32(0x7f6f5f4f)}, nil))
	for _, c := range []struct {
		fromLen, toLen uint64
		want           uint64
	}{{15, 0, 0x6e0}, {0, 15, 0xe8c}, {7, 7, 0xe30}, {3, 0, 0xdecd}} {
		if !littleEndian {
			break
		}
		if got := call(t, tab, FnCsumDiff, ctx, buf, c.fromLen, buf+16, c.toLen, 0x1234); got != c.want {
			t.Errorf("csum_diff(%d, %d) = %#x, want %#x", c.fromLen, c.toLen, got, c.want)
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	call(t, tab, FnCsumDiff, ctx, from, 8, 0x40, 4, 0)
	if ctx.Err() == nil {
		t.Fatal("csum_diff with an unreadable to did not abort")
	}
}
