package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Moving the start of a socket buffer, for the helpers that insert or
// remove headers (skb_change_head, skb_adjust_room, skb_change_proto).

// ensureHeadroom makes room for n bytes before the packet. When the
// headroom is too small the packet moves towards the end of the buffer, as
// the kernel reallocates its head; false when the buffer cannot hold it.
func ensureHeadroom(ctx *vm.Context, s *skbState, n uint64) bool {
	pk := &ctx.Pkt
	head := pk.Data - pk.HardStart
	if head >= n {
		return true
	}
	shift := n - head
	if pk.End+shift > pk.HardStart+vm.PacketBufferBytes {
		return false
	}
	size := pk.End - pk.Data
	copy(vm.Bytes(pk.Data+shift, int(size)), vm.Bytes(pk.Data, int(size)))
	pk.Data += shift
	pk.Meta += shift
	pk.End += shift
	pk.BufEnd = max(pk.BufEnd, pk.End)
	s.mac += shift
	s.net += shift
	return true
}

// netHdrPush inserts n zeroed bytes at off from the start of the packet
// (the kernel's bpf_skb_net_hdr_push); the link-layer and network headers
// move back with the bytes before off.
func netHdrPush(ctx *vm.Context, s *skbState, off, n uint64) uint64 {
	if !ensureHeadroom(ctx, s, n) {
		return neg(maps.ENOMEM)
	}
	pk := &ctx.Pkt
	// The kernel moves off bytes even when the packet is shorter (after
	// skb_change_tail trimmed it); they must at least lie in the buffer.
	if pk.Data+off > pk.HardStart+vm.PacketBufferBytes {
		return neg(maps.ENOMEM)
	}
	pk.Data -= n
	pk.Meta = pk.Data
	copy(vm.Bytes(pk.Data, int(off)), vm.Bytes(pk.Data+n, int(off)))
	clear(vm.Bytes(pk.Data+off, int(n)))
	s.mac -= n
	s.net -= n
	return 0
}

// netHdrPop removes n bytes at off from the start of the packet (the
// kernel's bpf_skb_net_hdr_pop): -ENOMEM if the packet is shorter than
// off+n.
func netHdrPop(ctx *vm.Context, s *skbState, off, n uint64) uint64 {
	pk := &ctx.Pkt
	if off+n > pk.End-pk.Data {
		return neg(maps.ENOMEM)
	}
	copy(vm.Bytes(pk.Data+n, int(off)), vm.Bytes(pk.Data, int(off)))
	pk.Data += n
	pk.Meta = pk.Data
	s.mac += n
	s.net += n
	return 0
}

// skbChangeProto is bpf_skb_change_proto(skb, proto, flags): turn an IPv4
// packet into an IPv6 one or back (NAT64) by inserting or removing the 20
// bytes the IPv6 header is longer, right after the link-layer header; the
// program writes the new header itself. Other conversions are -ENOTSUPP.
func skbChangeProto(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, r3, _, _ uint64) uint64 {
		if !ctx.HasPacket || r3 != 0 {
			return neg(maps.EINVAL)
		}
		s := &state(ctx).skb
		const diff = 40 - 20
		to := uint16(r2)
		off := s.net - s.mac
		var ret uint64
		switch {
		case s.proto == be16(ethPIP) && to == be16(ethPIPv6):
			ret = netHdrPush(ctx, s, off, diff)
		case s.proto == be16(ethPIPv6) && to == be16(ethPIP):
			ret = netHdrPop(ctx, s, off, diff)
		default:
			return neg(maps.ENOTSUPP)
		}
		if ret == 0 {
			s.proto = to
			s.hash, s.hashSet = 0, false
		}
		refresh(ctx)
		return ret
	}
}
