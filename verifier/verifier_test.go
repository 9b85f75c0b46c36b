package verifier

import (
	"errors"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

type vcase struct {
	name  string
	typ   string // "" = xdp
	insns []insn
	want  string // substring of the refusal; "" = must pass
	opts  func(*Options)
}

func runCase(t *testing.T, c vcase) {
	t.Helper()
	opts := Options{ProgType: c.typ, Maps: testMaps, MemSize: 64}
	if opts.ProgType == "" {
		opts.ProgType = "xdp"
	}
	if c.opts != nil {
		c.opts(&opts)
	}
	res, err := Verify(c.insns, opts)
	if c.want == "" {
		if err != nil {
			t.Fatalf("refused: %v\nlog:\n%s", err, res.Log)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want refusal %q\nlog:\n%s", c.want, res.Log)
	}
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("error %v is not ErrRefused", err)
	}
	if !strings.Contains(err.Error(), c.want) {
		t.Fatalf("refusal %q, want it to contain %q\nlog:\n%s", err, c.want, res.Log)
	}
	if !strings.Contains(res.Log, c.want) && !strings.Contains(res.Log, strings.SplitN(c.want, " ", 2)[0]) {
		t.Fatalf("log lacks the reason %q:\n%s", c.want, res.Log)
	}
}

func TestPositive(t *testing.T) {
	for _, c := range positiveCases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

func TestNegative(t *testing.T) {
	for _, c := range negativeCases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

var positiveCases = []vcase{
	{name: "return zero", insns: prog(retZero)},
	{name: "stack write then read", insns: prog(
		st(DW, r10, -8, 7), ldx(DW, r0, r10, -8), exit())},
	{name: "spill and fill pointer", insns: prog(
		stx(DW, r10, r1, -16), ldx(DW, r1, r10, -16), ldx(W, r0, r1, 12), exit())},
	{name: "packet bounds check", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2),
		ldx(B, r0, r2, 13), exit(), retZero)},
	{name: "packet bounds check swapped operands", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJLT, r3, r4, 2),
		ldx(H, r0, r2, 12), exit(), retZero)},
	{name: "packet bounds check taken branch", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJLE, r4, r3, 1), ja(2),
		ldx(DW, r0, r2, 0), exit(), retZero)},
	{name: "packet strict comparison", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJLT, r4, r3, 2), retZero, ldx(DW, r0, r2, 0), exit())},
	{name: "packet end greater than pointer", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJGT, r3, r4, 2), retZero, ldx(DW, r0, r2, 0), exit())},
	{name: "packet pointer at least end", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJGE, r4, r3, 2), ldx(DW, r0, r2, 0), exit(), retZero)},
	{name: "packet end at most pointer", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJLE, r3, r4, 2), ldx(DW, r0, r2, 0), exit(), retZero)},
	{name: "packet metadata bounded by data", insns: prog(ldx(W, r2, r1, 8), ldx(W, r3, r1, 0),
		mov64r(r4, r2), add64i(r4, 4), jmpr(isa.JmpJGT, r4, r3, 2), ldx(W, r0, r2, 0), exit(), retZero)},
	{name: "packet write", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 4), jmpr(isa.JmpJGT, r4, r3, 1),
		st(W, r2, 0, 1), retZero)},
	{name: "map lookup with null check", insns: prog(lookup(mapHash),
		jmpi(isa.JmpJEQ, r0, 0, 2), ldx(DW, r1, r0, 8), stx(DW, r0, r1, 0), retZero)},
	{name: "map value variable index bounded", insns: prog(lookup(mapArray),
		jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(DW, r1, r0, 0), alu64i(isa.ALUAnd, r1, 63), // r1 in [0,63]
		jmpi(isa.JmpJGT, r1, 56, 3), add64r(r0, r1), ldx(DW, r0, r0, 0), exit(),
		retZero)},
	{name: "direct map value", insns: prog(ldMapValue(r1, mapRdOnly, 0), ldx(DW, r0, r1, 0), exit())},
	{name: "bounded loop", insns: prog(
		mov64i(r0, 0), mov64i(r1, 0),
		add64r(r0, r1), add64i(r1, 1), jmpi(isa.JmpJLT, r1, 100, -3), exit())},
	{name: "ringbuf reserve submit", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJEQ, r0, 0, 5), st(DW, r0, 8, 1), mov64r(r1, r0), mov64i(r2, 0), call(132),
		retZero)},
	{name: "ringbuf reserve discard", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJNE, r0, 0, 1), exit(), mov64r(r1, r0), mov64i(r2, 0), call(133),
		retZero)},
	{name: "ringbuf output from stack", insns: prog(
		st(DW, r10, -8, 1), ldMap(r1, mapRingbuf), mov64r(r2, r10), add64i(r2, -8),
		mov64i(r3, 8), mov64i(r4, 0), call(130), retZero)},
	{name: "bpf to bpf call", insns: prog(
		mov64i(r1, 5), callLocal(1), exit(),
		mov64r(r0, r1), add64i(r0, 1), exit())},
	{name: "callee writes caller stack", insns: prog(
		mov64r(r1, r10), add64i(r1, -8), callLocal(2), ldx(DW, r0, r10, -8), exit(),
		st(DW, r1, 0, 3), mov64i(r0, 0), exit())},
	{name: "raw memory access", typ: "raw", insns: prog(
		ldx(DW, r0, r1, 56), stx(B, r1, r0, 0), exit())},
	{name: "ktime and prandom", insns: prog(call(5), mov64r(r6, r0), call(7), add64r(r0, r6), exit())},
	{name: "tail call", insns: prog(ldMap(r2, mapProgs), mov64i(r3, 0), call(12), retZero)},
	{name: "bpf_loop callback", insns: prog(
		mov64i(r1, 10), ldFunc(r2, 6), mov64i(r3, 0), mov64i(r4, 0), call(181), retZero,
		mov64i(r0, 0), exit())},
	{name: "bpf_loop callback writes caller stack", insns: prog(
		st(DW, r10, -8, 0), mov64i(r1, 10), ldFunc(r2, 7), mov64r(r3, r10), add64i(r3, -8), mov64i(r4, 0), call(181),
		ldx(DW, r0, r10, -8), exit(),
		ldx(DW, r3, r2, 0), add64i(r3, 1), stx(DW, r2, r3, 0), mov64i(r0, 0), exit())},
	{name: "privileged reads unwritten stack", insns: prog(ldx(DW, r0, r10, -8), exit())},
	{name: "privileged pointer comparison", insns: prog(
		mov64r(r2, r10), jmpr(isa.JmpJGT, r1, r2, 0), retZero)},
	{name: "32-bit bounds check", insns: prog(lookup(mapArray),
		jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(W, r1, r0, 0), jmp32i(isa.JmpJGT, r1, 7, 4), alu64i(isa.ALULsh, r1, 3), add64r(r0, r1), ldx(DW, r0, r0, 0), exit(),
		retZero)},
	{name: "signed bounds check", insns: prog(lookup(mapArray),
		jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(DW, r1, r0, 0), jmpi(isa.JmpJSGT, r1, 60, 4), jmpi(isa.JmpJSLT, r1, 0, 3), add64r(r0, r1), ldx(W, r0, r0, 0), exit(),
		retZero)},
	{name: "linked scalar copies", insns: prog(lookup(mapArray),
		jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(DW, r1, r0, 0), mov64r(r2, r1), jmpi(isa.JmpJGT, r1, 56, 3), add64r(r0, r2), ldx(DW, r0, r0, 0), exit(),
		retZero)},
	{name: "atomic add on map value", insns: prog(lookup(mapHash),
		jmpi(isa.JmpJEQ, r0, 0, 2), mov64i(r1, 1), atomic(DW, r0, r1, 8, isa.AtomicAdd), retZero)},
	{name: "xdp adjust head then recheck", insns: prog(
		mov64r(r6, r1), mov64i(r2, -14), call(44), ldx(W, r2, r6, 0), ldx(W, r3, r6, 4),
		mov64r(r4, r2), add64i(r4, 1), jmpr(isa.JmpJGT, r4, r3, 1), ldx(B, r0, r2, 0), retZero)},
	{name: "host context layout", opts: func(o *Options) { o.HostContext = true }, insns: prog(
		ldx(DW, r2, r1, 0), ldx(DW, r3, r1, 8), ldx(W, r4, r1, 24),
		mov64r(r5, r2), add64i(r5, 1), jmpr(isa.JmpJGT, r5, r3, 1), ldx(B, r0, r2, 0), retZero)},
	{name: "spin lock around update", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 8), mov64r(r6, r0), mov64r(r1, r0), call(93),
		ldx(DW, r1, r6, 8), add64i(r1, 1), stx(DW, r6, r1, 8), mov64r(r1, r6), call(94), retZero)},
	{name: "pointer difference", insns: prog(xdpPrologue, mov64r(r0, r3), alu64r(isa.ALUSub, r0, r2), exit())},
	{name: "unprivileged map lookup", opts: unpriv, insns: prog(lookup(mapHash),
		jmpi(isa.JmpJEQ, r0, 0, 2), ldx(DW, r0, r0, 8), exit(), retZero)},
	{name: "unprivileged packet check", opts: unpriv, insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2), ldx(B, r0, r2, 13), exit(), retZero)},
	{name: "null check through a copy", insns: prog(lookup(mapHash), mov64r(r1, r0),
		jmpi(isa.JmpJEQ, r1, 0, 2), ldx(DW, r0, r0, 0), exit(), retZero)},
	{name: "null check of a spilled copy", insns: prog(lookup(mapHash), stx(DW, r10, r0, -16),
		jmpi(isa.JmpJEQ, r0, 0, 3), ldx(DW, r1, r10, -16), ldx(DW, r0, r1, 8), exit(), retZero)},
	{name: "callback counter checked after loop", insns: prog(
		st(DW, r10, -8, 0), mov64i(r1, 100), ldFunc(r2, 19), mov64r(r3, r10), add64i(r3, -8), mov64i(r4, 0), call(181),
		lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 5), ldx(DW, r1, r10, -8), jmpi(isa.JmpJGT, r1, 63, 3), add64r(r0, r1), ldx(B, r0, r0, 0), exit(), retZero,
		ldx(DW, r3, r2, 0), add64i(r3, 8), stx(DW, r2, r3, 0), mov64i(r0, 0), exit())},
	{name: "map in map lookup", insns: prog(lookup(7), jmpi(isa.JmpJEQ, r0, 0, 7), mov64r(r1, r0), mov64r(r2, r10), add64i(r2, -8), call(1),
		jmpi(isa.JmpJEQ, r0, 0, 2), ldx(DW, r0, r0, 56), exit(), retZero)},
	{name: "queue push and pop", insns: prog(
		st(DW, r10, -8, 1), ldMap(r1, mapQueue), mov64r(r2, r10), add64i(r2, -8), mov64i(r3, 0), call(87),
		ldMap(r1, mapQueue), mov64r(r2, r10), add64i(r2, -16), call(88), ldx(DW, r0, r10, -16), exit())},
}

var negativeCases = []vcase{
	// Layer 1: encoding and control flow.
	{name: "empty program", insns: nil, want: "no instructions"},
	{name: "bad opcode", insns: prog(insn{Opcode: 0xff}, exit()), want: "unknown opcode"},
	{name: "bad register", insns: prog(insn{Opcode: isa.ClassALU64 | isa.ALUMov, Dst: 11}, exit()), want: "invalid register"},
	{name: "jump out of range", insns: prog(ja(5), exit()), want: "jump out of range"},
	{name: "jump backwards out of range", insns: prog(ja(-3), exit()), want: "jump out of range"},
	{name: "fall off the end", insns: prog(mov64i(r0, 0)), want: "last insn is not an exit or jmp"},
	{name: "unreachable", insns: prog(retZero, mov64i(r0, 1), exit()), want: "unreachable insn 2"},
	{name: "r10 write", insns: prog(mov64i(r10, 0), retZero), want: "frame pointer is read only"},
	{name: "r10 load", insns: prog(ldx(DW, r10, r1, 0), retZero), want: "frame pointer is read only"},
	{name: "ld_imm64 truncated", insns: prog(mov64i(r0, 0), insn{Opcode: isa.OpLdImm64}), want: "missing second slot"},
	{name: "ld_imm64 bad second slot", insns: prog(insn{Opcode: isa.OpLdImm64}, insn{Opcode: 0x07}, retZero), want: "reserved fields"},
	{name: "jump into ld_imm64", insns: prog(ja(1), ldImm64(r0, 1), exit()), want: "middle of ldimm64"},
	{name: "legacy packet access", insns: prog(insn{Opcode: 0x30}, retZero), want: "legacy packet access"},
	{name: "unknown pseudo source", insns: prog(insn{Opcode: isa.OpLdImm64, Src: 3}, insn{}, retZero), want: "pseudo source"},
	{name: "kfunc call", insns: prog(insn{Opcode: isa.OpCall, Src: 2}, retZero), want: "kernel function"},
	{name: "reserved alu fields", insns: prog(insn{Opcode: isa.ClassALU64 | isa.ALUAdd, Dst: 0, Src: 1, Imm: 0}, retZero), want: "reserved fields"},
	{name: "call out of range", insns: prog(callLocal(10), retZero), want: "out of range"},

	// Layer 2: registers.
	{name: "uninitialized register read", insns: prog(mov64r(r0, r2), exit()), want: "R2 !read_ok"},
	{name: "uninitialized r0 at exit", insns: prog(exit()), want: "R0 !read_ok"},
	{name: "registers clobbered by call", insns: prog(call(5), mov64r(r0, r1), exit()), want: "R1 !read_ok"},
	{name: "pointer returned", insns: prog(mov64r(r0, r10), exit()), want: "R0 is not a known value"},

	// Stack.
	{name: "stack read above frame", insns: prog(ldx(DW, r0, r10, 0), exit()), want: "invalid read from stack"},
	{name: "stack write below frame", insns: prog(st(DW, r10, -520, 0), retZero), want: "invalid write to stack"},
	{name: "stack misaligned", insns: prog(st(DW, r10, -12, 0), retZero), want: "misaligned stack access"},
	{name: "unprivileged uninitialized stack read", opts: unpriv, insns: prog(ldx(DW, r0, r10, -8), exit()), want: "invalid read from stack"},
	{name: "partial fill of spilled pointer", insns: prog(stx(DW, r10, r1, -8), ldx(W, r0, r10, -8), exit()), want: "invalid size of register fill"},
	{name: "variable stack offset unbounded", insns: prog(call(7), mov64r(r1, r10), add64r(r1, r0), ldx(B, r0, r1, 0), exit()), want: "unbounded variable offset makes fp pointer"},

	// Context.
	{name: "ctx out of bounds", insns: prog(ldx(W, r0, r1, 24), exit()), want: "invalid bpf_context access off=24"},
	{name: "ctx negative offset", insns: prog(ldx(W, r0, r1, -4), exit()), want: "invalid bpf_context access off=-4"},
	{name: "ctx wrong size", insns: prog(ldx(DW, r0, r1, 0), exit()), want: "invalid bpf_context access off=0 size=8"},
	{name: "ctx write read-only field", insns: prog(st(W, r1, 12, 0), retZero), want: "read-only"},
	{name: "ctx egress_ifindex outside devmap", insns: prog(ldx(W, r0, r1, 20), exit()), want: "needs a devmap program"},
	{name: "ctx sign-extending load of pointer", insns: prog(insn{Opcode: isa.ClassLDX | isa.ModeMEMSX | isa.SizeW, Dst: 0, Src: 1}, exit()), want: "sign-extending load of data"},
	{name: "sign-extended ctx field may be negative", insns: prog(
		insn{Opcode: isa.ClassLDX | isa.ModeMEMSX | isa.SizeW, Dst: 2, Src: 1, Offset: 12},
		jmpi(isa.JmpJSGE, r2, 0, 2), ldx(B, r0, r10, 0), exit(), retZero), want: "invalid read from stack"},
	{name: "ctx modified pointer", insns: prog(add64i(r1, 4), ldx(W, r0, r1, 0), exit()), want: "dereference of modified ctx ptr"},

	// Packet.
	{name: "packet without bounds check", insns: prog(xdpPrologue, ldx(B, r0, r2, 0), exit()), want: "invalid access to packet"},
	{name: "packet read past checked range", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2), ldx(H, r0, r2, 13), exit(), retZero), want: "invalid access to packet"},
	{name: "packet read on wrong branch", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2), retZero, ldx(B, r0, r2, 0), exit()), want: "invalid access to packet"},
	{name: "packet negative offset", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 2), ldx(B, r0, r2, -1), exit(), retZero), want: "invalid access to packet"},
	{name: "packet end at most pointer, wrong branch", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 8), jmpr(isa.JmpJLE, r3, r4, 2), retZero, ldx(DW, r0, r2, 0), exit()), want: "invalid access to packet"},
	{name: "packet metadata past data", insns: prog(ldx(W, r2, r1, 8), ldx(W, r3, r1, 0),
		mov64r(r4, r2), add64i(r4, 4), jmpr(isa.JmpJGT, r4, r3, 2), ldx(W, r0, r2, 1), exit(), retZero), want: "invalid access to packet"},
	{name: "packet end dereference", insns: prog(xdpPrologue, ldx(B, r0, r3, 0), exit()), want: "invalid mem access 'pkt_end'"},
	{name: "packet end arithmetic", insns: prog(xdpPrologue, add64i(r3, -1), retZero), want: "pointer arithmetic on pkt_end"},
	{name: "packet pointers stale after adjust_head", insns: prog(xdpPrologue, mov64r(r6, r2),
		mov64r(r4, r2), add64i(r4, 1), jmpr(isa.JmpJGT, r4, r3, 4),
		mov64i(r2, 0), call(44), ldx(B, r0, r6, 0), exit(), retZero), want: "invalid mem access 'scalar'"},
	{name: "packet variable offset loses range", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), jmpr(isa.JmpJGT, r4, r3, 4),
		ldx(B, r5, r2, 0), add64r(r2, r5), ldx(B, r0, r2, 0), exit(), retZero), want: "invalid access to packet"},

	// Map values.
	{name: "missing null check", insns: prog(lookup(mapHash), ldx(DW, r0, r0, 0), exit()), want: "invalid mem access 'map_value_or_null'"},
	{name: "null check on wrong branch", insns: prog(lookup(mapHash), jmpi(isa.JmpJNE, r0, 0, 2), ldx(DW, r0, r0, 0), exit(), retZero), want: "invalid mem access 'scalar'"},
	{name: "map value past end", insns: prog(lookup(mapHash), jmpi(isa.JmpJEQ, r0, 0, 2), ldx(DW, r0, r0, 12), exit(), retZero), want: "invalid access to map value"},
	{name: "map value negative", insns: prog(lookup(mapHash), jmpi(isa.JmpJEQ, r0, 0, 2), ldx(B, r0, r0, -1), exit(), retZero), want: "invalid access to map value"},
	{name: "map value unbounded index", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 4),
		ldx(DW, r1, r0, 0), add64r(r0, r1), ldx(B, r0, r0, 0), exit(), retZero), want: "unbounded variable offset"},
	{name: "map value index off by one", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 5),
		ldx(DW, r1, r0, 0), jmpi(isa.JmpJGT, r1, 57, 3), add64r(r0, r1), ldx(DW, r0, r0, 0), exit(), retZero), want: "max value is outside"},
	{name: "map value signed index negative", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 5),
		ldx(DW, r1, r0, 0), jmpi(isa.JmpJSGT, r1, 56, 3), add64r(r0, r1), ldx(B, r0, r0, 0), exit(), retZero), want: "makes map_value pointer be out of bounds"},
	{name: "write to read-only map", insns: prog(lookup(mapRdOnly), jmpi(isa.JmpJEQ, r0, 0, 1), st(DW, r0, 0, 1), retZero), want: "write into map forbidden"},
	{name: "pointer arithmetic on map handle", insns: prog(ldMap(r1, mapHash), add64i(r1, 8), retZero), want: "pointer arithmetic on map_ptr"},
	{name: "pointer arithmetic before null check", insns: prog(lookup(mapHash), add64i(r0, 8), retZero), want: "null-check it first"},
	{name: "unknown map", insns: prog(ldMap(r1, 99), retZero), want: "map ID 99 does not exist"},
	{name: "direct value past end", insns: prog(ldMapValue(r1, mapRdOnly, 8), retZero), want: "invalid access to map value pointer"},
	{name: "direct value of multi-element array", insns: prog(ldMapValue(r1, mapArray, 0), retZero), want: "does not support direct value access"},
	{name: "direct value read past end", insns: prog(ldMapValue(r1, mapRdOnly, 4), ldx(DW, r0, r1, 0), exit()), want: "invalid access to map value"},
	{name: "direct value of hash", insns: prog(ldMapValue(r1, mapHash, 0), retZero), want: "does not support direct value access"},

	// Helpers.
	{name: "unknown helper", insns: prog(call(9999), retZero), want: "invalid func unknown#9999"},
	{name: "helper not offered", typ: "raw", insns: prog(mov64i(r2, 0), call(44), retZero), want: "cannot call helper"},
	{name: "lookup with scalar map", insns: prog(mov64i(r1, 1), mov64r(r2, r10), add64i(r2, -8), call(1), retZero), want: "R1 type=scalar expected=map_ptr"},
	{name: "lookup key uninitialized unprivileged", opts: unpriv, insns: prog(ldMap(r1, mapHash), mov64r(r2, r10), add64i(r2, -8), call(1), retZero), want: "invalid indirect read from stack"},
	{name: "lookup key past stack top", insns: prog(ldMap(r1, mapHash), mov64r(r2, r10), add64i(r2, -2), call(1), retZero), want: "invalid indirect access to stack"},
	{name: "lookup key is scalar", insns: prog(ldMap(r1, mapHash), mov64i(r2, 0), call(1), retZero), want: "R2 type=scalar"},
	{name: "lookup on ringbuf", insns: prog(st(W, r10, -8, 0), ldMap(r1, mapRingbuf), mov64r(r2, r10), add64i(r2, -8), call(1), retZero), want: "cannot pass map_type 27"},
	{name: "update of a map-in-map", insns: prog(st(W, r10, -8, 0), ldMap(r1, 7), mov64r(r2, r10), add64i(r2, -8), mov64r(r3, r2), mov64i(r4, 0), call(2), retZero), want: "cannot pass map_type 12"},
	{name: "inner map without null check", insns: prog(lookup(7), mov64r(r1, r0), mov64r(r2, r10), add64i(r2, -8), call(1), retZero), want: "R1 type=map_ptr_or_null expected=map_ptr"},
	{name: "ringbuf reserve variable size", insns: prog(call(7), mov64r(r2, r0), ldMap(r1, mapRingbuf), mov64i(r3, 0), call(131), retZero), want: "R2 is not a known constant"},
	{name: "leaked ringbuf reference", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131), retZero), want: "Unreleased reference"},
	{name: "ringbuf leaked on one path", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJEQ, r0, 0, 6), mov64r(r6, r0), call(7), jmpi(isa.JmpJGT, r0, 5, 3),
		mov64r(r1, r6), mov64i(r2, 0), call(132), retZero), want: "Unreleased reference"},
	{name: "ringbuf submit twice", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJEQ, r0, 0, 7), mov64r(r6, r0), mov64r(r1, r0), mov64i(r2, 0), call(132),
		mov64r(r1, r6), mov64i(r2, 0), call(132), retZero), want: "R1 type=scalar expected=ringbuf_mem"},
	{name: "ringbuf record out of bounds", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJEQ, r0, 0, 4), st(DW, r0, 16, 1), mov64r(r1, r0), mov64i(r2, 0), call(132), retZero), want: "invalid access to mem"},
	{name: "ringbuf submit without null check", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		mov64r(r1, r0), mov64i(r2, 0), call(132), retZero), want: "expected=ringbuf_mem"},
	{name: "ringbuf submit non-ringbuf memory", insns: prog(
		mov64r(r1, r10), add64i(r1, -8), mov64i(r2, 0), call(132), retZero), want: "expected=ringbuf_mem"},
	{name: "tail call with reference held", insns: prog(
		mov64r(r6, r1), ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131), mov64r(r7, r0),
		mov64r(r1, r6), ldMap(r2, mapProgs), mov64i(r3, 0), call(12), retZero), want: "reference leak"},
	{name: "helper memory size unbounded", insns: prog(
		call(7), mov64r(r2, r0), mov64r(r1, r10), add64i(r1, -8), call(6), retZero), want: "unbounded memory access"},
	{name: "helper memory too large", insns: prog(
		st(DW, r10, -8, 0), mov64r(r1, r10), add64i(r1, -8), mov64i(r2, 16), call(6), retZero), want: "invalid indirect access to stack"},
	{name: "helper ctx argument wrong", insns: prog(mov64r(r1, r10), mov64i(r2, 0), call(44), retZero), want: "R1 type=fp expected=ctx"},

	// Termination.
	{name: "infinite loop", insns: prog(mov64i(r0, 0), ja(-1)), want: "infinite loop detected"},
	{name: "infinite loop through branches", insns: prog(mov64i(r0, 0), call(7), jmpi(isa.JmpJGT, r0, 5, -1), jmpi(isa.JmpJGT, r0, 5, -2), exit()), want: "infinite loop detected"},
	{name: "map value index negative", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(DW, r1, r0, 0), jmpi(isa.JmpJSGT, r1, 56, 4), jmpi(isa.JmpJSLT, r1, -8, 3), add64r(r0, r1), ldx(B, r0, r0, 0), exit(), retZero), want: "min value is negative"},
	{name: "unbounded loop", insns: prog(mov64i(r0, 0), add64i(r0, 1), jmpi(isa.JmpJNE, r0, -1, -2), exit()), want: "too large"},
	{name: "loop on unknown bound", insns: prog(call(7), mov64r(r1, r0), mov64i(r0, 0), add64i(r0, 1), jmpr(isa.JmpJNE, r0, r1, -2), exit()), want: "too large",
		opts: func(o *Options) { o.MaxProcessed = 20000 }},
	{name: "callback returns 2", insns: prog(
		mov64i(r1, 10), ldFunc(r2, 6), mov64i(r3, 0), mov64i(r4, 0), call(181), retZero,
		mov64i(r0, 2), exit()), want: "should have been in [0, 1]"},

	// Calls.
	{name: "return stack pointer", insns: prog(callLocal(1), exit(), mov64r(r0, r10), exit()), want: "cannot return stack pointer"},
	{name: "recursion too deep", insns: prog(callLocal(-1), exit()), want: "too deep"},
	{name: "callee r6 uninitialized", insns: prog(mov64i(r6, 1), callLocal(1), exit(), mov64r(r0, r6), exit()), want: "R6 !read_ok"},
	{name: "combined stack too large", insns: prog(
		st(DW, r10, -512, 0), callLocal(1), exit(), st(DW, r10, -8, 0), mov64i(r0, 0), exit()), want: "combined stack size"},

	// Spin locks (map mapArray's value holds the lock at offset 0).
	{name: "spin lock not released", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 2), mov64r(r1, r0), call(93), retZero), want: "bpf_spin_unlock is missing"},
	{name: "spin lock nested", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 6), mov64r(r6, r0), mov64r(r1, r0), call(93), mov64r(r1, r6), add64i(r1, 8), call(93), retZero), want: "Locks nested"},
	{name: "helper call under spin lock", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 6), mov64r(r6, r0), mov64r(r1, r0), call(93), call(5), mov64r(r1, r6), call(94), retZero), want: "not allowed while holding a lock"},
	{name: "spin unlock of another lock", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 6), mov64r(r6, r0), mov64r(r1, r0), call(93), mov64r(r1, r6), add64i(r1, 8), call(94), retZero), want: "different lock"},
	{name: "spin unlock without lock", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 2), mov64r(r1, r0), call(94), retZero), want: "without taking a lock"},

	// Pointer rules.
	{name: "stack pointer subtraction", insns: prog(mov64r(r2, r10), alu64i(isa.ALUSub, r2, 8), retZero), want: "subtraction from stack pointer"},
	{name: "bitwise on pointer", insns: prog(mov64r(r2, r10), alu64i(isa.ALUAnd, r2, -8), retZero), want: "bitwise operator &= on pointer"},
	{name: "multiply pointer", insns: prog(mov64r(r2, r1), alu64i(isa.ALUMul, r2, 2), retZero), want: "pointer arithmetic with *= operator"},
	{name: "partial pointer spill", insns: prog(stx(W, r10, r1, -8), retZero), want: "invalid size of register spill"},
	{name: "shift out of range", insns: prog(mov64i(r0, 1), alu32i(isa.ALULsh, r0, 32), exit()), want: "invalid shift 32"},
	{name: "division by constant zero", insns: prog(mov64i(r0, 1), alu64i(isa.ALUDiv, r0, 0), exit()), want: "div by zero"},
	{name: "32-bit pointer arithmetic", insns: prog(mov64r(r2, r10), alu32i(isa.ALUAdd, r2, 1), retZero), want: "32-bit pointer arithmetic"},
	{name: "unprivileged pointer leak into map", opts: unpriv, insns: prog(lookup(mapHash), jmpi(isa.JmpJEQ, r0, 0, 1), stx(DW, r0, r10, 0), retZero), want: "leaks addr"},
	{name: "unprivileged loop", opts: unpriv, insns: prog(mov64i(r0, 0), add64i(r0, 1), jmpi(isa.JmpJLT, r0, 4, -2), exit()), want: "back-edge from insn 2 to 1"},
	{name: "unprivileged bpf to bpf call", opts: unpriv, insns: prog(callLocal(1), exit(), mov64i(r0, 0), exit()), want: "allowed for CAP_BPF only"},
	{name: "unprivileged pointer arithmetic on stack", opts: unpriv, insns: prog(call(7), alu64i(isa.ALUAnd, r0, 7), mov64r(r1, r10), add64i(r1, -8), add64r(r1, r0), retZero), want: "variable stack access prohibited"},
	{name: "unprivileged pointer comparison", opts: unpriv, insns: prog(mov64r(r2, r10), jmpr(isa.JmpJGT, r1, r2, 0), retZero), want: "pointer comparison prohibited"},
	{name: "atomic on ctx", insns: prog(mov64i(r2, 1), atomic(W, r1, r2, 12, isa.AtomicAdd), retZero), want: "BPF_ATOMIC stores into R1 ctx"},
	{name: "raw memory out of bounds", typ: "raw", insns: prog(ldx(DW, r0, r1, 60), exit()), want: "invalid access to mem"},
	{name: "one load through the context and the stack", insns: prog(
		mov64r(r6, r1), st(DW, r10, -8, 0), call(7), mov64r(r2, r6), jmpi(isa.JmpJGT, r0, 5, 2), mov64r(r2, r10), add64i(r2, -8),
		ldx(W, r3, r2, 0), retZero), want: "same insn cannot be used with different pointers"},

	// Adversarial cases.
	{name: "range learned for another variable base (word load)", insns: prog(xdpPrologue,
		ldx(W, r5, r1, 12), alu64i(isa.ALUAnd, r5, 0xff),
		mov64r(r4, r2), add64r(r4, r5), mov64r(r6, r4), add64i(r6, 8), jmpr(isa.JmpJGT, r6, r3, 2),
		ldx(B, r0, r2, 0), exit(), retZero), want: "invalid access to packet"},
	{name: "dangling pointer to callee stack", insns: prog(
		st(DW, r10, -8, 0), mov64r(r1, r10), add64i(r1, -8), callLocal(3), ldx(DW, r1, r10, -8), ldx(DW, r0, r1, 0), exit(),
		mov64r(r2, r10), add64i(r2, -16), stx(DW, r1, r2, 0), mov64i(r0, 0), exit()), want: "invalid mem access 'scalar'"},
	{name: "ringbuf record used after submit", insns: prog(
		ldMap(r1, mapRingbuf), mov64i(r2, 16), mov64i(r3, 0), call(131),
		jmpi(isa.JmpJEQ, r0, 0, 7), mov64r(r6, r0), mov64r(r1, r0), mov64i(r2, 0), call(132), st(DW, r6, 0, 1), retZero, retZero), want: "invalid mem access 'scalar'"},
	{name: "callback counter grows past bounds", insns: prog(
		st(DW, r10, -8, 0), mov64i(r1, 100), ldFunc(r2, 18), mov64r(r3, r10), add64i(r3, -8), mov64i(r4, 0), call(181),
		lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 4), ldx(DW, r1, r10, -8), add64r(r0, r1), ldx(B, r0, r0, 0), exit(), retZero,
		// callback: *ctx += 8
		ldx(DW, r3, r2, 0), add64i(r3, 8), stx(DW, r2, r3, 0), mov64i(r0, 0), exit()), want: "out of bounds"},
	{name: "linked copy through 32-bit check", insns: prog(lookup(mapArray), jmpi(isa.JmpJEQ, r0, 0, 6),
		ldx(DW, r1, r0, 0), mov64r(r2, r1), jmp32i(isa.JmpJGT, r1, 7, 3), add64r(r0, r2), ldx(B, r0, r0, 0), exit(), retZero), want: "out of bounds"},
	{name: "partially overwritten spilled pointer", insns: prog(
		stx(DW, r10, r1, -8), st(B, r10, -8, 0), ldx(DW, r1, r10, -8), ldx(W, r0, r1, 0), exit()), want: "invalid mem access 'scalar'"},
	{name: "32-bit packet comparison learns nothing", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 14), insn{Opcode: isa.ClassJMP32 | isa.JmpJGT | isa.SrcX, Dst: r4, Src: r3, Offset: 2},
		ldx(B, r0, r2, 0), exit(), retZero), want: "invalid access to packet"},
	{name: "unknown program type", typ: "kprobe", insns: prog(retZero), want: "unknown program type"},
}

func unpriv(o *Options) { o.Unprivileged = true }

// skbContext is a small __sk_buff-like context for TestTypeInfo: len (u32,
// read-only) at 0, mark (u32, writable) at 8, data at 76, data_end at 80.
var skbContext = ContextFunc(func(off int32, size int, write bool) (FieldKind, error) {
	switch {
	case off == 0 && size == 4 && !write, off == 8 && size == 4:
		return FieldScalar, nil
	case off == 76 && size == 4 && !write:
		return FieldPacket, nil
	case off == 80 && size == 4 && !write:
		return FieldPacketEnd, nil
	}
	return 0, errors.New("no such field")
})

func skbType() *TypeInfo {
	var h vm.HelperTable
	for _, n := range []int32{1, 5, 9, 26} {
		h[n] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 { return 0 }
	}
	return &TypeInfo{Name: "sched_cls", Context: skbContext, Helpers: &h, PacketWrite: true}
}

// TestTypeInfo verifies programs of a type described by the caller.
func TestTypeInfo(t *testing.T) {
	cases := []vcase{
		{name: "skb packet parse", insns: prog(ldx(W, r2, r1, 76), ldx(W, r3, r1, 80), mov64r(r4, r2), add64i(r4, 14),
			jmpr(isa.JmpJGT, r4, r3, 2), ldx(B, r0, r2, 13), exit(), retZero)},
		{name: "skb mark write", insns: prog(st(W, r1, 8, 1), retZero)},
		{name: "skb len write", insns: prog(st(W, r1, 0, 1), retZero), want: "no such field"},
		{name: "skb load bytes", insns: prog(mov64i(r2, 0), mov64r(r3, r10), add64i(r3, -8), mov64i(r4, 8), call(26), ldx(DW, r0, r10, -8), exit())},
		{name: "skb store bytes invalidates packet pointers", insns: prog(ldx(W, r6, r1, 76), ldx(W, r7, r1, 80), mov64r(r4, r6), add64i(r4, 1),
			jmpr(isa.JmpJGT, r4, r7, 7), st(DW, r10, -8, 0), mov64i(r2, 0), mov64r(r3, r10), add64i(r3, -8), mov64i(r4, 1), mov64i(r5, 0), call(9),
			ldx(B, r0, r6, 0), exit()), want: "invalid mem access 'scalar'"},
		{name: "helper the type lacks", insns: prog(mov64i(r2, 0), call(44), retZero), want: "cannot call helper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts = func(o *Options) { o.ProgType = "sched_cls"; o.Type = skbType() }
			runCase(t, c)
		})
	}
}
