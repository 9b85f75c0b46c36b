package progtest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/internal/kernel"
)

var (
	kernelOnce sync.Once
	kernelErr  error
)

// kernelAvailable reports (once) whether the bpf() syscall works here.
func kernelAvailable() error {
	kernelOnce.Do(func() { kernelErr = kernel.Available() })
	return kernelErr
}

// needKernelFor skips t unless the kernel is recent enough for c.
func needKernelFor(t testing.TB, c *Case) {
	t.Helper()
	needKernel(t)
	if c.KernelMin == "" {
		return
	}
	var wantMaj, wantMin int
	if _, err := fmt.Sscanf(c.KernelMin, "%d.%d", &wantMaj, &wantMin); err != nil {
		t.Fatalf("%s: bad KernelMin %q", c.Name, c.KernelMin)
	}
	maj, min, err := kernel.Release()
	if err != nil {
		t.Skipf("skipping the kernel comparison of %s: %v", c.Name, err)
	}
	if maj < wantMaj || maj == wantMaj && min < wantMin {
		t.Skipf("skipping the kernel comparison of %s: it describes Linux %s or later, this is %d.%d", c.Name, c.KernelMin, maj, min)
	}
}

// needKernel skips t unless the bpf() syscall works here.
func needKernel(t testing.TB) {
	t.Helper()
	if err := kernelAvailable(); err != nil {
		t.Skipf("skipping the kernel comparison: %v", err)
	}
}

// TestKernelCorpus checks the corpus' expectations against Linux itself.
func TestKernelCorpus(t *testing.T) {
	needKernel(t)
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			needKernelFor(t, c)
			r, err := Exec(KernelLoader, c)
			if err != nil {
				t.Fatal(err)
			}
			if d := Check(c, r); len(d) > 0 {
				t.Errorf("kernel results differ from the expectations:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// TestKernelDifferential runs every case on bpfhost and on the kernel and
// compares return values, output frames and the final contents of every
// map of the object (not only those the case lists).
func TestKernelDifferential(t *testing.T) {
	needKernel(t)
	for _, c := range Cases() {
		for _, eng := range engines() {
			t.Run(eng+"/"+c.Name, func(t *testing.T) {
				needKernelFor(t, c)
				k, err := Exec(KernelLoader, c)
				if err != nil {
					t.Fatal(err)
				}
				h := hostExec(t, eng, c)
				if d := Compare(c, h, k, "bpfhost", "kernel"); len(d) > 0 {
					t.Errorf("bpfhost and the kernel differ:\n%s", strings.Join(d, "\n"))
				}
			})
		}
	}
}
