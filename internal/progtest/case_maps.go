package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func lpm4(prefix uint32, addr string) []byte { return B(U32(prefix), IP4(addr)) }

func mapsCase() *Case {
	a := tcp4("192.168.1.1", "10.0.0.5", 80, 0)
	b := udp4("192.168.1.2", "10.1.9.9", 53, 20)
	c := udp4("192.168.1.2", "10.1.2.3", 53, 0)
	d := tcp4("192.168.1.3", "172.16.0.1", 80, 6)
	e := pkt.Build(pkt.Spec{Src: "192.168.1.1", Dst: "10.0.0.5", Proto: icmp4, TTL: 1})
	arp := pkt.ARP("192.168.1.1", "10.0.0.5")
	return &Case{
		Name:   "maps",
		Object: "testdata/progs/maps.o",
		Setup: []Op{
			{Map: "routes", Key: lpm4(8, "10.0.0.0"), Value: U32(1)},
			{Map: "routes", Key: lpm4(16, "10.1.0.0"), Value: U32(2)},
			{Map: "routes", Key: lpm4(32, "10.1.2.3"), Value: U32(0)},
		},
		Steps: []Step{
			{Prog: "xdp_maps", In: a, Ret: TX},
			{Prog: "xdp_maps", In: a, Ret: TX},
			{Prog: "xdp_maps", In: b, Ret: TX},
			{Prog: "xdp_maps", In: c, Ret: TX},
			{Prog: "xdp_maps", In: d, Ret: Drop},
			{Prog: "xdp_maps", In: e, Ret: TX},
			{Prog: "xdp_maps", In: arp, Ret: Pass},
		},
		Maps: map[string][]Entry{
			// 192.168.1.1 -> 10.0.0.5 was deleted by the TTL 1 packet.
			"flows": {
				E(B(IP4("192.168.1.2"), IP4("10.1.2.3")), B(U64(1), U64(n(c)))),
				E(B(IP4("192.168.1.2"), IP4("10.1.9.9")), B(U64(1), U64(n(b)))),
				E(B(IP4("192.168.1.3"), IP4("172.16.0.1")), B(U64(1), U64(n(d)))),
			},
			// found, missed, 4 refused double inserts + 1 TTL delete, pops
			"stats":          {E(U32(0), U64(5)), E(U32(1), U64(1)), E(U32(2), U64(5)), E(U32(3), U64(2))},
			"pcpu_total":     {E(U32(0), B(U64(7), U64(n(a)+n(a)+n(b)+n(c)+n(d)+n(e)+n(arp)))), E(U32(1), Zero(16))},
			"pcpu_proto":     {E(U32(1), U64(1)), E(U32(6), U64(3)), E(U32(17), U64(2))},
			"lru_pcpu_proto": {E(U32(1), U64(1)), E(U32(6), U64(3)), E(U32(17), U64(2))},
			"last_len": {
				E(IP4("192.168.1.1"), U64(n(e))), E(IP4("192.168.1.2"), U64(n(c))), E(IP4("192.168.1.3"), U64(n(d))),
			},
			// Hops 1, 1, 2, 0 pushed; the 0 popped the queue's head (1) and the stack's top (0).
			"hop_queue": {V(U32(1)), V(U32(2)), V(U32(0)), V(U32(1))},
			"hop_stack": {V(U32(1)), V(U32(2)), V(U32(1)), V(U32(1))},
			"routes": {
				E(lpm4(8, "10.0.0.0"), U32(1)), E(lpm4(16, "10.1.0.0"), U32(2)), E(lpm4(32, "10.1.2.3"), U32(0)),
			},
		},
	}
}

// n is a frame's length (gopacket pads frames to the 60-byte Ethernet minimum).
func n(f []byte) uint64 { return uint64(len(f)) }
