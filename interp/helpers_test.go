package interp

import (
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

// Hand assembly: one constructor per instruction shape.

func alu64K(op, dst uint8, imm int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | op | isa.SrcK, Dst: dst, Imm: imm}
}

func alu64X(op, dst, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU64 | op | isa.SrcX, Dst: dst, Src: src}
}

func alu32K(op, dst uint8, imm int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU | op | isa.SrcK, Dst: dst, Imm: imm}
}

func alu32X(op, dst, src uint8) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassALU | op | isa.SrcX, Dst: dst, Src: src}
}

func mov64(dst uint8, imm int32) isa.Instruction { return alu64K(isa.ALUMov, dst, imm) }

func movReg(dst, src uint8) isa.Instruction { return alu64X(isa.ALUMov, dst, src) }

// ldImm64 returns both slots of an ld_imm64.
func ldImm64(dst uint8, v uint64) []isa.Instruction {
	return []isa.Instruction{
		{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))},
		{Imm: int32(uint32(v >> 32))},
	}
}

func jmpK(op, dst uint8, imm int32, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP | op | isa.SrcK, Dst: dst, Imm: imm, Offset: off}
}

func jmpX(op, dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP | op | isa.SrcX, Dst: dst, Src: src, Offset: off}
}

func jmp32K(op, dst uint8, imm int32, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP32 | op | isa.SrcK, Dst: dst, Imm: imm, Offset: off}
}

func jmp32X(op, dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassJMP32 | op | isa.SrcX, Dst: dst, Src: src, Offset: off}
}

func ja(off int16) isa.Instruction { return isa.Instruction{Opcode: isa.OpJA, Offset: off} }

func ldx(size, dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off}
}

func ldxsx(size, dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassLDX | isa.ModeMEMSX | size, Dst: dst, Src: src, Offset: off}
}

func st(size, dst uint8, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassST | isa.ModeMEM | size, Dst: dst, Offset: off, Imm: imm}
}

func stx(size, dst, src uint8, off int16) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | size, Dst: dst, Src: src, Offset: off}
}

func atomicOp(size, dst, src uint8, off int16, op int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.ClassSTX | isa.ModeATOMIC | size, Dst: dst, Src: src, Offset: off, Imm: op}
}

func call(helper int32) isa.Instruction { return isa.Instruction{Opcode: isa.OpCall, Imm: helper} }

func callLocal(rel int32) isa.Instruction {
	return isa.Instruction{Opcode: isa.OpCall, Src: isa.CallLocal, Imm: rel}
}

func exit() isa.Instruction { return isa.Instruction{Opcode: isa.OpExit} }

// prog concatenates instructions and instruction groups (ldImm64).
func prog(parts ...any) []isa.Instruction {
	var out []isa.Instruction
	for _, p := range parts {
		switch v := p.(type) {
		case isa.Instruction:
			out = append(out, v)
		case []isa.Instruction:
			out = append(out, v...)
		default:
			panic("prog: unexpected part")
		}
	}
	return out
}

// memSize is the size of the test memory block, the context of test runs.
const memSize = 128

// env is one virtual CPU with a memSize-byte block at the start of its
// packet buffer that runs see as their (writable) context.
type env struct {
	t    *testing.T
	cpus *vm.CPUs
	cpu  *vm.CPU
}

func newEnv(t testing.TB) *env {
	t.Helper()
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cpus.Close)
	tt, _ := t.(*testing.T)
	return &env{t: tt, cpus: cpus, cpu: cpus.Acquire()}
}

// mem returns the test memory block. It starts after the packet headroom
// so that it is never adjacent to the stack, which the operating system
// may map right before the packet buffer.
func (e *env) mem() []byte { return e.cpu.Packet[vm.PacketHeadroom : vm.PacketHeadroom+memSize] }

// run prepares and runs insns (checked unless told otherwise) with r1 = the
// memory block's address and r2 = its size.
func (e *env) run(insns []isa.Instruction, opts ...func(*vm.Program)) (uint64, error) {
	p := &vm.Program{Name: "test", Type: "raw", Insns: insns, Checked: true}
	for _, o := range opts {
		o(p)
	}
	exe, err := New().Prepare(p)
	if err != nil {
		return 0, err
	}
	return e.exec(exe, p)
}

func (e *env) exec(exe vm.Executable, p *vm.Program) (uint64, error) {
	ctx := &e.cpu.Run
	ctx.Reset(p)
	ctx.Ctx = vm.AddrOf(e.mem())
	ctx.CtxSize = memSize
	ctx.CtxWritable = true
	return exe.Run(ctx, ctx.Ctx, memSize)
}

func unchecked(p *vm.Program) { p.Checked = false }

func withHelpers(h *vm.HelperTable) func(*vm.Program) {
	return func(p *vm.Program) { p.Helpers = h }
}

// mustRun runs insns checked and unchecked and requires r0 == want both times.
func (e *env) mustRun(name string, insns []isa.Instruction, want uint64) {
	e.t.Helper()
	for _, mode := range []struct {
		name string
		opt  func(*vm.Program)
	}{{"checked", func(*vm.Program) {}}, {"unchecked", unchecked}} {
		clear(e.mem())
		got, err := e.run(insns, mode.opt)
		if err != nil {
			e.t.Errorf("%s (%s): %v", name, mode.name, err)
			continue
		}
		if got != want {
			e.t.Errorf("%s (%s): r0 = %#x, want %#x", name, mode.name, got, want)
		}
	}
}

// wantAbort requires err to be an aborted run whose message contains sub.
func wantAbort(t *testing.T, name string, err error, sub string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", name, sub)
		return
	}
	if !errors.Is(err, vm.ErrAborted) {
		t.Errorf("%s: error %v does not wrap vm.ErrAborted", name, err)
	}
	if !strings.Contains(err.Error(), sub) {
		t.Errorf("%s: error %q does not contain %q", name, err, sub)
	}
}
