package progtest

// atomicsModel applies xdp_atomics to a zeroed struct cells for each frame
// length, in Go, and returns the struct's bytes.
func atomicsModel(lens ...uint64) []byte {
	var add, fadd, cas, xchg, or64, and64, xor64 uint64
	var add32, or32, and32, xor32, cas32, xchg32 uint32
	var oldFadd, oldCas, oldXchg, old32 uint64
	for _, n := range lens {
		n32 := uint32(n)
		add += n
		oldFadd, fadd = fadd, fadd+1
		oldCas = cas
		if cas == 0 {
			cas = n
		} else if cas == n {
			cas = n + 1
		}
		oldXchg, xchg = xchg, n
		or64 |= 1 << (n & 63)
		and64 &^= 1 << (n & 7)
		xor64 ^= n
		o := uint64(add32) + uint64(or32) + uint64(and32) + uint64(xor32) + uint64(cas32) + uint64(xchg32)
		add32 += n32
		or32 |= 1 << (n & 31)
		and32 &^= 1 << (n & 31)
		xor32 ^= n32 * 0x01010101
		if cas32 == 0 {
			cas32 = n32
		}
		xchg32 = n32 << 8
		old32 += o
	}
	return B(U64(add), U64(fadd), U64(cas), U64(xchg), U64(or64), U64(and64), U64(xor64),
		U32(add32), U32(or32), U32(and32), U32(xor32), U32(cas32), U32(xchg32),
		U64(oldFadd), U64(oldCas), U64(oldXchg), U64(old32))
}

func atomicsCase() *Case {
	even := tcp4("10.0.0.1", "10.0.0.2", 80, 0) // 60 bytes (padded)
	odd := udp4("10.0.0.1", "10.0.0.2", 53, 33) // 75 bytes
	return &Case{
		Name:   "atomics",
		Object: "testdata/progs/atomics.o",
		Steps: []Step{
			{Prog: "xdp_atomics", In: even, Ret: Pass},
			{Prog: "xdp_atomics", In: odd, Ret: TX},
			{Prog: "xdp_atomics", In: even, Ret: Pass},
		},
		Maps: map[string][]Entry{"cells": {E(U32(0), atomicsModel(n(even), n(odd), n(even)))}},
	}
}
