package integration

import (
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
	"github.com/bpfhost/bpfhost/verifier/internal/progen"
	"github.com/bpfhost/bpfhost/vm"
)

// soundnessEnv is the fuzz target's process-wide setup: the generator's maps
// created and registered once, one virtual CPU, the interpreter.
var soundnessEnv struct {
	once sync.Once
	ids  map[int32]int32
	cpus *vm.CPUs
	err  error
}

func soundnessSetup(t *testing.T) {
	soundnessEnv.once.Do(func() {
		soundnessEnv.ids = map[int32]int32{}
		for gid, spec := range genMaps {
			m, err := maps.New(spec, maps.Options{})
			if err != nil {
				soundnessEnv.err = err
				return
			}
			soundnessEnv.ids[int32(gid)] = int32(maps.Register(m))
		}
		soundnessEnv.cpus, soundnessEnv.err = vm.NewCPUs(1)
	})
	if soundnessEnv.err != nil {
		t.Fatal(soundnessEnv.err)
	}
}

// FuzzSoundness is the verifier's soundness fuzzer: it generates a program
// from the input, verifies it, and runs every accepted program in the
// bounds-checked interpreter on packets of several sizes whose bytes also
// come from the input. A checked-mode fault (an access outside the run's
// regions), an aborted helper call or an exhausted instruction budget in a
// program the verifier accepted is a verifier bug.
//
//	go test -fuzz=FuzzSoundness ./verifier/integration
func FuzzSoundness(f *testing.F) {
	for _, seed := range [][]byte{
		{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc},
		[]byte("a packet parser with a bounds check and a map lookup"),
		make([]byte, 64),
	} {
		f.Add(seed, []byte{0x45, 0x00, 0x00, 0x54}, true)
	}
	f.Fuzz(func(t *testing.T, prog, packet []byte, wellFormed bool) {
		soundnessSetup(t)
		if len(prog) > 4096 {
			prog = prog[:4096]
		}
		insns := progen.Generate(prog, wellFormed)
		for j := range insns {
			if insns[j].Opcode == isa.OpLdImm64 && insns[j].Src == isa.PseudoMapFD {
				insns[j].Imm = soundnessEnv.ids[insns[j].Imm]
			}
		}
		if _, err := verifier.Verify(insns, verifier.Options{ProgType: "xdp", MaxProcessed: 100000}); err != nil {
			return
		}
		host := append([]isa.Instruction(nil), insns...)
		if err := loader.RewriteContext(host, progtype.XDP); err != nil {
			return // the rewrite cannot tell feasible paths; see TestVerifiedProgramsRunClean
		}
		if _, err := verifier.Verify(host, verifier.Options{ProgType: "xdp", HostContext: true, MaxProcessed: 100000}); err != nil {
			t.Fatalf("verified in Linux's layout, refused in the host's: %v\n%s", err, listing(host))
		}
		p, err := loader.Finalize("fuzz", "xdp", host, loader.Options{}) // unverified: checked mode
		if err != nil {
			t.Fatalf("finalize: %v", err)
		}
		exe, err := interp.New().Prepare(p)
		if err != nil {
			t.Fatalf("prepare: %v", err)
		}
		for _, plen := range []int{14, 34, 60, 1500} {
			data := make([]byte, plen)
			for i := range data {
				if len(packet) > 0 {
					data[i] = packet[i%len(packet)]
				}
			}
			var out progtype.RunOutput
			if err := progtype.Run(progtype.XDP, exe, p, soundnessEnv.cpus, &progtype.RunInput{Data: data}, &out); err != nil {
				t.Fatalf("verified, but the checked run on a %d-byte packet failed: %v\n%s", plen, err, listing(insns))
			}
		}
	})
}
