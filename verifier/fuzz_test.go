package verifier

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/verifier/internal/progen"
)

// genProgram and genProgramMode are the shared program generator.
func genProgram(data []byte) []isa.Instruction { return progen.Generate(data, false) }

func genProgramMode(data []byte, wellFormed bool) []isa.Instruction {
	return progen.Generate(data, wellFormed)
}

// checkNoHang verifies insns with a small budget and fails if it takes
// unreasonably long (the budget bounds the work).
func checkNoHang(t *testing.T, insns []isa.Instruction, typ string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Verify(insns, Options{ProgType: typ, Maps: testMaps, MemSize: 32, MaxProcessed: 50000})
		Verify(insns, Options{ProgType: typ, Maps: testMaps, MemSize: 32, MaxProcessed: 5000, Unprivileged: true, LogLevel: 2})
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("verification of %d instructions did not finish", len(insns))
	}
}

// FuzzVerify checks that the verifier never panics or hangs, on structured
// programs and on raw bytecode.
func FuzzVerify(f *testing.F) {
	for _, c := range append(append([]vcase{}, positiveCases...), negativeCases...) {
		f.Add(isa.Encode(c.insns), true)
	}
	f.Add([]byte{0, 1, 2, 3, 8, 9, 10, 11, 5, 6, 7, 13}, false)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		var insns []isa.Instruction
		if raw {
			insns, _ = isa.Decode(data[:len(data)/8*8])
		} else {
			insns = genProgram(data)
		}
		typ := "xdp"
		if len(data) > 0 && data[0]&1 == 1 {
			typ = "raw"
		}
		checkNoHang(t, insns, typ)
	})
}

// TestGeneratedPrograms runs a deterministic batch of generated programs
// (the fuzz target's generator) in the normal test run.
func TestGeneratedPrograms(t *testing.T) {
	var seed uint64 = 12345
	buf := make([]byte, 400)
	for i := 0; i < 800; i++ {
		for j := 0; j < len(buf); j += 8 {
			seed = seed*6364136223846793005 + 1442695040888963407
			binary.LittleEndian.PutUint64(buf[j:], seed)
		}
		n := 8 + int((seed>>40)%uint64(len(buf)-8))
		checkNoHang(t, genProgram(buf[:n]), []string{"xdp", "raw"}[i%2])
	}
}
