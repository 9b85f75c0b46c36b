package verifier

import (
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// TestRefusalLog checks the kernel-style block a refusal ends with: the
// instruction with its disassembly, the state, the reason, the summary.
func TestRefusalLog(t *testing.T) {
	p := prog(lookup(mapHash), ldx(DW, r0, r0, 8), exit())
	res, err := Verify(p, Options{ProgType: "xdp", Maps: testMaps})
	if err == nil {
		t.Fatal("accepted")
	}
	e, ok := err.(*Error)
	if !ok || e.Insn != 6 {
		t.Fatalf("error %#v, want *Error at instruction 6", err)
	}
	lines := strings.Split(strings.TrimSpace(res.Log), "\n")
	want := []string{
		"6: (79) r0 = *(u64 *)(r0 +8)",
		"R0=map_value_or_null(id=1,map=1,ks=4,vs=16) R10=fp0 fp-8=????0000",
		"R0 invalid mem access 'map_value_or_null'",
	}
	if len(lines) < 4 {
		t.Fatalf("log too short:\n%s", res.Log)
	}
	got := lines[len(lines)-4 : len(lines)-1]
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("log line %d = %q, want %q\nlog:\n%s", i, got[i], want[i], res.Log)
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], "processed 6 insns (limit 1000000)") {
		t.Errorf("summary %q", lines[len(lines)-1])
	}
}

func TestLogLevels(t *testing.T) {
	p := prog(xdpPrologue, mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2), ldx(B, r0, r2, 13), exit(), retZero)
	r0log, err := Verify(p, Options{ProgType: "xdp"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r0log.Log, "processed 9 insns") {
		t.Errorf("level 0 log: %q", r0log.Log)
	}
	r1log, _ := Verify(p, Options{ProgType: "xdp", LogLevel: 1})
	for _, s := range []string{"0: (61) r2 = *(u32 *)(r1 +0)", "4: (2d) if r4 > r3 goto pc+2", "from 4 to 7: R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=14,r=0) R10=fp0"} {
		if !strings.Contains(r1log.Log, s) {
			t.Errorf("level 1 log lacks %q:\n%s", s, r1log.Log)
		}
	}
	r2log, _ := Verify(p, Options{ProgType: "xdp", LogLevel: 2})
	if !strings.Contains(r2log.Log, "R1=ctx() R2=pkt(r=0) R10=fp0") || !strings.Contains(r2log.Log, "R2=pkt(r=14)") {
		t.Errorf("level 2 log lacks the state after instruction 0:\n%s", r2log.Log)
	}
}

func TestDisasm(t *testing.T) {
	cases := []struct {
		insns []insn
		want  string
	}{
		{prog(mov64i(r1, -3)), "r1 = -3"},
		{prog(alu32r(isa.ALUAdd, r1, r2)), "w1 += w2"},
		{prog(ldx(H, r3, r1, -2)), "r3 = *(u16 *)(r1 -2)"},
		{prog(st(W, r10, -8, 5)), "*(u32 *)(r10 -8) = 5"},
		{prog(atomic(DW, r1, r2, 0, isa.AtomicAdd)), "lock *(u64 *)(r1 +0) += r2"},
		{prog(jmpi(isa.JmpJSLT, r1, 4, -3)), "if r1 s< 0x4 goto pc-3"},
		{prog(call(1)), "call bpf_map_lookup_elem#1"},
		{prog(callLocal(4)), "call pc+4"},
		{ldMap(r1, 7), "r1 = map[id:7]"},
		{ldImm64(r2, 1<<40), "r2 = 0x10000000000"},
		{prog(insn{Opcode: isa.ClassALU64 | isa.ALUEnd, Dst: 1, Imm: 32}), "r1 = bswap32 r1"},
		{prog(insn{Opcode: isa.ClassALU | isa.ALUEnd | isa.EndToBE, Dst: 1, Imm: 16}), "r1 = be16 r1"},
	}
	for _, c := range cases {
		if got := Disasm(c.insns, 0); got != c.want {
			t.Errorf("Disasm = %q, want %q", got, c.want)
		}
	}
}

// TestConcurrentVerify runs verifications in parallel (the verifier keeps
// no shared mutable state; run with -race).
func TestConcurrentVerify(t *testing.T) {
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			var err error
			for _, c := range positiveCases {
				opts := Options{ProgType: "xdp", Maps: testMaps, MemSize: 64}
				if c.typ != "" {
					opts.ProgType = c.typ
				}
				if c.opts != nil {
					c.opts(&opts)
				}
				if _, e := Verify(c.insns, opts); e != nil && err == nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
