package progtype

import (
	"fmt"
	"math"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

type rawType struct{ helpers *vm.HelperTable }

// Raw is the "raw" program type of the conformance suite: r1 is the address
// of a writable copy of the input data (in the virtual CPU's packet buffer),
// r2 its length. That memory is the context; accesses are not rewritten.
// It offers the generic helpers.
var Raw Type = &rawType{helpers: helpers.Generic()}

func (*rawType) Name() string               { return "raw" }
func (t *rawType) Helpers() *vm.HelperTable { return t.helpers }

// ContextAccess maps every access to itself: the context is plain memory.
func (*rawType) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	if off < math.MinInt16 || off > math.MaxInt16 {
		return 0, 0, fmt.Errorf("context access at offset %d does not fit an instruction's 16-bit offset", off)
	}
	return int16(off), size, nil
}

// Setup copies the data into the packet buffer and makes it the context.
func (*rawType) Setup(ctx *vm.Context, in *RunInput) (uint64, uint64, error) {
	n := len(in.Data)
	if n > vm.PacketBufferBytes {
		return 0, 0, fmt.Errorf("raw: data is %d bytes, more than the %d-byte maximum: %w", n, vm.PacketBufferBytes, maps.E2BIG)
	}
	buf := ctx.CPU.Packet
	copy(buf, in.Data)
	ctx.Ctx = vm.AddrOf(buf)
	ctx.CtxSize = n
	ctx.CtxWritable = true
	return ctx.Ctx, uint64(n), nil
}

// Finish returns the memory as the program left it.
func (*rawType) Finish(ctx *vm.Context, _ uint64, out *RunOutput) error {
	out.Data = append(out.Data[:0], vm.Bytes(ctx.Ctx, ctx.CtxSize)...)
	out.Context = out.Context[:0]
	return nil
}
