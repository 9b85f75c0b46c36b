package helpers

import (
	"encoding/binary"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// bpf_skb_adjust_room, after the kernel's (net/core/filter.c): room is
// inserted (zeroed) or removed at the end of the link-layer header
// (BPF_ADJ_ROOM_MAC) or of the IPv4/IPv6 header (BPF_ADJ_ROOM_NET). The
// encapsulation flags change what the kernel records about inner headers;
// what a program and a test run can observe of them is the outer protocol
// (skb->protocol), the network header's position and that a packet is
// encapsulated only once (-EALREADY).

// Modes and flags of bpf_skb_adjust_room.
const (
	adjRoomNet = 0 // BPF_ADJ_ROOM_NET
	adjRoomMAC = 1 // BPF_ADJ_ROOM_MAC

	adjRoomFixedGSO    = 1 << 0
	adjRoomEncapIPv4   = 1 << 1
	adjRoomEncapIPv6   = 1 << 2
	adjRoomEncapGRE    = 1 << 3
	adjRoomEncapUDP    = 1 << 4
	adjRoomNoCsumReset = 1 << 5
	adjRoomEncapL2Eth  = 1 << 6
	adjRoomDecapIPv4   = 1 << 7 // Linux 6.3
	adjRoomDecapIPv6   = 1 << 8
	adjRoomEncapL2Mask = 0xff << 56

	adjRoomEncapL3 = adjRoomEncapIPv4 | adjRoomEncapIPv6
	adjRoomDecapL3 = adjRoomDecapIPv4 | adjRoomDecapIPv6
	adjRoomMask    = adjRoomFixedGSO | adjRoomEncapL3 | adjRoomEncapGRE | adjRoomEncapUDP |
		adjRoomEncapL2Eth | adjRoomEncapL2Mask | adjRoomDecapL3

	ethPIP   = 0x0800
	ethPIPv6 = 0x86dd

	eALREADY maps.Errno = 114
)

// be16 returns the EtherType v as skb->protocol holds it: in network byte
// order, read as a native 16-bit value.
func be16(v uint16) uint16 { return binary.NativeEndian.Uint16([]byte{byte(v >> 8), byte(v)}) }

// netBaseLen is bpf_skb_net_base_len: the size of the fixed IP header.
func netBaseLen(proto uint16) uint64 {
	switch proto {
	case be16(ethPIP):
		return 20
	case be16(ethPIPv6):
		return 40
	}
	return 0
}

// skbAdjustRoom is bpf_skb_adjust_room(skb, len_diff, mode, flags).
func skbAdjustRoom(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, r3, r4, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		s := state(ctx)
		pk := &ctx.Pkt
		diff := int32(r2)
		shrink := diff < 0
		abs := uint64(uint32(diff))
		if shrink {
			abs = uint64(uint32(-diff))
		}
		flags := r4
		if flags&^(adjRoomMask|adjRoomNoCsumReset) != 0 {
			return neg(maps.EINVAL)
		}
		if abs > 0xfff {
			return neg(eFAULT)
		}
		proto := s.skb.proto
		if proto != be16(ethPIP) && proto != be16(ethPIPv6) {
			return neg(maps.ENOTSUPP)
		}
		lenMin := netBaseLen(proto)
		off := s.skb.net - s.skb.mac
		switch r3 {
		case adjRoomNet:
			off += lenMin
		case adjRoomMAC:
		default:
			return neg(maps.ENOTSUPP)
		}
		if flags&adjRoomDecapL3 != 0 {
			if !shrink {
				return neg(maps.EINVAL)
			}
			switch flags & adjRoomDecapL3 {
			case adjRoomDecapIPv4:
				lenMin = 20
			case adjRoomDecapIPv6:
				lenMin = 40
			default:
				return neg(maps.EINVAL)
			}
		}
		skbLen := pk.End - pk.Data
		lenCur := skbLen - (s.skb.net - pk.Data)
		if shrink && (abs >= lenCur || lenCur-abs < lenMin) || !shrink && skbLen+abs > skbMaxLen {
			return neg(maps.ENOTSUPP)
		}
		var ret uint64
		if shrink {
			ret = skbNetShrink(ctx, s, off, abs, flags)
		} else {
			ret = skbNetGrow(ctx, s, off, abs, flags)
		}
		if ret == 0 && flags&adjRoomNoCsumReset == 0 {
			s.skb.resetCsum()
		}
		refresh(ctx)
		return ret
	}
}

// skbNetShrink removes n bytes at off from the start of the packet.
func skbNetShrink(ctx *vm.Context, s *cpuState, off, n, flags uint64) uint64 {
	if flags&^(adjRoomFixedGSO|adjRoomDecapL3|adjRoomNoCsumReset) != 0 {
		return neg(maps.EINVAL)
	}
	if ret := netHdrPop(ctx, &s.skb, off, n); ret != 0 {
		return ret
	}
	switch {
	case s.skb.proto == be16(ethPIP) && flags&adjRoomDecapIPv6 != 0:
		s.skb.proto = be16(ethPIPv6)
	case s.skb.proto == be16(ethPIPv6) && flags&adjRoomDecapIPv4 != 0:
		s.skb.proto = be16(ethPIP)
	}
	return 0
}

// skbNetGrow inserts n zeroed bytes at off from the start of the packet,
// recording an encapsulation when the flags ask for one.
func skbNetGrow(ctx *vm.Context, s *cpuState, off, n, flags uint64) uint64 {
	innerMACLen := flags >> 56
	encap := flags&adjRoomEncapL3 != 0
	if encap {
		switch {
		case flags&adjRoomEncapL3 == adjRoomEncapL3,
			flags&(adjRoomEncapGRE|adjRoomEncapUDP) == adjRoomEncapGRE|adjRoomEncapUDP,
			flags&adjRoomEncapL2Eth != 0 && innerMACLen < ethHlen:
			return neg(maps.EINVAL)
		case s.skb.encap:
			return neg(eALREADY)
		case innerMACLen > n:
			return neg(maps.EINVAL)
		}
	}
	macLen := s.skb.net - s.skb.mac
	if ret := netHdrPush(ctx, &s.skb, off, n); ret != 0 {
		return ret
	}
	if encap {
		s.skb.encap = true
		s.skb.net = s.skb.mac + macLen
		switch {
		case s.skb.proto == be16(ethPIP) && flags&adjRoomEncapIPv6 != 0:
			s.skb.proto = be16(ethPIPv6)
		case s.skb.proto == be16(ethPIPv6) && flags&adjRoomEncapIPv4 != 0:
			s.skb.proto = be16(ethPIP)
		}
	}
	return 0
}
