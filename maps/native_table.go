package maps

import (
	"sync"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
)

// nativeDescriber is implemented by maps that publish a NativeDesc.
type nativeDescriber interface {
	nativeDesc() *NativeDesc
}

var (
	nativeTableOnce sync.Once
	nativeTableBlk  *offheap.Block
	nativeTableErr  error
)

// nativeTable returns the global descriptor table (see NativeTableSize),
// allocating it on first use. It is never freed: generated code may read
// it at any time.
func nativeTable() (*[NativeTableSize]uint64, error) {
	nativeTableOnce.Do(func() {
		nativeTableBlk, nativeTableErr = offheap.Alloc(NativeTableSize * 8)
	})
	if nativeTableErr != nil {
		return nil, nativeTableErr
	}
	return (*[NativeTableSize]uint64)(unsafe.Pointer(unsafe.SliceData(nativeTableBlk.Bytes()))), nil
}

// NativeTableAddr returns the address of the global descriptor table, or 0
// when it could not be allocated (generated code then always takes the Go
// route).
func NativeTableAddr() uintptr {
	if _, err := nativeTable(); err != nil {
		return 0
	}
	return nativeTableBlk.Addr()
}

// NativeDescOf returns the address of m's descriptor when m offers a native
// route (Route != RouteNone), for back ends that embed it in code. The
// descriptor stays valid (at the same address) while m is open.
func NativeDescOf(m Map) (uintptr, bool) {
	d, ok := m.(nativeDescriber)
	if !ok {
		return 0, false
	}
	desc := d.nativeDesc()
	if desc == nil || desc.Route == RouteNone {
		return 0, false
	}
	return uintptr(unsafe.Pointer(desc)), true
}
