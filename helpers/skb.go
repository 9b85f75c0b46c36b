package helpers

import (
	"math"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Socket-buffer helpers. They work on the packet of the run (ctx.Pkt: Data
// is the kernel's skb->data, End - Data its skb->len); bpfhost's socket
// buffers are linear, as the kernel's test-run buffers are, so "pulling"
// data or making it writable only checks lengths.

// tc return codes and flags used by the helpers.
const (
	// TCActShot is TC_ACT_SHOT, what bpf_redirect returns for bad flags.
	TCActShot = 2
	// TCActRedirect is TC_ACT_REDIRECT.
	TCActRedirect = 7

	redirectIngress = 1 // BPF_F_INGRESS

	skbStoreFlags   = 1 | 2 // BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
	hdrFieldMask    = 0xf   // BPF_F_HDR_FIELD_MASK
	csumPseudoHdr   = 1 << 4
	csumMangled0    = 1 << 5 // BPF_F_MARK_MANGLED_0
	csumMarkEnforce = 1 << 6 // BPF_F_MARK_ENFORCE
	csumIPv6        = 1 << 7 // BPF_F_IPV6
	csumMangledZero = 0xffff // CSUM_MANGLED_0
)

// skbLen is the kernel's skb->len: bytes from skb->data to the end.
func skbLen(ctx *vm.Context) uint64 {
	if !ctx.HasPacket {
		return 0
	}
	return ctx.Pkt.End - ctx.Pkt.Data
}

// skbLoadBytes is bpf_skb_load_bytes(skb, offset, to, len): copy len
// packet bytes at offset into to; on failure to is zeroed and the result is
// -EFAULT.
func skbLoadBytes(ctx *vm.Context, _, r2, r3, r4, _ uint64) uint64 {
	off, n := uint32(r2), uint32(r4)
	to, ok := mem(ctx, FnSkbLoadBytes, "to", r3, int(n), true)
	if !ok {
		return 0
	}
	if off > math.MaxInt32 || uint64(off)+uint64(n) > skbLen(ctx) {
		clear(to)
		return neg(eFAULT)
	}
	copy(to, vm.Bytes(ctx.Pkt.Data+uint64(off), int(n)))
	return 0
}

// Header bases of bpf_skb_load_bytes_relative.
const (
	hdrStartMAC = 0 // BPF_HDR_START_MAC
	hdrStartNet = 1 // BPF_HDR_START_NET
)

// skbLoadBytesRelative is bpf_skb_load_bytes_relative(skb, offset, to,
// len, start_header): like skb_load_bytes, with offset counted from the
// link-layer (BPF_HDR_START_MAC) or network (BPF_HDR_START_NET) header,
// which may lie before skb->data; -EFAULT (and to zeroed) past the end,
// for an offset above 0xffff or an unknown start_header.
func skbLoadBytesRelative(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	off, n := uint32(r2), uint32(r4)
	to, ok := mem(ctx, FnSkbLoadBytesRelative, "to", r3, int(n), true)
	if !ok {
		return 0
	}
	s := state(ctx)
	var start uint64
	switch r5 {
	case hdrStartMAC:
		start = s.skb.mac
	case hdrStartNet:
		start = s.skb.net
	}
	if !ctx.HasPacket || start == 0 || off > 0xffff || start+uint64(off)+uint64(n) > ctx.Pkt.End {
		clear(to)
		return neg(eFAULT)
	}
	copy(to, vm.Bytes(start+uint64(off), int(n)))
	return 0
}

// skbStoreBytes is bpf_skb_store_bytes(skb, offset, from, len, flags): a
// range past the end is -EFAULT. BPF_F_RECOMPUTE_CSUM and BPF_F_INVALIDATE_HASH change nothing
// observable here (no CHECKSUM_COMPLETE buffers, no hash computed).
func skbStoreBytes(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	if r5&^skbStoreFlags != 0 {
		return neg(maps.EINVAL)
	}
	off, n := uint32(r2), uint32(r4)
	if off > math.MaxInt32 {
		return neg(eFAULT)
	}
	if uint64(off)+uint64(n) > skbLen(ctx) {
		return neg(eFAULT)
	}
	from, ok := mem(ctx, FnSkbStoreBytes, "from", r3, int(n), false)
	if !ok {
		return 0
	}
	copy(vm.Bytes(ctx.Pkt.Data+uint64(off), int(n)), from)
	return 0
}

// csumField validates the checksum offset of l3/l4_csum_replace and
// returns the address of the 16-bit checksum, or the helper's error.
func csumField(ctx *vm.Context, off uint64) (uint64, uint64) {
	o := uint32(off)
	if o > 0xffff || o&1 != 0 || uint64(o)+2 > skbLen(ctx) {
		return 0, neg(eFAULT)
	}
	return ctx.Pkt.Data + uint64(o), 0
}

// csumReplace updates the checksum at p for a field changing from from to
// to, of size bytes (0: to is a precomputed csum_diff); false for a size
// the kernel refuses.
func csumReplace(p uint64, size, from, to uint64) bool {
	sum := uint16(vm.Load16(p))
	switch size {
	case 0:
		// csum_replace_by_diff
		sum = csumFoldNot(csumAdd(uint32(to), ^uint32(sum)))
	case 2:
		// csum_replace2: 16-bit one's complement arithmetic.
		sum = ^csum16Add(csum16Add(^sum, ^uint16(from)), uint16(to))
	case 4:
		// csum_replace4
		sum = csumFoldNot(csumAdd(csumAdd(^uint32(sum), ^uint32(from)), uint32(to)))
	default:
		return false
	}
	vm.Store16(p, uint64(sum))
	return true
}

// l3CsumReplace is bpf_l3_csum_replace(skb, offset, from, to, flags): the
// low 4 bits of flags are the size of the changed field (2 or 4), or 0 when
// to is a checksum difference (then from must be 0).
func l3CsumReplace(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	if r5&^hdrFieldMask != 0 {
		return neg(maps.EINVAL)
	}
	p, ret := csumField(ctx, r2)
	if ret != 0 {
		return ret
	}
	size := r5 & hdrFieldMask
	if size == 0 && r3 != 0 || !csumReplace(p, size, r3, r4) {
		return neg(maps.EINVAL)
	}
	return 0
}

// l4CsumReplace is bpf_l4_csum_replace(skb, offset, from, to, flags). With
// BPF_F_MARK_MANGLED_0 a zero checksum (none, for UDP) is left alone unless
// BPF_F_MARK_ENFORCE is set, and a result of zero is written as 0xffff.
// BPF_F_PSEUDO_HDR and BPF_F_IPV6 only matter for CHECKSUM_COMPLETE and
// CHECKSUM_PARTIAL buffers, which bpfhost does not have.
func l4CsumReplace(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	if r5&^(hdrFieldMask|csumPseudoHdr|csumMangled0|csumMarkEnforce|csumIPv6) != 0 {
		return neg(maps.EINVAL)
	}
	p, ret := csumField(ctx, r2)
	if ret != 0 {
		return ret
	}
	mangled0 := r5&csumMangled0 != 0
	if mangled0 && r5&csumMarkEnforce == 0 && vm.Load16(p) == 0 {
		return 0
	}
	size := r5 & hdrFieldMask
	if size == 0 && r3 != 0 || !csumReplace(p, size, r3, r4) {
		return neg(maps.EINVAL)
	}
	if mangled0 && vm.Load16(p) == 0 {
		vm.Store16(p, csumMangledZero)
	}
	return 0
}

// csumAdd is the kernel's csum_add: 32-bit addition with end-around carry.
func csumAdd(a, b uint32) uint32 {
	s := a + b
	if s < b {
		s++
	}
	return s
}

// csumFoldNot is the kernel's csum_fold: fold to 16 bits and complement.
func csumFoldNot(s uint32) uint16 {
	s = s&0xffff + s>>16
	s = s&0xffff + s>>16
	return ^uint16(s)
}

// csum16Add is the kernel's csum16_add.
func csum16Add(a, b uint16) uint16 {
	s := a + b
	if s < b {
		s++
	}
	return s
}

// skbPullData is bpf_skb_pull_data(skb, len): make len bytes (0: the
// linear part) directly accessible. Buffers are linear, so it only fails,
// with -ENOMEM, when the packet is shorter than len.
func skbPullData(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
	if uint64(uint32(r2)) > skbLen(ctx) {
		return neg(maps.ENOMEM)
	}
	return 0
}

// csumUpdate is bpf_csum_update(skb, csum): only buffers with
// CHECKSUM_COMPLETE carry a checksum to update, and a test run's never do.
func csumUpdate(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return neg(maps.ENOTSUPP)
}

// Internal redirect flags the kernel records for bpf_redirect_neigh and
// bpf_redirect_peer (net/core/filter.c), kept in vm.Redirect.Flags.
const (
	RedirectNeigh   = 1 << 16 // BPF_F_NEIGH
	RedirectPeer    = 1 << 17 // BPF_F_PEER
	RedirectNexthop = 1 << 18 // BPF_F_NEXTHOP

	// redirNeighSize is sizeof(struct bpf_redir_neigh).
	redirNeighSize = 20
)

// redirectPeer is bpf_redirect_peer(ifindex, flags): redirect to the peer
// of a veth or netkit device; flags must be 0 (else TC_ACT_SHOT).
func redirectPeer(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	if r2 != 0 {
		return TCActShot
	}
	ctx.Redirect = vm.Redirect{Set: true, IfIndex: uint32(r1), Flags: RedirectPeer}
	return TCActRedirect
}

// redirectNeigh is bpf_redirect_neigh(ifindex, params, plen, flags):
// redirect through the neighbour subsystem, to the next hop params names
// when plen is not 0 (plen must then cover struct bpf_redir_neigh); flags
// must be 0. The next hop is not recorded: there is no neighbour table.
func redirectNeigh(ctx *vm.Context, r1, r2, r3, r4, _ uint64) uint64 {
	plen := int32(r3)
	if plen != 0 && plen < redirNeighSize || r4 != 0 {
		return TCActShot
	}
	flags := uint64(RedirectNeigh)
	if plen != 0 {
		if _, ok := mem(ctx, FnRedirectNeigh, "params", r2, redirNeighSize, false); !ok {
			return 0
		}
		flags |= RedirectNexthop
	}
	ctx.Redirect = vm.Redirect{Set: true, IfIndex: uint32(r1), Flags: flags}
	return TCActRedirect
}

// tcRedirect is bpf_redirect(ifindex, flags) for tc programs: record the
// target device and return TC_ACT_REDIRECT; flags other than BPF_F_INGRESS
// give TC_ACT_SHOT.
func tcRedirect(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	if r2&^redirectIngress != 0 {
		return TCActShot
	}
	ctx.Redirect = vm.Redirect{Set: true, IfIndex: uint32(r1), Flags: r2}
	return TCActRedirect
}
