//go:build !arm64

package execmem

// flushICache is a no-op where instruction fetch is coherent with data
// writes (amd64).
func flushICache(mem []byte) {}
