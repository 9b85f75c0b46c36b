package verifier

import (
	"testing"

	"github.com/bpfhost/bpfhost/isa"
)

// diamonds returns n if/else diamonds in a row, each on a fresh random
// number, whose arms set r6 to 1 or 2 and then run body; the program returns
// r6 (a value no safety decision depends on).
func diamonds(n int, body []insn) []insn {
	p := prog(mov64i(r6, 0))
	for i := 0; i < n; i++ {
		p = append(p, prog(call(7), jmpi(isa.JmpJGT, r0, 5, 2), mov64i(r6, 1), ja(1), mov64i(r6, 2), body)...)
	}
	return append(p, mov64r(r0, r6), exit())
}

// TestPruningScales checks that pruning keeps path explosion in check: 40
// diamonds are 2^40 paths, but the states at each join differ only in a
// register whose value matters to nothing (r6) or that is dead.
func TestPruningScales(t *testing.T) {
	cases := []struct {
		name  string
		insns []insn
		max   int
	}{
		{"imprecise flag", diamonds(40, nil), 2000},
		{"dead temporaries", diamonds(40, prog(mov64r(r7, r6), mov64i(r6, 0))), 2000},
	}
	for _, c := range cases {
		res, err := Verify(c.insns, Options{ProgType: "xdp"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Processed > c.max {
			t.Errorf("%s: processed %d instructions, want at most %d", c.name, res.Processed, c.max)
		}
		t.Logf("%s: %d instructions, processed %d, %d states", c.name, len(c.insns), res.Processed, res.TotalStates)
	}
}

// TestPrecisionMatters checks that values that do decide something are
// still compared: the flag indexes the stack at the end, so the path where
// it is out of bounds must not be pruned by the one where it is in bounds.
func TestPrecisionMatters(t *testing.T) {
	p := prog(mov64i(r6, 0), call(7),
		jmpi(isa.JmpJGT, r0, 5, 2), mov64i(r6, -8), ja(1), mov64i(r6, 8),
		// Enough work for the checkpoint heuristic to store the state at
		// the following call, where the paths meet with r6 -8 or 8.
		mov64i(r7, 0), mov64i(r7, 0), mov64i(r7, 0), mov64i(r7, 0),
		mov64i(r7, 0), mov64i(r7, 0), mov64i(r7, 0), mov64i(r7, 0),
		call(7),
		mov64r(r1, r10), add64r(r1, r6), st(DW, r1, 0, 0), retZero)
	_, err := Verify(p, Options{ProgType: "xdp"})
	if err == nil {
		t.Fatal("accepted a stack write at r10+8")
	}
}
