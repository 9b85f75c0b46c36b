package maps

import (
	"bytes"
	"hash/maphash"
)

// keyIndex is the Go-heap index from key bytes to slot number of hash-like
// maps. It is derived data, rebuilt from the slots on Open. Open addressing
// with linear probing and backward-shift deletion: no allocation after
// creation, no tombstones. Each entry packs the key's 32-bit hash (high
// half) and slot+1 (low half); 0 is an empty entry.
//
// The table has at least twice as many entries as the map has slots, so
// probe sequences stay short. Callers serialize writers and readers.
type keyIndex struct {
	seed  maphash.Seed
	tab   []uint64
	mask  uint64
	keyOf func(slot uint32) []byte
}

func newKeyIndex(slots uint32, keyOf func(uint32) []byte) keyIndex {
	n := uint64(8)
	for n < 2*uint64(slots) {
		n <<= 1
	}
	return keyIndex{seed: maphash.MakeSeed(), tab: make([]uint64, n), mask: n - 1, keyOf: keyOf}
}

func (x *keyIndex) hash(key []byte) uint32 { return uint32(maphash.Bytes(x.seed, key)) }

// find returns the slot holding key and its table position, or -1.
func (x *keyIndex) find(key []byte) (slot int64, pos uint64) {
	h := x.hash(key)
	for pos = uint64(h) & x.mask; ; pos = (pos + 1) & x.mask {
		e := x.tab[pos]
		if e == 0 {
			return -1, pos
		}
		if uint32(e>>32) == h {
			s := uint32(e) - 1
			if bytes.Equal(x.keyOf(s), key) {
				return int64(s), pos
			}
		}
	}
}

// insert adds key (not present) at slot.
func (x *keyIndex) insert(key []byte, slot uint32) {
	h := x.hash(key)
	pos := uint64(h) & x.mask
	for x.tab[pos] != 0 {
		pos = (pos + 1) & x.mask
	}
	x.tab[pos] = uint64(h)<<32 | uint64(slot+1)
}

// removeAt deletes the entry at pos, shifting later entries of the probe
// run back so that lookups never need tombstones.
func (x *keyIndex) removeAt(pos uint64) {
	for {
		x.tab[pos] = 0
		j := pos
		for {
			j = (j + 1) & x.mask
			e := x.tab[j]
			if e == 0 {
				return
			}
			home := uint64(uint32(e>>32)) & x.mask
			// The entry at j may fill the hole at pos if its home is not
			// cyclically within (pos, j].
			if (j-home)&x.mask >= (j-pos)&x.mask {
				x.tab[pos] = e
				pos = j
				break
			}
		}
	}
}

// reset empties the index.
func (x *keyIndex) reset() { clear(x.tab) }
