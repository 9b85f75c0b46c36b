package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func parseCase() *Case {
	hop := pkt.Build(pkt.Spec{Src: "2001:db8::1", Dst: "2001:db8::2", Proto: tcp, SPort: 1234, DPort: 443, HopByHop: true})
	qinq := pkt.Build(pkt.Spec{VLANs: []uint16{100, 200}, Src: "2001:db8::1", Dst: "2001:db8::53", Proto: udp, SPort: 1234, DPort: 53})
	return &Case{
		Name:   "parse",
		Object: "testdata/progs/parse.o",
		Steps: []Step{
			{Prog: "xdp_parse", In: tcp4("198.51.100.1", "10.0.0.1", 80, 0), Ret: Pass},
			{Prog: "xdp_parse", In: udp4("198.51.100.1", "10.0.0.1", 23, 4), Ret: Drop},
			{Prog: "xdp_parse", In: hop, Ret: Pass},
			{Prog: "xdp_parse", In: pkt.Build(pkt.Spec{VLANs: []uint16{100}, Src: "198.51.100.1", Dst: "10.0.0.1", Proto: tcp, SPort: 1, DPort: 23}), Ret: Drop},
			{Prog: "xdp_parse", In: qinq, Ret: Pass},
			{Prog: "xdp_parse", In: pkt.Build(pkt.Spec{Src: "198.51.100.1", Dst: "10.0.0.1", Proto: icmp4}), Ret: Pass},
			{Prog: "xdp_parse", In: pkt.ARP("10.0.0.2", "10.0.0.1"), Ret: Pass},
			{Prog: "xdp_parse", In: tcp4("198.51.100.1", "10.0.0.1", 80, 0)[:40], Ret: Aborted},
			{Prog: "xdp_parse", In: pkt.Build(pkt.Spec{Src: "198.51.100.1", Dst: "10.0.0.1", Proto: udp, SPort: 1, DPort: 161, IPOptions: []byte{0x94, 4, 0, 0}}), Ret: Pass},
			{Prog: "xdp_parse", In: tcp4("198.51.100.1", "10.0.0.1", 80, 0)[:14], Ret: Aborted},
			{Prog: "xdp_parse", In: udp4("198.51.100.1", "10.0.0.1", 53, 0), Ret: Pass},
			{Prog: "xdp_parse", In: udp4("198.51.100.1", "10.0.0.1", 53, 1458), Ret: Pass}, // 1500 bytes
		},
		Maps: map[string][]Entry{
			// other, ipv4, ipv6, tcp, udp, icmp, truncated, vlan
			"counters": {
				E(U32(0), U64(1)), E(U32(1), U64(8)), E(U32(2), U64(2)), E(U32(3), U64(3)),
				E(U32(4), U64(5)), E(U32(5), U64(1)), E(U32(6), U64(2)), E(U32(7), U64(3)),
			},
			"ports": {
				E(U16(23), U64(2)), E(U16(53), U64(3)), E(U16(80), U64(1)), E(U16(161), U64(1)), E(U16(443), U64(1)),
			},
		},
	}
}
