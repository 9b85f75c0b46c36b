package execmem

import (
	"runtime"
	"unsafe"
)

// arm64 instruction fetch is not coherent with data writes: after code is
// copied in, the written lines must be cleaned from the data cache and
// invalidated in the instruction cache before they run (mprotect does not
// do it on Linux for anonymous memory already mapped). The sequence runs
// in user mode on Linux and macOS.

func readCTR() uint64

//go:noescape
func syncICache(addr, n, dline, iline uintptr)

// flushICache makes code in mem visible to instruction fetch.
func flushICache(mem []byte) {
	if len(mem) == 0 {
		return
	}
	// Smallest line sizes of the data and instruction caches. Darwin does
	// not document EL0 access to CTR_EL0, so 64 bytes is used there: a
	// stride no larger than the real line (128 on Apple cores) covers
	// every line.
	dline, iline := uintptr(64), uintptr(64)
	if runtime.GOOS != "darwin" {
		ctr := readCTR()
		dline = 4 << (ctr >> 16 & 0xf)
		iline = 4 << (ctr & 0xf)
	}
	syncICache(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), uintptr(len(mem)), dline, iline)
}
