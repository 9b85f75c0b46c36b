package progtest

import (
	"encoding/binary"
	"math/bits"

	"github.com/bpfhost/bpfhost/internal/progtest/pkt"
)

// v4Model computes xdp_v4's results for frame f in Go.
func v4Model(f []byte) []Entry {
	a := -int32(int(f[12])*1000 + int(f[13])) // clang narrows the division to 32 bits
	b := int32(f[14]|1) - 9
	w := binary.LittleEndian.Uint64(f[8:])
	u := uint32(w) | 1
	res := []int64{
		int64(a / b),
		int64(a % b),
		int64(int8(f[6])),
		int64(int16(binary.LittleEndian.Uint16(f[7:]))),
		int64(bits.ReverseBytes64(w)),
		int64(bits.ReverseBytes32(uint32(w))) + int64(bits.ReverseBytes16(uint16(w))),
		int64(int32(w>>16)) * 3,
		int64(0xfffffffd/u + 0xfffffffd%u),
	}
	var es []Entry
	for i, r := range res {
		es = append(es, E(U32(uint32(i)), I64(r)))
	}
	return es
}

func v4Case() *Case {
	// A source MAC with the top bits set makes the sign extensions visible.
	f := pkt.Build(pkt.Spec{SrcMAC: []byte{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54}, Src: "10.0.0.1", Dst: "10.0.0.2", Proto: tcp, DPort: 80})
	return &Case{
		Name:      "v4",
		KernelMin: "6.6", // cpu v4 instructions
		Object:    "testdata/progs/v4.o",
		Steps: []Step{
			{Prog: "xdp_v4", In: f, Ret: Pass},
			{Prog: "xdp_v4", In: f[:15], Ret: Drop},
		},
		Maps: map[string][]Entry{"res": v4Model(f)},
	}
}
