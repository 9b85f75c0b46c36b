package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cilium "github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/internal/progtest"
)

// The -verify mode measures the verifier instead of runs: for every program
// of the object corpus, the time bpfhost's verifier takes on the linked
// form (what loading verifies; best of -count), the memory it allocates
// (with the collector off, the heap growth during one verification: an
// upper bound on its peak), and, where bpf() works, the kernel's own
// "verification time N usec" and "processed N insns" from a stats-level
// log (cilium/ebpf, LogLevelStats) for the same program.

// verifyCorpus are the object globs, relative to the repository root.
var verifyCorpus = []string{"testdata/progs/*.o", "examples/*/bpf/*.o", "progtype/testdata/*.o", "verifier/testdata/*.o"}

// verifyRow is one program's measurements.
type verifyRow struct {
	obj, name, typ string
	insns, proc    int
	states         int
	refused        bool
	best           time.Duration
	alloc          uint64
	kTime          time.Duration // 0: no kernel figure
	kProc          int
	kErr           string
}

func runVerify(out io.Writer, count int, filter string, useKernel bool) error {
	if count <= 0 {
		return fmt.Errorf("-count %d: must be positive", count)
	}
	re, err := regexp.Compile(filter)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	root, err := progtest.Root()
	if err != nil {
		return err
	}
	if useKernel {
		if err := kernel.Available(); err == nil {
			err = rlimit.RemoveMemlock()
		}
		if err != nil {
			fmt.Fprintf(out, "kernel columns n/a: %v\n", err)
			useKernel = false
		}
	}
	var objs []string
	for _, g := range verifyCorpus {
		m, _ := filepath.Glob(filepath.Join(root, g))
		objs = append(objs, m...)
	}
	var rows []verifyRow
	for _, obj := range objs {
		rel, _ := filepath.Rel(root, obj)
		spec, err := ebpf.LoadCollectionSpec(obj)
		if err != nil {
			return err
		}
		var kspec *cilium.CollectionSpec
		if useKernel {
			kspec, _ = cilium.LoadCollectionSpec(obj)
		}
		names := make([]string, 0, len(spec.Programs))
		for n := range spec.Programs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			if !re.MatchString(rel + "/" + name) {
				continue
			}
			row, ok := measureVerify(spec, name, count)
			if !ok {
				continue // not linkable in bpfhost (kfunc, CO-RE): nothing to verify
			}
			row.obj = rel
			if kspec != nil {
				row.kTime, row.kProc, row.kErr = kernelVerify(kspec, name)
			}
			rows = append(rows, row)
		}
	}
	printVerify(out, rows, count)
	return nil
}

// measureVerify verifies one program count times and keeps the best time,
// then once more with the collector off to measure its allocation.
func measureVerify(spec *ebpf.CollectionSpec, name string, count int) (verifyRow, bool) {
	opts := ebpf.VerifySpecOptions{Program: name}
	var row verifyRow
	for i := 0; i < count; i++ {
		vs, err := ebpf.VerifySpec(spec, opts)
		if err != nil || len(vs) != 1 || vs[0].Result == nil {
			return row, false
		}
		v := vs[0]
		if i == 0 || v.Duration < row.best {
			row.best = v.Duration
		}
		row.name, row.typ, row.insns, row.proc = v.Name, v.Type, v.Insns, v.Processed
		row.states = v.Result.PeakStates
		row.refused = v.Err != nil
	}
	runtime.GC()
	old := debug.SetGCPercent(-1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ebpf.VerifySpec(spec, opts)
	runtime.ReadMemStats(&after)
	debug.SetGCPercent(old)
	row.alloc = after.TotalAlloc - before.TotalAlloc
	return row, true
}

// kernelVerify loads one program of the object into the kernel with a
// stats-level log and returns the kernel's reported verification time and
// processed-instruction count, or why there are none.
func kernelVerify(spec *cilium.CollectionSpec, name string) (time.Duration, int, string) {
	s := spec.Copy()
	for n := range s.Programs {
		if n != name {
			delete(s.Programs, n)
		}
	}
	coll, err := cilium.NewCollectionWithOptions(s, cilium.CollectionOptions{Programs: cilium.ProgramOptions{LogLevel: cilium.LogLevelStats}})
	if err != nil {
		var ve *cilium.VerifierError
		if errors.As(err, &ve) {
			return 0, 0, "refused"
		}
		msg := err.Error()
		if len(msg) > 40 {
			msg = msg[:40] + "..."
		}
		return 0, 0, msg
	}
	defer coll.Close()
	var d time.Duration
	proc := 0
	for _, l := range strings.Split(coll.Programs[name].VerifierLog, "\n") {
		if us, ok := strings.CutPrefix(l, "verification time "); ok {
			if n, err := strconv.Atoi(strings.TrimSuffix(us, " usec")); err == nil {
				d = time.Duration(n) * time.Microsecond
			}
		}
		if rest, ok := strings.CutPrefix(l, "processed "); ok {
			proc, _ = strconv.Atoi(strings.Fields(rest)[0])
		}
	}
	if d == 0 {
		// The kernel rounds down: sub-microsecond verifications read 0.
		return time.Nanosecond, proc, ""
	}
	return d, proc, ""
}

func printVerify(out io.Writer, rows []verifyRow, count int) {
	fmt.Fprintf(out, "verifier: best of %d per program, linked form as loading verifies it; alloc: bytes allocated by one verification (GC off; bounds the peak)\n", count)
	fmt.Fprintf(out, "kernel: \"verification time\" and \"processed\" of its stats log for the same object's program (µs resolution)\n\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "object/program\ttype\tinsns\tprocessed\tpeak states\tbpfhost µs\talloc KiB\tkernel processed\tkernel µs\tbpfhost/kernel\tverdict\t\n")
	var total, kTotal, kMatched time.Duration
	var alloc, peakAlloc uint64
	for _, r := range rows {
		total += r.best
		alloc += r.alloc
		peakAlloc = max(peakAlloc, r.alloc)
		verdict := "ok"
		if r.refused {
			verdict = "refused"
		}
		kp, kt, ratio := "-", "-", "-"
		if r.kErr != "" {
			kt = r.kErr
		} else if r.kTime > 0 {
			kTotal += r.kTime
			kMatched += r.best
			kp = strconv.Itoa(r.kProc)
			kt = fmt.Sprintf("%d", r.kTime.Microseconds())
			if r.kTime >= time.Microsecond {
				ratio = fmt.Sprintf("%.2f", float64(r.best)/float64(r.kTime))
			}
		}
		fmt.Fprintf(w, "%s/%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t\n", r.obj, r.name, r.typ, r.insns, r.proc, r.states,
			float64(r.best.Nanoseconds())/1e3, float64(r.alloc)/1024, kp, kt, ratio, verdict)
	}
	w.Flush()
	fmt.Fprintf(out, "\n%d programs: bpfhost %.1f ms in all, %.1f MiB allocated in all, %.1f MiB at most for one\n",
		len(rows), float64(total.Microseconds())/1e3, float64(alloc)/(1<<20), float64(peakAlloc)/(1<<20))
	if kTotal > 0 {
		fmt.Fprintf(out, "programs the kernel also verified: bpfhost %.1f ms, kernel %.1f ms\n",
			float64(kMatched.Microseconds())/1e3, float64(kTotal.Microseconds())/1e3)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].best > rows[j].best })
	fmt.Fprintf(out, "slowest:")
	for _, r := range rows[:min(5, len(rows))] {
		fmt.Fprintf(out, " %s/%s %.0f µs (%d processed);", r.obj, r.name, float64(r.best.Nanoseconds())/1e3, r.proc)
	}
	fmt.Fprintln(out)
}
