package helpers

import (
	"encoding/binary"

	"github.com/bpfhost/bpfhost/vm"
)

// ECN codepoints (the low two bits of the IPv4 TOS / IPv6 traffic class).
const (
	ecnMask = 3
	ecnCE   = 3
	// vlanMaxDepth is VLAN_MAX_DEPTH, how many VLAN tags are walked.
	vlanMaxDepth = 8
)

// skbEcnSetCe is bpf_skb_ecn_set_ce(skb): mark an ECN-capable IPv4 or IPv6
// packet "congestion experienced" (the kernel's INET_ECN_set_ce). It
// returns 1 if the packet is now marked (or already was), 0 if it is not
// ECN-capable, not IP, or too short. IPv4's header checksum is updated.
func skbEcnSetCe(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
	if !ctx.HasPacket {
		return 0
	}
	s := &state(ctx).skb
	pk := ctx.Pkt
	var hlen uint64
	proto := skbProtocolSkipVlan(ctx, s)
	switch proto {
	case be16(ethPIP):
		hlen = 20
	case be16(ethPIPv6):
		hlen = 40
	default:
		return 0
	}
	if pk.End-pk.Data < hlen || s.net < pk.Data || s.net+hlen > pk.End {
		return 0
	}
	h := vm.Bytes(s.net, int(hlen))
	if hlen == 20 {
		// IP_ECN_set_ce: (tos+1)&3 is 1 for not-ECT, 2 for ECT(1), 3 for
		// ECT(0) and 0 for CE; the checksum changes by the TOS increment.
		ecn := uint16(h[1]+1) & ecnMask
		if ecn&2 == 0 {
			if ecn == 0 {
				return 1
			}
			return 0
		}
		sum := binary.BigEndian.Uint16(h[10:])
		binary.BigEndian.PutUint16(h[10:], csum16Add(sum, 0xfffb+ecn))
		h[1] |= ecnCE
		return 1
	}
	// IP6_ECN_set_ce: the traffic class straddles the first two bytes.
	w := binary.BigEndian.Uint32(h)
	if w>>20&ecnMask == 0 {
		return 0
	}
	binary.BigEndian.PutUint32(h, w|ecnCE<<20)
	return 1
}

// skbProtocolSkipVlan is the kernel's skb_protocol(skb, true): the
// protocol after any VLAN tags in the packet.
func skbProtocolSkipVlan(ctx *vm.Context, s *skbState) uint16 {
	typ := s.proto
	if !isVlanProto(typ) {
		return typ
	}
	depth := s.net - s.mac
	if depth != 0 {
		if depth < vlanHlen {
			return 0
		}
		depth -= vlanHlen
	} else {
		depth = ethHlen
	}
	for i := 0; isVlanProto(typ); i++ {
		off := ctx.Pkt.Data + depth
		if i+1 >= vlanMaxDepth || off+vlanHlen > ctx.Pkt.End {
			return 0
		}
		typ = uint16(vm.Load16(off + 2))
		depth += vlanHlen
	}
	return typ
}
