package verifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// linkSpec turns a program of an ELF collection into the linked form the
// verifier takes (a test-only stand-in for the loader): calls and function
// references resolved to relative offsets, map references to IDs of a map
// table built from the collection's maps (in name order, from 1).
func linkSpec(spec *ebpf.CollectionSpec, prog *ebpf.ProgramSpec) ([]isa.Instruction, MapResolver, error) {
	names := make([]string, 0, len(spec.Maps))
	for n := range spec.Maps {
		names = append(names, n)
	}
	sort.Strings(names)
	ids := map[string]uint32{}
	table := map[uint32]MapInfo{}
	for i, n := range names {
		m := spec.Maps[n]
		id := uint32(i + 1)
		ids[n] = id
		table[id] = mapSpecInfo(m)
	}
	// Symbol offsets in slots.
	syms := map[string]int{}
	off := 0
	for _, ins := range prog.Instructions {
		if s := ins.Symbol(); s != "" {
			syms[s] = off
		}
		off += int(ins.Size() / 8)
	}
	var out []isa.Instruction
	for _, ins := range prog.Instructions {
		pc := len(out)
		x := isa.Instruction{Opcode: uint8(ins.OpCode), Dst: uint8(ins.Dst), Src: uint8(ins.Src), Offset: ins.Offset, Imm: int32(ins.Constant)}
		switch {
		case ins.IsFunctionReference():
			t, ok := syms[ins.Reference()]
			if !ok {
				return nil, nil, fmt.Errorf("instruction %d: unknown function %q", pc, ins.Reference())
			}
			x.Imm = int32(t - pc - 1)
			if ins.OpCode.IsDWordLoad() {
				out = append(out, x, isa.Instruction{})
				continue
			}
		case ins.IsLoadFromMap():
			id, ok := ids[ins.Reference()]
			if !ok {
				return nil, nil, fmt.Errorf("instruction %d: unknown map %q", pc, ins.Reference())
			}
			x.Imm = int32(id)
			out = append(out, x, isa.Instruction{Imm: int32(uint64(ins.Constant) >> 32)})
			continue
		}
		out = append(out, x)
		if ins.OpCode.IsDWordLoad() {
			out = append(out, isa.Instruction{Imm: int32(uint64(ins.Constant) >> 32)})
		}
	}
	return out, MapTable(table), nil
}

func mapSpecInfo(m *ebpf.MapSpec) MapInfo {
	mi := MapInfo{Type: maps.Type(m.Type), KeySize: m.KeySize, ValueSize: m.ValueSize, MaxEntries: m.MaxEntries, Flags: m.Flags}
	if m.InnerMap != nil {
		in := mapSpecInfo(m.InnerMap)
		mi.Inner = &in
	}
	return mi
}

// corpusObjects lists the verifier's own test objects and the project's
// program corpus.
func corpusObjects(t *testing.T) []string {
	var objs []string
	for _, pat := range []string{"testdata/*.o", "../testdata/progs/*.o", "../examples/*/bpf/*.o"} {
		m, _ := filepath.Glob(pat)
		objs = append(objs, m...)
	}
	if len(objs) == 0 {
		t.Skip("no objects")
	}
	return objs
}

// kernelVerdict loads one program into the running kernel: nil if it
// accepts it, the verifier error otherwise; skip is set when bpf() cannot
// be used at all.
func kernelVerdict(spec *ebpf.CollectionSpec, name string) (err error, skip string) {
	err, skip, _ = kernelVerdictStats(spec, name)
	return err, skip
}

// kernelVerdictStats is kernelVerdict that also returns the kernel's
// "processed N insns" statistics line when it accepts the program.
func kernelVerdictStats(spec *ebpf.CollectionSpec, name string) (err error, skip, stats string) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, err.Error(), ""
	}
	s := spec.Copy()
	for n := range s.Programs {
		if n != name {
			delete(s.Programs, n)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(s, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats}})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return err, "", ""
		}
		if errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "operation not permitted") || strings.Contains(err.Error(), "function not implemented") {
			return nil, err.Error(), ""
		}
		return err, "", ""
	}
	defer coll.Close()
	for _, l := range strings.Split(coll.Programs[name].VerifierLog, "\n") {
		if strings.HasPrefix(l, "processed ") {
			stats = l
		}
	}
	return nil, "", stats
}

// TestCorpus verifies every XDP program of the corpus. Objects named bad_*
// must be refused, all others accepted; where bpf() works, the kernel must
// agree on every program.
func TestCorpus(t *testing.T) {
	var total time.Duration
	var nprogs, ninsns int
	for _, obj := range corpusObjects(t) {
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			t.Errorf("%s: %v", obj, err)
			continue
		}
		bad := strings.HasPrefix(filepath.Base(obj), "bad_")
		for name, ps := range spec.Programs {
			if ps.Type != ebpf.XDP {
				continue
			}
			t.Run(filepath.Base(obj)+"/"+name, func(t *testing.T) {
				insns, mr, err := linkSpec(spec, ps)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				res, verr := Verify(insns, Options{ProgType: "xdp", Maps: mr})
				d := time.Since(start)
				total += d
				nprogs++
				ninsns += len(insns)
				t.Logf("%d insns, processed %d, states %d, %v", len(insns), res.Processed, res.TotalStates, d)
				if bad && verr == nil {
					t.Errorf("accepted an unsafe program")
				}
				if !bad && verr != nil {
					t.Errorf("refused: %v\n%s", verr, tail(res.Log, 40))
				}
				kerr, skip, stats := kernelVerdictStats(spec, name)
				if skip != "" {
					t.Logf("kernel comparison skipped: %s", skip)
					return
				}
				if stats != "" {
					t.Logf("kernel: %s", stats)
				}
				if (kerr == nil) != (verr == nil) {
					t.Errorf("kernel disagrees: kernel %v, bpfhost %v", kerr, verr)
				}
			})
		}
	}
	t.Logf("verified %d programs (%d instructions) in %v", nprogs, ninsns, total)
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// BenchmarkVerifyCorpus verifies every accepted XDP program of the corpus
// once per iteration.
func BenchmarkVerifyCorpus(b *testing.B) {
	type item struct {
		insns []isa.Instruction
		maps  MapResolver
	}
	var items []item
	objs, _ := filepath.Glob("testdata/good_*.o")
	more, _ := filepath.Glob("../testdata/progs/*.o")
	for _, obj := range append(objs, more...) {
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			b.Fatal(err)
		}
		for _, ps := range spec.Programs {
			if ps.Type != ebpf.XDP {
				continue
			}
			insns, mr, err := linkSpec(spec, ps)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Verify(insns, Options{ProgType: "xdp", Maps: mr}); err == nil {
				items = append(items, item{insns, mr})
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, it := range items {
			Verify(it.insns, Options{ProgType: "xdp", Maps: it.maps})
		}
	}
	b.ReportMetric(float64(len(items)), "programs")
}

// BenchmarkVerifyLoop measures raw exploration speed: a loop unrolled 100k
// times by path exploration.
func BenchmarkVerifyLoop(b *testing.B) {
	p := prog(mov64i(r0, 0), mov64i(r1, 0),
		add64r(r0, r1), add64i(r1, 1), jmpi(isa.JmpJLT, r1, 100000, -3), exit())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := Verify(p, Options{ProgType: "xdp"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Processed), "insns")
	}
}
