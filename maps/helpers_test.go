package maps

import (
	"encoding/binary"
	"errors"
	"math/rand"
	"testing"
	"unsafe"
)

func mustNew(t testing.TB, spec Spec, opts Options) Map {
	t.Helper()
	m, err := New(spec, opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", spec, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func u32(v uint32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, v)
	return b
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.NativeEndian.PutUint64(b, v)
	return b
}

func le64(b []byte) uint64 { return binary.NativeEndian.Uint64(b) }

// wantErrno fails unless err carries errno want (0 = no error).
func wantErrno(t testing.TB, what string, err error, want Errno) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	var e Errno
	if !errors.As(err, &e) || e != want {
		t.Fatalf("%s: error %v, want %d (%v)", what, err, int(want), want)
	}
}

// mem reads n bytes at an address a map handed out.
func mem(addr uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), n)
}

// keysOf walks NextKey from the start and returns every key.
func keysOf(t testing.TB, m Map) [][]byte {
	t.Helper()
	var keys [][]byte
	var key []byte
	for i := 0; ; i++ {
		next := make([]byte, m.Spec().KeySize)
		err := m.NextKey(key, next)
		if ErrnoOf(err) == ENOENT {
			return keys
		}
		if err != nil {
			t.Fatalf("NextKey: %v", err)
		}
		if i > 1<<20 {
			t.Fatal("NextKey does not end")
		}
		keys = append(keys, next)
		key = next
	}
}

// ptrOf turns an address a map handed out into a pointer.
func ptrOf(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
