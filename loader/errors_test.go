package loader

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", substr)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not contain %q", err, substr)
	}
}

func convertInsns(insns ...asm.Instruction) (*Converted, error) {
	return Convert(&ebpf.ProgramSpec{Name: "p", SectionName: "xdp", Instructions: insns})
}

func TestConvertRefusals(t *testing.T) {
	_, err := convertInsns(asm.LoadAbs(0, asm.Byte), asm.Return())
	wantErr(t, err, "LD_ABS")

	kfunc := asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall, Constant: 7}
	_, err = convertInsns(kfunc, asm.Return())
	wantErr(t, err, "kfunc")

	call := asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoCall, Constant: -1}.WithReference("nowhere")
	_, err = convertInsns(call, asm.Return())
	wantErr(t, err, `unknown function "nowhere"`)

	big := make(asm.Instructions, isa.MaxInstructions+1)
	for i := range big {
		big[i] = asm.Mov.Imm(asm.R0, 0)
	}
	_, err = convertInsns(big...)
	wantErr(t, err, "more than the limit")

	spec := loadSpec(t, "core.o")
	_, err = Convert(spec.Programs["core"])
	wantErr(t, err, "CO-RE")
}

func TestConvertEncodings(t *testing.T) {
	c, err := convertInsns(
		asm.LoadImm(asm.R1, 0x1122334455667788, asm.DWord),
		asm.SDiv.Imm(asm.R1, 3),
		asm.MovSX16.Reg(asm.R2, asm.R1),
		asm.FetchAdd.Mem(asm.R10, asm.R1, asm.DWord, -8),
		asm.CmpXchg.Mem(asm.R10, asm.R1, asm.Word, -8),
		asm.FnMapLookupElem.Call(),
		asm.Return(),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []isa.Instruction{
		{Opcode: 0x18, Dst: 1, Imm: 0x55667788},
		{Imm: 0x11223344},
		{Opcode: 0x37, Dst: 1, Offset: 1, Imm: 3},
		{Opcode: 0xbf, Dst: 2, Src: 1, Offset: 16},
		{Opcode: 0xdb, Dst: 10, Src: 1, Offset: -8, Imm: 0x01},
		{Opcode: 0xc3, Dst: 10, Src: 1, Offset: -8, Imm: 0xf1},
		{Opcode: 0x85, Imm: 1},
		{Opcode: 0x95},
	}
	if len(c.Insns) != len(want) {
		t.Fatalf("%d slots, want %d", len(c.Insns), len(want))
	}
	for i := range want {
		if c.Insns[i] != want[i] {
			t.Errorf("slot %d = %+v, want %+v", i, c.Insns[i], want[i])
		}
	}
}

// ins builds one slot; ld builds a load; st a store.
func ins(op uint8, dst, src uint8, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Opcode: op, Dst: dst, Src: src, Offset: off, Imm: imm}
}

const (
	ldxW   = isa.ClassLDX | isa.ModeMEM | isa.SizeW
	ldxDW  = isa.ClassLDX | isa.ModeMEM | isa.SizeDW
	stxDW  = isa.ClassSTX | isa.ModeMEM | isa.SizeDW
	stW    = isa.ClassST | isa.ModeMEM | isa.SizeW
	movX   = isa.ClassALU64 | isa.ALUMov | isa.SrcX
	movK   = isa.ClassALU64 | isa.ALUMov | isa.SrcK
	addK   = isa.ClassALU64 | isa.ALUAdd | isa.SrcK
	addX   = isa.ClassALU64 | isa.ALUAdd | isa.SrcX
	jneK   = isa.ClassJMP | isa.JmpJNE | isa.SrcK
	exitOp = isa.OpExit
)

func TestRewriteContextTracking(t *testing.T) {
	// Spill of the context to the stack, fill into another register, and a
	// context pointer advanced by a constant.
	prog := []isa.Instruction{
		ins(stxDW, 10, 1, -8, 0), // *(u64 *)(r10-8) = r1
		ins(movK, 1, 0, 0, 0),    // r1 = 0
		ins(ldxDW, 3, 10, -8, 0), // r3 = *(u64 *)(r10-8)
		ins(ldxW, 0, 3, 4, 0),    // r0 = ctx->data_end
		ins(addK, 3, 0, 0, 4),    // r3 += 4
		ins(ldxW, 4, 3, 8, 0),    // r4 = ctx->ingress_ifindex (Linux 12)
		ins(ldxW, 5, 10, -8, 0),  // a stack load stays as is
		ins(exitOp, 0, 0, 0, 0),
	}
	if err := RewriteContext(prog, xdpLayout{}); err != nil {
		t.Fatal(err)
	}
	if got := prog[3]; got.Opcode != ldxDW || got.Offset != 8 {
		t.Errorf("data_end load = %+v, want u64 at 8", got)
	}
	if got := prog[5]; got.Opcode != ldxW || got.Offset != 24-4 {
		t.Errorf("ingress_ifindex load = %+v, want u32 at host 24 minus the base 4", got)
	}
	if got := prog[6]; got.Opcode != ldxW || got.Offset != -8 {
		t.Errorf("stack load rewritten: %+v", got)
	}
}

func TestRewriteContextSpillThroughFramePointerCopy(t *testing.T) {
	prog := []isa.Instruction{
		ins(movX, 2, 10, 0, 0),   // r2 = r10
		ins(addK, 2, 0, 0, -16),  // r2 -= 16
		ins(stxDW, 2, 1, 8, 0),   // *(u64 *)(r2+8) = r1: the slot at r10-8
		ins(movK, 1, 0, 0, 0),    // r1 = 0
		ins(ldxDW, 3, 10, -8, 0), // r3 = *(u64 *)(r10-8): the context
		ins(ldxW, 0, 3, 4, 0),    // r0 = ctx->data_end
		ins(stW, 10, 0, -4, 0),   // overwrite half of the slot
		ins(ldxDW, 4, 10, -8, 0), // r4 is no longer the context
		ins(ldxW, 5, 4, 4, 0),    // a plain load, left alone
		ins(exitOp, 0, 0, 0, 0),
	}
	if err := RewriteContext(prog, xdpLayout{}); err != nil {
		t.Fatal(err)
	}
	if got := prog[5]; got.Opcode != ldxDW || got.Offset != 8 {
		t.Errorf("data_end load = %+v, want u64 at 8", got)
	}
	if got := prog[8]; got.Opcode != ldxW || got.Offset != 4 {
		t.Errorf("load through a clobbered slot rewritten: %+v", got)
	}
}

func TestRewriteContextRefusals(t *testing.T) {
	mixed := []isa.Instruction{
		ins(movX, 2, 1, 0, 0),  // r2 = ctx
		ins(jneK, 0, 0, 2, 0),  // if r0 != 0 goto 4
		ins(movX, 2, 10, 0, 0), // r2 = r10
		ins(addK, 2, 0, 0, -8), // r2 -= 8
		ins(ldxW, 0, 2, 0, 0),  // r0 = *(u32 *)(r2 + 0): ctx or stack
		ins(exitOp, 0, 0, 0, 0),
	}
	wantErr(t, RewriteContext(mixed, xdpLayout{}), "same instruction used with context and non-context pointer")

	moved := []isa.Instruction{
		ins(addX, 1, 2, 0, 0), // r1 += r2
		ins(ldxW, 0, 1, 0, 0),
		ins(exitOp, 0, 0, 0, 0),
	}
	wantErr(t, RewriteContext(moved, xdpLayout{}), "modified context pointer")

	store := []isa.Instruction{
		ins(stW, 1, 0, 12, 5), // ctx->ingress_ifindex = 5
		ins(exitOp, 0, 0, 0, 0),
	}
	wantErr(t, RewriteContext(store, xdpLayout{}), "read-only")

	odd := []isa.Instruction{
		ins(ldxW, 0, 1, 2, 0), // misaligned field access
		ins(exitOp, 0, 0, 0, 0),
	}
	wantErr(t, RewriteContext(odd, xdpLayout{}), "offset 2")
}

func TestLinkRefusesUnknownMap(t *testing.T) {
	c := convertProg(t, "btfmaps.o", "count")
	_, err := Link(c, xdpLayout{}, func(r MapRef) (uint32, error) {
		return 0, errString("no map " + r.Map)
	})
	wantErr(t, err, "no map counters")
}

// TestRewriteContextLargeProgram runs the analysis on a program of the
// maximum size with a branch every other instruction, the worst shape for
// the per-block states.
func TestRewriteContextLargeProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("large program")
	}
	n := isa.MaxInstructions
	insns := make([]isa.Instruction, 0, n+3)
	for len(insns) < n-1 {
		insns = append(insns, ins(ldxW, 0, 1, 4, 0), ins(jneK, 0, 0, 1, 0), ins(movK, 2, 0, 0, 1), ins(addK, 0, 0, 0, 1))
	}
	insns = append(insns[:n-1], ins(exitOp, 0, 0, 0, 0))
	if err := RewriteContext(insns, xdpLayout{}); err != nil {
		t.Fatal(err)
	}
	last := n - 1 - (n-1)%4
	for _, pc := range []int{0, last - 4} {
		if got := insns[pc]; got.Opcode != ldxDW || got.Offset != 8 {
			t.Fatalf("instruction %d = %+v, want the widened data_end load", pc, got)
		}
	}
}
