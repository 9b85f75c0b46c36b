package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// xdpMaxCopy is the kernel's bound on bpf_xdp_load_bytes/store_bytes offsets
// and lengths (0xffff): larger values are refused with -EFAULT.
const xdpMaxCopy = 0xffff

// xdpBytesRange validates bpf_xdp_load_bytes/store_bytes's offset and
// length against the frame as the kernel's bpf_xdp_pointer does: -EFAULT
// for an offset or length above 0xffff, -EINVAL for a range past the end
// of the frame. It returns the frame address of the range.
func xdpBytesRange(ctx *vm.Context, off, n uint32) (uint64, uint64) {
	if off > xdpMaxCopy || n > xdpMaxCopy {
		return 0, neg(eFAULT)
	}
	if !ctx.HasPacket || uint64(off)+uint64(n) > ctx.Pkt.End-ctx.Pkt.Data {
		return 0, neg(maps.EINVAL)
	}
	return ctx.Pkt.Data + uint64(off), 0
}

// xdpLoadBytes is bpf_xdp_load_bytes(xdp_md, offset, buf, len): copy len
// bytes of the frame at offset into buf. On error buf is left as it was.
func xdpLoadBytes(ctx *vm.Context, _, r2, r3, r4, _ uint64) uint64 {
	src, ret := xdpBytesRange(ctx, uint32(r2), uint32(r4))
	if ret != 0 {
		return ret
	}
	n := int(uint32(r4))
	buf, ok := mem(ctx, FnXDPLoadBytes, "buf", r3, n, true)
	if !ok {
		return 0
	}
	copy(buf, vm.Bytes(src, n))
	return 0
}

// xdpStoreBytes is bpf_xdp_store_bytes(xdp_md, offset, buf, len): copy len
// bytes from buf into the frame at offset.
func xdpStoreBytes(ctx *vm.Context, _, r2, r3, r4, _ uint64) uint64 {
	dst, ret := xdpBytesRange(ctx, uint32(r2), uint32(r4))
	if ret != 0 {
		return ret
	}
	n := int(uint32(r4))
	buf, ok := mem(ctx, FnXDPStoreBytes, "buf", r3, n, false)
	if !ok {
		return 0
	}
	copy(vm.Bytes(dst, n), buf)
	return 0
}
