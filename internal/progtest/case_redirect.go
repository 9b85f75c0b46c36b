package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func redirectCase() *Case {
	t := tcp4("10.0.0.1", "10.0.0.2", 80, 0) // to 02:00:00:00:00:02
	arp := pkt.ARP("10.0.0.1", "10.0.0.2")
	reflected := append(B(pkt.SrcMAC, []byte{2, 2, 2, 2, 2, 2}), arp[12:]...)
	return &Case{
		Name:   "redirect",
		Object: "testdata/progs/redirect.o",
		Setup: []Op{
			{Map: "mac_ports", Key: B(pkt.DstMAC, U16(0)), Value: U32(5)},
			{Map: "mac_ports", Key: []byte{2, 0, 0, 0, 0, 9, 0, 0}, Value: U32(6)},
		},
		Steps: []Step{
			{Prog: "xdp_redirect_mac", In: t, Ret: Redirect},
			{Prog: "xdp_redirect_mac", In: arp, Ret: TX, Out: reflected},
			{Prog: "xdp_redirect_mac", In: withDstMAC(t, 2, 0, 0, 0, 0, 7), Ret: Pass},
			{Prog: "xdp_redirect_mac", In: withDstMAC(t, 2, 0, 0, 0, 0, 9), Ret: Redirect},
		},
		Maps: map[string][]Entry{
			"redirects": {E(U32(0), U64(0)), E(U32(1), U64(1)), E(U32(2), U64(1)), E(U32(3), U64(0))},
		},
	}
}
