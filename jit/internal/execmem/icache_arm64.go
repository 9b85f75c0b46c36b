//go:build !windows

package execmem

import (
	"runtime"
	"unsafe"
)

// arm64 instruction fetch is not coherent with data writes: after code is
// copied in, the written lines must be cleaned from the data cache and
// invalidated in the instruction cache before they run (mprotect does not
// do it on Linux for anonymous memory already mapped). DC CVAU and IC IVAU
// are allowed at EL0 on Linux, FreeBSD and macOS (SCTLR_EL1.UCI); Windows
// has FlushInstructionCache instead (icache_windows_arm64.go).

func readCTR() uint64

//go:noescape
func syncICache(addr, n, dline, iline uintptr)

// flushICache makes code in mem visible to instruction fetch.
func flushICache(mem []byte) {
	if len(mem) == 0 {
		return
	}
	// Smallest line sizes of the data and instruction caches. Linux and
	// FreeBSD let EL0 read CTR_EL0; macOS does not document it,
	// so 32 bytes is used there: a stride no larger than the real line
	// (64 or 128 bytes on current cores) still reaches every line.
	dline, iline := uintptr(32), uintptr(32)
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		ctr := readCTR()
		dline = 4 << (ctr >> 16 & 0xf)
		iline = 4 << (ctr & 0xf)
	}
	syncICache(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), uintptr(len(mem)), dline, iline)
}
