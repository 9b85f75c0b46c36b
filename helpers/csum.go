package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// csumScratchBytes is the size of the kernel's per-CPU scratch area for
// csum_diff (struct bpf_scratchpad: MAX_BPF_STACK bytes): from_size and
// to_size together may not exceed it.
const csumScratchBytes = 512

// csumDiff is bpf_csum_diff(from, from_size, to, to_size, seed): the 32-bit
// one's complement sum (folded with end-around carry) of seed, the
// complement of every 32-bit word of from and every 32-bit word of to, as
// the kernel's csum_partial computes it over {~from..., to...}. Words are
// read in host byte order, as the kernel reads them. Sizes must be multiples
// of 4 bytes and add up to at most 512, or the result is -EINVAL.
func csumDiff(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
	fromSize, toSize := uint32(r2), uint32(r4)
	if (fromSize|toSize)&3 != 0 || uint64(fromSize)+uint64(toSize) > csumScratchBytes {
		return neg(maps.EINVAL)
	}
	from, ok := mem(ctx, FnCsumDiff, "from", r1, int(fromSize), false)
	if !ok {
		return 0
	}
	to, ok := mem(ctx, FnCsumDiff, "to", r3, int(toSize), false)
	if !ok {
		return 0
	}
	sum := uint64(uint32(r5))
	for i := 0; i < len(from); i += 4 {
		sum += uint64(^uint32(vm.Load32(vm.AddrOf(from) + uint64(i))))
	}
	for i := 0; i < len(to); i += 4 {
		sum += vm.Load32(vm.AddrOf(to) + uint64(i))
	}
	return uint64(fold32(sum))
}

// fold32 folds a 64-bit accumulator of 32-bit words into a 32-bit one's
// complement sum.
func fold32(sum uint64) uint32 {
	for sum>>32 != 0 {
		sum = sum&0xffffffff + sum>>32
	}
	return uint32(sum)
}
