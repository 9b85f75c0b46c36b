package progtype

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Test runs of the socket-buffer types, after the kernel's
// bpf_prog_test_run_skb: the frame (data_in) arrives on the loopback device
// (or the ifindex ctx_in names), eth_type_trans classifies it, tc programs
// see it from the Ethernet header and the others from the network header;
// data_out is the whole frame again, for the latter with the Ethernet
// header zeroed as the kernel's test run returns it.

const (
	// skbMaxData is the largest data_in the kernel's skb test run takes:
	// a page minus its headroom (NET_SKB_PAD, 64 on x86-64) and the
	// skb_shared_info tailroom (320).
	skbMaxData = 4096 - 64 - 320
	// gsoMaxSegs and gsoLegacyMaxSize bound ctx_in's gso_segs and wire_len.
	gsoMaxSegs       = 65535
	gsoLegacyMaxSize = 65536

	// Linux's packet types (skb->pkt_type) and address families.
	packetHost      = 0
	packetMulticast = 2
	packetOtherHost = 3
	afInet          = 2
	afInet6         = 10
	ethPIP          = 0x0800
	ethPIPv6        = 0x86dd
)

// skbCtxAllowed lists the byte ranges of struct __sk_buff a test run's
// ctx_in may set (convert___skb_to_skb); any other non-zero byte is
// refused with EINVAL.
var skbCtxAllowed = []struct {
	name     string
	off, end int
}{
	{"mark", skbMark, skbMark + 4},
	{"priority", skbPriority, skbPriority + 4},
	{"ingress_ifindex", skbIngressIfindex, skbIngressIfindex + 4},
	{"ifindex", skbIfindex, skbIfindex + 4},
	{"cb", skbCB, skbCB + skbCBSize},
	{"tstamp", skbTstamp, skbTstamp + 8},
	{"wire_len", skbWireLen, skbWireLen + 4},
	{"gso_segs", skbGSOSegs, skbGSOSegs + 4},
	{"gso_size", skbGSOSize, skbGSOSize + 4},
	{"hwtstamp", skbHwtstamp, skbHwtstamp + 8},
}

// parseSKBCtx validates ctx_in and returns it as a full struct __sk_buff.
func parseSKBCtx(name string, in []byte) ([skbSize]byte, error) {
	var md [skbSize]byte
	copy(md[:], in)
	for i := skbSize; i < len(in); i++ {
		if in[i] != 0 {
			return md, fmt.Errorf("%s: ctx_in has non-zero byte %d beyond struct __sk_buff (%d bytes): %w", name, i, skbSize, maps.E2BIG)
		}
	}
	allowed := func(i int) bool {
		for _, a := range skbCtxAllowed {
			if i >= a.off && i < a.end {
				return true
			}
		}
		return false
	}
	for i, b := range md {
		if b != 0 && !allowed(i) {
			return md, fmt.Errorf("%s: ctx_in sets byte %d of struct __sk_buff, which is not one of the fields a test run accepts (mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp): %w", name, i, maps.EINVAL)
		}
	}
	return md, nil
}

// Setup copies the frame into the packet buffer and builds struct
// __sk_buff in the context block.
func (t *skbType) Setup(ctx *vm.Context, in *RunInput) (uint64, uint64, error) {
	size := len(in.Data)
	if size < ethHlen || size > skbMaxData {
		return 0, 0, fmt.Errorf("%s: data_in is %d bytes, the test run takes %d to %d (an Ethernet frame in one page): %w", t.name, size, ethHlen, skbMaxData, maps.EINVAL)
	}
	// Like the kernel's (since Linux 6.x), an IP frame must hold the IP
	// header the test run reads the socket addresses from.
	proto := ethTypeTrans(in.Data)
	if ipLen := ipHeaderLen(proto); size < ethHlen+ipLen {
		return 0, 0, fmt.Errorf("%s: data_in is %d bytes, too short for its Ethernet and %d-byte IP headers: %w", t.name, size, ipLen, maps.EINVAL)
	}
	hasCtx := in.Context != nil
	var md [skbSize]byte
	if hasCtx {
		var err error
		if md, err = parseSKBCtx(t.name, in.Context); err != nil {
			return 0, 0, err
		}
	}
	u32 := func(off int) uint32 { return binary.NativeEndian.Uint32(md[off:]) }
	skbLength := uint32(size)
	start := vm.PacketHeadroom
	if !t.l2 {
		skbLength -= ethHlen
		start += ethHlen
	}
	if hasCtx {
		if w := u32(skbWireLen); w == 0 {
			binary.NativeEndian.PutUint32(md[skbWireLen:], skbLength)
		} else if w < skbLength || w > gsoLegacyMaxSize {
			return 0, 0, fmt.Errorf("%s: ctx_in wire_len %d must be 0 or between the packet length %d and %d: %w", t.name, w, skbLength, gsoLegacyMaxSize, maps.EINVAL)
		}
		if s := u32(skbGSOSegs); s > gsoMaxSegs {
			return 0, 0, fmt.Errorf("%s: ctx_in gso_segs %d is more than %d: %w", t.name, s, gsoMaxSegs, maps.EINVAL)
		}
	}
	cpu := ctx.CPU
	clear(cpu.Packet[:vm.PacketHeadroom])
	copy(cpu.Packet[vm.PacketHeadroom:], in.Data)
	base := vm.AddrOf(cpu.Packet)
	end := base + uint64(vm.PacketHeadroom+size)
	ctx.HasPacket = true
	ctx.Pkt = vm.Packet{HardStart: base, Meta: base + uint64(start), Data: base + uint64(start), End: end, BufEnd: end}
	// eth_type_trans leaves the link-layer header at the frame's start and
	// the network header after it.
	mac := base + vm.PacketHeadroom
	helpers.SetSKB(ctx, helpers.SKBInit{MAC: mac, Net: mac + ethHlen, Protocol: proto, PktType: pktType(in.Data[:6])})

	block := cpu.Ctx[:skbHostHasCtx+4]
	copy(block, md[:])
	clear(block[skbSize:])
	put := func(off int, v uint32) { binary.NativeEndian.PutUint32(block[off:], v) }
	frame := in.Data
	put(skbLen, skbLength)
	put(skbPktType, pktType(frame[:6]))
	put(skbProtocol, uint32(proto))
	if ifindex := u32(skbIfindex); ifindex <= loopbackIfindex {
		// Like the kernel's, a test run without a device uses loopback.
		put(skbIfindex, loopbackIfindex)
	}
	setSocketFields(block, frame[ethHlen:])
	binary.NativeEndian.PutUint64(block[SKBHostData:], ctx.Pkt.Data)
	binary.NativeEndian.PutUint64(block[SKBHostDataEnd:], ctx.Pkt.End)
	binary.NativeEndian.PutUint64(block[SKBHostDataMeta:], ctx.Pkt.Meta)
	if hasCtx {
		put(skbHostHasCtx, 1)
	}
	ctx.Ctx = vm.AddrOf(block)
	ctx.CtxSize = SKBHostSize
	// Stores reach only the fields ContextAccess lets through; the
	// packet pointers cannot be stored to.
	ctx.CtxWritable = true
	return ctx.Ctx, 0, nil
}

// pktType classifies a destination MAC as eth_type_trans does on the
// loopback device, whose address and broadcast address are both
// 00:00:00:00:00:00: so ff:ff:ff:ff:ff:ff is multicast there, not broadcast.
func pktType(dst []byte) uint32 {
	switch {
	case dst[0]&1 != 0:
		return packetMulticast
	case bytes.Equal(dst, make([]byte, 6)):
		return packetHost
	}
	return packetOtherHost
}

// ethTypeTrans returns skb->protocol as eth_type_trans sets it: the
// EtherType as stored (big-endian) for Ethernet II frames, ETH_P_802_3 or
// ETH_P_802_2 for 802.3 length fields. The value is the 16-bit field in
// memory order, as a program's load of __sk_buff.protocol sees it.
func ethTypeTrans(frame []byte) uint16 {
	if binary.BigEndian.Uint16(frame[12:]) >= 0x600 {
		return binary.NativeEndian.Uint16(frame[12:])
	}
	be := func(v uint16) uint16 { return binary.NativeEndian.Uint16([]byte{byte(v >> 8), byte(v)}) }
	if len(frame) >= ethHlen+2 && frame[14] == 0xff && frame[15] == 0xff {
		return be(1) // ETH_P_802_3
	}
	return be(4) // ETH_P_802_2
}

// ipHeaderLen is the size of the fixed IPv4 or IPv6 header for a protocol
// as ethTypeTrans returns it, 0 for other protocols.
func ipHeaderLen(proto uint16) int {
	switch proto {
	case binary.NativeEndian.Uint16([]byte{0x08, 0x00}):
		return 20
	case binary.NativeEndian.Uint16([]byte{0x86, 0xdd}):
		return 40
	}
	return 0
}

// setSocketFields fills family and the addresses of the socket the
// kernel's test run creates for the packet (cgroup_skb reads them): source
// and destination of an IPv4 or IPv6 header; ports stay 0.
func setSocketFields(block, l3 []byte) {
	if len(l3) < 1 {
		return
	}
	switch l3[0] >> 4 {
	case 4:
		if len(l3) >= 20 {
			binary.NativeEndian.PutUint32(block[skbFamily:], afInet)
			copy(block[skbRemoteIP4:skbRemoteIP4+4], l3[16:20])
			copy(block[skbLocalIP4:skbLocalIP4+4], l3[12:16])
		}
	case 6:
		if len(l3) >= 40 {
			binary.NativeEndian.PutUint32(block[skbFamily:], afInet6)
			copy(block[skbRemoteIP6:skbRemoteIP6+16], l3[24:40])
			copy(block[skbLocalIP6:skbLocalIP6+16], l3[8:24])
		}
	}
}

// Finish returns the frame (data_out) and, when the run had a ctx_in, the
// struct __sk_buff the kernel's test run reports: mark, priority,
// ingress_ifindex, ifindex, tstamp, cb, wire_len, gso_segs, gso_size and
// hwtstamp.
func (t *skbType) Finish(ctx *vm.Context, _ uint64, out *RunOutput) error {
	pk := ctx.Pkt
	n := int(pk.End - pk.Data)
	if t.l2 {
		out.Data = append(out.Data[:0], vm.Bytes(pk.Data, n)...)
	} else {
		out.Data = append(out.Data[:0], make([]byte, ethHlen)...)
		out.Data = append(out.Data, vm.Bytes(pk.Data, n)...)
	}
	block := ctx.CPU.Ctx
	if binary.NativeEndian.Uint32(block[skbHostHasCtx:]) == 0 {
		out.Context = out.Context[:0]
		return nil
	}
	out.Context = resize(out.Context, skbSize)
	clear(out.Context)
	for _, a := range skbCtxAllowed {
		copy(out.Context[a.off:a.end], block[a.off:a.end])
	}
	return nil
}
