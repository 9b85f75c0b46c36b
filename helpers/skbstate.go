package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// skbState is what the kernel's struct sk_buff holds beyond the packet
// bytes and that the socket-buffer helpers read or change. It lives in the
// helpers' per-CPU state; program types initialize it with SetSKB when
// they set up a run and copy the visible parts into their context with
// SKBFields.
type skbState struct {
	// mac and net are the addresses of the link-layer and network headers
	// (skb_mac_header, skb_network_header).
	mac, net uint64
	// proto is skb->protocol (network byte order, read natively).
	proto uint16
	// encap says whether bpf_skb_adjust_room encapsulated the packet.
	encap bool
	// vlanProto (network byte order) and vlanTCI are the accelerated VLAN
	// tag; both 0 when there is none.
	vlanProto, vlanTCI uint16
	// pktType is skb->pkt_type, hash skb->hash; hashSet says whether a
	// hash was set (skb->sw_hash or l4_hash), even to 0.
	pktType uint32
	hash    uint32
	hashSet bool
	// csumUnnecessary and csumLevel are skb->ip_summed ==
	// CHECKSUM_UNNECESSARY and skb->csum_level (bpf_csum_level); buffers
	// start as CHECKSUM_NONE.
	csumUnnecessary bool
	csumLevel       uint8
}

// SKBInit is the state of a socket buffer at the start of a run.
type SKBInit struct {
	// MAC and Net are the addresses of the link-layer and network headers.
	MAC, Net uint64
	// Protocol is skb->protocol: the EtherType in network byte order, read
	// as a native 16-bit value (what a program's load of it gives).
	Protocol uint16
	// PktType is skb->pkt_type (PACKET_HOST, ...).
	PktType uint32
}

// SetSKB starts the socket-buffer state of a run.
func SetSKB(ctx *vm.Context, in SKBInit) {
	state(ctx).skb = skbState{mac: in.MAC, net: in.Net, proto: in.Protocol, pktType: in.PktType}
}

// SKBView is the part of the socket-buffer state a program sees in its
// context (struct __sk_buff's protocol, pkt_type, hash and vlan fields).
type SKBView struct {
	Protocol           uint16
	PktType, Hash      uint32
	VlanPresent        bool
	VlanProto, VlanTCI uint16
}

// SKBFields returns the socket-buffer state as the helpers left it.
func SKBFields(ctx *vm.Context) SKBView {
	s := &state(ctx).skb
	return SKBView{
		Protocol: s.proto, PktType: s.pktType, Hash: s.hash,
		VlanPresent: s.vlanProto != 0 || s.vlanTCI != 0, VlanProto: s.vlanProto, VlanTCI: s.vlanTCI,
	}
}

// Levels of bpf_csum_level.
const (
	csumLevelQuery = 0
	csumLevelInc   = 1
	csumLevelDec   = 2
	csumLevelReset = 3
	// maxCsumLevel is SKB_MAX_CSUM_LEVEL.
	maxCsumLevel = 3
	// packetOtherHost is the largest pkt_type bpf_skb_change_type accepts.
	packetOtherHost = 3
)

// skbChangeType is bpf_skb_change_type(skb, type): set skb->pkt_type; both
// the old and the new type must be at most PACKET_OTHERHOST.
func skbChangeType(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
		s := &state(ctx).skb
		if s.pktType > packetOtherHost || uint32(r2) > packetOtherHost {
			return neg(maps.EINVAL)
		}
		s.pktType = uint32(r2)
		refresh(ctx)
		return 0
	}
}

// csumLevel is bpf_csum_level(skb, level): query or change how many
// checksums of the packet count as verified (CHECKSUM_UNNECESSARY).
func csumLevel(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
	s := &state(ctx).skb
	switch r2 {
	case csumLevelInc:
		if s.csumUnnecessary {
			s.csumLevel = min(s.csumLevel+1, maxCsumLevel)
		} else {
			s.csumUnnecessary, s.csumLevel = true, 0
		}
	case csumLevelDec:
		if s.csumUnnecessary {
			if s.csumLevel == 0 {
				s.csumUnnecessary = false
			} else {
				s.csumLevel--
			}
		}
	case csumLevelReset:
		s.resetCsum()
	case csumLevelQuery:
		if !s.csumUnnecessary {
			return neg(eACCES)
		}
		return uint64(s.csumLevel)
	default:
		return neg(maps.EINVAL)
	}
	return 0
}

// resetCsum is __skb_reset_checksum_unnecessary.
func (s *skbState) resetCsum() {
	s.csumUnnecessary, s.csumLevel = false, 0
}
