package progtest

func perfCase() *Case {
	a := tcp4("10.0.0.1", "10.0.0.2", 80, 0)
	b := udp4("10.0.0.3", "10.0.0.4", 53, 100)
	sample := func(seq uint32, f []byte) []byte {
		return B(U32(seq), U32(uint32(len(f))), U32(0xfeedf00d), f[:16])
	}
	return &Case{
		Name:   "perf",
		Object: "testdata/progs/perf.o",
		Steps:  []Step{{Prog: "xdp_perf", In: a, Ret: Pass}, {Prog: "xdp_perf", In: b, Ret: Pass}},
		Maps: map[string][]Entry{
			// Sorted by bytes: the sequence number comes first.
			"events": {V(sample(0, a)), V(sample(1, b))},
			// seq; per call kind the sum of two runs' returns: 0, 2 * -EFAULT, 2 * -E2BIG.
			".bss": {E(U32(0), B(U32(2), U32(0), I64(0), I64(2*-14), I64(2*e2big)))},
		},
	}
}
