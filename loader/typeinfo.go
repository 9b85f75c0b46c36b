package loader

import (
	"fmt"
	"strings"
	"sync"

	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
)

// Programs are verified in their linked form, after RewriteContext: the
// instructions the verifier proves safe are exactly the ones that run, and
// the linked form is all a restored or xlated-loaded program has. So the
// verifier is given the program type's context in the host layout: the
// host fields the type's ContextAccess maps Linux accesses to, found by
// enumerating every Linux offset, size and direction once per type.

// hostAccess is one access to the host context block.
type hostAccess struct {
	off   int32
	size  int
	write bool
}

// linuxPacketPointers are the Linux context fields (by offset) that hold
// packet pointers, for the types that have them: struct xdp_md and struct
// __sk_buff. Other pointer fields (bpf_sock_ops.skb_data, __sk_buff.sk) load
// as scalars, which the verifier refuses to dereference: conservative.
func linuxPacketPointers(name string) map[int32]verifier.FieldKind {
	switch {
	case name == "xdp":
		return map[int32]verifier.FieldKind{0: verifier.FieldPacket, 4: verifier.FieldPacketEnd, 8: verifier.FieldPacketMeta}
	case strings.HasPrefix(name, "sched_") || strings.HasPrefix(name, "lwt_") || name == "cgroup_skb" || name == "socket_filter":
		return map[int32]verifier.FieldKind{76: verifier.FieldPacket, 80: verifier.FieldPacketEnd, 140: verifier.FieldPacketMeta}
	}
	return nil
}

// packetWriteTypes may store into packet data directly, as Linux's
// may_access_direct_pkt_data allows.
var packetWriteTypes = map[string]bool{"xdp": true, "sched_cls": true, "sched_act": true, "lwt_xmit": true}

// maxCtxOffset bounds the Linux offsets enumerated; every supported context
// structure is smaller.
const maxCtxOffset = 512

var typeInfos sync.Map // progtype.Type -> *verifier.TypeInfo

// TypeInfo describes t to the verifier for programs in linked form (context
// accesses in the host layout). The "raw" type gets RawMemory: r1 is memory
// of verifier.Options.MemSize bytes. Results are cached per type.
func TypeInfo(t progtype.Type) *verifier.TypeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*verifier.TypeInfo)
	}
	ti := buildTypeInfo(t)
	actual, _ := typeInfos.LoadOrStore(t, ti)
	return actual.(*verifier.TypeInfo)
}

func buildTypeInfo(t progtype.Type) *verifier.TypeInfo {
	name := t.Name()
	if name == "raw" {
		return &verifier.TypeInfo{Name: name, Helpers: t.Helpers(), RawMemory: true}
	}
	ptrs := linuxPacketPointers(name)
	host := map[hostAccess]verifier.FieldKind{}
	for off := int32(0); off < maxCtxOffset; off++ {
		for _, size := range []int{1, 2, 4, 8} {
			for _, write := range []bool{false, true} {
				ho, hs, err := t.ContextAccess(off, size, write)
				if err != nil {
					continue
				}
				k := verifier.FieldScalar
				if p, ok := ptrs[off]; ok && hs == 8 && !write {
					k = p
				}
				a := hostAccess{int32(ho), hs, write}
				// A host slot reached both as a pointer and as a number
				// (never in the supported types) stays a number: safe.
				if prev, seen := host[a]; seen && prev != k {
					k = verifier.FieldScalar
				}
				host[a] = k
			}
		}
	}
	ctx := verifier.ContextFunc(func(off int32, size int, write bool) (verifier.FieldKind, error) {
		k, ok := host[hostAccess{off, size, write}]
		if !ok {
			dir := "load"
			if write {
				dir = "store"
			}
			return 0, fmt.Errorf("invalid %s context access: no %d-byte host field at offset %d", dir, size, off)
		}
		return k, nil
	})
	return &verifier.TypeInfo{Name: name, Context: ctx, Helpers: t.Helpers(), PacketWrite: packetWriteTypes[name]}
}
