package helpers

import (
	"time"

	"github.com/bpfhost/bpfhost/vm"
)

// The kernel's clocks count from boot. On Linux monoNow reads CLOCK_MONOTONIC
// itself (a vDSO read, no system call), and CLOCK_BOOTTIME is it plus the
// difference of the two read once at start-up (clockBase), as before: a
// suspend while the process runs is not seen. Elsewhere the clocks count
// from process start.
var (
	clockStart         = time.Now()
	monoBase, bootBase = clockBase()
	bootOffset         = bootBase - monoBase // wraps for bootBase < monoBase; the sum is right
)

// hz is the tick rate jiffies64 counts in: CONFIG_HZ, whose Kconfig default
// is 250. (User space cannot read the running kernel's value.)
const hz = 250

// initialJiffies is the kernel's INITIAL_JIFFIES on 64-bit: jiffies start 300
// seconds before the 32-bit counter wraps, to catch wrap bugs early.
const initialJiffies = uint64(uint32(-300*hz + 1<<32))

func sinceStart() uint64 { return uint64(time.Since(clockStart)) }

// ktimeGetNs is bpf_ktime_get_ns(): CLOCK_MONOTONIC in nanoseconds.
func ktimeGetNs(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return monoNow()
}

// ktimeGetBootNs is bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME in nanoseconds.
func ktimeGetBootNs(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return monoNow() + bootOffset
}

// ktimeGetCoarseNs is bpf_ktime_get_coarse_ns(): CLOCK_MONOTONIC_COARSE, the
// same clock at tick resolution; rounding down to the tick keeps the
// property programs may rely on (coarse <= precise).
func ktimeGetCoarseNs(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	const tick = uint64(time.Second / hz)
	t := monoNow()
	return t - t%tick
}

// jiffies64 is bpf_jiffies64(): ticks since boot at hz, from INITIAL_JIFFIES.
// The kernel's count trails CLOCK_MONOTONIC by an offset fixed at boot that
// user space cannot read, so values agree with it to within about a second
// (on a kernel built with HZ 250; other kernels tick at other rates).
func jiffies64(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return initialJiffies + monoNow()/uint64(time.Second/hz)
}
