// Command bpfhost-bench measures the test corpus and the xdp-firewall
// example in bpfhost's interpreter and, where the bpf() syscall works, in
// the kernel (BPF_PROG_TEST_RUN), on the same object and frame, and prints
// a table of nanoseconds per run and their ratio.
//
//	go run ./cmd/bpfhost-bench                 # 100000 runs per program
//	go run ./cmd/bpfhost-bench -repeat 1000 -run 'parse|firewall'
//
// Run it inside the bpfhost checkout: objects are found from go.mod.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"text/tabwriter"

	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/internal/progtest"
)

func main() {
	repeat := flag.Int("repeat", 100000, "runs per program and target")
	filter := flag.String("run", "", "only cases whose name matches this regular expression")
	engine := flag.String("engine", "interpreter", `bpfhost engine: "interpreter", "jit" or "auto"`)
	count := flag.Int("count", 3, "measure each program this many times and keep the fastest (shared machines are noisy)")
	noKernel := flag.Bool("no-kernel", false, "skip the kernel even where bpf() works")
	flag.Parse()
	if err := run(os.Stdout, *repeat, *count, *filter, *engine, !*noKernel); err != nil {
		fmt.Fprintln(os.Stderr, "bpfhost-bench:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, repeat, count int, filter, engine string, useKernel bool) error {
	if repeat <= 0 {
		return fmt.Errorf("-repeat %d: must be positive", repeat)
	}
	if count <= 0 {
		return fmt.Errorf("-count %d: must be positive", count)
	}
	re, err := regexp.Compile(filter)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	if useKernel {
		if err := kernel.Available(); err != nil {
			fmt.Fprintf(out, "kernel column n/a: %v\n", err)
			useKernel = false
		}
	}
	host := progtest.HostLoaderWith(engine)
	fmt.Fprintf(out, "%d runs per program on one frame, best of %d; bpfhost engine %s\n", repeat, count, engine)
	fmt.Fprintf(out, "bpfhost: wall time per run including building the XDP context; kernel: BPF_PROG_TEST_RUN's own duration\n\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "program\tframe bytes\tbpfhost ns/run\tkernel ns/run\tratio\t\n")
	missing := false
	var kernelErrs []string
	for _, c := range progtest.Cases() {
		if !re.MatchString(c.Name) {
			continue
		}
		prog, frame, err := progtest.BenchInput(c)
		if errors.Is(err, progtest.ErrNoBench) {
			continue
		}
		if err != nil {
			return err
		}
		hns, err := best(host, c, repeat, count)
		h := fmt.Sprintf("%.0f", hns)
		if c.Pending(err) {
			h, missing = "n/a*", true
		} else if err != nil {
			return fmt.Errorf("bpfhost: %w", err)
		}
		k, ratio := "n/a", "n/a"
		if useKernel {
			// An older kernel may refuse a program (cpu v4, recent helpers):
			// note it and carry on.
			kns, err := best(progtest.KernelLoader, c, repeat, count)
			if err != nil {
				k = "n/a†"
				kernelErrs = append(kernelErrs, fmt.Sprintf("%s: %v", c.Name, err))
			} else {
				k = fmt.Sprintf("%.0f", kns)
				if kns > 0 && hns > 0 {
					ratio = fmt.Sprintf("%.1fx", hns/kns)
				}
			}
		}
		fmt.Fprintf(w, "%s/%s\t%d\t%s\t%s\t%s\t\n", c.Name, prog, len(frame), h, k, ratio)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if missing {
		fmt.Fprintf(out, "\n* bpfhost does not offer a helper the program calls yet\n")
	}
	for _, e := range kernelErrs {
		fmt.Fprintf(out, "† kernel: %s\n", e)
	}
	return nil
}

// best returns the fastest of count measurements (each on a fresh load, so
// that map state starts the same).
func best(load progtest.Loader, c *progtest.Case, repeat, count int) (float64, error) {
	var min float64
	for i := 0; i < count; i++ {
		ns, err := progtest.Bench(load, c, repeat)
		if err != nil {
			return 0, err
		}
		if i == 0 || ns < min {
			min = ns
		}
	}
	return min, nil
}
