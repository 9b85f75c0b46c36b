package loader

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// FuzzRewriteContext runs the context analysis and rewriting on arbitrary
// bytecode (not validated first): it must return, with or without an error,
// and never panic.
func FuzzRewriteContext(f *testing.F) {
	for _, obj := range []string{"xdpctx.o", "calls.o", "globals.o"} {
		spec, err := loadSpecFile("testdata/" + obj)
		if err != nil {
			f.Fatal(err)
		}
		for _, ps := range spec.Programs {
			c, err := Convert(ps)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(isa.Encode(c.Insns))
		}
	}
	f.Fuzz(func(t *testing.T, code []byte) {
		insns, err := isa.Decode(code[:len(code)&^7])
		if err != nil {
			return
		}
		_ = RewriteContext(insns, xdpLayout{})
	})
}
