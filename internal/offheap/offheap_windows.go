//go:build windows

package offheap

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

func allocAnon(size int) ([]byte, error) {
	addr, err := windows.VirtualAlloc(0, uintptr(size), windows.MEM_RESERVE|windows.MEM_COMMIT, windows.PAGE_READWRITE)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(unsafePointer(addr)), size), nil
}

func mapFile(f *os.File, size int) ([]byte, error) {
	h, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, windows.PAGE_READWRITE, uint32(uint64(size)>>32), uint32(size), nil)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(h)
	addr, err := windows.MapViewOfFile(h, windows.FILE_MAP_WRITE, 0, 0, uintptr(size))
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(unsafePointer(addr)), size), nil
}

func syncFile(mem []byte) error {
	return windows.FlushViewOfFile(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), uintptr(len(mem)))
}

func free(mem []byte) error {
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	// Anonymous blocks come from VirtualAlloc, file views from MapViewOfFile;
	// UnmapViewOfFile fails on the former, so try it first and fall back.
	if err := windows.UnmapViewOfFile(addr); err == nil {
		return nil
	}
	return windows.VirtualFree(addr, 0, windows.MEM_RELEASE)
}

// unsafePointer converts an address returned by the OS into a pointer without
// tripping vet's uintptr check: the memory is not managed by Go.
func unsafePointer(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }
