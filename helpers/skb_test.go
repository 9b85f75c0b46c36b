package helpers

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// skbCtx returns a context whose packet is a copy of frame.
func skbCtx(t *testing.T, frame []byte) *vm.Context {
	ctx := newCtx(t)
	base := vm.AddrOf(ctx.CPU.Packet)
	copy(ctx.CPU.Packet[64:], frame)
	ctx.HasPacket = true
	end := base + 64 + uint64(len(frame))
	ctx.Pkt = vm.Packet{HardStart: base, Meta: base + 64, Data: base + 64, End: end, BufEnd: end}
	return ctx
}

// ipHeader is a 20-byte IPv4 header with a valid checksum.
func ipHeader() []byte {
	h := []byte{0x45, 0, 0, 40, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	binary.BigEndian.PutUint16(h[10:], ipChecksum(h))
	return h
}

// ipChecksum computes the header checksum from scratch (RFC 791).
func ipChecksum(h []byte) uint16 {
	var s uint32
	for i := 0; i < len(h); i += 2 {
		if i != 10 {
			s += uint32(binary.BigEndian.Uint16(h[i:]))
		}
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func TestL3CsumReplace(t *testing.T) {
	tab := TC(func(*vm.Context) {})
	for _, size := range []uint64{4, 2, 0} {
		ctx := skbCtx(t, ipHeader())
		pkt := vm.Bytes(ctx.Pkt.Data, 20)
		from := uint64(binary.NativeEndian.Uint32(pkt[16:]))
		to := uint64(binary.NativeEndian.Uint32([]byte{192, 168, 7, 9}))
		switch size {
		case 4:
			if r := call(t, tab, FnL3CsumReplace, ctx, 0, 10, from, to, 4); r != 0 {
				t.Fatalf("size 4: %#x", r)
			}
		case 2:
			// Two 16-bit replacements.
			for i := uint64(0); i < 2; i++ {
				f, g := from>>(16*i)&0xffff, to>>(16*i)&0xffff
				if r := call(t, tab, FnL3CsumReplace, ctx, 0, 10, f, g, 2); r != 0 {
					t.Fatalf("size 2: %#x", r)
				}
			}
		case 0:
			// A checksum difference from bpf_csum_diff.
			old, nw := stackBuf(ctx, u32(uint32(from))), ctx.CPU.StackTop()-8
			vm.Store32(nw, to)
			d := call(t, tab, FnCsumDiff, ctx, old, 4, nw, 4, 0)
			if r := call(t, tab, FnL3CsumReplace, ctx, 0, 10, 0, d, 0); r != 0 {
				t.Fatalf("diff: %#x", r)
			}
		}
		copy(pkt[16:], []byte{192, 168, 7, 9})
		if got, want := binary.BigEndian.Uint16(pkt[10:]), ipChecksum(pkt); got != want {
			t.Errorf("size %d: checksum %#04x, recomputed %#04x", size, got, want)
		}
	}
}

func TestSKBHelperErrors(t *testing.T) {
	tab := TC(func(*vm.Context) {})
	ctx := skbCtx(t, ipHeader())
	buf := ctx.CPU.StackTop() - 16
	vm.Store64(buf, 0x1122334455667788)
	cases := []struct {
		name string
		fn   int32
		args []uint64
		want uint64
	}{
		{"load in bounds", FnSkbLoadBytes, []uint64{0, 12, buf, 8}, 0},
		{"load past the end", FnSkbLoadBytes, []uint64{0, 13, buf, 8}, errno(eFAULT)},
		{"load at a huge offset", FnSkbLoadBytes, []uint64{0, 0x80000000, buf, 1}, errno(eFAULT)},
		{"store past the end", FnSkbStoreBytes, []uint64{0, 19, buf, 2, 0}, errno(eFAULT)},
		{"store with a bad flag", FnSkbStoreBytes, []uint64{0, 0, buf, 2, 4}, errno(maps.EINVAL)},
		{"store with both flags", FnSkbStoreBytes, []uint64{0, 18, buf, 2, 3}, 0},
		{"l3 odd offset", FnL3CsumReplace, []uint64{0, 11, 0, 0, 2}, errno(eFAULT)},
		{"l3 past the end", FnL3CsumReplace, []uint64{0, 20, 0, 0, 2}, errno(eFAULT)},
		{"l3 bad size", FnL3CsumReplace, []uint64{0, 10, 0, 0, 3}, errno(maps.EINVAL)},
		{"l3 diff with from", FnL3CsumReplace, []uint64{0, 10, 1, 0, 0}, errno(maps.EINVAL)},
		{"l3 bad flag", FnL3CsumReplace, []uint64{0, 10, 0, 0, 0x12}, errno(maps.EINVAL)},
		{"l4 bad flag", FnL4CsumReplace, []uint64{0, 10, 0, 0, 0x102}, errno(maps.EINVAL)},
		{"pull all", FnSkbPullData, []uint64{0, 20}, 0},
		{"pull more", FnSkbPullData, []uint64{0, 21}, errno(maps.ENOMEM)},
		{"csum_update", FnCsumUpdate, []uint64{0, 1}, errno(maps.ENOTSUPP)},
		{"redirect with a bad flag", FnRedirect, []uint64{3, 2}, TCActShot},
		{"redirect", FnRedirect, []uint64{3, 1}, TCActRedirect},
	}
	for _, c := range cases {
		if got := call(t, tab, c.fn, ctx, c.args...); got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, got, c.want)
		}
	}
	if vm.Load64(buf) != 0 {
		t.Error("a failed skb_load_bytes left the buffer as it was; the kernel zeroes it")
	}
	if r := ctx.Redirect; !r.Set || r.IfIndex != 3 || r.Flags != 1 {
		t.Errorf("redirect recorded %+v", r)
	}
	if err := ctx.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestL4CsumMangledZero(t *testing.T) {
	tab := TC(func(*vm.Context) {})
	ctx := skbCtx(t, make([]byte, 8))
	// A zero (absent) UDP checksum stays zero without BPF_F_MARK_ENFORCE.
	if r := call(t, tab, FnL4CsumReplace, ctx, 0, 6, 0, 1, csumMangled0|2); r != 0 || vm.Load16(ctx.Pkt.Data+6) != 0 {
		t.Fatalf("ret %#x, checksum %#x", r, vm.Load16(ctx.Pkt.Data+6))
	}
	// A result of zero is written as 0xffff.
	vm.Store16(ctx.Pkt.Data+6, 1)
	if r := call(t, tab, FnL4CsumReplace, ctx, 0, 6, 0, 1, csumMangled0|2); r != 0 || vm.Load16(ctx.Pkt.Data+6) != 0xffff {
		t.Fatalf("ret %#x, checksum %#x", r, vm.Load16(ctx.Pkt.Data+6))
	}
}

func TestGetHashRecalc(t *testing.T) {
	// hash runs get_hash_recalc on a UDP frame to dport, then set_hash.
	hash := func(dport byte) (recalc, afterSet uint64) {
		f := make([]byte, 14+20+8)
		f[12], f[13] = 0x08, 0x00
		copy(f[14:], ipHeader())
		f[14+20+3] = dport
		ctx := skbCtx(t, f)
		SetSKB(ctx, SKBInit{MAC: ctx.Pkt.Data, Net: ctx.Pkt.Data + 14, Protocol: be16(ethPIP)})
		refreshed := false
		tab := TC(func(*vm.Context) { refreshed = true })
		recalc = call(t, tab, FnGetHashRecalc, ctx, 0)
		if !refreshed || SKBFields(ctx).Hash != uint32(recalc) || recalc == 0 {
			t.Fatalf("hash %#x, context shows %#x (refreshed %v)", recalc, SKBFields(ctx).Hash, refreshed)
		}
		call(t, tab, FnSetHash, ctx, 0, 42)
		return recalc, call(t, tab, FnGetHashRecalc, ctx, 0)
	}
	a, set := hash(53)
	b, _ := hash(53)
	c, _ := hash(54)
	if a != b || a == c {
		t.Errorf("same flow %#x %#x, other port %#x", a, b, c)
	}
	if set != 42 {
		t.Errorf("get_hash_recalc after set_hash(42) = %d", set)
	}
}
