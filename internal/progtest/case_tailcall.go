package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func tailcallCase() *Case {
	return &Case{
		Name:   "tailcall",
		Object: "testdata/progs/tailcall.o",
		Setup: []Op{
			{Map: "jmp", Key: U32(0), Prog: "xdp_tc_tcp"},
			{Map: "jmp", Key: U32(1), Prog: "xdp_tc_udp"},
			{Map: "jmp", Key: U32(2), Prog: "xdp_tc_last"},
			{Map: "jmp", Key: U32(4), Prog: "xdp_tc_loop"},
		},
		Steps: []Step{
			{Prog: "xdp_dispatch", In: tcp4("10.0.0.1", "10.0.0.2", 80, 0), Ret: TX},
			{Prog: "xdp_dispatch", In: udp4("10.0.0.1", "10.0.0.2", 53, 0), Ret: Pass},
			{Prog: "xdp_dispatch", In: pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: icmp4}), Ret: Drop},
			{Prog: "xdp_dispatch", In: pkt.Build(pkt.Spec{Src: "10.0.0.1", Dst: "10.0.0.2", Proto: 253}), Ret: TX},
			{Prog: "xdp_dispatch", In: pkt.ARP("10.0.0.1", "10.0.0.2"), Ret: Pass},
			{Prog: "xdp_tc_udp", In: udp4("10.0.0.1", "10.0.0.2", 53, 0), Ret: Pass},
		},
		Maps: map[string][]Entry{
			// Slot 4: the dispatcher's jump plus 32 self-jumps run the loop
			// program 33 times (the 33rd self-jump is refused, so slot 5 counts
			// the fall-through once). Slot 7: ICMP found slot 3 empty.
			"hits": {
				E(U32(0), U64(1)), E(U32(1), U64(2)), E(U32(2), U64(2)), E(U32(3), U64(0)),
				E(U32(4), U64(33)), E(U32(5), U64(1)), E(U32(6), U64(0)), E(U32(7), U64(1)),
			},
		},
	}
}
