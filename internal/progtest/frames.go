package progtest

import (
	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
	"github.com/gopacket/gopacket/layers"
)

// Named frames shared by the cases.
const (
	tcp = layers.IPProtocolTCP
	udp = layers.IPProtocolUDP
)

// NamedFrame is a frame with a description for listings.
type NamedFrame struct {
	Name string
	Data []byte
}

// FirewallFrames are the frames of the xdp-firewall example, in the order of
// its pcap: a mix that hits every rule of the firewall.
func FirewallFrames() []NamedFrame {
	return []NamedFrame{
		{"web request from a client", pkt.Build(pkt.Spec{Src: "198.51.100.10", Dst: "10.0.0.1", Proto: tcp, SPort: 40000, DPort: 80})},
		{"DNS query", pkt.Build(pkt.Spec{Src: "198.51.100.10", Dst: "10.0.0.53", Proto: udp, SPort: 53000, DPort: 53, Payload: []byte("query")})},
		{"telnet attempt", pkt.Build(pkt.Spec{Src: "198.51.100.20", Dst: "10.0.0.1", Proto: tcp, SPort: 41000, DPort: 23})},
		{"blocked network 192.0.2.0/24", pkt.Build(pkt.Spec{Src: "192.0.2.77", Dst: "10.0.0.1", Proto: tcp, SPort: 42000, DPort: 443})},
		{"blocked host 203.0.113.7", pkt.Build(pkt.Spec{Src: "203.0.113.7", Dst: "10.0.0.1", Proto: udp, SPort: 5000, DPort: 5001, Payload: []byte{1, 2, 3, 4}})},
		{"neighbour of the blocked host", pkt.Build(pkt.Spec{Src: "203.0.113.8", Dst: "10.0.0.1", Proto: tcp, SPort: 43000, DPort: 22})},
		{"IPv6 web request", pkt.Build(pkt.Spec{Src: "2001:db8:1::10", Dst: "2001:db8::1", Proto: tcp, SPort: 44000, DPort: 443})},
		{"IPv6 from blocked 2001:db8:bad::/48", pkt.Build(pkt.Spec{Src: "2001:db8:bad:1::5", Dst: "2001:db8::1", Proto: udp, SPort: 6000, DPort: 53})},
		{"ICMP echo", pkt.Build(pkt.Spec{Src: "198.51.100.10", Dst: "10.0.0.1", Proto: layers.IPProtocolICMPv4, Payload: []byte("ping")})},
		{"ARP request", pkt.ARP("10.0.0.7", "10.0.0.1")},
		{"truncated TCP header", pkt.Build(pkt.Spec{Src: "198.51.100.30", Dst: "10.0.0.1", Proto: tcp, SPort: 45000, DPort: 80})[:44]},
		{"second web request from the first client", pkt.Build(pkt.Spec{Src: "198.51.100.10", Dst: "10.0.0.1", Proto: tcp, SPort: 40001, DPort: 80, Payload: []byte("GET / HTTP/1.0\r\n\r\n")})},
	}
}
