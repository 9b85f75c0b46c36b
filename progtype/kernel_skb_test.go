package progtype_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
	"github.com/bpfhost/bpfhost/maps"
	cilium "github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"github.com/gopacket/gopacket/layers"
)

// These tests run the programs of testdata/skb.c (built with clang-19) in
// bpfhost and with the kernel's BPF_PROG_TEST_RUN, and require the same
// return value, data out, ctx out and global data. They skip where bpf()
// is not available.

const skbObject = "testdata/skb.o"

// skbRun is the outcome of one test run on either side.
type skbRun struct {
	ret       uint32
	data, ctx []byte
	bss       []byte
	err       error
}

// skbCtx builds a struct __sk_buff ctx_in from field offsets and values
// (u32, or u64 for tstamp and hwtstamp).
func skbCtx(fields map[int]uint64) []byte {
	b := make([]byte, 192)
	for off, v := range fields {
		if off == 152 || off == 184 {
			binary.NativeEndian.PutUint64(b[off:], v)
		} else {
			binary.NativeEndian.PutUint32(b[off:], uint32(v))
		}
	}
	return b
}

func udpFrame(payload int) []byte {
	return pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: layers.IPProtocolUDP, SPort: 1000, DPort: 53, Payload: make([]byte, payload)})
}

// tosFrame is a UDP frame from src (IPv4 or IPv6) with the given TOS or
// traffic class.
func tosFrame(src string, tos uint8) []byte {
	dst := "10.0.0.2"
	if src[0] == 'f' {
		dst = "fd00::2"
	}
	return pkt.Build(pkt.Spec{Src: src, Dst: dst, Proto: layers.IPProtocolUDP, SPort: 1, DPort: 2, TOS: tos, Payload: make([]byte, 8)})
}

func runBpfhost(t *testing.T, prog string, data, ctx []byte) skbRun {
	t.Helper()
	spec, err := ebpf.LoadCollectionSpec(skbObject)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	opts := &ebpf.RunOptions{Data: data, Context: ctx, DataOut: make([]byte, 0, 8192)}
	if ctx != nil {
		opts.ContextOut = make([]byte, 0, 256)
	}
	var r skbRun
	r.ret, r.err = coll.Programs[prog].Run(opts)
	r.data, r.ctx = opts.DataOut, opts.ContextOut
	r.bss = make([]byte, coll.Maps[".bss"].ValueSize())
	if err := coll.Maps[".bss"].Lookup(uint32(0), r.bss); err != nil {
		t.Fatal(err)
	}
	return r
}

func runKernel(t *testing.T, prog string, data, ctx []byte) skbRun {
	t.Helper()
	spec, err := cilium.LoadCollectionSpec(skbObject)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := cilium.NewCollection(spec)
	if err != nil {
		t.Fatalf("loading into the kernel: %v", err)
	}
	defer coll.Close()
	opts := &cilium.RunOptions{Data: data, DataOut: make([]byte, 8192)}
	var ctxOut []byte
	if ctx != nil {
		ctxOut = make([]byte, 192)
		opts.Context, opts.ContextOut = ctx, ctxOut
	}
	var r skbRun
	r.ret, r.err = coll.Programs[prog].Run(opts)
	r.data, r.ctx = opts.DataOut, ctxOut
	if err := coll.Maps[".bss"].Lookup(uint32(0), &r.bss); err != nil {
		t.Fatal(err)
	}
	return r
}

func requireKernelBPF(t *testing.T) {
	t.Helper()
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Skipf("bpf() not available: %v", err)
	}
	m, err := cilium.NewMap(&cilium.MapSpec{Type: cilium.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Skipf("bpf() not available (needs Linux and root): %v", err)
	}
	m.Close()
}

func TestKernelSKBPrograms(t *testing.T) {
	requireKernelBPF(t)
	full := skbCtx(map[int]uint64{
		8: 5, 32: 9, 36: 3, 40: 1, 48: 0x1010101, 52: 2, 56: 3, 60: 4, 64: 0xfeedface,
		152: 1000, 160: 300, 164: 2, 176: 1400, 184: 77,
	})
	bcast := udpFrame(100)
	copy(bcast, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	host := udpFrame(3)
	copy(host, make([]byte, 6))
	cases := []struct {
		name, prog string
		data, ctx  []byte
	}{
		{"tc fields", "tc_fields", udpFrame(20), nil},
		{"tc fields with ctx", "tc_fields", udpFrame(20), full},
		{"tc fields broadcast", "tc_fields", bcast, skbCtx(nil)},
		{"tc fields to host", "tc_fields", host, nil},
		{"tc fields 802.3", "tc_fields", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 46, 0xff, 0xff}, make([]byte, 44)...), nil},
		{"tc helpers", "tc_helpers", udpFrame(30), nil},
		{"tc resize", "tc_resize", udpFrame(30), nil},
		{"tc adjust room", "tc_room", udpFrame(30), nil},
		{"tc adjust room 6", "tc_room6", udpFrame(30), nil},
		{"tc vlan", "tc_vlan", udpFrame(30), nil},
		{"tc metadata", "tc_meta", udpFrame(30), nil},
		{"nat64 IPv4", "tc_nat64", udpFrame(30), nil},
		{"nat64 IPv6", "tc_nat64", tosFrame("fd00::1", 0), nil},
		{"nat64 short IPv6", "tc_nat64", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x86, 0xdd}, make([]byte, 40)...), nil},
		{"IPv6 frame too short", "tc_fields", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x86, 0xdd}, make([]byte, 39)...), nil},
		{"IPv4 frame too short", "sf_fields", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00}, make([]byte, 19)...), nil},
		{"short ARP frame", "sf_fields", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06}, make([]byte, 1)...), nil},
		{"ecn not ECT", "tc_ecn", tosFrame("10.0.0.1", 0x10), nil},
		{"ecn ECT(1)", "tc_ecn", tosFrame("10.0.0.1", 0x11), nil},
		{"ecn ECT(0)", "tc_ecn", tosFrame("10.0.0.1", 0xfe), nil},
		{"ecn CE", "tc_ecn", tosFrame("10.0.0.1", 0x03), nil},
		{"ecn IPv6 ECT(0)", "tc_ecn", tosFrame("fd00::1", 0x02), nil},
		{"ecn IPv6 not ECT", "tc_ecn", tosFrame("fd00::1", 0xfc), nil},
		{"ecn VLAN", "tc_ecn", pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: layers.IPProtocolUDP, TOS: 1, VLANs: []uint16{5}}), nil},
		{"ecn ARP", "tc_ecn", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06}, make([]byte, 46)...), nil},
		{"tc metadata broadcast", "tc_meta", bcast, nil},
		{"tc vlan on a tagged frame", "tc_vlan", pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: layers.IPProtocolUDP, SPort: 1, DPort: 2, VLANs: []uint16{5, 6}}), nil},
		{"tc adjust room not IP", "tc_room", append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0x47}, make([]byte, 50)...), nil},
		{"socket filter", "sf_fields", udpFrame(10), nil},
		{"socket filter with ctx", "sf_fields", udpFrame(10), skbCtx(map[int]uint64{8: 77, 48: 1})},
		{"cgroup_skb", "cgskb_fields", udpFrame(10), skbCtx(map[int]uint64{8: 1})},
		{"lwt_xmit", "lwt_fields", udpFrame(10), skbCtx(map[int]uint64{8: 1, 48: 2})},
		{"lwt_xmit without ctx", "lwt_fields", udpFrame(100), nil},
		{"lwt_in", "lwt_in_fields", udpFrame(10), skbCtx(map[int]uint64{8: 3})},
		{"ctx sets len", "tc_fields", udpFrame(10), skbCtx(map[int]uint64{0: 1})},
		{"ctx sets hash", "tc_fields", udpFrame(10), skbCtx(map[int]uint64{68: 1})},
		{"ctx wire_len too small", "tc_fields", udpFrame(10), skbCtx(map[int]uint64{160: 20})},
		{"ctx gso_segs too large", "tc_fields", udpFrame(10), skbCtx(map[int]uint64{164: 70000})},
		{"ctx too long", "tc_fields", udpFrame(10), append(make([]byte, 192), 0, 1)},
		{"ctx longer with zeros", "tc_fields", udpFrame(10), make([]byte, 200)},
		{"short frame", "tc_fields", make([]byte, 13), nil},
		{"long frame", "tc_fields", make([]byte, 3713), nil},
		{"longest frame", "sf_fields", make([]byte, 3712), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runBpfhost(t, c.prog, c.data, c.ctx)
			want := runKernel(t, c.prog, c.data, c.ctx)
			if (got.err == nil) != (want.err == nil) {
				t.Fatalf("bpfhost error %v, kernel error %v", got.err, want.err)
			}
			if want.err != nil {
				for _, e := range []struct {
					host maps.Errno
					k    error
				}{{maps.EINVAL, syscall.EINVAL}, {maps.E2BIG, syscall.E2BIG}} {
					if errors.Is(want.err, e.k) != errors.Is(got.err, e.host) {
						t.Fatalf("bpfhost error %v, kernel error %v", got.err, want.err)
					}
				}
				return
			}
			if got.ret != want.ret {
				t.Errorf("return value %d, kernel %d", got.ret, want.ret)
			}
			if !bytes.Equal(got.data, want.data) {
				t.Errorf("data out\n%x\nkernel\n%x", got.data, want.data)
			}
			if !bytes.Equal(got.ctx, want.ctx) {
				t.Errorf("ctx out\n%x\nkernel\n%x", got.ctx, want.ctx)
			}
			for i := 0; i+8 <= len(want.bss); i += 8 {
				g, w := binary.NativeEndian.Uint64(got.bss[i:]), binary.NativeEndian.Uint64(want.bss[i:])
				if g != w {
					t.Errorf("out[%d] = %#x, kernel %#x", i/8, g, w)
				}
			}
		})
	}
}
