package progtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bpfhost/bpfhost/internal/kernel"
)

// Entry is one element of a canonical map dump (see internal/kernel).
type Entry = kernel.Entry

// Target is somewhere a loaded object runs: bpfhost or the kernel.
type Target interface {
	// Run runs prog once on a copy of data with context ctx (nil: none).
	Run(prog string, data, ctx []byte) (ret uint32, out []byte, err error)
	// Update stores a value (of one CPU for per-CPU maps: every CPU gets it).
	Update(m string, key, value []byte) error
	// SetProgram puts program prog at slot idx of program array m.
	SetProgram(m string, idx uint32, prog string) error
	// SetInner puts map inner at slot idx of map-in-map m.
	SetInner(m string, idx uint32, inner string) error
	// Dump returns the canonical dump of map m.
	Dump(m string) ([]Entry, error)
	// MapNames lists the object's maps that Dump accepts, sorted.
	MapNames() []string
	// Bench runs prog repeat times on data and returns the time per run.
	Bench(prog string, data []byte, repeat int) (perRunNs float64, err error)
	Close()
}

// Loader loads object file obj (with global variables set) into a Target.
type Loader func(obj string, vars map[string]any) (Target, error)

// Op is one setup operation, applied before the steps: exactly one of
// Value (map update), Prog (program array slot) or Inner (map-in-map slot).
type Op struct {
	Map   string
	Key   []byte // for Prog and Inner ops, a 4-byte little-endian index
	Value []byte
	Prog  string
	Inner string
}

// Step is one run of a program on a frame and what it must give.
type Step struct {
	Prog string
	In   []byte
	// Ctx is the context given to the run (for XDP a struct xdp_md), nil for none.
	Ctx []byte
	Ret uint32
	// Out is the expected output frame; nil means the input unchanged.
	Out []byte
}

// Case is one object with its setup, runs and expected final maps.
type Case struct {
	Name string
	// Object is the object file relative to the repository root.
	Object string
	Vars   map[string]any
	Setup  []Op
	Steps  []Step
	// Maps holds the expected canonical dumps of the listed maps after all steps.
	Maps map[string][]Entry
	// Ignore lists, per map, value bytes that differ by nature (clocks,
	// random numbers, CPU numbers): they are zeroed on both sides before
	// any comparison, and tests check their properties separately.
	Ignore map[string][]Span
	// KernelMin is the oldest kernel ("6.12") whose behaviour the
	// expectations describe, where Linux changed since; kernel comparisons
	// skip the case on older kernels ("" = any kernel with bpf()).
	KernelMin string
	// PendingHelpers are helpers the object calls that bpfhost does not
	// offer yet: while loading reports one of them as unknown, bpfhost
	// tests skip the case with a message saying so (the kernel ones run).
	PendingHelpers []int32
	// Bench names the step benchmarks use (-1: none), the frame and program. It must
	// leave the frame unchanged (Out nil): the kernel's test run repeats a
	// program on the frame as the previous repetition left it, bpfhost on
	// a fresh copy, so only such steps do the same work in both.
	Bench int
}

// Span is a byte range [Off, Off+Len) of a map value.
type Span struct{ Off, Len int }

// masked returns es with the spans of every value zeroed (copies).
func masked(es []Entry, spans []Span) []Entry {
	if len(spans) == 0 {
		return es
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		v := bytes.Clone(e.Value)
		for _, s := range spans {
			for j := s.Off; j < s.Off+s.Len && j < len(v); j++ {
				v[j] = 0
			}
		}
		out[i] = Entry{Key: e.Key, Value: v}
	}
	return out
}

// Pending reports whether err is bpfhost refusing the object for calling a
// helper listed in c.PendingHelpers.
func (c *Case) Pending(err error) bool {
	if err == nil {
		return false
	}
	for _, h := range c.PendingHelpers {
		if strings.Contains(err.Error(), fmt.Sprintf("unknown helper %d ", h)) {
			return true
		}
	}
	return false
}

// Result is what a Case produced on a Target.
type Result struct {
	Rets []uint32
	Outs [][]byte
	// Maps are the dumps of every map of the object after the steps.
	Maps map[string][]Entry
}

// Exec loads c's object with load, applies its setup, runs its steps and
// dumps every map (destructive for queues, stacks and ring buffers).
func Exec(load Loader, c *Case) (*Result, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	t, err := load(filepath.Join(root, c.Object), c.Vars)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if err := Setup(t, c); err != nil {
		return nil, err
	}
	r := &Result{Maps: map[string][]Entry{}}
	for i, s := range c.Steps {
		ret, out, err := t.Run(s.Prog, s.In, s.Ctx)
		if err != nil {
			return nil, fmt.Errorf("%s step %d (%s): %w", c.Name, i, s.Prog, err)
		}
		r.Rets = append(r.Rets, ret)
		r.Outs = append(r.Outs, out)
	}
	for _, m := range t.MapNames() {
		es, err := t.Dump(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		r.Maps[m] = es
	}
	return r, nil
}

// Setup applies c's setup operations to t.
func Setup(t Target, c *Case) error {
	for _, op := range c.Setup {
		var err error
		switch {
		case op.Prog != "":
			err = t.SetProgram(op.Map, le32(op.Key), op.Prog)
		case op.Inner != "":
			err = t.SetInner(op.Map, le32(op.Key), op.Inner)
		default:
			err = t.Update(op.Map, op.Key, op.Value)
		}
		if err != nil {
			return fmt.Errorf("%s setup of %s: %w", c.Name, op.Map, err)
		}
	}
	return nil
}

// Check compares r with c's expectations and lists every difference.
func Check(c *Case, r *Result) []string {
	var diffs []string
	for i, s := range c.Steps {
		if i >= len(r.Rets) {
			diffs = append(diffs, fmt.Sprintf("step %d (%s): not run", i, s.Prog))
			continue
		}
		if r.Rets[i] != s.Ret {
			diffs = append(diffs, fmt.Sprintf("step %d (%s): returned %d, want %d", i, s.Prog, r.Rets[i], s.Ret))
		}
		want := s.Out
		if want == nil {
			want = s.In
		}
		if !bytes.Equal(r.Outs[i], want) {
			diffs = append(diffs, fmt.Sprintf("step %d (%s): output frame\n got %x\nwant %x", i, s.Prog, r.Outs[i], want))
		}
	}
	names := make([]string, 0, len(c.Maps))
	for m := range c.Maps {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		got, ok := r.Maps[m]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("map %s: not dumped", m))
			continue
		}
		if d := DiffEntries(masked(got, c.Ignore[m]), masked(c.Maps[m], c.Ignore[m])); d != "" {
			diffs = append(diffs, fmt.Sprintf("map %s:\n%s", m, d))
		}
	}
	return diffs
}

// Compare lists the differences between the results of two targets of
// case c (whose Ignore spans are left out).
func Compare(c *Case, a, b *Result, an, bn string) []string {
	var diffs []string
	if len(a.Rets) != len(b.Rets) {
		diffs = append(diffs, fmt.Sprintf("%s ran %d steps, %s %d", an, len(a.Rets), bn, len(b.Rets)))
	}
	for i := range min(len(a.Rets), len(b.Rets)) {
		if a.Rets[i] != b.Rets[i] {
			diffs = append(diffs, fmt.Sprintf("step %d: %s returned %d, %s %d", i, an, a.Rets[i], bn, b.Rets[i]))
		}
		if !bytes.Equal(a.Outs[i], b.Outs[i]) {
			diffs = append(diffs, fmt.Sprintf("step %d: output frames differ\n%s %x\n%s %x", i, an, a.Outs[i], bn, b.Outs[i]))
		}
	}
	names := map[string]bool{}
	for m := range a.Maps {
		names[m] = true
	}
	for m := range b.Maps {
		names[m] = true
	}
	sorted := make([]string, 0, len(names))
	for m := range names {
		sorted = append(sorted, m)
	}
	sort.Strings(sorted)
	for _, m := range sorted {
		ae, aok := a.Maps[m]
		be, bok := b.Maps[m]
		if !aok || !bok {
			only := an
			if bok {
				only = bn
			}
			diffs = append(diffs, fmt.Sprintf("map %s: only on %s", m, only))
			continue
		}
		if d := DiffEntries(masked(ae, c.Ignore[m]), masked(be, c.Ignore[m])); d != "" {
			diffs = append(diffs, fmt.Sprintf("map %s (%s vs %s):\n%s", m, an, bn, d))
		}
	}
	return diffs
}

// DiffEntries describes how got differs from want, or returns "".
func DiffEntries(got, want []Entry) string {
	var b bytes.Buffer
	n := max(len(got), len(want))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(got):
			fmt.Fprintf(&b, "  missing %x: %x\n", want[i].Key, want[i].Value)
		case i >= len(want):
			fmt.Fprintf(&b, "  extra   %x: %x\n", got[i].Key, got[i].Value)
		case !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value):
			fmt.Fprintf(&b, "  got  %x: %x\n  want %x: %x\n", got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}
	return b.String()
}

// Root returns the repository root (the directory holding go.mod), found
// by walking up from the working directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("progtest: no go.mod above the working directory: run inside the bpfhost checkout")
		}
		dir = parent
	}
}

func le32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
