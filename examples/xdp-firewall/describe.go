package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// describe summarizes a frame in one line, tcpdump-style, and returns the
// key of its source in the firewall's sources map (ok false for non-IP).
func describe(f []byte) (text string, key sourceKey, ok bool) {
	text, src := summary(f)
	if v4 := src.To4(); v4 != nil {
		key.Family = 4
		copy(key.Addr[:], v4)
	} else if src != nil {
		key.Family = 6
		copy(key.Addr[:], src.To16())
	}
	return text, key, src != nil
}

// summary decodes only the layers the firewall looks at, so that payloads
// (DNS, HTTP) are not parsed and a truncated header shows as truncated.
func summary(f []byte) (string, net.IP) {
	var (
		eth   layers.Ethernet
		arp   layers.ARP
		ip4   layers.IPv4
		ip6   layers.IPv6
		tcp   layers.TCP
		udp   layers.UDP
		icmp4 layers.ICMPv4
		icmp6 layers.ICMPv6
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &arp, &ip4, &ip6, &tcp, &udp, &icmp4, &icmp6)
	var decoded []gopacket.LayerType
	err := parser.DecodeLayers(f, &decoded)
	var unsupported gopacket.UnsupportedLayerType
	truncated := err != nil && !errors.As(err, &unsupported)

	var src, dst net.IP
	family := ""
	desc := ""
	for _, lt := range decoded {
		switch lt {
		case layers.LayerTypeARP:
			return fmt.Sprintf("ARP who-has %s tell %s", net.IP(arp.DstProtAddress), net.IP(arp.SourceProtAddress)), nil
		case layers.LayerTypeIPv4:
			src, dst, family = ip4.SrcIP, ip4.DstIP, "IPv4"
		case layers.LayerTypeIPv6:
			src, dst, family = ip6.SrcIP, ip6.DstIP, "IPv6"
		case layers.LayerTypeTCP:
			desc = fmt.Sprintf("TCP %s > %s", hostPort(src, uint16(tcp.SrcPort)), hostPort(dst, uint16(tcp.DstPort)))
		case layers.LayerTypeUDP:
			desc = fmt.Sprintf("UDP %s > %s", hostPort(src, uint16(udp.SrcPort)), hostPort(dst, uint16(udp.DstPort)))
		case layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
			desc = fmt.Sprintf("ICMP %s > %s", src, dst)
		}
	}
	switch {
	case src == nil && len(decoded) > 0:
		return fmt.Sprintf("ethertype %#04x", uint16(eth.EthernetType)), nil
	case src == nil:
		return "truncated Ethernet header", nil
	case truncated:
		return fmt.Sprintf("%s %s > %s, truncated", family, src, dst), src
	case desc == "":
		return fmt.Sprintf("%s %s > %s", family, src, dst), src
	}
	return desc, src
}

func hostPort(ip net.IP, port uint16) string {
	if ip.To4() == nil {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}
