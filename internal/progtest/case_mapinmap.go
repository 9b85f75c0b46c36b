package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func mapinmapCase() *Case {
	return &Case{
		Name:   "mapinmap",
		Object: "testdata/progs/mapinmap.o",
		Setup: []Op{
			{Map: "outer", Key: U32(0), Inner: "inner_v4"},
			{Map: "outer", Key: U32(1), Inner: "inner_v6"},
			{Map: "by_version", Key: U32(4), Inner: "inner_v4"},
			{Map: "by_version", Key: U32(6), Inner: "inner_v6"},
		},
		Steps: []Step{
			{Prog: "xdp_mapinmap", In: tcp4("10.0.0.1", "10.0.0.2", 80, 0), Ret: Pass},
			{Prog: "xdp_mapinmap", In: udp4("10.0.0.1", "10.0.0.2", 53, 0), Ret: Pass},
			{Prog: "xdp_mapinmap", In: tcp4("10.0.0.1", "10.0.0.2", 443, 0), Ret: Pass},
			{Prog: "xdp_mapinmap", In: pkt.Build(pkt.Spec{Src: "2001:db8::1", Dst: "2001:db8::2", Proto: tcp, DPort: 80}), Ret: Pass},
			{Prog: "xdp_mapinmap", In: pkt.Build(pkt.Spec{Src: "2001:db8::1", Dst: "2001:db8::2", Proto: icmp6}), Ret: Pass},
			{Prog: "xdp_mapinmap", In: pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: icmp4}), Ret: Pass},
			{Prog: "xdp_mapinmap", In: pkt.ARP("10.0.0.1", "10.0.0.2"), Ret: Drop},
		},
		Maps: map[string][]Entry{
			// Indexed by protocol & 3: ICMP 1, UDP 17 -> 1, TCP 6 -> 2, ICMPv6
			// 58 -> 2; index 3 (no protocol here) counts the packets seen
			// through the hash of maps.
			"inner_v4": {E(U32(0), U64(0)), E(U32(1), U64(2)), E(U32(2), U64(2)), E(U32(3), U64(4))},
			"inner_v6": {E(U32(0), U64(0)), E(U32(1), U64(0)), E(U32(2), U64(2)), E(U32(3), U64(2))},
		},
	}
}
