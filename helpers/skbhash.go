package helpers

import "github.com/bpfhost/bpfhost/vm"

// The packet hash of socket buffers (skb->hash): set by the program,
// cleared, or computed from the flow on demand.

// setHash is bpf_set_hash(skb, hash): set the packet's (software) hash.
func setHash(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, r2, _, _, _ uint64) uint64 {
		s := &state(ctx).skb
		s.hash, s.hashSet = uint32(r2), true
		refresh(ctx)
		return 0
	}
}

// setHashInvalid is bpf_set_hash_invalid(skb): clear the packet's hash.
func setHashInvalid(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
		s := &state(ctx).skb
		s.hash, s.hashSet = 0, false
		refresh(ctx)
		return 0
	}
}

// getHashRecalc is bpf_get_hash_recalc(skb): the packet's hash, computed
// from its flow when none is set. The kernel's flow hash is keyed with a
// random secret, so its values differ per boot; this one is a fixed
// function (FNV-1a) of the same fields — protocol, addresses and, for TCP,
// UDP and SCTP, ports — so equal flows get equal hashes.
func getHashRecalc(refresh Refresh) vm.Helper {
	return func(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
		s := &state(ctx).skb
		if !s.hashSet {
			s.hash, s.hashSet = flowHash(ctx, s), true
			refresh(ctx)
		}
		return uint64(s.hash)
	}
}

// flowHash hashes the flow fields of the packet's IPv4 or IPv6 header.
func flowHash(ctx *vm.Context, s *skbState) uint32 {
	h := uint32(2166136261)
	add := func(b []byte) {
		for _, c := range b {
			h = (h ^ uint32(c)) * 16777619
		}
	}
	if !ctx.HasPacket || s.net < ctx.Pkt.Data || s.net >= ctx.Pkt.End {
		return h
	}
	l3 := vm.Bytes(s.net, int(ctx.Pkt.End-s.net))
	var proto byte
	var l4 []byte
	switch {
	case s.proto == be16(ethPIP) && len(l3) >= 20:
		ihl := int(l3[0]&0xf) * 4
		proto = l3[9]
		add(l3[12:20])
		if ihl >= 20 && len(l3) >= ihl && l3[6]&0x3f == 0 && l3[7] == 0 { // not a fragment
			l4 = l3[ihl:]
		}
	case s.proto == be16(ethPIPv6) && len(l3) >= 40:
		proto = l3[6]
		add(l3[8:40])
		l4 = l3[40:]
	default:
		return h
	}
	add([]byte{proto})
	if (proto == 6 || proto == 17 || proto == 132) && len(l4) >= 4 {
		add(l4[:4])
	}
	if h == 0 {
		h = 1 // 0 means "no hash"
	}
	return h
}
