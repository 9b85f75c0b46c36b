package jit_test

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// FuzzCompileIntrinsics compiles arbitrary bytecode with bpfhost's XDP
// helper table, whose spin lock, CPU, prandom, redirect and bpf_loop calls
// are intrinsics, on both back ends with and without blinding: compiling
// never panics, and blinding does not change whether a back end accepts a
// program (the back ends differ on some programs without intrinsics, such
// as calls of helpers the table lacks). pick turns
// the callback handle of every ld_imm64 into a subprogram handle of the
// program (or just past it), so that bpf_loop calls reach the inline path.
func FuzzCompileIntrinsics(f *testing.F) {
	seed := func(insns ...isa.Instruction) []byte {
		var b []byte
		for _, ins := range insns {
			b = binary.LittleEndian.AppendUint64(b, encode(ins))
		}
		return b
	}
	f.Add(seed(prog(callHelper(helpers.FnSpinLock), callHelper(helpers.FnSpinUnlock), exit())...), uint8(0))
	f.Add(seed(prog(callHelper(helpers.FnRedirect), callHelper(helpers.FnGetPrandomU32), callHelper(helpers.FnGetSmpProcessorID), exit())...), uint8(0))
	f.Add(seed(loopProgram(1, 7)...), uint8(11))
	f.Add(seed(loopProgram(3, 7)...), uint8(200))
	tab := helpers.XDP(nil)
	f.Fuzz(func(t *testing.T, code []byte, pick uint8) {
		if len(code) > 8*64 {
			code = code[:8*64]
		}
		code = code[:len(code)/8*8]
		insns, err := isa.Decode(code)
		if err != nil || len(insns) == 0 {
			return
		}
		for i := 0; i+1 < len(insns); i++ {
			if insns[i].Opcode == isa.OpLdImm64 && insns[i].Dst == isa.R2 {
				isa.SetImm64(insns, i, vm.FuncHandle(int(pick)%(len(insns)+1)))
			}
		}
		p := &vm.Program{Name: "f", Insns: insns, Helpers: tab}
		for _, arch := range []string{"amd64", "arm64"} {
			_, err := jit.CompileFor(arch, p, jit.Options{})
			_, berr := jit.CompileFor(arch, p, jit.Options{Blind: true, BlindSeed: 3})
			if (err == nil) != (berr == nil) {
				t.Fatalf("%s: plain %v, blinded %v\n%s", arch, err, berr, listing(insns))
			}
		}
	})
}

// encode is the little-endian 64-bit form of one instruction slot.
func encode(ins isa.Instruction) uint64 {
	return uint64(ins.Opcode) | uint64(ins.Dst&0xf)<<8 | uint64(ins.Src&0xf)<<12 |
		uint64(uint16(ins.Offset))<<16 | uint64(uint32(ins.Imm))<<32
}
