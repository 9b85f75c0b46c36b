// Package execmem allocates executable memory for generated code. Memory is
// never writable and executable at once: code is written into a fresh
// read-write mapping which is then switched to read-execute.
package execmem

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrUnsupported is returned on platforms without executable memory support.
var ErrUnsupported = errors.New("execmem: executable memory is not supported on this platform")

// Region is a mapping holding one program's code.
type Region struct {
	mem []byte
}

// New maps a read-write region, copies code into it and makes it
// read-execute. The region lives until Free.
func New(code []byte) (*Region, error) {
	if len(code) == 0 {
		return nil, fmt.Errorf("execmem: empty code")
	}
	mem, err := mapRW(roundUp(len(code)))
	if err != nil {
		return nil, fmt.Errorf("execmem: mapping %d bytes: %w", len(code), err)
	}
	copy(mem, code)
	if err := protectRX(mem); err != nil {
		unmap(mem)
		return nil, fmt.Errorf("execmem: making %d bytes executable: %w", len(code), err)
	}
	flushICache(mem) // arm64: make the new code visible to instruction fetch
	return &Region{mem: mem}, nil
}

// Addr returns the address of the first byte of code.
func (r *Region) Addr() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(r.mem))) }

// Len returns the mapped length.
func (r *Region) Len() int { return len(r.mem) }

// Free unmaps the region; no code in it may be running or run again.
func (r *Region) Free() error {
	if r.mem == nil {
		return nil
	}
	err := unmap(r.mem)
	r.mem = nil
	return err
}

func roundUp(n int) int {
	const p = 4096
	return (n + p - 1) &^ (p - 1)
}
