package progtest

// xdpMD encodes a struct xdp_md for a test run's context: data is the
// length of the metadata at the front of the frame (data_meta is 0), data_end
// the frame's length with it.
func xdpMD(data, dataEnd, ingressIfindex, rxQueue uint32) []byte {
	return B(U32(data), U32(dataEnd), U32(0), U32(ingressIfindex), U32(rxQueue), U32(0))
}

func ctxinfoCase() *Case {
	f := tcp4("10.0.0.1", "10.0.0.2", 80, 0)
	meta := B(U32(0xcafe0001), U32(0xcafe0002))
	info := func(ifindex, queue, metaLen, metaWord uint32) []byte {
		return B(U32(ifindex), U32(queue), U32(0), U32(metaLen), U32(metaWord), U32(uint32(len(f))))
	}
	return &Case{
		Name:   "ctxinfo",
		Object: "testdata/progs/ctxinfo.o",
		Steps: []Step{
			{Prog: "xdp_ctxinfo", In: f, Ret: Pass},
			// 8 bytes of metadata in front of the frame, received on lo (1), queue 0.
			{Prog: "xdp_ctxinfo", In: B(meta, f), Ctx: xdpMD(8, uint32(8+len(f)), 1, 0), Ret: Pass},
		},
		// Without a context the kernel receives on the loopback device (1).
		Maps: map[string][]Entry{".bss": {E(U32(0), B(info(1, 0, 0, 0), info(1, 0, 8, 0xcafe0001), Zero(2*24), U32(2)))}},
	}
}
