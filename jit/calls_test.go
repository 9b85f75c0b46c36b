package jit_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Instruction builders for hand-written tests.
func mov(dst uint8, k int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: dst, Imm: k}
}
func movx(dst, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: dst, Src: src}
}
func addk(dst uint8, k int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcK, Dst: dst, Imm: k}
}
func addx(dst, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcX, Dst: dst, Src: src}
}
func mulk(dst uint8, k int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: dst, Imm: k}
}
func callHelper(n int32) isa.Instruction { return isa.Instruction{Opcode: isa.OpCall, Imm: n} }
func callLocal(rel int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.OpCall, Src: isa.CallLocal, Imm: rel}
}
func exit() isa.Instruction { return isa.Instruction{Opcode: isa.OpExit} }
func ldImm64(dst uint8, v uint64) []isa.Instruction {
	return []isa.Instruction{{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))}, {Imm: int32(uint32(v >> 32))}}
}
func stx64(dst uint8, off int16, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: dst, Src: src, Offset: off}
}
func ldx64(dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: dst, Src: src, Offset: off}
}
func prog(parts ...any) []isa.Instruction {
	var out []isa.Instruction
	for _, p := range parts {
		switch v := p.(type) {
		case isa.Instruction:
			out = append(out, v)
		case []isa.Instruction:
			out = append(out, v...)
		}
	}
	return out
}

// outcome is r0 or the error text of one run.
func outcome(r0 uint64, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("r0=%#x", r0)
}

// runOn prepares p on eng (as given: Checked decides the mode) and runs it
// once with r1, r2.
func runOn(t *testing.T, eng vm.Engine, cpus *vm.CPUs, p *vm.Program, r1, r2 uint64) string {
	t.Helper()
	exe, err := eng.Prepare(p)
	if err != nil {
		t.Fatalf("%s: %v", eng.Name(), err)
	}
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	cpu.Run.Reset(p)
	return outcome(exe.Run(&cpu.Run, r1, r2))
}

// both runs insns with the helper table in the checked interpreter and
// natively and requires identical outcomes, which it returns.
func both(t *testing.T, insns []isa.Instruction, tab *vm.HelperTable, r1, r2 uint64) string {
	t.Helper()
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	pi := &vm.Program{Name: "p", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
	pj := &vm.Program{Name: "p", Type: "raw", Insns: insns, Helpers: tab}
	want := runOn(t, interp.New(), cpus, pi, r1, r2)
	for _, opts := range []jit.Options{{}, {Blind: true}, {NoInline: true}} {
		if got := runOn(t, jit.NewWithOptions(opts), cpus, pj, r1, r2); got != want {
			t.Fatalf("JIT %+v: %s\ninterpreter: %s\n%s", opts, got, want, listing(insns))
		}
	}
	return want
}

func TestHelperExit(t *testing.T) {
	var tab vm.HelperTable
	tab[7] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return r1 + r2*r3 + r4<<8 + r5<<16 }
	insns := prog(
		mov(6, 1000), mov(7, 2000), mov(8, 3000), mov(9, 4000),
		mov(1, 1), mov(2, 2), mov(3, 3), mov(4, 4), mov(5, 5),
		callHelper(7),
		// r0 + r6..r9 + (r10 - r1_at_entry) must show that callee-saved
		// registers and the frame pointer survived the exit.
		addx(0, 6), addx(0, 7), addx(0, 8), addx(0, 9),
		exit(),
	)
	if got, want := both(t, insns, &tab, 0, 0), fmt.Sprintf("r0=%#x", 1+2*3+4<<8+5<<16+10000); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestCallX(t *testing.T) {
	var tab vm.HelperTable
	tab[9] = func(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 { return 99 }
	callx := isa.Instruction{Opcode: isa.OpCallX, Dst: 6}
	if got := both(t, prog(mov(6, 9), callx, exit()), &tab, 0, 0); got != "r0=0x63" {
		t.Fatalf("callx 9: %s", got)
	}
	got := both(t, prog(mov(6, 200), callx, exit()), &tab, 0, 0)
	if !strings.Contains(got, "instruction 1: call to unknown helper 200") {
		t.Fatalf("callx 200: %s", got)
	}
}

func TestLocalCalls(t *testing.T) {
	// main: r6 = 5; r1 = 10; call f; r0 += r6; exit
	// f: r6 = 77 (callee may clobber r6; the caller's must survive);
	//    store r1 in f's frame, load it back; r0 = r1*3 + (caller r10 - f r10)
	insns := prog(
		mov(6, 5), mov(1, 10), movx(7, 10), callLocal(3), addx(0, 6), isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUSub | isa.SrcX, Dst: 0, Src: 10}, exit(),
		mov(6, 77), stx64(10, -8, 1), ldx64(0, 10, -8), mulk(0, 3), addx(0, 10), exit(),
	)
	// r0 = 30 + (r10 - 512) + 5 - r10 = 35 - 512
	if got := both(t, insns, &vm.HelperTable{}, 0, 0); got != fmt.Sprintf("r0=%#x", uint64(1<<64-512+35)) {
		t.Fatalf("got %s", got)
	}
}

// chain returns a program whose call chain is depth frames deep.
func chain(depth int) []isa.Instruction {
	var insns []isa.Instruction
	for i := 1; i < depth; i++ {
		insns = append(insns, addk(0, 1), callLocal(1), exit())
	}
	return append(insns, addk(0, 100), exit())
}

func TestCallDepth(t *testing.T) {
	if got := both(t, chain(vm.MaxCallDepth), &vm.HelperTable{}, 0, 0); got != fmt.Sprintf("r0=%#x", 100+vm.MaxCallDepth-1) {
		t.Fatalf("%d frames: %s", vm.MaxCallDepth, got)
	}
	got := both(t, chain(vm.MaxCallDepth+1), &vm.HelperTable{}, 0, 0)
	if !strings.Contains(got, "maximum call depth") {
		t.Fatalf("%d frames: %s", vm.MaxCallDepth+1, got)
	}
}

func TestFallOff(t *testing.T) {
	got := both(t, prog(mov(0, 1), isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Imm: 1, Offset: 1}, exit(), mov(0, 2)), &vm.HelperTable{}, 0, 0)
	if !strings.Contains(got, "ran past the end") {
		t.Fatalf("got %s", got)
	}
}

// TestLoopCallback runs bpf_loop, whose helper calls back into the
// program (ctx.Call) while the caller is suspended in a helper exit, from
// a subprogram (so the callback nests two frames deep).
func TestLoopCallback(t *testing.T) {
	// main: r6 = 7; call sub; r0 += r6; exit
	// sub:  *(u64*)(r10-8) = 0; r1 = 10; r2 = &cb; r3 = r10-8; r4 = 0;
	//       call bpf_loop; r0 = *(u64*)(r10-8) * 1000 + r0; exit
	// cb(i, ctx): *(u64*)ctx += i*i; r0 = 0; exit
	main := prog(mov(6, 7), callLocal(2), addx(0, 6), exit())
	sub := prog(
		isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeDW, Dst: 10, Offset: -8},
		mov(1, 10), ldImm64(2, 0), movx(3, 10), addk(3, -8), mov(4, 0),
		callHelper(helpers.FnLoop),
		ldx64(1, 10, -8), mulk(1, 1000), addx(0, 1), exit(),
	)
	cbPC := len(main) + len(sub)
	// cb with r1 = i, r2 = ctx: *(u64*)r2 += r1*r1
	cb := prog(movx(3, 1), isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcX, Dst: 3, Src: 1},
		ldx64(4, 2, 0), addx(4, 3), stx64(2, 0, 4), mov(0, 0), exit())
	insns := prog(main, sub, cb)
	isa.SetImm64(insns, len(main)+2, vm.FuncHandle(cbPC))
	want := uint64(0)
	for i := uint64(0); i < 10; i++ {
		want += i * i
	}
	if got := both(t, insns, helpers.Generic(), 0, 0); got != fmt.Sprintf("r0=%#x", want*1000+10+7) {
		t.Fatalf("got %s, want r0=%#x", got, want*1000+10+7)
	}
}

// TestTailCalls: a program that counts in r1's memory and tail-calls
// itself ends after the 33rd tail call, as in the interpreter.
func TestTailCalls(t *testing.T) {
	pa, err := maps.New(maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(pa)
	defer maps.Unregister(id)
	// r6 = r1 (memory); *(u64*)r6 += 1; tail_call(r1, pa, 0); r0 = *(u64*)r6; exit
	insns := prog(
		movx(6, 1), ldx64(2, 6, 0), addk(2, 1), stx64(6, 0, 2),
		ldImm64(2, vm.MapHandle(id)), mov(3, 0), callHelper(helpers.FnTailCall),
		ldx64(0, 6, 0), mulk(0, 1000), addx(0, 0), exit(),
	)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	results := map[bool]string{}
	for _, native := range []bool{false, true} {
		p := &vm.Program{Name: "tc", Type: "raw", Insns: insns, Helpers: helpers.Generic(), Checked: !native}
		pid := vm.RegisterProgram(p)
		defer vm.UnregisterProgram(p)
		var key, val [4]byte
		binary.LittleEndian.PutUint32(val[:], pid)
		if err := pa.Update(key[:], val[:], 0); err != nil {
			t.Fatal(err)
		}
		var eng vm.Engine = interp.New()
		if native {
			eng = jit.New()
		}
		cpu := cpus.Acquire()
		cpu.Run.Reset(p)
		// Off-heap memory the checked interpreter accepts as context.
		mem := cpu.Ctx[:8]
		clear(mem)
		cpu.Run.Ctx, cpu.Run.CtxSize, cpu.Run.CtxWritable = vm.AddrOf(mem), 8, true
		exe, err := eng.Prepare(p)
		if err != nil {
			t.Fatal(err)
		}
		r0, err := exe.Run(&cpu.Run, vm.AddrOf(mem), 8)
		cpus.Release(cpu)
		results[native] = outcome(r0, err) + fmt.Sprintf(" count=%d", binary.LittleEndian.Uint64(mem))
	}
	if results[true] != results[false] {
		t.Fatalf("JIT %s, interpreter %s", results[true], results[false])
	}
	if want := fmt.Sprintf("r0=%#x count=%d", 34*2000, 34); results[true] != want {
		t.Fatalf("got %s, want %s", results[true], want)
	}
}
