//go:build windows

package execmem

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

func mapRW(n int) ([]byte, error) {
	addr, err := windows.VirtualAlloc(0, uintptr(n), windows.MEM_COMMIT|windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(unsafePointer(addr)), n), nil
}

func protectRX(mem []byte) error {
	var old uint32
	return windows.VirtualProtect(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), uintptr(len(mem)), windows.PAGE_EXECUTE_READ, &old)
}

func unmap(mem []byte) error {
	return windows.VirtualFree(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), 0, windows.MEM_RELEASE)
}

// unsafePointer converts an address returned by VirtualAlloc (memory the
// Go runtime does not manage) into a pointer.
func unsafePointer(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }
