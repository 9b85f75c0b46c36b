//go:build !linux

package helpers

// clockBase is zero where the kernel's boot-based clocks are not available:
// the helpers' clocks then count from process start.
func clockBase() (mono, boot uint64) { return 0, 0 }

// monoNow is the time since process start: the helpers' CLOCK_MONOTONIC
// where the kernel's is not available.
func monoNow() uint64 { return monoBase + sinceStart() }
