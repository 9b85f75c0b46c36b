package progtest

func spinlockCase() *Case {
	a, b := tcp4("10.0.0.1", "10.0.0.2", 80, 0), udp4("10.0.0.1", "10.0.0.2", 53, 40)
	return &Case{
		Name:   "spinlock",
		Object: "testdata/progs/spinlock.o",
		Steps:  []Step{{Prog: "xdp_spinlock", In: a, Ret: Pass}, {Prog: "xdp_spinlock", In: b, Ret: Pass}},
		// The lock word reads as 0 from user space (the kernel clears it in copies).
		Maps: map[string][]Entry{"locked": {E(U32(0), B(U32(0), U32(0), U64(2), U64(n(a)+n(b))))}},
	}
}
