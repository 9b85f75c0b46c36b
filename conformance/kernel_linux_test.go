//go:build linux

package conformance_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/conformance/harness"
	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

// xdpProlog is the prolog the upstream runner puts in front of a program
// to run it as XDP on Linux: r1 = ctx->data, r2 = the memory's length
// (after proving to the verifier that the packet is that long).
func xdpProlog(size int) []isa.Instruction {
	return []isa.Instruction{
		{Opcode: 0xb7, Dst: 0, Imm: -1},           // mov r0, -1
		{Opcode: 0xbf, Dst: 6, Src: 1},            // mov r6, r1
		{Opcode: 0x61, Dst: 1, Src: 6},            // ldxw r1, [r6+0]
		{Opcode: 0x61, Dst: 2, Src: 6, Offset: 4}, // ldxw r2, [r6+4]
		{Opcode: 0xbf, Dst: 3, Src: 1},            // mov r3, r1
		{Opcode: 0x07, Dst: 3, Imm: int32(size)},  // add r3, size
		{Opcode: 0xbd, Dst: 3, Src: 2, Offset: 1}, // jle r3, r2, +1
		{Opcode: 0x95},                            // exit
		{Opcode: 0xb7, Dst: 2, Imm: int32(size)},  // mov r2, size
	}
}

// TestConformanceAgainstKernel runs the suite's programs on the Linux
// kernel too (as XDP programs through BPF_PROG_TEST_RUN, the way the
// upstream runner's Linux mode does) and checks that bpfhost's r0 agrees
// with the kernel's wherever the kernel accepts the program. The kernel
// reports only the low 32 bits of r0, so only those are compared; the
// suite test checks all 64 against the expected values.
func TestConformanceAgainstKernel(t *testing.T) {
	if err := kernel.Available(); err != nil {
		t.Skip(err)
	}
	files := suiteFiles(t, "tests")
	eng, err := harness.Engine("")
	if err != nil {
		t.Fatal(err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()

	accepted, refused := 0, 0
	for _, path := range files {
		f, err := conformance.ParseFile(path)
		if errors.Is(err, conformance.ErrUnknownSection) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		insns, err := f.Program()
		if err != nil {
			t.Fatal(err)
		}
		ours, err := harness.Run(eng, cpus, f.Name, insns, f.Mem)
		if err != nil {
			t.Errorf("%s: bpfhost: %v", f.Name, err)
			continue
		}
		ret, err := runOnKernel(insns, f.Mem)
		if err != nil {
			refused++
			t.Logf("%s: kernel refuses: %s", f.Name, firstLine(err.Error()))
			continue
		}
		accepted++
		if uint32(ours) != ret {
			t.Errorf("%s: bpfhost r0 = %#x, kernel r0 = %#x (low 32 bits)", f.Name, ours, ret)
		}
	}
	t.Logf("kernel accepts %d of %d programs (refuses %d); bpfhost agrees on all it accepts unless errors are reported above",
		accepted, accepted+refused, refused)
	if accepted == 0 {
		t.Fatal("the kernel accepted no program: the comparison is vacuous")
	}
}

// runOnKernel loads insns as an XDP program (with the prolog when there is
// memory) and runs it once on mem.
func runOnKernel(insns []isa.Instruction, mem []byte) (uint32, error) {
	if len(mem) > 0 {
		insns = append(xdpProlog(len(mem)), insns...)
	}
	prog, err := asm.AppendInstructions(nil, bytes.NewReader(isa.Encode(insns)), binary.LittleEndian, "linux")
	if err != nil {
		return 0, err
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: prog, License: "GPL"})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	// XDP test runs need at least an Ethernet header of data; the program
	// only sees the first len(mem) bytes through r2 anyway.
	data := make([]byte, max(len(mem), 64))
	copy(data, mem)
	return p.Run(&ebpf.RunOptions{Data: data})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
