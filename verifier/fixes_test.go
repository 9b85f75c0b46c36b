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
