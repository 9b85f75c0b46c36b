package progtest

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/maps"
)

// TestNondetProperties checks what can be checked of the ignored values:
// the clocks are non-zero and ordered, some random bits were set, and the
// CPU number is a valid one; on bpfhost and, where available, the kernel.
func TestNondetProperties(t *testing.T) {
	type target struct {
		load Loader
		cpus int
	}
	targets := map[string]target{"bpfhost": {HostLoaderWith("interpreter"), maps.PossibleCPUs()}}
	if kernelAvailable() == nil {
		n, err := kernel.PossibleCPUs()
		if err != nil {
			t.Fatal(err)
		}
		targets["kernel"] = target{KernelLoader, n}
	}
	for name, tg := range targets {
		load := tg.load
		r, err := Exec(load, nondetCase())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		es := r.Maps[".bss"]
		if len(es) != 1 || len(es[0].Value) != 56 {
			t.Fatalf("%s: .bss dump %v, want one 56-byte value", name, es)
		}
		v := es[0].Value
		u64 := func(off int) uint64 { return binary.LittleEndian.Uint64(v[off:]) }
		first, last, boot := u64(ndFirst), u64(ndLast), u64(ndBoot)
		if first == 0 || last < first {
			t.Errorf("%s: ktime first %d, last %d: want 0 < first <= last", name, first, last)
		}
		if boot < last {
			// Boot time includes suspend, so it is never behind the monotonic clock.
			t.Errorf("%s: boot time %d behind ktime %d", name, boot, last)
		}
		if u64(ndRandomOr) == 0 {
			t.Errorf("%s: three random numbers were all zero", name)
		}
		if cpu := binary.LittleEndian.Uint32(v[ndCPU:]); int(cpu) >= tg.cpus {
			t.Errorf("%s: CPU number %d, want below %d", name, cpu, tg.cpus)
		}
	}
}
