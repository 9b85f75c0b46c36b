package jit

import (
	"reflect"
	"unsafe"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// The XDP packet adjustments (bpf_xdp_adjust_head, _meta, _tail) compiled
// natively. The back ends emit exactly the tests of helpers/xdp.go, in the
// same unsigned 64-bit arithmetic, and on success write the same state the
// Go helper and progtype's syncXDP write: vm.Context.Pkt's Meta, Data and
// End (pointer-free uint64 fields, reached through Frame.Ctx) and the
// data, data_end and data_meta words of the XDP context block (address in
// vm.Context.Ctx) that the program loads, and the bytes the helpers move
// (metadata) or clear (tail growth). No case exits to Go.

// AdjustKind names a natively compiled XDP packet adjustment.
type AdjustKind uint8

// The adjustments.
const (
	// AdjustNone: take the Go route.
	AdjustNone AdjustKind = iota
	// AdjustHead is bpf_xdp_adjust_head(ctx, delta); metadata (Pkt.Meta
	// below Pkt.Data) moves with the frame, as the Go helper's copy does.
	AdjustHead
	// AdjustMeta is bpf_xdp_adjust_meta(ctx, delta).
	AdjustMeta
	// AdjustTail is bpf_xdp_adjust_tail(ctx, delta); growth zero-fills the
	// new bytes natively.
	AdjustTail
)

// Offsets of the vm.Context fields the native adjustments read and write,
// from the start of vm.Context. All are pointer-free (uint64 addresses
// and a bool), so native stores need no write barrier; adjust_test.go pins
// them by writing through them and reading the struct back.
const (
	CtxCtx          = int32(unsafe.Offsetof(vm.Context{}.Ctx))
	CtxHasPacket    = int32(unsafe.Offsetof(vm.Context{}.HasPacket))
	CtxPktHardStart = int32(unsafe.Offsetof(vm.Context{}.Pkt) + unsafe.Offsetof(vm.Packet{}.HardStart))
	CtxPktMeta      = int32(unsafe.Offsetof(vm.Context{}.Pkt) + unsafe.Offsetof(vm.Packet{}.Meta))
	CtxPktData      = int32(unsafe.Offsetof(vm.Context{}.Pkt) + unsafe.Offsetof(vm.Packet{}.Data))
	CtxPktEnd       = int32(unsafe.Offsetof(vm.Context{}.Pkt) + unsafe.Offsetof(vm.Packet{}.End))
	CtxPktBufEnd    = int32(unsafe.Offsetof(vm.Context{}.Pkt) + unsafe.Offsetof(vm.Packet{}.BufEnd))
)

// Offsets of the packet words in the XDP context block (progtype's host
// layout of struct xdp_md), which syncXDP rewrites after every adjustment.
const (
	XDPBlockData    = progtype.XDPHostData
	XDPBlockDataEnd = progtype.XDPHostDataEnd
	XDPBlockMeta    = progtype.XDPHostDataMeta
)

// Bounds and results of the adjustments, as in helpers/xdp.go.
const (
	// AdjustFrameSize is the headroom kept for the kernel's xdp_frame.
	AdjustFrameSize = helpers.XDPFrameSize
	// AdjustMinFrame is ETH_HLEN, the smallest frame head and tail leave.
	AdjustMinFrame = 14
	// AdjustMaxMeta is the longest metadata adjust_meta accepts.
	AdjustMaxMeta = helpers.XDPMaxMetaLen
	// AdjustEINVAL, AdjustEACCES and AdjustENOTSUPP are the helpers'
	// negative error returns (r0 is their 64-bit sign extension).
	AdjustEINVAL   = -int32(maps.EINVAL)
	AdjustEACCES   = -int32(13)
	AdjustENOTSUPP = -int32(maps.ENOTSUPP)
)

// AdjustFor reports how to compile a call of helper num in p natively, or
// AdjustNone. Only programs of progtype's XDP type qualify (their helper
// table is progtype.XDP's, whose refresh is syncXDP and whose context block
// has the XDPBlock* layout), and only while the table still holds
// bpfhost's own adjust function for num.
func AdjustFor(p *vm.Program, num int32) AdjustKind {
	var k AdjustKind
	switch num {
	case helpers.FnXDPAdjustHead:
		k = AdjustHead
	case helpers.FnXDPAdjustMeta:
		k = AdjustMeta
	case helpers.FnXDPAdjustTail:
		k = AdjustTail
	default:
		return AdjustNone
	}
	t := progtype.XDP.Helpers()
	if p == nil || p.Helpers != t {
		return AdjustNone
	}
	h, own := t.Lookup(num), adjustOwn[k]
	if h == nil || own == 0 || reflect.ValueOf(h).Pointer() != own {
		return AdjustNone
	}
	return k
}

// adjustOwn holds the code addresses of helpers/xdp.go's adjust closures
// (shared by every instance, whatever refresh they captured).
var adjustOwn = func() (pc [4]uintptr) {
	t := helpers.XDP(nil)
	for k, num := range map[AdjustKind]int32{
		AdjustHead: helpers.FnXDPAdjustHead,
		AdjustMeta: helpers.FnXDPAdjustMeta,
		AdjustTail: helpers.FnXDPAdjustTail,
	} {
		if h := t.Lookup(num); h != nil {
			pc[k] = reflect.ValueOf(h).Pointer()
		}
	}
	return pc
}()
