package verifier

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/bpfhost/bpfhost/progtype"
)

// typeInfoFor describes a progtype program type to the verifier the way a
// loader can: its ContextAccess validates accesses in Linux's layout, the
// packet pointer fields are those of struct xdp_md and struct __sk_buff,
// and its helper table says which helpers exist.
func typeInfoFor(t progtype.Type) *TypeInfo {
	name := t.Name()
	ptrs := map[int32]FieldKind{}
	switch {
	case name == "xdp":
		ptrs = map[int32]FieldKind{0: FieldPacket, 4: FieldPacketEnd, 8: FieldPacketMeta}
	case strings.HasPrefix(name, "sched_") || name == "cgroup_skb" || name == "socket_filter":
		ptrs = map[int32]FieldKind{76: FieldPacket, 80: FieldPacketEnd, 140: FieldPacketMeta}
	}
	ctx := ContextFunc(func(off int32, size int, write bool) (FieldKind, error) {
		if _, _, err := t.ContextAccess(off, size, write); err != nil {
			return 0, err
		}
		if k, ok := ptrs[off]; ok {
			return k, nil
		}
		return FieldScalar, nil
	})
	return &TypeInfo{Name: name, Context: ctx, Helpers: t.Helpers(),
		PacketWrite: name == "xdp" || name == "sched_cls" || name == "sched_act"}
}

// TestProgtypeCorpus verifies the program-type test objects (socket buffer
// and other types) with types described through progtype, comparing with
// the kernel where bpf() works.
func TestProgtypeCorpus(t *testing.T) {
	objs, _ := filepath.Glob("../progtype/testdata/*.o")
	if len(objs) == 0 {
		t.Skip("no progtype objects")
	}
	for _, obj := range objs {
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		for name, ps := range spec.Programs {
			pt, ok := progtype.ForSection(ps.SectionName)
			if !ok {
				continue
			}
			t.Run(filepath.Base(obj)+"/"+name, func(t *testing.T) {
				insns, mr, err := linkSpec(spec, ps)
				if err != nil {
					t.Fatal(err)
				}
				res, verr := Verify(insns, Options{ProgType: pt.Name(), Type: typeInfoFor(pt), Maps: mr})
				t.Logf("%s: %d insns, processed %d", pt.Name(), len(insns), res.Processed)
				kerr, skip := kernelVerdict(spec, name)
				t.Logf("kernel: %s (skip: %q)", errString(kerr), skip)
				if skip != "" {
					if verr != nil {
						t.Errorf("refused: %v\n%s", verr, tail(res.Log, 20))
					}
					return
				}
				if (kerr == nil) != (verr == nil) {
					t.Errorf("kernel %v, bpfhost %v\n%s", errString(kerr), verr, tail(res.Log, 20))
				}
			})
		}
	}
}

// TestProtosCoverProgtypeHelpers checks that every helper a program type
// offers has a prototype here (a helper without one cannot be verified).
func TestProtosCoverProgtypeHelpers(t *testing.T) {
	for _, name := range progtype.Names() {
		pt, _ := progtype.ByName(name)
		h := pt.Helpers()
		for n := int32(0); n < 256; n++ {
			if h.Lookup(n) != nil && helperProtos[n] == nil {
				t.Errorf("program type %s offers helper %d, which has no verifier prototype", name, n)
			}
		}
	}
}
