package loader

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/cilium/ebpf"
)

// xdpLayout is the XDP mapping from the api contract, so that the loader's
// tests do not depend on progtype.
type xdpLayout struct{}

func (xdpLayout) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	if write {
		return 0, 0, errString("xdp context is read-only")
	}
	switch {
	case off >= 0 && off < 12 && off%4 == 0 && size == 4:
		return int16(off * 2), 8, nil
	case off >= 12 && off < 24 && off%4 == 0 && size == 4:
		return int16(24 + off - 12), 4, nil
	}
	return 0, 0, errString("invalid xdp_md access")
}

type errString string

func (e errString) Error() string { return string(e) }

func loadSpecFile(path string) (*ebpf.CollectionSpec, error) { return ebpf.LoadCollectionSpec(path) }

func loadSpec(t *testing.T, name string) *ebpf.CollectionSpec {
	t.Helper()
	spec, err := loadSpecFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func convertProg(t *testing.T, obj, prog string) *Converted {
	t.Helper()
	spec := loadSpec(t, obj)
	ps := spec.Programs[prog]
	if ps == nil {
		t.Fatalf("%s: no program %s", obj, prog)
	}
	c, err := Convert(ps)
	if err != nil {
		t.Fatalf("%s/%s: %v", obj, prog, err)
	}
	return c
}

func TestConvertCalls(t *testing.T) {
	c := convertProg(t, "calls.o", "calls")
	// calls: call pkt_len; r1 = r0; call twice_plus; exit, then the subprograms.
	var calls []int
	for i, ins := range c.Insns {
		if ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal {
			calls = append(calls, i+1+int(ins.Imm))
		}
	}
	if len(calls) != 3 {
		t.Fatalf("got %d local calls, want 3 (calls->pkt_len, calls->twice_plus, twice_plus->add3): %v", len(calls), calls)
	}
	for _, target := range calls {
		if target <= 3 || target >= len(c.Insns) {
			t.Errorf("call target %d outside the subprograms (program has %d slots)", target, len(c.Insns))
		}
	}
	if err := isa.Validate(c.Insns); err != nil {
		t.Fatal(err)
	}

	l := convertProg(t, "calls.o", "looper")
	found := false
	for i, ins := range l.Insns {
		if ins.IsLdImm64() && ins.Src == isa.PseudoFunc {
			found = true
			target := i + 1 + int(ins.Imm)
			// loop_cb starts with r3 = *(u64 *)(r2 + 0).
			if got := l.Insns[target]; got.Opcode != 0x79 || got.Dst != 3 || got.Src != 2 {
				t.Errorf("pseudo func target %d is %+v, want loop_cb's first instruction", target, got)
			}
		}
	}
	if !found {
		t.Fatal("no ld_imm64 pseudo func in looper")
	}
}

func TestConvertMapRefs(t *testing.T) {
	c := convertProg(t, "globals.o", "globals")
	var got []string
	for _, r := range c.Maps {
		if !r.Value {
			t.Errorf("reference %+v is not a value reference", r)
		}
		got = append(got, r.Map)
	}
	want := ".data .data.custom .rodata .bss .rodata"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("map references %q, want %q", s, want)
	}
	// cfg_add is the second .rodata variable (offset 8), cfg_ret the first.
	if c.Maps[2].Offset != 8 || c.Maps[4].Offset != 0 {
		t.Errorf(".rodata offsets %d, %d; want 8, 0", c.Maps[2].Offset, c.Maps[4].Offset)
	}
}

func TestLinkRewritesXDPContext(t *testing.T) {
	c := convertProg(t, "xdpctx.o", "xdpctx")
	ids := map[string]uint32{"seen": 42}
	insns, err := Link(c, xdpLayout{}, func(r MapRef) (uint32, error) { return ids[r.Map], nil })
	if err != nil {
		t.Fatal(err)
	}
	// r9 = data_meta, r1 = data_end, r8 = data: u64 loads at 16, 8, 0.
	for _, w := range []struct {
		pc  int
		op  uint8
		off int16
	}{{1, 0x79, 16}, {2, 0x79, 8}, {4, 0x79, 0}, {30, 0x61, 24}, {42, 0x61, 28}} {
		if got := insns[w.pc]; got.Opcode != w.op || got.Offset != w.off {
			t.Errorf("instruction %d: opcode %#x offset %d, want %#x offset %d", w.pc, got.Opcode, got.Offset, w.op, w.off)
		}
	}
	// The packet load through r8 (data) must not be touched.
	if got := insns[58]; got.Opcode != 0x71 || got.Offset != 0 {
		t.Errorf("packet load rewritten: %+v", got)
	}
	for _, r := range c.Maps {
		if insns[r.Slot].Src != isa.PseudoMapFD || insns[r.Slot].Imm != 42 {
			t.Errorf("map reference at %d: %+v", r.Slot, insns[r.Slot])
		}
	}
}

func TestLinkContextThroughCall(t *testing.T) {
	c := convertProg(t, "calls.o", "calls")
	insns, err := Link(c, xdpLayout{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ins := range insns {
		if ins.Opcode == 0x79 && ins.Src == 1 {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d widened context loads in pkt_len, want 2", n)
	}
}
