package progtest

import (
	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
)

func adjustCase() *Case {
	inner := pkt.Build(pkt.Spec{Src: "10.1.0.1", Dst: "10.2.0.1", Proto: tcp, SPort: 1000, DPort: 80, TOS: 0x10, Payload: []byte("tunnelled")})
	long := udp4("10.1.0.1", "10.2.0.1", 9, 58) // 100 bytes
	short := pkt.ARP("10.1.0.1", "10.2.0.1")    // 42 bytes
	cookie := 0x11223344_00000000 | uint64(len(inner))
	return &Case{
		Name:   "adjust",
		Object: "testdata/progs/adjust.o",
		// The destination is a setting changed at load time.
		Vars: map[string]any{"tunnel_dst": uint32(0xc0000263)},
		// Benchmarks need a step that leaves the frame as it was (see Case.Bench).
		Bench: 3,
		Steps: []Step{
			{Prog: "xdp_encap", In: inner, Ret: TX, Out: pkt.IPIP(inner, "192.0.2.1", "192.0.2.99")},
			{Prog: "xdp_encap", In: short, Ret: Pass},
			{Prog: "xdp_decap", In: pkt.IPIP(inner, "192.0.2.1", "192.0.2.99"), Ret: Pass, Out: inner},
			{Prog: "xdp_decap", In: inner, Ret: Pass},
			{Prog: "xdp_tail", In: long, Ret: TX, Out: long[:64]},
			{Prog: "xdp_tail", In: short, Ret: TX, Out: B(short, []byte{0xde, 0xad, 0xbe, 0xef})},
			// Like the kernel's test run, the output starts at data_meta.
			{Prog: "xdp_meta", In: inner, Ret: Pass, Out: B(U64(cookie), inner)},
		},
		Maps: map[string][]Entry{
			"meta_seen": {E(U32(0), U64(cookie))},
		},
	}
}
