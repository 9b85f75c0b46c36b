//go:build !linux

package helpers

// kernelMonotonic is only compared with on Linux.
func kernelMonotonic() (uint64, bool) { return 0, false }
