package helpers

import (
	"encoding/binary"
	"math/bits"

	"github.com/bpfhost/bpfhost/vm"
)

// csumDiff is bpf_csum_diff(from, from_size, to, to_size, seed) as Linux
// computes it since 6.13, the same on every architecture:
//
//	both sizes:  fold16(csum_sub(csum_partial(to, seed), csum_partial(from, 0)))
//	to only:     fold16(csum_partial(to, seed))
//	from only:   fold16(~csum_partial(from, ~seed))
//	neither:     fold16(seed)
//
// csum_partial is the 32-bit one's complement sum of the buffer's 64-bit
// words in host order (the last one zero-padded), plus seed; fold16 reduces
// it to 16 bits with end-around carry, so the result fits in 16 bits. Sizes
// need not be multiples of 4 (earlier kernels required that and a total of
// at most 512 bytes, and returned the unfolded 32-bit sum).
func csumDiff(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
	fromSize, toSize := uint32(r2), uint32(r4)
	from, ok := mem(ctx, FnCsumDiff, "from", r1, int(fromSize), false)
	if !ok {
		return 0
	}
	to, ok := mem(ctx, FnCsumDiff, "to", r3, int(toSize), false)
	if !ok {
		return 0
	}
	seed := uint32(r5)
	var sum uint32
	switch {
	case fromSize != 0 && toSize != 0:
		sum = csumSub(csumPartial(to, seed), csumPartial(from, 0))
	case toSize != 0:
		sum = csumPartial(to, seed)
	case fromSize != 0:
		sum = ^csumPartial(from, ^seed)
	default:
		sum = seed
	}
	return uint64(csumFold16(sum))
}

// csumPartial is the kernel's csum_partial: seed plus the buffer's 64-bit
// host-order words, added with end-around carry, folded to 32 bits.
func csumPartial(b []byte, seed uint32) uint32 {
	acc := uint64(seed)
	add := func(v uint64) {
		var c uint64
		acc, c = bits.Add64(acc, v, 0)
		acc += c
	}
	for len(b) >= 8 {
		add(binary.NativeEndian.Uint64(b))
		b = b[8:]
	}
	if len(b) > 0 {
		var tail [8]byte
		copy(tail[:], b)
		add(binary.NativeEndian.Uint64(tail[:]))
	}
	acc = acc&0xffffffff + acc>>32
	acc = acc&0xffffffff + acc>>32
	return uint32(acc)
}

// csumSub is the kernel's csum_sub: a + ~b with end-around carry.
func csumSub(a, b uint32) uint32 {
	nb := ^b
	s := a + nb
	if s < nb {
		s++
	}
	return s
}

// csumFold16 is the kernel's csum_from32to16.
func csumFold16(s uint32) uint16 {
	s += s>>16 | s<<16
	return uint16(s >> 16)
}
