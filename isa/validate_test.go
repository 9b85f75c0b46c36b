package isa

import (
	"errors"
	"strings"
	"testing"
)

var exit = Instruction{Opcode: OpExit}

func TestValidateAccepts(t *testing.T) {
	ok := map[string][]Instruction{
		"exit only":          {exit},
		"alu imm":            {{Opcode: ClassALU64 | ALUAdd | SrcK, Dst: 1, Imm: -5}, exit},
		"alu reg":            {{Opcode: ClassALU | ALUXor | SrcX, Dst: 1, Src: 10}, exit},
		"sdiv imm":           {{Opcode: ClassALU64 | ALUDiv | SrcK, Dst: 1, Offset: 1, Imm: 3}, exit},
		"smod32 reg":         {{Opcode: ClassALU | ALUMod | SrcX, Dst: 1, Src: 2, Offset: 1}, exit},
		"div imm zero":       {{Opcode: ClassALU | ALUDiv | SrcK, Dst: 1}, exit},
		"shift out of range": {{Opcode: ClassALU | ALULsh | SrcK, Dst: 1, Imm: 40}, exit},
		"movsx8 32":          {{Opcode: ClassALU | ALUMov | SrcX, Dst: 1, Src: 2, Offset: 8}, exit},
		"movsx16 32":         {{Opcode: ClassALU | ALUMov | SrcX, Dst: 1, Src: 2, Offset: 16}, exit},
		"movsx32 64":         {{Opcode: ClassALU64 | ALUMov | SrcX, Dst: 1, Src: 2, Offset: 32}, exit},
		"neg64":              {{Opcode: ClassALU64 | ALUNeg, Dst: 3}, exit},
		"be16":               {{Opcode: ClassALU | ALUEnd | EndToBE, Dst: 3, Imm: 16}, exit},
		"le64":               {{Opcode: ClassALU | ALUEnd | EndToLE, Dst: 3, Imm: 64}, exit},
		"bswap32":            {{Opcode: ClassALU64 | ALUEnd, Dst: 3, Imm: 32}, exit},
		"ld_imm64":           {{Opcode: OpLdImm64, Dst: 1, Imm: 1}, {Imm: -1}, exit},
		"ld_imm64 map":       {{Opcode: OpLdImm64, Dst: 1, Src: PseudoMapFD, Imm: 7}, {}, exit},
		"ld_imm64 value":     {{Opcode: OpLdImm64, Dst: 1, Src: PseudoMapValue, Imm: 7}, {Imm: 16}, exit},
		"ld_imm64 func":      {{Opcode: OpLdImm64, Dst: 2, Src: PseudoFunc, Imm: 1}, {}, exit, exit},
		"ldx":                {{Opcode: ClassLDX | ModeMEM | SizeDW, Dst: 0, Src: 10, Offset: -8}, exit},
		"ldxsb":              {{Opcode: ClassLDX | ModeMEMSX | SizeB, Dst: 0, Src: 1}, exit},
		"st base r10":        {{Opcode: ClassST | ModeMEM | SizeW, Dst: 10, Offset: -4, Imm: 1}, exit},
		"stx base r10":       {{Opcode: ClassSTX | ModeMEM | SizeB, Dst: 10, Src: 10, Offset: -1}, exit},
		"atomic add32":       {{Opcode: ClassSTX | ModeATOMIC | SizeW, Dst: 10, Src: 1, Offset: -8, Imm: AtomicAdd}, exit},
		"atomic fetch or":    {{Opcode: ClassSTX | ModeATOMIC | SizeDW, Dst: 10, Src: 1, Offset: -8, Imm: AtomicOr | AtomicFetch}, exit},
		"cmpxchg":            {{Opcode: ClassSTX | ModeATOMIC | SizeDW, Dst: 10, Src: 1, Imm: AtomicCmpXchg}, exit},
		"ja backwards end":   {{Opcode: ClassALU64 | ALUMov, Dst: 0}, {Opcode: OpJA, Offset: -2}},
		"gotol":              {{Opcode: OpJA32, Imm: 0}, exit},
		"jeq over lddw":      {{Opcode: ClassJMP | JmpJEQ, Dst: 10, Offset: 2}, {Opcode: OpLdImm64}, {}, exit},
		"jmp32 reg":          {{Opcode: ClassJMP32 | JmpJSLT | SrcX, Dst: 1, Src: 2}, exit},
		"helper call":        {{Opcode: OpCall, Imm: 5}, exit},
		"local call":         {{Opcode: OpCall, Src: CallLocal, Imm: 1}, exit, exit},
		"callx":              {{Opcode: OpCallX, Dst: 2}, exit},
		"exit then lddw":     {exit, {Opcode: OpLdImm64}, {}, exit},
	}
	for name, prog := range ok {
		if err := Validate(prog); err != nil {
			t.Errorf("%s: unexpected error: %v", name, err)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	bad := []struct {
		name  string
		prog  []Instruction
		index int
		want  string
	}{
		{"empty", nil, -1, "no instructions"},
		{"unknown alu", []Instruction{{Opcode: 0xe7}, exit}, 0, "unknown ALU64 operation"},
		{"unknown jmp", []Instruction{{Opcode: 0xe5}, exit}, 0, "unknown jump opcode"},
		{"jmp32 exit", []Instruction{{Opcode: 0x96}, exit}, 0, "unknown jump opcode"},
		{"jmp32 call", []Instruction{{Opcode: 0x86}, exit}, 0, "unknown jump opcode"},
		{"ja reg", []Instruction{{Opcode: 0x0d}, exit}, 0, "unknown jump opcode"},
		{"legacy abs", []Instruction{{Opcode: 0x20}, exit}, 0, "legacy packet access"},
		{"ld w imm", []Instruction{{Opcode: 0x00}, exit}, 0, "unknown load opcode"},
		{"ldx atomic mode", []Instruction{{Opcode: 0xd9}, exit}, 0, "unknown load opcode"},
		{"ldxsdw", []Instruction{{Opcode: 0x99}, exit}, 0, "sign-extending load of 8 bytes"},
		{"st atomic", []Instruction{{Opcode: 0xda}, exit}, 0, "unknown store opcode"},
		{"atomic byte", []Instruction{{Opcode: 0xd3}, exit}, 0, "atomic operation of 1 bytes"},
		{"atomic unknown", []Instruction{{Opcode: 0xdb, Imm: 0x10}, exit}, 0, "unknown atomic operation"},
		{"atomic fetch r10", []Instruction{{Opcode: 0xdb, Src: 10, Imm: 1}, exit}, 0, "read-only frame pointer"},
		{"dst 11", []Instruction{{Opcode: 0xb7, Dst: 11}, exit}, 0, "invalid destination register r11"},
		{"src 11", []Instruction{{Opcode: 0xbf, Src: 11}, exit}, 0, "invalid source register r11"},
		{"write r10", []Instruction{{Opcode: 0xb7, Dst: 10}, exit}, 0, "read-only frame pointer"},
		{"ldx into r10", []Instruction{{Opcode: 0x79, Dst: 10, Src: 1}, exit}, 0, "read-only frame pointer"},
		{"lddw into r10", []Instruction{{Opcode: 0x18, Dst: 10}, {}, exit}, 0, "read-only frame pointer"},
		{"alu imm src", []Instruction{{Opcode: 0x04, Src: 1, Imm: 1}, exit}, 0, "ALU immediate form with nonzero source register"},
		{"alu64 imm offset", []Instruction{{Opcode: 0x07, Offset: 1, Imm: 1}, exit}, 0, "ALU64 immediate form with invalid offset 1"},
		{"alu reg imm", []Instruction{{Opcode: 0x0c, Imm: 1}, exit}, 0, "ALU register form with nonzero immediate"},
		{"alu reg offset", []Instruction{{Opcode: 0x0f, Offset: 1}, exit}, 0, "ALU64 register form with invalid offset 1"},
		{"sdiv offset 2", []Instruction{{Opcode: 0x3f, Offset: 2}, exit}, 0, "invalid offset 2"},
		{"movsx imm", []Instruction{{Opcode: 0xb7, Offset: 8}, exit}, 0, "invalid offset 8"},
		{"movsx32 in alu32", []Instruction{{Opcode: 0xbc, Offset: 32}, exit}, 0, "invalid offset 32"},
		{"neg reg bit", []Instruction{{Opcode: 0x8f}, exit}, 0, "register source bit"},
		{"neg imm", []Instruction{{Opcode: 0x84, Imm: 1}, exit}, 0, "neg with nonzero immediate"},
		{"neg src", []Instruction{{Opcode: 0x87, Src: 1}, exit}, 0, "neg with nonzero source register"},
		{"be width", []Instruction{{Opcode: 0xdc, Imm: 8}, exit}, 0, "byte swap width 8"},
		{"be offset", []Instruction{{Opcode: 0xdc, Offset: 1, Imm: 16}, exit}, 0, "byte swap with nonzero offset"},
		{"le src", []Instruction{{Opcode: 0xd4, Src: 1, Imm: 16}, exit}, 0, "byte swap with nonzero source register"},
		{"bswap reg", []Instruction{{Opcode: 0xdf, Imm: 16}, exit}, 0, "unknown ALU64 byte swap"},
		{"exit dst", []Instruction{{Opcode: 0x95, Dst: 1}, exit}, 0, "exit with nonzero destination register"},
		{"exit imm", []Instruction{{Opcode: 0x95, Imm: 1}, exit}, 0, "exit with nonzero immediate"},
		{"ja imm", []Instruction{{Opcode: 0x05, Imm: 1}, exit}, 0, "ja with nonzero immediate"},
		{"ja src", []Instruction{{Opcode: 0x05, Src: 1}, exit}, 0, "ja with nonzero source register"},
		{"gotol offset", []Instruction{{Opcode: 0x06, Offset: 1}, exit}, 0, "gotol with nonzero offset"},
		{"jeq imm src", []Instruction{{Opcode: 0x15, Src: 1}, exit}, 0, "JMP immediate form with nonzero source register"},
		{"jgt reg imm", []Instruction{{Opcode: 0x2e, Imm: 1}, exit}, 0, "JMP32 register form with nonzero immediate"},
		{"call dst", []Instruction{{Opcode: 0x85, Dst: 1}, exit}, 0, "call with nonzero destination register"},
		{"call offset", []Instruction{{Opcode: 0x85, Offset: 1}, exit}, 0, "call with nonzero offset"},
		{"call kfunc", []Instruction{{Opcode: 0x85, Src: 2}, exit}, 0, "not supported"},
		{"call src 3", []Instruction{{Opcode: 0x85, Src: 3}, exit}, 0, "invalid source field 3"},
		{"callx imm", []Instruction{{Opcode: 0x8d, Dst: 1, Imm: 1}, exit}, 0, "callx with nonzero immediate"},
		{"ldx imm", []Instruction{{Opcode: 0x61, Src: 10, Offset: -4, Imm: 1}, exit}, 0, "load with nonzero immediate"},
		{"stx imm", []Instruction{{Opcode: 0x7b, Dst: 10, Offset: -8, Imm: 1}, exit}, 0, "store register with nonzero immediate"},
		{"st src", []Instruction{{Opcode: 0x7a, Dst: 10, Src: 1, Offset: -8}, exit}, 0, "store immediate with nonzero source register"},
		{"lddw last", []Instruction{exit, {Opcode: 0x18}}, 1, "missing its second slot"},
		{"lddw second opcode", []Instruction{{Opcode: 0x18}, {Opcode: 0x95}, exit}, 1, "second slot"},
		{"lddw offset", []Instruction{{Opcode: 0x18, Offset: 1}, {}, exit}, 0, "nonzero offset"},
		{"lddw btf id", []Instruction{{Opcode: 0x18, Src: 3}, {}, exit}, 0, "not supported"},
		{"lddw src 9", []Instruction{{Opcode: 0x18, Src: 9}, {}, exit}, 0, "invalid source field 9"},
		{"lddw func outside", []Instruction{{Opcode: 0x18, Src: PseudoFunc, Imm: 5}, {}, exit}, 0, "outside the program"},
		{"jump past end", []Instruction{{Opcode: 0x05, Offset: 1}, exit}, 0, "target 2 is outside"},
		{"jump before start", []Instruction{exit, {Opcode: 0x05, Offset: -3}}, 1, "target -1 is outside"},
		{"jump into lddw", []Instruction{{Opcode: 0x15, Offset: 1}, {Opcode: 0x18}, {}, exit}, 0, "second slot of an ld_imm64"},
		{"gotol outside", []Instruction{{Opcode: 0x06, Imm: 100}, exit}, 0, "outside"},
		{"local call outside", []Instruction{{Opcode: 0x85, Src: 1, Imm: -2}, exit}, 0, "local call target -1"},
		{"falls off", []Instruction{{Opcode: 0xb7}}, 0, "neither exit nor an unconditional jump"},
		{"falls off after lddw", []Instruction{exit, {Opcode: 0x18}, {}}, 1, "neither exit"},
	}
	for _, c := range bad {
		err := Validate(c.prog)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: error %v is not a *ValidationError", c.name, err)
			continue
		}
		if ve.Index != c.index || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %q (index %d), want index %d and %q", c.name, err, ve.Index, c.index, c.want)
		}
	}
}

func TestValidateErrorText(t *testing.T) {
	err := Validate([]Instruction{exit, exit, exit, {Opcode: 0x04, Src: 1}, exit})
	want := "instruction 3: ALU immediate form with nonzero source register"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestValidateTooLong(t *testing.T) {
	prog := make([]Instruction, MaxInstructions+1)
	if err := Validate(prog); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Fatalf("got %v", err)
	}
}
