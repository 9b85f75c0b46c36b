package progtest

// event is struct event of ringbuf.c: len, proto, pad, first 16 bytes.
func event(frame []byte, proto uint16) []byte {
	return B(U32(uint32(len(frame))), U16(proto), U16(0), frame[:16])
}

func ringbufCase() *Case {
	t1 := tcp4("10.0.0.1", "10.0.0.2", 80, 20) // 74 bytes
	runt := t1[:40]                            // shorter than 60 bytes
	t2 := udp4("10.0.0.1", "10.0.0.2", 53, 30) // 72 bytes
	return &Case{
		Name:   "ringbuf",
		Object: "testdata/progs/ringbuf.o",
		Steps: []Step{
			{Prog: "xdp_ringbuf", In: t1, Ret: Pass},
			{Prog: "xdp_ringbuf", In: runt, Ret: Pass},
			{Prog: "xdp_ringbuf", In: t2, Ret: Pass},
		},
		Maps: map[string][]Entry{
			// The discarded record is skipped by the consumer.
			"events": {V(event(t1, 0x0800)), V(U64(0xabcd0000_00000028)), V(event(t2, 0x0800))},
			// No failed reservations; bpf_ringbuf_output returned 0; available
			// data after each run: 8-byte headers, 24-byte events, 8-byte runt
			// record, and the discarded record still occupies its space until
			// consumed: 32, 32+32+16 = 80, 80+32 = 112; summed 224.
			"results": {E(U32(0), I64(0)), E(U32(1), I64(0)), E(U32(2), I64(224))},
		},
	}
}
