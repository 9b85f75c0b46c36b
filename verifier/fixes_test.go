package verifier

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// fixCases are programs the suites showed bpfhost refusing while Linux
// accepts them, kept as regression tests of the fixes.
var fixCases = []vcase{
	// data+7 < data_end proves 8 bytes (Linux's range_right_open).
	{name: "packet strict jge fall-through proves one more byte", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 7), jmpr(isa.JmpJGE, r4, r3, 2), ldx(DW, r0, r2, 0), exit(), retZero)},
	{name: "packet strict jlt taken proves one more byte", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 7), jmpr(isa.JmpJLT, r4, r3, 2), retZero, ldx(DW, r0, r2, 0), exit())},
	{name: "packet strict end jgt taken proves one more byte", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 7), jmpr(isa.JmpJGT, r3, r4, 2), retZero, ldx(DW, r0, r2, 0), exit())},
	{name: "packet non-strict jgt still one byte short", insns: prog(xdpPrologue,
		mov64r(r4, r2), add64i(r4, 7), jmpr(isa.JmpJGT, r4, r3, 2), ldx(DW, r0, r2, 0), exit(), retZero), want: "invalid access to packet"},
	// An array lookup with a constant zero key cannot fail (Linux 6.13+).
	{name: "array lookup of key 0 needs no null check", insns: prog(lookup(mapArray), ldx(DW, r0, r0, 8), exit())},
	{name: "array lookup of key 0 from a register store", insns: prog(mov64i(r1, 0), stx(W, r10, r1, -4),
		ldMap(r1, mapArray), mov64r(r2, r10), add64i(r2, -4), call(1), ldx(DW, r0, r0, 8), exit())},
	{name: "array lookup of an 8-byte zero spill still needs a check", insns: prog(st(DW, r10, -8, 0),
		ldMap(r1, mapArray), mov64r(r2, r10), add64i(r2, -8), call(1), ldx(DW, r0, r0, 8), exit()), want: "map_value_or_null"},
	{name: "array lookup of a key past max_entries still needs a check", insns: prog(st(W, r10, -8, 4),
		ldMap(r1, mapArray), mov64r(r2, r10), add64i(r2, -8), call(1), ldx(DW, r0, r0, 8), exit()), want: "map_value_or_null"},
	{name: "hash lookup of key 0 still needs a check", insns: prog(lookup(mapHash), ldx(DW, r0, r0, 8), exit()), want: "map_value_or_null"},
}

func TestFixCases(t *testing.T) {
	for _, c := range fixCases {
		t.Run(c.name, func(t *testing.T) { runCase(t, c) })
	}
}

// TestFixCasesKernel checks the fix cases' verdicts against the kernel.
func TestFixCasesKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	km := kernelMaps(t)
	for _, c := range fixCases {
		theirs := kernelLoad(c.insns, km)
		if (theirs == nil) != (c.want == "") {
			t.Errorf("%s: kernel %s, want accepted=%v", c.name, errString(theirs), c.want == "")
		}
	}
}
