// Package pkt builds the Ethernet frames that the example and the test
// corpus run on. Frames are serialized with gopacket (pure Go), which sets
// lengths and checksums, so expected outputs can be built the same way,
// independently of the programs under test.
package pkt

import (
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Default MAC addresses of built frames.
var (
	SrcMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	DstMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
)

// Spec describes one frame. Zero fields take defaults: MACs above, TTL 64,
// no VLAN tags. Proto is the IP protocol (TCP, UDP, ICMP, or any number for
// a bare payload). IPv6 is chosen by the address family of Src.
type Spec struct {
	SrcMAC, DstMAC net.HardwareAddr
	VLANs          []uint16
	Src, Dst       string
	Proto          layers.IPProtocol
	SPort, DPort   uint16
	TTL            uint8
	TOS            uint8
	ID             uint16
	// Payload is the L4 payload (for ICMP the echo data).
	Payload []byte
	// HopByHop inserts an IPv6 hop-by-hop options header of 8 bytes.
	HopByHop bool
	// IPOptions are raw IPv4 options (a multiple of 4 bytes).
	IPOptions []byte
}

// Build serializes s; it panics on a malformed spec, which is a bug in the
// caller's literal (specs are fixed tables in tests and generators).
func Build(s Spec) []byte {
	b, err := BuildErr(s)
	if err != nil {
		panic(err)
	}
	return b
}

// BuildErr is Build returning an error.
func BuildErr(s Spec) ([]byte, error) {
	src, dst := net.ParseIP(s.Src), net.ParseIP(s.Dst)
	if src == nil || dst == nil {
		return nil, fmt.Errorf("pkt: bad address in %q -> %q", s.Src, s.Dst)
	}
	v4 := src.To4() != nil
	eth := &layers.Ethernet{SrcMAC: or(s.SrcMAC, SrcMAC), DstMAC: or(s.DstMAC, DstMAC)}
	ls := []gopacket.SerializableLayer{eth}
	next := layers.EthernetTypeIPv4
	if !v4 {
		next = layers.EthernetTypeIPv6
	}
	if len(s.VLANs) > 0 {
		eth.EthernetType = layers.EthernetTypeDot1Q
		for i, id := range s.VLANs {
			t := layers.EthernetTypeDot1Q
			if i == len(s.VLANs)-1 {
				t = next
			}
			ls = append(ls, &layers.Dot1Q{VLANIdentifier: id, Type: t})
		}
	} else {
		eth.EthernetType = next
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = 64
	}
	var netLayer gopacket.NetworkLayer
	if v4 {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: ttl, TOS: s.TOS, Id: s.ID, Flags: layers.IPv4DontFragment,
			Protocol: s.Proto, SrcIP: src.To4(), DstIP: dst.To4()}
		if len(s.IPOptions) > 0 {
			if len(s.IPOptions)%4 != 0 {
				return nil, fmt.Errorf("pkt: IPv4 options of %d bytes are not a multiple of 4", len(s.IPOptions))
			}
			ip.Options = []layers.IPv4Option{{OptionType: s.IPOptions[0], OptionLength: uint8(len(s.IPOptions)), OptionData: s.IPOptions[2:]}}
		}
		netLayer = ip
		ls = append(ls, ip)
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: ttl, TrafficClass: s.TOS, NextHeader: s.Proto, SrcIP: src, DstIP: dst}
		netLayer = ip
		ls = append(ls, ip)
		if s.HopByHop {
			ip.NextHeader = layers.IPProtocolIPv6HopByHop
			// Next header, length 0 (8 bytes), then a PadN option of 4 bytes.
			ls = append(ls, gopacket.Payload{byte(s.Proto), 0, 1, 4, 0, 0, 0, 0})
		}
	}
	switch s.Proto {
	case layers.IPProtocolTCP:
		t := &layers.TCP{SrcPort: layers.TCPPort(s.SPort), DstPort: layers.TCPPort(s.DPort), Seq: 1000, Window: 8192, SYN: len(s.Payload) == 0, ACK: len(s.Payload) > 0, PSH: len(s.Payload) > 0}
		if err := t.SetNetworkLayerForChecksum(netLayer); err != nil {
			return nil, err
		}
		ls = append(ls, t)
	case layers.IPProtocolUDP:
		u := &layers.UDP{SrcPort: layers.UDPPort(s.SPort), DstPort: layers.UDPPort(s.DPort)}
		if err := u.SetNetworkLayerForChecksum(netLayer); err != nil {
			return nil, err
		}
		ls = append(ls, u)
	case layers.IPProtocolICMPv4:
		ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: 1, Seq: 1})
	case layers.IPProtocolICMPv6:
		ic := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoRequest, 0)}
		if err := ic.SetNetworkLayerForChecksum(netLayer); err != nil {
			return nil, err
		}
		ls = append(ls, ic)
	}
	ls = append(ls, gopacket.Payload(s.Payload))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		return nil, fmt.Errorf("pkt: serializing %s -> %s: %w", s.Src, s.Dst, err)
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

// ARP builds a broadcast ARP request from SrcMAC/srcIP for dstIP.
func ARP(srcIP, dstIP string) []byte {
	eth := &layers.Ethernet{SrcMAC: SrcMAC, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, EthernetType: layers.EthernetTypeARP}
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: SrcMAC, SourceProtAddress: net.ParseIP(srcIP).To4(),
		DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(dstIP).To4()}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, eth, arp); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// IPIP wraps the IPv4 packet of frame (an Ethernet frame) in an outer IPv4
// header from src to dst, as a tunnel endpoint would (DF set, TTL 64, ID 0).
func IPIP(frame []byte, src, dst string) []byte {
	var eth layers.Ethernet
	if err := eth.DecodeFromBytes(frame, gopacket.NilDecodeFeedback); err != nil {
		panic(err)
	}
	inner := frame[14:]
	outer := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, TOS: inner[1], Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolIPv4,
		SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4()}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		&layers.Ethernet{SrcMAC: eth.SrcMAC, DstMAC: eth.DstMAC, EthernetType: layers.EthernetTypeIPv4}, outer, gopacket.Payload(inner)); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func or(a, b net.HardwareAddr) net.HardwareAddr {
	if a != nil {
		return a
	}
	return b
}
