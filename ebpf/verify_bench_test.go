package ebpf

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkVerifySpec verifies every program of each corpus object (linked
// form, as loading does) per iteration; B/op is what verification allocates.
// cmd/bpfhost-bench -verify gives the per-program table beside the kernel.
func BenchmarkVerifySpec(b *testing.B) {
	var objs []string
	for _, pat := range []string{"../testdata/progs/*.o", "../examples/*/bpf/*.o", "../progtype/testdata/*.o", "../verifier/testdata/good_*.o"} {
		m, _ := filepath.Glob(pat)
		objs = append(objs, m...)
	}
	for _, obj := range objs {
		spec, err := LoadCollectionSpec(obj)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(filepath.Base(obj), ".o"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vs, err := VerifySpec(spec, VerifySpecOptions{})
				if err != nil {
					b.Fatal(err)
				}
				for _, v := range vs {
					if v.Result != nil && v.Err != nil {
						b.Fatalf("%s: %v", v.Name, v.Err)
					}
				}
			}
		})
	}
}
