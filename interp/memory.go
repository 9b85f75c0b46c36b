package interp

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/vm"
)

// bigEndian is the host byte order, which is the byte order of the memory
// programs address; le/be instructions are resolved against it at Prepare.
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// The loads and stores below go straight to vm's primitives on
// architectures that allow unaligned access (unalignedOK is a constant, so
// the test disappears there) and assemble misaligned values byte by byte
// elsewhere, where the hardware would fault.

func load16(a uint64) uint64 {
	if !unalignedOK && a&1 != 0 {
		return loadBytes(a, 2)
	}
	return vm.Load16(a)
}

func load32(a uint64) uint64 {
	if !unalignedOK && a&3 != 0 {
		return loadBytes(a, 4)
	}
	return vm.Load32(a)
}

func load64(a uint64) uint64 {
	if !unalignedOK && a&7 != 0 {
		return loadBytes(a, 8)
	}
	return vm.Load64(a)
}

func store16(a, v uint64) {
	if !unalignedOK && a&1 != 0 {
		storeBytes(a, v, 2)
		return
	}
	vm.Store16(a, v)
}

func store32(a, v uint64) {
	if !unalignedOK && a&3 != 0 {
		storeBytes(a, v, 4)
		return
	}
	vm.Store32(a, v)
}

func store64(a, v uint64) {
	if !unalignedOK && a&7 != 0 {
		storeBytes(a, v, 8)
		return
	}
	vm.Store64(a, v)
}

// loadBytes reads an n-byte native-endian value one byte at a time.
func loadBytes(a uint64, n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		b := vm.Load8(a + uint64(i))
		if bigEndian {
			v = v<<8 | b
		} else {
			v |= b << (8 * i)
		}
	}
	return v
}

// storeBytes writes an n-byte native-endian value one byte at a time.
func storeBytes(a, v uint64, n int) {
	for i := 0; i < n; i++ {
		shift := 8 * i
		if bigEndian {
			shift = 8 * (n - 1 - i)
		}
		vm.Store8(a+uint64(i), v>>shift)
	}
}

// xor32 and xor64 have no sync/atomic primitive; a compare-and-swap loop
// gives the same atomicity. They return the old value.
func xor32(p *uint32, v uint32) uint32 {
	for {
		old := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, old, old^v) {
			return old
		}
	}
}

func xor64(p *uint64, v uint64) uint64 {
	for {
		old := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, old, old^v) {
			return old
		}
	}
}

// cmpxchg32 and cmpxchg64 store v if the word equals expected and return
// the word's previous value either way, which is what the instruction puts
// in r0.
func cmpxchg32(p *uint32, expected, v uint32) uint32 {
	for {
		old := atomic.LoadUint32(p)
		if old != expected {
			return old
		}
		if atomic.CompareAndSwapUint32(p, old, v) {
			return old
		}
	}
}

func cmpxchg64(p *uint64, expected, v uint64) uint64 {
	for {
		old := atomic.LoadUint64(p)
		if old != expected {
			return old
		}
		if atomic.CompareAndSwapUint64(p, old, v) {
			return old
		}
	}
}
