// Command bpfhost-bench measures the test corpus and the xdp-firewall
// example in bpfhost's engines (the interpreter, and the JIT where one
// exists) and, where the bpf() syscall works, in the kernel
// (BPF_PROG_TEST_RUN), on the same object and frame, and prints a table of
// nanoseconds per run and the ratios to the kernel.
//
// Both sides are measured the same way: the program runs -repeat times on
// one buffer built once (the kernel's test-run semantics, which
// ebpf.Program.Run follows), and the figure is the run loop's time divided
// by the runs, without building the input or copying the output — for the
// kernel its own duration field, for bpfhost Program.Benchmark's. The
// "call" columns add what one whole test-run call with one run costs: for
// bpfhost a Program.Run (context built, run, output copied), for the kernel
// a BPF_PROG_TEST_RUN syscall, timed by the wall clock.
//
//	go run ./cmd/bpfhost-bench                 # 100000 runs per program
//	go run ./cmd/bpfhost-bench -repeat 1000 -run 'parse|firewall'
//	go run ./cmd/bpfhost-bench -engines interpreter
//	go run ./cmd/bpfhost-bench -verify         # verifier time and memory (verify.go)
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
	"github.com/bpfhost/bpfhost/jit"
)

func main() {
	repeat := flag.Int("repeat", 100000, "runs per program and target")
	filter := flag.String("run", "", "only cases whose name matches this regular expression")
	engines := flag.String("engines", defaultEngines(), `comma-separated bpfhost engines to measure: interpreter, jit, auto (as ebpf loads programs: verified, so unchecked, natively where there is a JIT), "unchecked" (verified programs interpreted without run-time checks) and "native" (verified programs JIT-compiled without run-time checks)`)
	calls := flag.Bool("calls", true, "also time whole calls (one run per call, -repeat/10 calls) of the last engine and the kernel")
	compile := flag.Bool("compile", true, "also report each program's instruction slots and JIT compile time per slot (where a JIT exists)")
	count := flag.Int("count", 3, "measure each program this many times and keep the fastest (shared machines are noisy)")
	noKernel := flag.Bool("no-kernel", false, "skip the kernel even where bpf() works")
	verify := flag.Bool("verify", false, "measure the verifier instead of runs: time and memory per program of the object corpus, beside the kernel's verification time")
	flag.Parse()
	if *verify {
		if err := runVerify(os.Stdout, *count, *filter, !*noKernel); err != nil {
			fmt.Fprintln(os.Stderr, "bpfhost-bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Stdout, config{repeat: *repeat, count: *count, filter: *filter, engines: strings.Split(*engines, ","), kernel: !*noKernel, calls: *calls, compile: *compile && jit.Supported()}); err != nil {
		fmt.Fprintln(os.Stderr, "bpfhost-bench:", err)
		os.Exit(1)
	}
}

// defaultEngines is the interpreter on verified programs without run-time
// checks, plus native JIT code where this platform has a JIT: what the
// kernel's own interpreter and JIT run (verified code, no checks).
func defaultEngines() string {
	if ebpf.NewJIT != nil {
		if _, err := ebpf.NewJIT(); err == nil {
			return "unchecked,native"
		}
	}
	return "unchecked"
}

// config is the command line.
type config struct {
	repeat, count int
	filter        string
	engines       []string
	kernel, calls bool
	// compile adds the instruction count and JIT compile time columns.
	compile bool
}

func run(out io.Writer, cfg config) error {
	repeat, count, filter, engines, useKernel := cfg.repeat, cfg.count, cfg.filter, cfg.engines, cfg.kernel
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
	fmt.Fprintf(out, "ns/run: the run loop's time / runs, on one buffer built once (kernel: BPF_PROG_TEST_RUN's duration; bpfhost: Program.Benchmark's, the same span)\n")
	calls := 0
	if cfg.calls {
		calls = max(repeat/10, 1)
		fmt.Fprintf(out, "call ns: wall time of one whole test-run call with one run (%d calls; kernel: the syscall)\n", calls)
	}
	fmt.Fprintf(out, "\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "program\tframe bytes\t")
	for _, e := range engines {
		fmt.Fprintf(w, "%s ns/run\t", e)
	}
	fmt.Fprintf(w, "kernel ns/run\t")
	for _, e := range engines {
		fmt.Fprintf(w, "%s/kernel\t", e)
	}
	last := engines[len(engines)-1]
	if calls > 0 {
		fmt.Fprintf(w, "%s call ns\tkernel call ns\t", last)
	}
	if cfg.compile {
		fmt.Fprintf(w, "insns\tcompile ns/insn\t")
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
			ns, err := best(progtest.BenchLoaderFor(e), c, repeat, count, progtest.Bench)
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
			if kns, err = best(progtest.KernelLoader, c, repeat, count, progtest.Bench); err != nil {
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
		if calls > 0 {
			hc, kc := "n/a", "n/a"
			if host[len(host)-1] > 0 {
				ns, err := best(progtest.BenchLoaderFor(last), c, calls, count, progtest.BenchCall)
				if err != nil {
					return fmt.Errorf("bpfhost %s calls: %w", last, err)
				}
				hc = fmt.Sprintf("%.0f", ns)
			}
			if kns > 0 {
				if ns, err := best(progtest.KernelLoader, c, calls, count, progtest.BenchCall); err == nil {
					kc = fmt.Sprintf("%.0f", ns)
				}
			}
			fmt.Fprintf(w, "%s\t%s\t", hc, kc)
		}
		if cfg.compile {
			n, ns, err := progtest.CompileTime(c, count*10)
			switch {
			case c.Pending(err):
				fmt.Fprintf(w, "n/a\tn/a\t")
			case err != nil:
				return fmt.Errorf("compile time: %w", err)
			default:
				fmt.Fprintf(w, "%d\t%.0f\t", n, ns)
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

// best returns the fastest of count measurements by measure (progtest.Bench
// or BenchCall), each on a fresh load, so that map state starts the same.
func best(load progtest.Loader, c *progtest.Case, repeat, count int, measure func(progtest.Loader, *progtest.Case, int) (float64, error)) (float64, error) {
	var min float64
	for i := 0; i < count; i++ {
		ns, err := measure(load, c, repeat)
		if err != nil {
			return 0, err
		}
		if i == 0 || ns < min {
			min = ns
		}
	}
	return min, nil
}
