package maps

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
)

// hashIndex is the key index of hash maps: the bucket-chained index of
// native.go ("Hash index"), in off-heap memory so that generated code reads
// it through the map's descriptor. Go's lookups (LookupElem, Lookup, Inner)
// walk it with the same algorithm, without a lock; writers hold the map's
// lock and publish with atomic stores in the documented order. It is
// derived data, rebuilt from the slots on Open, so the file format is that
// of the slots alone.
//
// Layout of its block: BucketMask+1 u32 bucket heads, then MaxEntries u32
// Next links, then MaxEntries u32 key hashes.
type hashIndex struct {
	blk     *offheap.Block
	buckets []uint32
	next    []uint32
	hashes  []uint32
	mask    uint32
	seed    uint64
}

// maxHashEntries bounds max_entries of hash maps: slot and bucket numbers
// must stay below bit 31 (NativeChainEnd).
const maxHashEntries = 1 << 30

func newHashIndex(spec Spec) (hashIndex, error) {
	n := uint64(spec.MaxEntries)
	if n == 0 || n > maxHashEntries {
		return hashIndex{}, layoutError(spec, "hash index")
	}
	nb := uint64(1) << bits.Len64(n-1) // power of two >= n
	blk, err := offheap.Alloc(int(4 * (nb + 2*n)))
	if err != nil {
		return hashIndex{}, err
	}
	words := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(blk.Bytes()))), nb+2*n)
	x := hashIndex{
		blk:     blk,
		buckets: words[:nb:nb],
		next:    words[nb : nb+n : nb+n],
		hashes:  words[nb+n:],
		mask:    uint32(nb - 1),
		seed:    rand.Uint64(),
	}
	if spec.Flags&FlagZeroSeed != 0 {
		x.seed = 0 // BPF_F_ZERO_SEED: a fixed hash, as the kernel offers for tests
	}
	x.reset()
	return x, nil
}

// reset empties every bucket (writers only).
func (x *hashIndex) reset() {
	for b := range x.buckets {
		atomic.StoreUint32(&x.buckets[b], NativeChainEnd|uint32(b))
	}
}

// free unmaps the index (Close; see storage.free for why that is safe).
func (x *hashIndex) free() error {
	if x.blk == nil {
		return nil
	}
	err := x.blk.Free()
	x.blk = nil
	return err
}

// hash is NativeHash(key, x.seed), with the partial last word read in one
// or two loads instead of byte by byte (the result is the same:
// TestHashKeyMatchesNativeHash).
func (x *hashIndex) hash(key []byte) uint32 {
	h := x.seed ^ uint64(len(key))*nativeHashK1
	for len(key) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(key)) * nativeHashK2
		h ^= h >> 32
		key = key[8:]
	}
	if len(key) > 0 {
		var w uint64
		switch len(key) {
		case 4:
			w = uint64(binary.LittleEndian.Uint32(key))
		case 2:
			w = uint64(binary.LittleEndian.Uint16(key))
		default:
			for i, b := range key {
				w |= uint64(b) << (8 * i)
			}
		}
		h = (h ^ w) * nativeHashK2
		h ^= h >> 32
	}
	h ^= h >> 29
	h *= nativeHashK3
	h ^= h >> 32
	return uint32(h)
}

// find is the reader of native.go: it returns the slot holding key. It
// takes no lock and may run concurrently with writers. When a walk keeps
// racing deletes (NativeMaxRestarts restarts), it falls back to a walk
// under the map's lock, so Go's lookups never miss a key that is present
// throughout.
func (m *hashMap) find(key []byte) (uint32, bool) {
	x := &m.idx
	h := x.hash(key)
	b := h & x.mask
	// Slots are addressed from the block's base as native code does; n is
	// below MaxEntries there because the bounds-checked load of
	// x.hashes[n] (len MaxEntries) came first.
	slots := unsafe.Add(unsafe.Pointer(unsafe.SliceData(m.st.meta)), storageHeader)
	for tries := 0; tries < NativeMaxRestarts; tries++ {
		n := atomic.LoadUint32(&x.buckets[b])
		for steps := uint32(0); n&NativeChainEnd == 0 && steps <= m.spec.MaxEntries; steps++ {
			if atomic.LoadUint32(&x.hashes[n]) == h {
				slot := unsafe.Add(slots, uintptr(n)*uintptr(m.slotSize))
				if atomic.LoadUint32((*uint32)(slot)) == slotUsed &&
					string(unsafe.Slice((*byte)(unsafe.Add(slot, slotHdr)), len(key))) == string(key) {
					return n, true
				}
			}
			n = atomic.LoadUint32(&x.next[n])
		}
		if n == NativeChainEnd|b {
			return 0, false
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.findLocked(key)
}

// findLocked finds key's slot with the map's lock held (no concurrent
// writer, so one walk of the chain is exact).
func (m *hashMap) findLocked(key []byte) (uint32, bool) {
	return m.findHashed(key, m.idx.hash(key))
}

// findHashed is findLocked for a key whose hash h is known.
func (m *hashMap) findHashed(key []byte, h uint32) (uint32, bool) {
	x := &m.idx
	for n := x.buckets[h&x.mask]; n&NativeChainEnd == 0; n = x.next[n] {
		if x.hashes[n] == h && *m.state(n) == slotUsed && string(m.keyAt(n)) == string(key) {
			return n, true
		}
	}
	return 0, false
}

// idxLink publishes slot s, whose key (of hash h), value and state are
// written, at the head of its bucket: its hash and Next link first, then
// the head that makes it reachable (writers only).
func (m *hashMap) idxLink(s, h uint32) {
	x := &m.idx
	b := h & x.mask
	atomic.StoreUint32(&x.hashes[s], h)
	atomic.StoreUint32(&x.next[s], x.buckets[b])
	atomic.StoreUint32(&x.buckets[b], s)
}

// idxUnlink removes slot s from its chain with one atomic store into its
// predecessor (head or link); s's own link is left intact so that a reader
// standing on s walks on along the chain (writers only).
func (m *hashMap) idxUnlink(s uint32) {
	x := &m.idx
	b := x.hashes[s] & x.mask
	p := &x.buckets[b]
	for *p != s {
		if *p&NativeChainEnd != 0 {
			panic("maps: hash index: slot not in its bucket's chain")
		}
		p = &x.next[*p]
	}
	atomic.StoreUint32(p, x.next[s])
}
