// Command bpfhost-bench measures the test corpus and the xdp-firewall
// example in bpfhost's engines (the interpreter, and the JIT where one
// exists) and, where the bpf() syscall works, in the kernel
// (BPF_PROG_TEST_RUN), on the same object and frame, and prints a table of
// nanoseconds per run and the ratios to the kernel.
//
//	go run ./cmd/bpfhost-bench                 # 100000 runs per program
//	go run ./cmd/bpfhost-bench -repeat 1000 -run 'parse|firewall'
//	go run ./cmd/bpfhost-bench -engines interpreter
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
	"strings"
	"text/tabwriter"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/internal/progtest"
)

func main() {
	repeat := flag.Int("repeat", 100000, "runs per program and target")
	filter := flag.String("run", "", "only cases whose name matches this regular expression")
	engines := flag.String("engines", defaultEngines(), `comma-separated bpfhost engines to measure: interpreter, jit, auto, and "native" (verified programs JIT-compiled without run-time checks)`)
	count := flag.Int("count", 3, "measure each program this many times and keep the fastest (shared machines are noisy)")
	noKernel := flag.Bool("no-kernel", false, "skip the kernel even where bpf() works")
	flag.Parse()
	if err := run(os.Stdout, *repeat, *count, *filter, strings.Split(*engines, ","), !*noKernel); err != nil {
		fmt.Fprintln(os.Stderr, "bpfhost-bench:", err)
		os.Exit(1)
	}
}

// defaultEngines is the interpreter, plus native JIT code where this
// platform has a JIT.
func defaultEngines() string {
	if ebpf.NewJIT != nil {
		if _, err := ebpf.NewJIT(); err == nil {
			return "interpreter,native"
		}
	}
	return "interpreter"
}

func run(out io.Writer, repeat, count int, filter string, engines []string, useKernel bool) error {
	if repeat <= 0 {
		return fmt.Errorf("-repeat %d: must be positive", repeat)
	}
	if count <= 0 {
		return fmt.Errorf("-count %d: must be positive", count)
	}
	if len(engines) == 0 || engines[0] == "" {
		return fmt.Errorf("-engines: none given")
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
	fmt.Fprintf(out, "%d runs per program on one frame, best of %d\n", repeat, count)
	fmt.Fprintf(out, "bpfhost: wall time per run including building the XDP context; kernel: BPF_PROG_TEST_RUN's own duration\n\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "program\tframe bytes\t")
	for _, e := range engines {
		fmt.Fprintf(w, "%s ns/run\t", e)
	}
	fmt.Fprintf(w, "kernel ns/run\t")
	for _, e := range engines {
		fmt.Fprintf(w, "%s/kernel\t", e)
	}
	fmt.Fprintf(w, "\n")

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
		host := make([]float64, len(engines))
		cells := make([]string, len(engines))
		for i, e := range engines {
			ns, err := best(progtest.LoaderFor(e), c, repeat, count)
			switch {
			case c.Pending(err):
				cells[i], host[i], missing = "n/a*", -1, true
			case err != nil:
				return fmt.Errorf("bpfhost %s: %w", e, err)
			default:
				cells[i], host[i] = fmt.Sprintf("%.0f", ns), ns
			}
		}
		k, kns := "n/a", 0.0
		if useKernel {
			// An older kernel may refuse a program (cpu v4, recent helpers):
			// note it and carry on.
			if kns, err = best(progtest.KernelLoader, c, repeat, count); err != nil {
				k, kns = "n/a†", 0
				kernelErrs = append(kernelErrs, fmt.Sprintf("%s: %v", c.Name, err))
			} else {
				k = fmt.Sprintf("%.0f", kns)
			}
		}
		fmt.Fprintf(w, "%s/%s\t%d\t%s\t%s\t", c.Name, prog, len(frame), strings.Join(cells, "\t"), k)
		for _, h := range host {
			if kns > 0 && h > 0 {
				fmt.Fprintf(w, "%.1fx\t", h/kns)
			} else {
				fmt.Fprintf(w, "n/a\t")
			}
		}
		fmt.Fprintf(w, "\n")
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
