package jit_test

import (
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// engines to compare: the interpreter runs programs checked (as every
// unverified program) and unchecked (as after verification); the JIT
// runs them unchecked, with and without the inline helper routes.
var benchEngines = []struct {
	name    string
	eng     vm.Engine
	checked bool
}{
	{"interp-checked", interp.New(), true},
	{"interp", interp.New(), false},
	{"jit", jit.New(), false},
	{"jit-noinline", jit.NewWithOptions(jit.Options{NoInline: true}), false},
}

// benchRun runs insns b.N times on each engine and reports ns per run.
func benchRun(b *testing.B, insns []isa.Instruction, tab *vm.HelperTable, perRun int, unit string) {
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			p := &vm.Program{Name: "b", Type: "raw", Insns: insns, Helpers: tab, Checked: e.checked}
			exe, err := e.eng.Prepare(p)
			if err != nil {
				b.Fatal(err)
			}
			cpus, err := vm.NewCPUs(1)
			if err != nil {
				b.Fatal(err)
			}
			defer cpus.Close()
			cpu := cpus.Acquire()
			ctx := &cpu.Run
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx.Reset(p)
				if _, err := exe.Run(ctx, 0, 0); err != nil {
					b.Fatal(err)
				}
			}
			if perRun > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(perRun), "ns/"+unit)
			}
		})
	}
}

// BenchmarkEmpty measures the fixed cost of one run (r0 = 0; exit).
func BenchmarkEmpty(b *testing.B) {
	benchRun(b, prog(mov(0, 0), exit()), &vm.HelperTable{}, 0, "")
}

// BenchmarkLoop measures straight ALU code: 1000 iterations of a
// five-instruction loop body.
func BenchmarkLoop(b *testing.B) {
	insns := prog(
		mov(0, 0), mov(1, 1000), mov(2, 7),
		addx(0, 1), mulk(2, 3), isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 0, Src: 2},
		addk(1, -1),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 1, Offset: -5},
		exit(),
	)
	benchRun(b, insns, &vm.HelperTable{}, 5000, "insn")
}

// BenchmarkArrayLookup: 100 lookups in an array map per run, inline on
// "jit", through a helper exit to Go on "jit-noinline".
func BenchmarkArrayLookup(b *testing.B) {
	m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 128}, maps.Options{})
	if err != nil {
		b.Fatal(err)
	}
	id := maps.Register(m)
	defer maps.Unregister(id)
	// r6 = 100; loop: *(u32*)(r10-4) = r6; r1 = map; r2 = r10-4; call 1;
	// if r0 != 0 { *(u64*)r0 += 1 }; r6 -= 1; if r6 != 0 goto loop
	insns := prog(
		mov(6, 100),
		isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeW, Dst: 10, Src: 6, Offset: -4},
		ldImm64(1, vm.MapHandle(id)), movx(2, 10), addk(2, -4),
		callHelper(helpers.FnMapLookupElem),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Offset: 3},
		ldx64(1, 0, 0), addk(1, 1), stx64(0, 0, 1),
		addk(6, -1),
		isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 6, Offset: -12},
		mov(0, 0), exit(),
	)
	benchRun(b, insns, helpers.Generic(), 100, "lookup")
}

// BenchmarkCompile measures compile time per eBPF instruction on large
// generated programs.
func BenchmarkCompile(b *testing.B) {
	var insns []isa.Instruction
	seed := make([]byte, 1<<16)
	for i := range seed {
		seed[i] = byte(i*131 + i>>8)
	}
	for len(insns) < 10000 {
		g := &gen{in: seed[len(insns)%4096:]}
		part := g.program()
		insns = append(insns, part[:len(part)-1]...) // drop exit
	}
	insns = append(insns, exit())
	p := &vm.Program{Name: "big", Insns: insns, Helpers: &vm.HelperTable{}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := jit.Compile(p, jit.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(len(insns)), "ns/insn")
}
