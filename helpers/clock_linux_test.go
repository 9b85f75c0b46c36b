package helpers

import "golang.org/x/sys/unix"

// kernelMonotonic reads the kernel's CLOCK_MONOTONIC in nanoseconds.
func kernelMonotonic() (uint64, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return 0, false
	}
	return uint64(ts.Nano()), true
}
