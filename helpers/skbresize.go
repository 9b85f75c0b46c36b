package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Limits of the socket-buffer resizing helpers, as the kernel computes
// them for a test run's packet on the loopback device.
const (
	// skbMaxLen is BPF_SKB_MAX_LEN (SKB_MAX_ALLOC: four pages minus the
	// skb_shared_info), the most bpf_skb_change_head may grow a packet to.
	skbMaxLen = 4*4096 - 320
	// skbMaxTail is the loopback device's MTU plus its header length, the
	// most bpf_skb_change_tail may grow a packet to.
	skbMaxTail = 65536 + ethHlen
)

// skbChangeTail is bpf_skb_change_tail(skb, len, flags): trim or grow the
// packet to len bytes. Growth is zero-filled (the kernel's test-run buffer
// is zeroed too); len must keep the Ethernet header (the network header's
// offset) and stay within the device's MTU; flags must be 0.
func skbChangeTail(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, r3, _, _ uint64) uint64 {
		newLen := uint64(uint32(r2))
		if !ctx.HasPacket || r3 != 0 || newLen > skbMaxTail || newLen < ethHlen {
			return neg(maps.EINVAL)
		}
		pk := &ctx.Pkt
		end := pk.Data + newLen
		if end > pk.HardStart+vm.PacketBufferBytes {
			return neg(maps.ENOMEM)
		}
		if end > pk.End {
			clear(vm.Bytes(pk.End, int(end-pk.End)))
		}
		pk.End = end
		if pk.BufEnd < end {
			pk.BufEnd = end
		}
		refresh(ctx)
		return 0
	}
}

// skbChangeHead is bpf_skb_change_head(skb, len, flags): grow the packet
// by len zeroed bytes at its start (room for a new link-layer header). When
// the headroom is too small the packet moves towards the end of the
// buffer, as the kernel reallocates it.
func skbChangeHead(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, r3, _, _ uint64) uint64 {
		room := uint64(uint32(r2))
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		pk := &ctx.Pkt
		n := pk.End - pk.Data
		if r3 != 0 || n+room > skbMaxLen {
			return neg(maps.EINVAL)
		}
		s := &state(ctx).skb
		if !ensureHeadroom(ctx, s, room) {
			return neg(maps.ENOMEM)
		}
		pk.Data -= room
		pk.Meta = pk.Data
		// The new bytes are the link-layer header; the network header
		// stays where it was.
		s.mac = pk.Data
		clear(vm.Bytes(pk.Data, int(room)))
		refresh(ctx)
		return 0
	}
}
