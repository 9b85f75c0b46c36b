package progtest

import (
	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
	"github.com/gopacket/gopacket/layers"
)

// XDP verdicts.
const (
	Aborted  = 0
	Drop     = 1
	Pass     = 2
	TX       = 3
	Redirect = 4
)

var (
	icmp4 = layers.IPProtocolICMPv4
	icmp6 = layers.IPProtocolICMPv6
)

func tcp4(src, dst string, dport uint16, payload int) []byte {
	return pkt.Build(pkt.Spec{Src: src, Dst: dst, Proto: tcp, SPort: 40000, DPort: dport, Payload: make([]byte, payload)})
}

func udp4(src, dst string, dport uint16, payload int) []byte {
	return pkt.Build(pkt.Spec{Src: src, Dst: dst, Proto: udp, SPort: 50000, DPort: dport, Payload: make([]byte, payload)})
}

func withDstMAC(f []byte, mac ...byte) []byte {
	g := append([]byte(nil), f...)
	copy(g, mac)
	return g
}

// Cases returns the corpus. Frames are built fresh on each call.
func Cases() []*Case {
	return []*Case{
		parseCase(), adjustCase(), mapsCase(), ringbufCase(), tailcallCase(), mapinmapCase(),
		atomicsCase(), callsCase(), csumCase(), globalsCase(), redirectCase(), v4Case(), nondetCase(), limitsCase(), errorsCase(), recentCase(), formatCase(), spinlockCase(), perfCase(), ctxinfoCase(), FirewallCase(),
	}
}
