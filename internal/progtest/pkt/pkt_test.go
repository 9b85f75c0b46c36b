package pkt

import (
	"bytes"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func TestBuildTCP4(t *testing.T) {
	f := Build(Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: layers.IPProtocolTCP, SPort: 1, DPort: 80, VLANs: []uint16{7}})
	p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
	if p.ErrorLayer() != nil {
		t.Fatalf("decode: %v", p.ErrorLayer().Error())
	}
	if v, ok := p.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q); !ok || v.VLANIdentifier != 7 {
		t.Errorf("VLAN layer: %v", p.Layer(layers.LayerTypeDot1Q))
	}
	ip := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if !ip.DstIP.Equal(net.ParseIP("10.0.0.2")) || ip.TTL != 64 {
		t.Errorf("IPv4 dst %v ttl %d", ip.DstIP, ip.TTL)
	}
	if tcp := p.Layer(layers.LayerTypeTCP).(*layers.TCP); tcp.DstPort != 80 || !tcp.SYN {
		t.Errorf("TCP dport %d SYN %v", tcp.DstPort, tcp.SYN)
	}
	// 14 + 4 + 20 + 20 = 58, padded to the 60-byte Ethernet minimum.
	if len(f) != 60 {
		t.Errorf("frame of %d bytes, want 60", len(f))
	}
}

func TestBuildIPv6HopByHop(t *testing.T) {
	f := Build(Spec{Src: "2001:db8::1", Dst: "2001:db8::2", Proto: layers.IPProtocolUDP, DPort: 53, HopByHop: true})
	if f[14+6] != 0 || f[14+40] != byte(layers.IPProtocolUDP) {
		t.Errorf("next headers %d, %d; want hop-by-hop (0) then UDP", f[14+6], f[14+40])
	}
	if len(f) != 14+40+8+8 {
		t.Errorf("frame of %d bytes, want 70", len(f))
	}
}

func TestIPIP(t *testing.T) {
	inner := Build(Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: layers.IPProtocolUDP, DPort: 9, Payload: make([]byte, 30)})
	f := IPIP(inner, "192.0.2.1", "192.0.2.2")
	if !bytes.Equal(f[34:], inner[14:]) || !bytes.Equal(f[:12], inner[:12]) {
		t.Error("IPIP does not carry the inner packet and the MACs unchanged")
	}
	if f[14+9] != 4 {
		t.Errorf("outer protocol %d, want 4 (IPIP)", f[14+9])
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := BuildErr(Spec{Src: "nope", Dst: "10.0.0.1"}); err == nil {
		t.Error("bad address accepted")
	}
	if _, err := BuildErr(Spec{Src: "10.0.0.1", Dst: "10.0.0.2", IPOptions: []byte{1, 2, 3}}); err == nil {
		t.Error("IPv4 options of 3 bytes accepted")
	}
}
