package progtype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// ipv4Frame is a 60-byte Ethernet/IPv4 frame from 10.0.0.1 to 10.0.0.2
// with destination MAC 02:00:00:00:00:02.
func ipv4Frame() []byte {
	f := frame(60)
	copy(f, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := f[14:]
	ip[0] = 0x45
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	return f
}

func ctxU32(ctx *vm.Context, off int) uint32 { return uint32(vm.Load32(ctx.Ctx + uint64(off))) }

func TestSKBSetupTC(t *testing.T) {
	_, ctx := newCtx(t)
	f := ipv4Frame()
	in := &RunInput{Data: f, Context: skbCtxBytes(map[int]uint32{skbMark: 5, skbPriority: 6, skbIngressIfindex: 3, skbCB + 4: 9, skbGSOSize: 1400})}
	r1, _, err := SchedCls.Setup(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r1 != ctx.Ctx || ctx.CtxSize != SKBHostSize || !ctx.CtxWritable {
		t.Fatalf("r1 %#x ctx %#x size %d writable %v", r1, ctx.Ctx, ctx.CtxSize, ctx.CtxWritable)
	}
	want := map[int]uint32{
		skbLen: 60, skbPktType: packetOtherHost, skbMark: 5, skbProtocol: uint32(binary.NativeEndian.Uint16([]byte{8, 0})),
		skbPriority: 6, skbIngressIfindex: 3, skbIfindex: 1, skbCB + 4: 9, skbWireLen: 60, skbGSOSize: 1400,
		skbFamily: afInet,
	}
	for off, v := range want {
		if got := ctxU32(ctx, off); got != v {
			t.Errorf("__sk_buff at %d = %d, want %d", off, got, v)
		}
	}
	data := vm.Load64(ctx.Ctx + SKBHostData)
	if data != ctx.Pkt.Data || vm.Load64(ctx.Ctx+SKBHostDataEnd) != data+60 || vm.Load64(ctx.Ctx+SKBHostDataMeta) != data {
		t.Fatal("packet pointers do not frame the packet")
	}
	if !bytes.Equal(vm.Bytes(data, 60), f) {
		t.Fatal("packet differs from data_in")
	}
	// The program changes the mark and the frame; Finish reports both.
	vm.Store32(ctx.Ctx+skbMark, 77)
	vm.Store8(data, 0xee)
	var out RunOutput
	if err := SchedCls.Finish(ctx, 0, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Data) != 60 || out.Data[0] != 0xee || !bytes.Equal(out.Data[1:], f[1:]) {
		t.Fatalf("data out %x", out.Data)
	}
	wantCtx := skbCtxBytes(map[int]uint32{skbMark: 77, skbPriority: 6, skbIngressIfindex: 3, skbIfindex: 1, skbCB + 4: 9, skbWireLen: 60, skbGSOSize: 1400})
	if !bytes.Equal(out.Context, wantCtx) {
		t.Fatalf("ctx out\n%x\nwant\n%x", out.Context, wantCtx)
	}
}

func TestSKBSetupSocketFilter(t *testing.T) {
	_, ctx := newCtx(t)
	f := ipv4Frame()
	if _, _, err := SocketFilter.Setup(ctx, &RunInput{Data: f}); err != nil {
		t.Fatal(err)
	}
	if got := ctxU32(ctx, skbLen); got != 46 {
		t.Errorf("len = %d, want 46 (without the Ethernet header)", got)
	}
	if got := vm.Load8(ctx.Pkt.Data); got != 0x45 {
		t.Errorf("data starts with %#x, want the IP header", got)
	}
	var out RunOutput
	if err := SocketFilter.Finish(ctx, 0, &out); err != nil {
		t.Fatal(err)
	}
	want := append(make([]byte, 14), f[14:]...)
	if !bytes.Equal(out.Data, want) || len(out.Context) != 0 {
		t.Fatalf("data out %x (want the Ethernet header zeroed), ctx out %x", out.Data, out.Context)
	}
}

func skbCtxBytes(fields map[int]uint32) []byte {
	b := make([]byte, skbSize)
	for off, v := range fields {
		binary.NativeEndian.PutUint32(b[off:], v)
	}
	return b
}

// ctxByte is a struct __sk_buff with one byte set.
func ctxByte(i int, v byte) []byte {
	b := make([]byte, skbSize)
	b[i] = v
	return b
}

func TestSKBSetupErrors(t *testing.T) {
	_, ctx := newCtx(t)
	f := ipv4Frame()
	cases := []struct {
		in   RunInput
		errn maps.Errno
		text string
	}{
		{RunInput{Data: make([]byte, 13)}, maps.EINVAL, "sched_cls: data_in is 13 bytes, the test run takes 14 to 3712 (an Ethernet frame in one page)"},
		{RunInput{Data: make([]byte, 3713)}, maps.EINVAL, "sched_cls: data_in is 3713 bytes"},
		{RunInput{Data: f[:33]}, maps.EINVAL, "sched_cls: data_in is 33 bytes, too short for its Ethernet and 20-byte IP headers"},
		{RunInput{Data: f, Context: ctxByte(0, 1)}, maps.EINVAL, "sched_cls: ctx_in sets byte 0 of struct __sk_buff, which is not one of the fields a test run accepts"},
		{RunInput{Data: f, Context: ctxByte(68, 1)}, maps.EINVAL, "ctx_in sets byte 68 of struct __sk_buff"},
		{RunInput{Data: f, Context: append(make([]byte, 192), 0, 0, 1)}, maps.E2BIG, "sched_cls: ctx_in has non-zero byte 194 beyond struct __sk_buff (192 bytes)"},
		{RunInput{Data: f, Context: skbCtxBytes(map[int]uint32{skbWireLen: 59})}, maps.EINVAL, "sched_cls: ctx_in wire_len 59 must be 0 or between the packet length 60 and 65536"},
		{RunInput{Data: f, Context: skbCtxBytes(map[int]uint32{skbGSOSegs: 65536})}, maps.EINVAL, "sched_cls: ctx_in gso_segs 65536 is more than 65535"},
	}
	for _, c := range cases {
		_, _, err := SchedCls.Setup(ctx, &c.in)
		if err == nil || !errors.Is(err, c.errn) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("Setup error %v, want %v containing %q", err, c.errn, c.text)
		}
	}
	// Zero bytes past the structure are accepted, as the kernel accepts them.
	if _, _, err := SchedCls.Setup(ctx, &RunInput{Data: f, Context: make([]byte, 200)}); err != nil {
		t.Errorf("Setup with a zero-padded ctx_in: %v", err)
	}
}

func TestNoTestRun(t *testing.T) {
	_, ctx := newCtx(t)
	for _, typ := range []Type{Kprobe, Tracepoint, PerfEvent, CgroupSock, CgroupSockAddr, SockOps} {
		_, _, err := typ.Setup(ctx, &RunInput{Data: make([]byte, 64)})
		want := "test run not supported for " + typ.Name() + " programs: "
		if err == nil || !errors.Is(err, maps.ENOTSUPP) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: Setup error %v, want ENOTSUPP starting %q", typ.Name(), err, want)
		}
	}
}

func TestSKBRunAllocations(t *testing.T) {
	p := &vm.Program{Name: "t", Type: "sched_cls", Helpers: SchedCls.Helpers(), Checked: true}
	exe := fakeExe(func(ctx *vm.Context, r1, r2 uint64) (uint64, error) { return 0, nil })
	in := &RunInput{Data: ipv4Frame(), Context: skbCtxBytes(map[int]uint32{skbMark: 1})}
	out := &RunOutput{Data: make([]byte, 0, 128), Context: make([]byte, 0, 256)}
	cpusForRun, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpusForRun.Close()
	if n := testing.AllocsPerRun(100, func() {
		if err := Run(SchedCls, exe, p, cpusForRun, in, out); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}
