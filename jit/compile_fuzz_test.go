package jit_test

import (
	"math/rand/v2"
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// checkCompileParity compiles arbitrary instruction slots: the back end
// must not panic, and must accept exactly the programs the interpreter's
// decoder accepts (so that an engine switch never changes which programs
// load).
func checkCompileParity(t *testing.T, code []byte) {
	if len(code) > 8*64 {
		code = code[:8*64]
	}
	code = code[:len(code)/8*8]
	insns, err := isa.Decode(code)
	if err != nil || len(insns) == 0 {
		return
	}
	tab := &vm.HelperTable{}
	for i := range tab {
		tab[i] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 { return 0 }
	}
	p := &vm.Program{Name: "f", Insns: insns, Helpers: tab}
	_, ierr := interp.New().Prepare(&vm.Program{Name: "f", Insns: insns, Helpers: tab, Checked: true})
	_, jerr := jit.Compile(p, jit.Options{})
	if (ierr == nil) != (jerr == nil) {
		t.Fatalf("interpreter: %v\nJIT: %v\n%s", ierr, jerr, listing(insns))
	}
	jit.Compile(p, jit.Options{Blind: true})
}

// FuzzCompile feeds arbitrary bytecode to the back end.
func FuzzCompile(f *testing.F) {
	f.Add(isa.Encode(prog(mov(0, 1), exit())))
	f.Add(isa.Encode(longLoop(5)))
	f.Fuzz(checkCompileParity)
}

// plausibleOpcodes lists every opcode some valid instruction uses.
func plausibleOpcodes() []uint8 {
	var ops []uint8
	for _, cls := range []uint8{isa.ClassALU, isa.ClassALU64, isa.ClassJMP, isa.ClassJMP32} {
		for op := uint8(0); op <= 0xd0; op += 0x10 {
			ops = append(ops, cls|op|isa.SrcK, cls|op|isa.SrcX)
		}
	}
	for _, size := range []uint8{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW} {
		ops = append(ops, isa.ClassLDX|isa.ModeMEM|size, isa.ClassLDX|isa.ModeMEMSX|size,
			isa.ClassST|isa.ModeMEM|size, isa.ClassSTX|isa.ModeMEM|size, isa.ClassSTX|isa.ModeATOMIC|size)
	}
	return append(ops, isa.OpLdImm64, isa.OpLdImm64)
}

// TestCompileParityRandom runs FuzzCompile's check on random programs
// made of mostly plausible opcodes with random fields.
func TestCompileParityRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ops := plausibleOpcodes()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		insns := make([]isa.Instruction, 1+r.IntN(4))
		for j := range insns {
			if r.IntN(10) == 0 {
				insns[j] = isa.Instruction{Opcode: uint8(r.Uint32()), Dst: uint8(r.IntN(16)), Src: uint8(r.IntN(16)), Offset: int16(r.Uint32()), Imm: int32(r.Uint32())}
				continue
			}
			insns[j] = isa.Instruction{
				Opcode: ops[r.IntN(len(ops))],
				Dst:    uint8(r.IntN(12)),
				Src:    []uint8{0, 1, 2, 3, 10, 11}[r.IntN(6)],
				Offset: []int16{0, 0, 1, -1, 2, 8, 16, 32, int16(r.IntN(30) - 15)}[r.IntN(9)],
				Imm:    []int32{0, 1, -1, 8, 16, 32, 64, 0xe1, 0xf1, 0x41, 12, int32(r.Uint32())}[r.IntN(12)],
			}
		}
		checkCompileParity(t, isa.Encode(insns))
	}
}
