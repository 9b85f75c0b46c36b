package progtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// mutate derives a frame from a corpus frame: flipped bytes (biased towards
// the headers), truncation, or extension, never below the kernel's minimum
// of 14 bytes.
func mutate(r *rand.Rand, f []byte) []byte {
	g := bytes.Clone(f)
	for n := r.IntN(4); n > 0; n-- {
		i := r.IntN(min(len(g), 64))
		g[i] = byte(r.Uint32())
	}
	switch r.IntN(4) {
	case 0:
		g = g[:14+r.IntN(len(g)-13)]
	case 1:
		g = append(g, make([]byte, r.IntN(64))...)
	}
	return g
}

// randomFrames returns n frames mutated from the steps of the given cases.
func randomFrames(seed uint64, n int, cases ...*Case) [][]byte {
	r := rand.New(rand.NewPCG(seed, 0x62706668))
	var base [][]byte
	for _, c := range cases {
		for _, s := range c.Steps {
			base = append(base, s.In)
		}
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = mutate(r, base[r.IntN(len(base))])
	}
	return out
}

// TestKernelRandomFrames runs mutated frames through programs that parse
// packets and compares every return value, output frame and final map with
// the kernel's: malformed input is where emulations drift.
func TestKernelRandomFrames(t *testing.T) {
	needKernel(t)
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	frames := randomFrames(1, 300, parseCase(), csumCase(), mapsCase(), FirewallCase(), adjustCase())
	for _, c := range []*Case{parseCase(), csumCase(), mapsCase(), FirewallCase(), adjustCase(), tailcallCase(), mapinmapCase(), redirectCase()} {
		progs := map[string]bool{}
		for _, s := range c.Steps {
			progs[s.Prog] = true
		}
		for prog := range progs {
			t.Run(c.Name+"/"+prog, func(t *testing.T) {
				obj := filepath.Join(root, c.Object)
				h, err := HostLoaderWith("interpreter")(obj, c.Vars)
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				k, err := KernelLoader(obj, c.Vars)
				if err != nil {
					t.Fatal(err)
				}
				defer k.Close()
				for _, tg := range []Target{h, k} {
					if err := Setup(tg, c); err != nil {
						t.Fatal(err)
					}
				}
				var hr, kr Result
				for _, f := range frames {
					for _, x := range []struct {
						tg Target
						r  *Result
					}{{h, &hr}, {k, &kr}} {
						ret, out, err := x.tg.Run(prog, f, nil)
						if err != nil {
							t.Fatalf("frame %x: %v", f, err)
						}
						x.r.Rets = append(x.r.Rets, ret)
						x.r.Outs = append(x.r.Outs, out)
					}
				}
				for _, x := range []struct {
					tg Target
					r  *Result
				}{{h, &hr}, {k, &kr}} {
					x.r.Maps = map[string][]Entry{}
					for _, m := range x.tg.MapNames() {
						if x.r.Maps[m], err = x.tg.Dump(m); err != nil {
							t.Fatal(err)
						}
					}
				}
				verdicts := map[uint32]int{}
				for _, r := range kr.Rets {
					verdicts[r]++
				}
				t.Logf("%d frames, kernel verdicts %v", len(frames), verdicts)
				if d := Compare(c, &hr, &kr, "bpfhost", "kernel"); len(d) > 0 {
					if len(d) > 10 {
						d = append(d[:10], fmt.Sprintf("... %d more", len(d)-10))
					}
					t.Errorf("bpfhost and the kernel differ on random frames:\n%s", strings.Join(d, "\n"))
				}
			})
		}
	}
}
