package progtype

import (
	"encoding/binary"
	"fmt"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Host context block of XDP programs (in vm.CPU.Ctx). The packet pointers
// are 64-bit host addresses; the loader widens the program's 32-bit loads of
// struct xdp_md's data, data_end and data_meta to 64-bit loads of these.
const (
	XDPHostData           = 0
	XDPHostDataEnd        = 8
	XDPHostDataMeta       = 16
	XDPHostIngressIfindex = 24
	XDPHostRxQueueIndex   = 28
	XDPHostEgressIfindex  = 32
	// XDPHostSize is the part of the block the program may read.
	XDPHostSize = 36
	// Past XDPHostSize, invisible to the program: whether the run was given
	// a ctx_in (so Finish knows to write ctx_out) and its ingress_ifindex
	// (ctx_out echoes it, while the program sees the loopback device for 0).
	xdpHostHasCtx     = 36
	xdpHostCtxIngress = 40
)

// Linux's struct xdp_md: six u32 fields.
const (
	xdpMdSize = 24
	// loopbackIfindex is what a test run without ctx_in reports as
	// ingress_ifindex: the kernel runs such frames on the loopback
	// device's first receive queue.
	loopbackIfindex = 1
	// xdpHardEnd is the kernel's test-run buffer end relative to its hard
	// start: a page minus the skb_shared_info tailroom (4096 - 320).
	// Frames up to that size get the kernel's tailroom for adjust_tail.
	xdpHardEnd = 4096 - 320
	// ethHlen is the smallest frame a test run accepts (ETH_HLEN).
	ethHlen = 14
)

var xdpFields = [xdpMdSize / 4]struct {
	name    string
	hostOff int16
	ptr     bool
}{
	{"data", XDPHostData, true},
	{"data_end", XDPHostDataEnd, true},
	{"data_meta", XDPHostDataMeta, true},
	{"ingress_ifindex", XDPHostIngressIfindex, false},
	{"rx_queue_index", XDPHostRxQueueIndex, false},
	{"egress_ifindex", XDPHostEgressIfindex, false},
}

type xdpType struct {
	helpers *vm.HelperTable
	// noEgress refuses egress_ifindex, which only programs attached to a
	// devmap may read.
	noEgress bool
}

// XDP is the "xdp" program type: r1 is a struct xdp_md over a frame copied
// into the virtual CPU's packet buffer after vm.PacketHeadroom bytes. It
// allows egress_ifindex, as for devmap programs; ForSection gives programs
// of other XDP sections a variant that refuses it, as the kernel does.
var XDP Type = &xdpType{helpers: helpers.XDP(syncXDP)}

// xdpNoEgress is XDP for programs not attached to a devmap.
var xdpNoEgress Type = &xdpType{helpers: XDP.Helpers(), noEgress: true}

func (*xdpType) Name() string               { return "xdp" }
func (t *xdpType) Helpers() *vm.HelperTable { return t.helpers }

// syncXDP writes the packet bounds into the context block; the XDP helpers
// call it after they move the packet.
func syncXDP(ctx *vm.Context) {
	vm.Store64(ctx.Ctx+XDPHostData, ctx.Pkt.Data)
	vm.Store64(ctx.Ctx+XDPHostDataEnd, ctx.Pkt.End)
	vm.Store64(ctx.Ctx+XDPHostDataMeta, ctx.Pkt.Meta)
}

// ContextAccess allows aligned 4-byte loads of struct xdp_md's fields, as the
// kernel's xdp_is_valid_access does; the three packet pointers become 8-byte
// loads of host addresses. Every store is refused.
func (t *xdpType) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	if off < 0 || off >= xdpMdSize {
		return 0, 0, fmt.Errorf("access at offset %d is outside struct xdp_md (%d bytes)", off, xdpMdSize)
	}
	f := xdpFields[off/4]
	if t.noEgress && f.hostOff == XDPHostEgressIfindex {
		return 0, 0, fmt.Errorf("access to xdp_md.egress_ifindex (offset %d): only programs attached to a devmap (section xdp/devmap) may read it", off)
	}
	if write {
		return 0, 0, fmt.Errorf("store to xdp_md.%s (offset %d): the XDP context is read-only", f.name, off)
	}
	if size != 4 || off%4 != 0 {
		return 0, 0, fmt.Errorf("%d-byte load at offset %d of xdp_md.%s: only aligned 4-byte loads are allowed", size, off, f.name)
	}
	if f.ptr {
		return f.hostOff, 8, nil
	}
	return f.hostOff, 4, nil
}

// xdpMd is a decoded struct xdp_md.
type xdpMd struct {
	data, dataEnd, dataMeta, ingress, rxQueue, egress uint32
}

// parseXDPMd decodes and validates ctx_in as the kernel's test run does: the
// frame is data_in, the first md.data bytes of which are metadata. Unlike
// the kernel, any ingress_ifindex and rx_queue_index are accepted: there are
// no devices to check them against.
func parseXDPMd(b []byte, size int) (xdpMd, error) {
	var raw [xdpMdSize]byte
	copy(raw[:], b)
	for i := xdpMdSize; i < len(b); i++ {
		if b[i] != 0 {
			return xdpMd{}, fmt.Errorf("xdp: ctx_in has non-zero byte %d beyond struct xdp_md (%d bytes): %w", i, xdpMdSize, maps.E2BIG)
		}
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(raw[i*4:]) }
	md := xdpMd{u(0), u(1), u(2), u(3), u(4), u(5)}
	switch {
	case md.dataMeta != 0:
		return md, fmt.Errorf("xdp: ctx_in data_meta is %d, must be 0 (metadata starts the data): %w", md.dataMeta, maps.EINVAL)
	case md.dataEnd > uint32(size):
		return md, fmt.Errorf("xdp: ctx_in data_end %d is beyond the data length %d: %w", md.dataEnd, size, maps.EINVAL)
	case md.data > md.dataEnd:
		return md, fmt.Errorf("xdp: ctx_in data %d is beyond data_end %d: %w", md.data, md.dataEnd, maps.EINVAL)
	case md.dataEnd < uint32(size):
		// Linux 6.18 makes the bytes past data_end fragments of a
		// non-linear frame; bpfhost frames are linear.
		return md, fmt.Errorf("xdp: ctx_in data_end %d is short of the data length %d, which asks for a non-linear (fragmented) frame; bpfhost supports linear frames only: %w", md.dataEnd, size, maps.ENOTSUP)
	case md.data%4 != 0 || md.data > helpers.XDPMaxMetaLen || md.data > vm.PacketHeadroom-helpers.XDPFrameSize:
		return md, fmt.Errorf("xdp: ctx_in data %d (the metadata size) must be a multiple of 4 and at most %d: %w", md.data, vm.PacketHeadroom-helpers.XDPFrameSize, maps.EINVAL)
	case md.egress != 0:
		return md, fmt.Errorf("xdp: ctx_in egress_ifindex must be 0: %w", maps.EINVAL)
	case md.ingress == 0 && md.rxQueue != 0:
		return md, fmt.Errorf("xdp: ctx_in rx_queue_index %d needs an ingress_ifindex: %w", md.rxQueue, maps.EINVAL)
	}
	return md, nil
}

// Setup copies the frame after the headroom (metadata, if ctx_in asks for
// it, just before the frame, in the headroom) and builds the context block.
func (*xdpType) Setup(ctx *vm.Context, in *RunInput) (uint64, uint64, error) {
	size := len(in.Data)
	if size < ethHlen {
		return 0, 0, fmt.Errorf("xdp: data_in is %d bytes, at least %d (an Ethernet header) are required: %w", size, ethHlen, maps.EINVAL)
	}
	if size > vm.MaxPacketSize {
		return 0, 0, fmt.Errorf("xdp: data_in is %d bytes, more than the %d-byte maximum: %w", size, vm.MaxPacketSize, maps.E2BIG)
	}
	var md xdpMd
	hasCtx := in.Context != nil
	if hasCtx {
		var err error
		if md, err = parseXDPMd(in.Context, size); err != nil {
			return 0, 0, err
		}
	}
	ingress := md.ingress
	if ingress == 0 {
		// Like the kernel's test run, frames without a device arrive on
		// the loopback device's first queue.
		ingress = loopbackIfindex
	}
	cpu := ctx.CPU
	headroom := vm.PacketHeadroom - int(md.data)
	// Zero the headroom: the kernel's test buffer is zeroed, and a program
	// growing the head must not see the previous run's bytes.
	clear(cpu.Packet[:headroom])
	copy(cpu.Packet[headroom:], in.Data)
	base := vm.AddrOf(cpu.Packet)
	// The tailroom adjust_tail may grow into ends where the kernel's test
	// buffer does (a page minus skb_shared_info). Longer frames, which the
	// kernel would split into fragments, are linear here and cannot grow.
	ctx.HasPacket = true
	ctx.Pkt = vm.Packet{
		HardStart: base,
		Meta:      base + uint64(headroom),
		Data:      base + uint64(headroom) + uint64(md.data),
		End:       base + uint64(headroom+size),
		BufEnd:    base + uint64(min(max(xdpHardEnd, headroom+size), vm.PacketBufferBytes)),
	}
	block := cpu.Ctx
	ctx.Ctx = vm.AddrOf(block)
	ctx.CtxSize = XDPHostSize
	ctx.CtxWritable = false
	syncXDP(ctx)
	binary.NativeEndian.PutUint32(block[XDPHostIngressIfindex:], ingress)
	binary.NativeEndian.PutUint32(block[XDPHostRxQueueIndex:], md.rxQueue)
	binary.NativeEndian.PutUint32(block[XDPHostEgressIfindex:], md.egress)
	var flag uint32
	if hasCtx {
		flag = 1
	}
	binary.NativeEndian.PutUint32(block[xdpHostHasCtx:], flag)
	binary.NativeEndian.PutUint32(block[xdpHostCtxIngress:], md.ingress)
	return ctx.Ctx, 0, nil
}

// Finish returns the frame from the metadata to the end (the kernel's
// data_out) and, when the run had a ctx_in, the struct xdp_md with data and
// data_end as offsets from data_meta, as the kernel's test run reports them
// (the other fields as ctx_in gave them).
func (*xdpType) Finish(ctx *vm.Context, _ uint64, out *RunOutput) error {
	pk := ctx.Pkt
	out.Data = append(out.Data[:0], vm.Bytes(pk.Meta, int(pk.End-pk.Meta))...)
	block := ctx.CPU.Ctx
	if binary.NativeEndian.Uint32(block[xdpHostHasCtx:]) == 0 {
		out.Context = out.Context[:0]
		return nil
	}
	out.Context = resize(out.Context, xdpMdSize)
	put := func(i int, v uint32) { binary.NativeEndian.PutUint32(out.Context[i*4:], v) }
	put(0, uint32(pk.Data-pk.Meta))
	put(1, uint32(pk.End-pk.Meta))
	put(2, 0)
	put(3, binary.NativeEndian.Uint32(block[xdpHostCtxIngress:]))
	put(4, binary.NativeEndian.Uint32(block[XDPHostRxQueueIndex:]))
	put(5, binary.NativeEndian.Uint32(block[XDPHostEgressIfindex:]))
	return nil
}

// resize returns b with length n, reusing its capacity.
func resize(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]byte, n)
}
