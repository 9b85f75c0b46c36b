package progtest

import (
	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
)

func csumCase() *Case {
	spec := func(dst string, proto uint8, reply bool) pkt.Spec {
		s := pkt.Spec{Src: "198.51.100.7", Dst: dst, Proto: tcp, SPort: 33000, DPort: 80, Payload: []byte("hello")}
		if proto == 17 {
			s.Proto, s.DPort = udp, 53
		}
		if reply { // what xdp_dnat sends back: MACs swapped
			s.SrcMAC, s.DstMAC = pkt.DstMAC, pkt.SrcMAC
		}
		return s
	}
	icmp := pkt.Build(pkt.Spec{Src: "198.51.100.7", Dst: "10.0.0.1", Proto: icmp4})
	return &Case{
		Name:   "csum",
		Object: "testdata/progs/csum.o",
		// Benchmarks need a step that leaves the frame as it was (see Case.Bench).
		Bench: 2,
		Steps: []Step{
			// gopacket computes the checksums of the expected frames from scratch.
			{Prog: "xdp_dnat", In: pkt.Build(spec("10.0.0.1", 6, false)), Ret: TX, Out: pkt.Build(spec("10.0.0.99", 6, true))},
			{Prog: "xdp_dnat", In: pkt.Build(spec("10.0.0.1", 17, false)), Ret: TX, Out: pkt.Build(spec("10.0.0.99", 17, true))},
			{Prog: "xdp_dnat", In: pkt.Build(spec("10.0.0.2", 6, false)), Ret: Pass},
			{Prog: "xdp_dnat", In: icmp, Ret: Pass},
		},
		Maps: map[string][]Entry{"verify": {E(U32(0), U64(2)), E(U32(1), U64(0))}},
	}
}
