package helpers

import (
	_ "unsafe" // go:linkname

	"golang.org/x/sys/unix"
)

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

// nanotime is the runtime's monotonic clock: on Linux a vDSO
// clock_gettime(CLOCK_MONOTONIC), the value itself. (The runtime exports it
// for linkname use; time.Since reads the same clock and adds a check for
// synctest bubbles and the subtraction of the process's start.)
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// monoNow is CLOCK_MONOTONIC in nanoseconds.
func monoNow() uint64 { return uint64(nanotime()) }
