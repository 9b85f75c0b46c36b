package loader

import (
	"testing"

	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
)

// TestTypeInfoHostLayout checks the host-layout context descriptions the
// verifier gets: packet pointers where the rewrite puts them, scalars
// elsewhere, and refusals of what the Linux layout does not allow.
func TestTypeInfoHostLayout(t *testing.T) {
	skb, _ := progtype.ByName("sched_cls")
	sockops, _ := progtype.ByName("sock_ops")
	cases := []struct {
		t     progtype.Type
		off   int32
		size  int
		write bool
		kind  verifier.FieldKind
		ok    bool
	}{
		{progtype.XDP, progtype.XDPHostData, 8, false, verifier.FieldPacket, true},
		{progtype.XDP, progtype.XDPHostDataEnd, 8, false, verifier.FieldPacketEnd, true},
		{progtype.XDP, progtype.XDPHostDataMeta, 8, false, verifier.FieldPacketMeta, true},
		{progtype.XDP, progtype.XDPHostIngressIfindex, 4, false, verifier.FieldScalar, true},
		{progtype.XDP, progtype.XDPHostData, 4, false, 0, false}, // Linux's u32 form is not in the host layout
		{progtype.XDP, progtype.XDPHostData, 8, true, 0, false},  // pointers are read-only
		{progtype.XDP, progtype.XDPHostIngressIfindex, 4, true, 0, false},
		{skb, progtype.SKBHostData, 8, false, verifier.FieldPacket, true},
		{skb, progtype.SKBHostDataEnd, 8, false, verifier.FieldPacketEnd, true},
		{skb, progtype.SKBHostDataMeta, 8, false, verifier.FieldPacketMeta, true},
		{skb, 0, 4, false, verifier.FieldScalar, true}, // len
		{skb, 8, 4, true, verifier.FieldScalar, true},  // mark
		{skb, 0, 4, true, 0, false},                    // len is read-only
		{sockops, 0, 4, false, verifier.FieldScalar, true},
	}
	for _, c := range cases {
		ti := TypeInfo(c.t)
		k, err := ti.Context.Access(c.off, c.size, c.write)
		if (err == nil) != c.ok || (c.ok && k != c.kind) {
			t.Errorf("%s off %d size %d write %v: kind %d err %v; want kind %d ok %v", c.t.Name(), c.off, c.size, c.write, k, err, c.kind, c.ok)
		}
	}
	if TypeInfo(progtype.XDP) != TypeInfo(progtype.XDP) {
		t.Error("TypeInfo is not cached")
	}
	if ti := TypeInfo(progtype.Raw); !ti.RawMemory || ti.Context != nil {
		t.Errorf("raw: %+v", ti)
	}
	if !TypeInfo(progtype.XDP).PacketWrite || TypeInfo(progtype.SocketFilter).PacketWrite {
		t.Error("packet write permissions")
	}
}
