package integration

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
)

// TestProtosCoverProgtypeHelpers checks that every helper a program type
// offers has a verifier prototype.
func TestProtosCoverProgtypeHelpers(t *testing.T) {
	for _, name := range progtype.Names() {
		pt, _ := progtype.ByName(name)
		h := pt.Helpers()
		for n := int32(0); n < 256; n++ {
			if h.Lookup(n) != nil && !verifier.HelperKnown(n) {
				t.Errorf("program type %s offers helper %d, which has no verifier prototype", name, n)
			}
		}
	}
}

// TestLoaderLinkedCorpus links every program of the object corpus with the
// real loader (calls resolved, context accesses rewritten for the host) and
// verifies the result: programs in objects named bad_* must be refused,
// all others accepted.
func TestLoaderLinkedCorpus(t *testing.T) {
	var objs []string
	for _, pat := range []string{"../testdata/*.o", "../../testdata/progs/*.o", "../../progtype/testdata/*.o", "../../examples/*/bpf/*.o"} {
		m, _ := filepath.Glob(pat)
		objs = append(objs, m...)
	}
	if len(objs) == 0 {
		t.Skip("no objects")
	}
	nprogs := 0
	for _, obj := range objs {
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			t.Errorf("%s: %v", obj, err)
			continue
		}
		names := make([]string, 0, len(spec.Maps))
		for n := range spec.Maps {
			names = append(names, n)
		}
		sort.Strings(names)
		ids := map[string]uint32{}
		table := map[uint32]verifier.MapInfo{}
		for i, n := range names {
			ms, err := loader.MapSpec(spec.Maps[n])
			if err != nil {
				continue // a map type bpfhost lacks; its programs fail to link
			}
			ids[n] = uint32(i + 1)
			table[uint32(i+1)] = verifier.SpecInfo(ms)
		}
		bad := strings.HasPrefix(filepath.Base(obj), "bad_")
		for name, ps := range spec.Programs {
			pt, ok := progtype.ForSection(ps.SectionName)
			if !ok {
				continue
			}
			c, err := loader.Convert(ps)
			if err != nil {
				t.Errorf("%s/%s: convert: %v", obj, name, err)
				continue
			}
			insns, err := loader.Link(c, pt, func(ref loader.MapRef) (uint32, error) {
				if id, ok := ids[ref.Map]; ok {
					return id, nil
				}
				return 0, errors.New("unknown map " + ref.Map)
			})
			if err != nil {
				if !bad {
					t.Errorf("%s/%s: link: %v", obj, name, err)
				}
				continue
			}
			nprogs++
			res, err := verifier.Verify(insns, verifier.Options{ProgType: pt.Name(), Type: loader.TypeInfo(pt), Maps: verifier.MapTable(table)})
			switch {
			case bad && err == nil:
				t.Errorf("%s/%s: accepted an unsafe program", obj, name)
			case !bad && err != nil:
				log := strings.Split(res.Log, "\n")
				if len(log) > 12 {
					log = log[len(log)-12:]
				}
				t.Errorf("%s/%s (%s): refused: %v\n%s", obj, name, pt.Name(), err, strings.Join(log, "\n"))
			}
		}
	}
	t.Logf("verified %d linked programs", nprogs)
}
