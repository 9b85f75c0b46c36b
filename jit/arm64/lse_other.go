//go:build !arm64

package arm64

// detectLSE: code compiled on another architecture (for inspection and
// golden tests) targets ARMv8.1 and later, which have LSE.
func detectLSE() bool { return true }
