package verifier

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/bpfhost/bpfhost/progtype"
)

// positiveTypes are the program types the positive suite must cover.
var positiveTypes = []string{"xdp", "sched_cls", "sched_act", "socket_filter", "cgroup_skb", "cgroup_sock",
	"cgroup_sock_addr", "sock_ops", "kprobe", "tracepoint", "raw_tracepoint", "perf_event"}

// positiveProgram is one program of the positive suite's objects.
type positiveProgram struct {
	obj, name string
	spec      *ebpf.CollectionSpec
	prog      *ebpf.ProgramSpec
	typ       progtype.Type
}

func positivePrograms(t *testing.T) []positiveProgram {
	objs, _ := filepath.Glob("testdata/positive/*.o")
	if len(objs) == 0 {
		t.Fatal("no objects in testdata/positive (run build.sh)")
	}
	var out []positiveProgram
	for _, obj := range objs {
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		names := make([]string, 0, len(spec.Programs))
		for n := range spec.Programs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ps := spec.Programs[n]
			pt, ok := progtype.ForSection(ps.SectionName)
			if !ok {
				t.Fatalf("%s/%s: no program type for section %q", obj, n, ps.SectionName)
			}
			out = append(out, positiveProgram{obj: filepath.Base(obj), name: n, spec: spec, prog: ps, typ: pt})
		}
	}
	return out
}

// TestPositiveSuite verifies every program of testdata/positive (clang-built
// programs of every supported type): all must be accepted.
func TestPositiveSuite(t *testing.T) {
	progs := positivePrograms(t)
	types := map[string]int{}
	ok := 0
	for _, p := range progs {
		insns, mr, err := linkSpec(p.spec, p.prog)
		if err != nil {
			t.Errorf("%s/%s: %v", p.obj, p.name, err)
			continue
		}
		opts := Options{ProgType: p.typ.Name(), Maps: mr}
		if p.typ.Name() != "xdp" {
			opts.Type = linuxTypeInfoFor(p.typ)
		}
		res, verr := Verify(insns, opts)
		if verr != nil {
			t.Errorf("%s/%s (%s): refused: %v\n%s", p.obj, p.name, p.typ.Name(), verr, tail(res.Log, 30))
			continue
		}
		ok++
		types[p.typ.Name()]++
		if testing.Verbose() {
			t.Logf("%s/%s (%s): %d insns, processed %d, states %d", p.obj, p.name, p.typ.Name(), len(insns), res.Processed, res.TotalStates)
		}
	}
	for _, typ := range positiveTypes {
		if types[typ] == 0 {
			t.Errorf("no accepted program of type %s", typ)
		}
	}
	fmt.Printf("positive suite: %d/%d accepted, %d program types\n", ok, len(progs), len(types))
}

// TestPositiveSuiteKernel loads every positive program into the running
// kernel, which must accept it too (a refusal there means bpfhost accepted
// something Linux refuses).
func TestPositiveSuiteKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	progs := positivePrograms(t)
	refused := 0
	for _, p := range progs {
		kerr, skip, _ := kernelVerdictStats(p.spec, p.name)
		if skip != "" {
			t.Skipf("bpf() not available: %s", skip)
		}
		insns, mr, err := linkSpec(p.spec, p.prog)
		if err != nil {
			t.Fatalf("%s/%s: %v", p.obj, p.name, err)
		}
		opts := Options{ProgType: p.typ.Name(), Maps: mr}
		if p.typ.Name() != "xdp" {
			opts.Type = linuxTypeInfoFor(p.typ)
		}
		_, verr := Verify(insns, opts)
		if kerr == nil && verr != nil {
			t.Logf("%s/%s (%s): the kernel accepts, bpfhost refuses: %v", p.obj, p.name, p.typ.Name(), verr)
		}
		if kerr != nil && verr == nil {
			refused++
			t.Errorf("%s/%s (%s): bpfhost accepts, the kernel refuses: %s", p.obj, p.name, p.typ.Name(), errString(kerr))
		}
	}
	fmt.Printf("positive suite against the kernel: %d programs, kernel refuses %d\n", len(progs), refused)
}
