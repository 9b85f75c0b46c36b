package jit

import (
	"crypto/rand"
	"encoding/binary"
)

// seedRand fills a CPU's native generator state (Frame.Rand) from the
// system's random source, falling back to a value derived from the CPU ID
// so that the state is never all zero (a xorshift-family generator would
// then return zeros forever).
func seedRand(st *[4]uint64, cpu int) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		for i := range st {
			st[i] = splitmix(uint64(cpu)*4 + uint64(i) + 1)
		}
		return
	}
	for i := range st {
		st[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	// The native generator (RandNext) uses st[0] and st[1].
	if st[0]|st[1] == 0 {
		st[0] = 1
	}
}

// splitmix is SplitMix64's output function, a well-spread 64-bit mix.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
