package progtest

// Offsets in nondet.c's struct state.
const (
	ndFirst, ndLast, ndBoot, ndRandom, ndCPU, ndRuns, ndMonotonic, ndRandomOr = 0, 8, 16, 24, 28, 32, 40, 48
)

func nondetCase() *Case {
	f := tcp4("10.0.0.1", "10.0.0.2", 80, 0)
	return &Case{
		Name:   "nondet",
		Object: "testdata/progs/nondet.o",
		Steps: []Step{
			{Prog: "xdp_nondet", In: f, Ret: Pass},
			{Prog: "xdp_nondet", In: f, Ret: Pass},
			{Prog: "xdp_nondet", In: f, Ret: Pass},
		},
		// Clocks, random numbers and the CPU number cannot match exactly;
		// TestNondetProperties checks them instead.
		Ignore: map[string][]Span{".bss": {{ndFirst, 32}, {ndRandomOr, 8}}},
		Maps: map[string][]Entry{
			".bss": {E(U32(0), B(Zero(32), U64(3), U64(3), Zero(8)))},
		},
	}
}
