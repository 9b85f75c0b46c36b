package progtest

import (
	"bytes"

	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
)

// probeFrame is an Ethernet frame of size bytes (ethertype 0x88b5) carrying
// limits.c's probe: id and the head, tail and meta deltas.
func probeFrame(id uint32, head, tail, meta int32, size int) []byte {
	f := B(pkt.DstMAC, pkt.SrcMAC, []byte{0x88, 0xb5}, U32(id), U32(uint32(head)), U32(uint32(tail)), U32(uint32(meta)))
	return append(f, make([]byte, size-len(f))...)
}

// probe is one limits.c probe and its expected outcome.
type probe struct {
	head, tail, meta              int32
	headRet, tailRet, metaRet     int64
	afterHead, afterTail, metaLen uint64
}

const (
	einval = -22
	eacces = -13
)

func limitsCase() *Case {
	const size = 60
	probes := []probe{
		// Growing the head: the kernel keeps room for struct xdp_frame in the
		// 256-byte headroom.
		{head: -216, headRet: 0, afterHead: size + 216, afterTail: size + 216},
		{head: -217, headRet: einval, afterHead: size, afterTail: size},
		{head: -256, headRet: einval, afterHead: size, afterTail: size},
		// Shrinking the head: at least ETH_HLEN bytes must remain.
		{head: size - 14, afterHead: 14, afterTail: 14},
		{head: size - 13, headRet: einval, afterHead: size, afterTail: size},
		// The tail.
		{tail: 1, afterHead: size, afterTail: size + 1},
		{tail: 1000, afterHead: size, afterTail: size + 1000},
		{tail: 100000, tailRet: einval, afterHead: size, afterTail: size},
		{tail: -(size - 14), afterHead: size, afterTail: 14},
		{tail: -(size - 13), tailRet: einval, afterHead: size, afterTail: size},
		// Metadata: in 4-byte units, within the headroom left after struct
		// xdp_frame (Linux 6.18 no longer caps it at 32 bytes).
		{meta: -32, afterHead: size, afterTail: size, metaLen: 32},
		{meta: -36, afterHead: size, afterTail: size, metaLen: 36},
		{meta: -6, metaRet: eacces, afterHead: size, afterTail: size},
		{meta: -216, afterHead: size, afterTail: size, metaLen: 216},
		{meta: -220, metaRet: einval, afterHead: size, afterTail: size},
		{head: -64, meta: -32, afterHead: size + 64, afterTail: size + 64, metaLen: 32},
		{head: -200, meta: -32, metaRet: einval, afterHead: size + 200, afterTail: size + 200},
	}
	// Benchmarks use probe 2, which fails and leaves the frame as it was.
	// Metadata room rules changed over time; confirmed on 6.18.
	c := &Case{Name: "limits", Object: "testdata/progs/limits.o", Maps: map[string][]Entry{}, Bench: 1, KernelMin: "6.18"}
	for i, p := range probes {
		id := uint32(i + 1)
		in := probeFrame(id, p.head, p.tail, p.meta, size)
		out := p.apply(in)
		if bytes.Equal(out, in) {
			out = nil
		}
		c.Steps = append(c.Steps, Step{Prog: "xdp_limits", In: in, Ret: Pass, Out: out})
		c.Maps["outcomes"] = append(c.Maps["outcomes"], E(U32(id), B(I64(p.headRet), I64(p.tailRet), I64(p.metaRet), U64(p.afterHead), U64(p.afterTail), U64(p.metaLen))))
	}
	return c
}

// apply returns the output frame the probe's successful adjustments make of
// f: the kernel's test run starts the output at data_meta, and memory the
// frame grows into (headroom, tailroom) reads as zeros.
func (p probe) apply(f []byte) []byte {
	if p.head != 0 && p.headRet == 0 {
		if p.head < 0 {
			f = B(Zero(int(-p.head)), f)
		} else {
			f = f[p.head:]
		}
	}
	if p.tail != 0 && p.tailRet == 0 {
		if p.tail > 0 {
			f = B(f, Zero(int(p.tail)))
		} else {
			f = f[:len(f)+int(p.tail)]
		}
	}
	if p.meta != 0 && p.metaRet == 0 {
		f = B(Zero(int(-p.meta)), f)
	}
	return f
}
