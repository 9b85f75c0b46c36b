package helpers

import "golang.org/x/sys/unix"

// clockBase reads the kernel's CLOCK_MONOTONIC and CLOCK_BOOTTIME once.
func clockBase() (mono, boot uint64) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) == nil {
		mono = uint64(ts.Nano())
	}
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) == nil {
		boot = uint64(ts.Nano())
	}
	return mono, boot
}
