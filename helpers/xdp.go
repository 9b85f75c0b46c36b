package helpers

import (
	"encoding/binary"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// XDP limits and values, as in the kernel.
const (
	// XDPFrameSize is sizeof(struct xdp_frame) on 64-bit kernels: the
	// kernel keeps that much of the headroom for the frame descriptor, so
	// the packet (metadata included) can never start before it.
	XDPFrameSize = 40
	// ethHlen is ETH_HLEN: a frame may not shrink below an Ethernet header.
	ethHlen = 14
	// XDPMaxMetaLen is the most metadata bpf_xdp_adjust_meta accepts (the
	// kernel bounds it by skb_shared_info.meta_len, a u8, and 4-byte
	// alignment: 252 bytes since Linux 6.5; older kernels allowed 32).
	XDPMaxMetaLen = 252

	// XDP program return codes.
	XDPAborted  = 0
	XDPDrop     = 1
	XDPPass     = 2
	XDPTX       = 3
	XDPRedirect = 4

	redirectBroadcast      = 1 << 3 // BPF_F_BROADCAST
	redirectExcludeIngress = 1 << 4 // BPF_F_EXCLUDE_INGRESS
	xdpActionMask          = XDPAborted | XDPDrop | XDPPass | XDPTX
)

// Refresh rewrites a program type's context block after a helper moved the
// packet (ctx.Pkt), so that the program's next load of data, data_end or
// data_meta sees the new bounds, as the kernel's xdp_buff is the context.
type Refresh func(ctx *vm.Context)

// xdpAdjustHead is bpf_xdp_adjust_head(xdp_md, delta): move the start of the
// frame by delta bytes (negative grows it into the headroom), carrying the
// metadata along. The frame must keep ETH_HLEN bytes and the metadata must
// stay clear of the kernel's xdp_frame at the start of the buffer.
func xdpAdjustHead(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		pk := &ctx.Pkt
		off := int64(int32(r2))
		metalen := pk.Data - pk.Meta
		data := uint64(int64(pk.Data) + off)
		if data < pk.HardStart+XDPFrameSize+metalen || data > pk.End-ethHlen {
			return neg(maps.EINVAL)
		}
		if metalen > 0 {
			meta := uint64(int64(pk.Meta) + off)
			copy(vm.Bytes(meta, int(metalen)), vm.Bytes(pk.Meta, int(metalen)))
			pk.Meta = meta
		} else {
			pk.Meta = data
		}
		pk.Data = data
		refresh(ctx)
		return 0
	}
}

// xdpAdjustTail is bpf_xdp_adjust_tail(xdp_md, delta): move the end of the
// frame. Growth is limited by the buffer's tailroom and zero-fills the new
// bytes; the frame may not shrink below ETH_HLEN.
func xdpAdjustTail(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		pk := &ctx.Pkt
		off := int64(int32(r2))
		end := uint64(int64(pk.End) + off)
		if end > pk.BufEnd || end < pk.Data+ethHlen {
			return neg(maps.EINVAL)
		}
		if off > 0 {
			clear(vm.Bytes(pk.End, int(off)))
		}
		pk.End = end
		refresh(ctx)
		return 0
	}
}

// xdpAdjustMeta is bpf_xdp_adjust_meta(xdp_md, delta): move the start of the
// metadata that precedes the frame. The metadata must end up a multiple of 4
// bytes and at most XDPMaxMetaLen long (else -EACCES), inside the headroom.
func xdpAdjustMeta(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
		if !ctx.HasPacket {
			return neg(maps.EINVAL)
		}
		pk := &ctx.Pkt
		if pk.Meta > pk.Data {
			return neg(maps.ENOTSUPP)
		}
		meta := uint64(int64(pk.Meta) + int64(int32(r2)))
		if meta < pk.HardStart+XDPFrameSize || meta > pk.Data {
			return neg(maps.EINVAL)
		}
		if n := pk.Data - meta; n&3 != 0 || n > XDPMaxMetaLen {
			return neg(eACCES)
		}
		pk.Meta = meta
		refresh(ctx)
		return 0
	}
}

// xdpGetBuffLen is bpf_xdp_get_buff_len(xdp_md): the frame's length
// (bpfhost frames are linear, without fragments).
func xdpGetBuffLen(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
	if !ctx.HasPacket {
		return 0
	}
	return ctx.Pkt.End - ctx.Pkt.Data
}

// xdpRedirect is bpf_redirect(ifindex, flags) for XDP: record the target
// interface and return XDP_REDIRECT; any flag makes it XDP_ABORTED.
func xdpRedirect(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
	if r2 != 0 {
		return XDPAborted
	}
	ctx.Redirect = vm.Redirect{Set: true, IfIndex: uint32(r1)}
	return XDPRedirect
}

// xdpRedirectMap is bpf_redirect_map(map, key, flags) for XDP. The lower two
// bits of flags are the action returned when key has no entry in map;
// BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS are recorded for the caller. A
// failed lookup clears the redirect decision, so the last call wins.
func xdpRedirectMap(ctx *vm.Context, r1, r2, r3, _, _ uint64) uint64 {
	if r3&^(xdpActionMask|redirectBroadcast|redirectExcludeIngress) != 0 {
		return XDPAborted
	}
	m := mapArg(r1)
	found := false
	if m != nil {
		s := state(ctx)
		if cap(s.buf) < 4 {
			s.buf = make([]byte, 0, 64)
		}
		key := s.buf[:4]
		binary.NativeEndian.PutUint32(key, uint32(r2))
		if _, keySize, _, _ := maps.Dims(m); keySize == 4 {
			found = m.LookupElem(key, ctx.CPU.ID) != 0
		}
	}
	if !found && r3&redirectBroadcast == 0 {
		ctx.Redirect = vm.Redirect{}
		return r3 & xdpActionMask
	}
	r := vm.Redirect{Set: true, Key: uint32(r2)}
	if m != nil {
		r.Map = m.ID()
	}
	if r3&redirectBroadcast != 0 {
		r.Flags = r3 & (redirectBroadcast | redirectExcludeIngress)
	}
	ctx.Redirect = r
	return XDPRedirect
}
