package progtest

import (
	"bytes"
	"path/filepath"
	"testing"
)

// FuzzFrames runs arbitrary frames through the packet-parsing programs on
// bpfhost: no frame may make a run fail, and where the kernel is available
// the return value and output frame must be the kernel's.
//
//	go test -run '^$' -fuzz FuzzFrames ./internal/progtest
func FuzzFrames(f *testing.F) {
	cases := []*Case{parseCase(), FirewallCase(), csumCase(), adjustCase()}
	for _, c := range cases {
		for _, s := range c.Steps {
			f.Add(s.In)
		}
	}
	root, err := Root()
	if err != nil {
		f.Fatal(err)
	}
	type pair struct {
		prog string
		host Target
		kern Target
	}
	var pairs []pair
	useKernel := kernelAvailable() == nil
	for _, c := range cases {
		obj := filepath.Join(root, c.Object)
		h, err := HostLoaderWith("interpreter")(obj, c.Vars)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(h.Close)
		var k Target
		if useKernel {
			if k, err = KernelLoader(obj, c.Vars); err != nil {
				f.Fatal(err)
			}
			f.Cleanup(k.Close)
		}
		for _, tg := range []Target{h, k} {
			if tg != nil {
				if err := Setup(tg, c); err != nil {
					f.Fatal(err)
				}
			}
		}
		seen := map[string]bool{}
		for _, s := range c.Steps {
			if !seen[s.Prog] {
				seen[s.Prog] = true
				pairs = append(pairs, pair{s.Prog, h, k})
			}
		}
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		// The kernel's test run takes 14 to about 3500 bytes.
		if len(frame) < 14 || len(frame) > 3000 {
			return
		}
		for _, p := range pairs {
			ret, out, err := p.host.Run(p.prog, frame, nil)
			if err != nil {
				t.Fatalf("%s on %x: %v", p.prog, frame, err)
			}
			if p.kern == nil {
				continue
			}
			kret, kout, err := p.kern.Run(p.prog, frame, nil)
			if err != nil {
				t.Fatalf("kernel %s on %x: %v", p.prog, frame, err)
			}
			if ret != kret || !bytes.Equal(out, kout) {
				t.Errorf("%s on %x: bpfhost %d %x, kernel %d %x", p.prog, frame, ret, out, kret, kout)
			}
		}
	})
}
