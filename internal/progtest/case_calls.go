package progtest

// Go models of calls.c's functions (all arithmetic wraps at 64 bits).
func mix(a, b uint64) uint64 { return a*31 + b*17 + (a ^ b) + (a+b)>>1 }

func level2(x, y, z uint64) uint64 {
	pad5, pad63 := uint64(uint8(5^x)), uint64(uint8(63^x))
	return mix(x+pad5, y) + mix(z, pad63)
}

func level1(x uint64) uint64 { return level2(x*3, x*5, x*7) ^ x }

func byteSum(f []byte) uint64 {
	var s uint64
	for i, b := range f {
		if i == 128 {
			break
		}
		s += uint64(b)
	}
	return s
}

func loopAcc() uint64 {
	acc := uint64(14695981039346656037)
	for i := uint64(0); i < 10; i++ {
		acc = acc*1099511628211 ^ (i + i) // n equals i on every iteration
	}
	return acc
}

func callsCase() *Case {
	f1 := tcp4("10.0.0.1", "10.0.0.2", 80, 100) // 154 bytes: the loop stops at 128
	f2 := udp4("10.0.0.1", "10.0.0.2", 53, 3)   // 45 bytes
	c := &Case{
		Name:   "calls",
		Object: "testdata/progs/calls.o",
		Setup: []Op{
			{Map: "table", Key: U32(1), Value: U64(100)},
			{Map: "table", Key: U32(2), Value: U64(200)},
			{Map: "table", Key: U32(3), Value: U64(300)},
		},
		Steps: []Step{
			{Prog: "xdp_calls", In: f1, Ret: Pass},
			{Prog: "xdp_calls", In: f2, Ret: Pass},
		},
	}
	for i := uint32(0); i < 8; i++ {
		c.Setup = append(c.Setup, Op{Map: "weights", Key: U32(i), Value: U64(uint64(i) * 10)})
	}
	// for_each over weights visits keys 0..5 (the callback stops at 5) and
	// adds 1 to each: the second run sees 10k+1, sum of (10k+1)(k+1) = 721.
	weights := []Entry{}
	for k := uint64(0); k < 8; k++ {
		v := 10 * k
		if k <= 5 {
			v += 2
		}
		weights = append(weights, E(U32(uint32(k)), U64(v)))
	}
	sum := byteSum(f2)
	c.Maps = map[string][]Entry{
		"out": {
			E(U32(0), U64(sum)),
			E(U32(1), U64(loopAcc())),
			E(U32(2), U64(10)),
			E(U32(3), U64(721)),
			E(U32(4), U64(6)),
			E(U32(5), U64(((1^100)+(2^200)+(3^300))*100+3)),
			E(U32(6), U64(level1(sum))),
		},
		"weights": weights,
		"table":   {E(U32(1), U64(100)), E(U32(2), U64(200)), E(U32(3), U64(300))},
	}
	return c
}
