package helpers

import (
	"encoding/binary"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// VLAN helpers, after the kernel's skb_vlan_push and skb_vlan_pop. A
// socket buffer carries at most one VLAN tag outside its data, the
// "accelerated" tag (skb->vlan_proto, skb->vlan_tci, which __sk_buff's
// vlan_present, vlan_proto and vlan_tci show); pushing a second tag moves
// the first into the packet, and popping the accelerated tag pulls the next
// one out of the packet.

const (
	vlanHlen     = 4 // VLAN_HLEN
	ethPVlan     = 0x8100
	ethPVlanQinQ = 0x88a8 // ETH_P_8021AD
)

func isVlanProto(p uint16) bool { return p == be16(ethPVlan) || p == be16(ethPVlanQinQ) }

// skbVlanPush is bpf_skb_vlan_push(skb, vlan_proto, vlan_tci); a protocol
// other than 802.1Q or 802.1ad is taken as 802.1Q.
func skbVlanPush(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, r3, _, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		s := state(ctx)
		proto, tci := uint16(r2), uint16(r3)
		if !isVlanProto(proto) {
			proto = be16(ethPVlan)
		}
		if s.skb.vlanProto != 0 || s.skb.vlanTCI != 0 {
			// Move the accelerated tag into the packet, after the MACs.
			pk := &ctx.Pkt
			if pk.Data != s.skb.mac {
				return neg(maps.EINVAL)
			}
			if pk.Data-pk.HardStart < vlanHlen {
				return neg(maps.ENOMEM)
			}
			pk.Data -= vlanHlen
			pk.Meta = pk.Data
			copy(vm.Bytes(pk.Data, 12), vm.Bytes(pk.Data+vlanHlen, 12))
			vm.Store16(pk.Data+12, uint64(s.skb.vlanProto))
			binary.BigEndian.PutUint16(vm.Bytes(pk.Data+14, 2), s.skb.vlanTCI)
			s.skb.mac -= vlanHlen
			s.skb.net -= vlanHlen
			s.skb.proto = s.skb.vlanProto
		}
		s.skb.vlanProto, s.skb.vlanTCI = proto, tci
		refresh(ctx)
		return 0
	}
}

// skbVlanPop is bpf_skb_vlan_pop(skb).
func skbVlanPop(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		s := state(ctx)
		defer refresh(ctx)
		if s.skb.vlanProto != 0 || s.skb.vlanTCI != 0 {
			s.skb.vlanProto, s.skb.vlanTCI = 0, 0
		} else {
			if !isVlanProto(s.skb.proto) {
				return 0
			}
			if _, ret := vlanPopData(ctx, s); ret != 0 {
				return ret
			}
		}
		// The next tag in the packet becomes the accelerated one.
		if !isVlanProto(s.skb.proto) {
			return 0
		}
		proto := s.skb.proto
		tci, ret := vlanPopData(ctx, s)
		if ret != 0 {
			return ret
		}
		s.skb.vlanProto, s.skb.vlanTCI = proto, tci
		return 0
	}
}

// vlanPopData removes the VLAN header after the packet's MACs (the
// kernel's __skb_vlan_pop) and returns its TCI; skb->protocol becomes the
// encapsulated protocol.
func vlanPopData(ctx *vm.Context, s *cpuState) (uint16, uint64) {
	pk := &ctx.Pkt
	if pk.Data != s.skb.mac {
		return 0, neg(maps.EINVAL)
	}
	if pk.End-pk.Data < ethHlen+vlanHlen {
		return 0, neg(maps.ENOMEM)
	}
	hdr := vm.Bytes(pk.Data, ethHlen+vlanHlen)
	tci := binary.BigEndian.Uint16(hdr[14:])
	inner := binary.BigEndian.Uint16(hdr[16:])
	switch {
	case inner >= 0x600:
		s.skb.proto = be16(inner)
	case pk.End-pk.Data >= ethHlen+vlanHlen+2 && vm.Load16(pk.Data+ethHlen+vlanHlen) == 0xffff:
		s.skb.proto = be16(1) // ETH_P_802_3
	default:
		s.skb.proto = be16(4) // ETH_P_802_2
	}
	copy(vm.Bytes(pk.Data+vlanHlen, 12), vm.Bytes(pk.Data, 12))
	pk.Data += vlanHlen
	pk.Meta = pk.Data
	s.skb.mac += vlanHlen
	if s.skb.net < pk.Data+ethHlen {
		s.skb.net = pk.Data + ethHlen
	}
	return tci, 0
}
