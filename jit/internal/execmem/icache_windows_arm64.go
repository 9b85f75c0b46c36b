package execmem

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// procFlushICache is kernel32's FlushInstructionCache, the documented way
// to make new code visible to instruction fetch on Windows.
var procFlushICache = windows.NewLazySystemDLL("kernel32.dll").NewProc("FlushInstructionCache")

// flushICache makes code in mem visible to instruction fetch.
func flushICache(mem []byte) {
	if len(mem) == 0 {
		return
	}
	procFlushICache.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(unsafe.SliceData(mem))), uintptr(len(mem)))
}
