package integration

import (
	"fmt"
	"math/rand"
	"strings"
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

// genMaps are the maps the generator's IDs 1-6 refer to (the verifier
// tests' table): created for real and registered.
var genMaps = map[uint32]maps.Spec{
	1: {Name: "hash", Type: maps.Hash, KeySize: 4, ValueSize: 16, MaxEntries: 16},
	2: {Name: "array", Type: maps.Array, KeySize: 4, ValueSize: 64, MaxEntries: 4},
	3: {Name: "ringbuf", Type: maps.RingBuf, MaxEntries: 4096},
	4: {Name: "progs", Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4},
	5: {Name: "rdonly", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: maps.FlagRdOnlyProg},
	6: {Name: "queue", Type: maps.Queue, ValueSize: 8, MaxEntries: 8},
}

// TestVerifiedProgramsRunClean generates programs, and runs those the
// verifier accepts on packets of several sizes in checked mode: a checked
// access failure would be a program the verifier wrongly proved safe. The
// loader's context rewrite must keep them verifiable in the host layout.
func TestVerifiedProgramsRunClean(t *testing.T) {
	ids := map[int32]int32{}
	for gid, spec := range genMaps {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatalf("creating map %s: %v", spec.Name, err)
		}
		id := maps.Register(m)
		t.Cleanup(func() { maps.Unregister(id); m.Close() })
		ids[int32(gid)] = int32(id)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	eng := interp.New()
	rng := rand.New(rand.NewSource(7))
	n := 10000
	if testing.Short() {
		n = 500
	}
	buf := make([]byte, 240)
	accepted, runs, rewriteRefused, withPacket := 0, 0, 0, 0
	for i := 0; i < n; i++ {
		rng.Read(buf)
		size := 8 + rng.Intn(len(buf)-8)
		insns := progen.Generate(buf[:size], i%4 != 0)
		for j := range insns {
			if insns[j].Opcode == isa.OpLdImm64 && insns[j].Src == isa.PseudoMapFD {
				insns[j].Imm = ids[insns[j].Imm]
			}
		}
		if _, err := verifier.Verify(insns, verifier.Options{ProgType: "xdp", MaxProcessed: 100000}); err != nil {
			continue
		}
		accepted++
		for j := range insns {
			if insns[j].Opcode == isa.ClassLDX|isa.ModeMEM|isa.SizeW && insns[j].Src == 6 && insns[j].Offset == 4 {
				withPacket++
				break
			}
		}
		host := append([]isa.Instruction(nil), insns...)
		if err := loader.RewriteContext(host, progtype.XDP); err != nil {
			// The rewrite's analysis does not know which paths are
			// feasible; it may refuse accesses on paths the verifier
			// proved dead.
			rewriteRefused++
			t.Logf("program %d: the context rewrite refuses it: %v", i, err)
			continue
		}
		if _, err := verifier.Verify(host, verifier.Options{ProgType: "xdp", HostContext: true, MaxProcessed: 100000}); err != nil {
			t.Errorf("program %d: verified in Linux's layout, refused in the host's: %v\n%s", i, err, listing(host))
			continue
		}
		prog, err := loader.Finalize("gen", "xdp", host, loader.Options{})
		if err != nil {
			t.Errorf("program %d: finalize: %v", i, err)
			continue
		}
		exe, err := eng.Prepare(prog)
		if err != nil {
			t.Errorf("program %d: prepare: %v", i, err)
			continue
		}
		for _, plen := range []int{14, 15, 34, 60, 200, 1500} { // XDP runs need an Ethernet header
			data := make([]byte, plen)
			rng.Read(data)
			var out progtype.RunOutput
			runs++
			if err := progtype.Run(progtype.XDP, exe, prog, cpus, &progtype.RunInput{Data: data}, &out); err != nil {
				t.Errorf("program %d on a %d-byte packet: verified, but the checked run failed: %v\n%s", i, plen, err, listing(insns))
				break
			}
		}
	}
	t.Logf("%d of %d generated programs verified (%d with packet accesses, %d refused by the context rewrite); %d checked runs, none caught",
		accepted, n, withPacket, rewriteRefused, runs)
	if accepted < n/50 {
		t.Errorf("only %d programs verified: the generator no longer exercises the verifier", accepted)
	}
}

func listing(insns []isa.Instruction) string {
	var b strings.Builder
	for pc := range insns {
		fmt.Fprintf(&b, "  %d: %s\n", pc, verifier.Disasm(insns, pc))
	}
	return b.String()
}

// TestCheckedModeCatches makes sure the harness above has teeth: a packet
// read the verifier refuses is caught by checked mode on a short packet.
func TestCheckedModeCatches(t *testing.T) {
	insns := []isa.Instruction{
		{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeW, Dst: 2, Src: 1, Offset: 0},
		{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeB, Dst: 0, Src: 2, Offset: 20},
		{Opcode: isa.OpExit},
	}
	if _, err := verifier.Verify(insns, verifier.Options{ProgType: "xdp"}); err == nil {
		t.Fatal("the verifier accepted an unchecked packet read")
	}
	host := append([]isa.Instruction(nil), insns...)
	if err := loader.RewriteContext(host, progtype.XDP); err != nil {
		t.Fatal(err)
	}
	prog, err := loader.Finalize("oob", "xdp", host, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := interp.New().Prepare(prog)
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	var out progtype.RunOutput
	if err := progtype.Run(progtype.XDP, exe, prog, cpus, &progtype.RunInput{Data: make([]byte, 14)}, &out); err == nil {
		t.Fatal("checked mode did not catch a read 6 bytes past the packet")
	}
}
