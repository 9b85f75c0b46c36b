package jit_test

import (
	"math/rand/v2"
	"testing"

	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// memFor makes the input block of a generated program.
func memFor(seed byte) []byte {
	m := make([]byte, memBytes)
	for i := range m {
		m[i] = byte(i*37) ^ seed
	}
	return m
}

// FuzzJITvsInterp generates safe programs from the fuzz input (see gen)
// and requires the JIT, plain and blinded, to give the checked
// interpreter's r0 and memory.
func FuzzJITvsInterp(f *testing.F) {
	if !jit.Supported() {
		f.Skip("no JIT on this platform")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 16; i++ {
		b := make([]byte, 64+r.IntN(512))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		f.Add(b)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		g := &gen{in: in}
		insns := g.program()
		mem := memFor(byte(len(in)))
		if want, ok := compareRaw(t, cpus, insns, mem, jit.Options{}); !ok {
			t.Fatalf("the interpreter refused a generated program: %v\n%s", want.err, listing(insns))
		}
		compareRaw(t, cpus, insns, mem, jit.Options{Blind: true, BlindSeed: uint64(len(in)) + 1})
	})
}

// TestJITvsInterpRandom runs the fuzz target's comparison on programs
// from a fixed random stream, so every test run covers a few thousand.
func TestJITvsInterpRandom(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	r := rand.New(rand.NewPCG(42, 7))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		b := make([]byte, 32+r.IntN(600))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		insns := (&gen{in: b}).program()
		mem := memFor(byte(i))
		if want, ok := compareRaw(t, cpus, insns, mem, jit.Options{}); !ok {
			t.Fatalf("the interpreter refused a generated program: %v\n%s", want.err, listing(insns))
		}
		compareRaw(t, cpus, insns, mem, jit.Options{Blind: true, BlindSeed: uint64(i) + 1})
	}
}
