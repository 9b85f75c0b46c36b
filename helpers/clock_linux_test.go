package helpers

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// kernelMonotonic reads the kernel's CLOCK_MONOTONIC in nanoseconds.
func kernelMonotonic() (uint64, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return 0, false
	}
	return uint64(ts.Nano()), true
}

// TestKtimeIsClockMonotonic brackets bpf_ktime_get_ns between two reads of
// the kernel's CLOCK_MONOTONIC (it is that clock, not an estimate of it),
// and bpf_ktime_get_boot_ns between reads of CLOCK_BOOTTIME to within the
// skew of the two start-up reads.
func TestKtimeIsClockMonotonic(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	for i := 0; i < 100; i++ {
		k1, _ := kernelMonotonic()
		got := call(t, tab, FnKtimeGetNs, ctx)
		k2, _ := kernelMonotonic()
		if got < k1 || got > k2 {
			t.Fatalf("ktime_get_ns = %d, not within CLOCK_MONOTONIC reads %d..%d", got, k1, k2)
		}
	}
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		t.Skip("no CLOCK_BOOTTIME")
	}
	b1 := uint64(ts.Nano())
	got := call(t, tab, FnKtimeGetBootNs, ctx)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
	b2 := uint64(ts.Nano())
	if slack := uint64(10 * time.Millisecond); got+slack < b1 || got > b2+slack {
		t.Fatalf("ktime_get_boot_ns = %d, CLOCK_BOOTTIME reads %d..%d", got, b1, b2)
	}
}
