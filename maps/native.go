package maps

// Native descriptors: the contract between maps and generated code.
//
// The JIT compiles hot map helpers (bpf_map_lookup_elem above all, and the
// tail call's program-array read) into native code that never returns to
// Go, as the kernel's JITs do. Native code cannot call Go methods, so every
// map that offers a native route publishes a NativeDesc: a fixed-layout,
// pointer-free record in off-heap memory that says where the map's keys,
// values and index live and how to read them. The record, and every block
// it points to, stays at the same address for the map's lifetime, and Go
// and native code read the map through the same structures, so both routes
// always agree.
//
// Generated code finds a descriptor in one of two ways:
//   - when the map is a compile-time constant (r1 loaded by ld_imm64), the
//     back end embeds the descriptor's address (NativeDescOf);
//   - otherwise (an inner map returned by a map-in-map lookup) it indexes
//     the global table at NativeTableAddr by ID&NativeTableMask and checks
//     that the descriptor's ID is the handle's; a miss, or a descriptor
//     whose Route is RouteNone, takes the ordinary helper exit to Go.
//
// Layout rules: every field is at the offset of its NativeOff* constant
// (TestNativeDescLayout pins them); addresses are absolute; sizes are bytes.

// Route says which native algorithm reads a map (NativeDesc.Route).
const (
	// RouteNone: no native route; generated code calls the Go helper.
	RouteNone = 0
	// RouteArray: BPF_MAP_TYPE_ARRAY. key u32 i < MaxEntries;
	// value = Values + i*Stride.
	RouteArray = 1
	// RoutePerCPUArray: value = Values + i*Stride + cpu*Elem.
	RoutePerCPUArray = 2
	// RouteHash: HASH (and the slots of HASH_OF_MAPS, see RouteHashOfMaps).
	// Bucket-chained index, see "Hash index" below; value = Values + s*Stride
	// for the slot s that holds the key.
	RouteHash = 3
	// RoutePerCPUHash: as RouteHash, value + cpu*Elem.
	RoutePerCPUHash = 4
	// RouteLRUHash: as RouteHash; a hit also sets the slot's referenced
	// word (u32 at State + s*SlotStride + 4) to 1 when it is 0, as the
	// kernel's bpf_lru_node_set_ref does.
	RouteLRUHash = 5
	// RouteLRUPerCPUHash: RouteLRUHash with per-CPU values.
	RouteLRUPerCPUHash = 6
	// RouteArrayOfMaps: key u32 i < MaxEntries; the u32 inner map ID is at
	// Values + i*Stride; the lookup returns MapHandle(id), or 0 if id is 0.
	RouteArrayOfMaps = 7
	// RouteHashOfMaps: the slot is found as for RouteHash; the u32 inner
	// map ID is at Values + s*Stride; result as for RouteArrayOfMaps.
	RouteHashOfMaps = 8
	// RouteProgArray: BPF_MAP_TYPE_PROG_ARRAY (tail calls only): index
	// u32 i < MaxEntries; the u32 program ID is at Values + i*Stride (0:
	// empty). Lookups never take this route (programs cannot look up
	// program arrays).
	RouteProgArray = 9
)

// NativeDesc is a map's descriptor for generated code (see the package
// comment above). It lives off the Go heap; Go code reads it through
// NativeDescOf only in tests and diagnostics.
type NativeDesc struct {
	// ID is the map's registry ID; 0 until registered and after Close.
	// Table readers must compare it with the handle's ID.
	ID uint32
	// Route is one of the Route* constants; RouteNone when the map has no
	// native route (or is closed).
	Route uint32
	// KeySize, ValueSize and MaxEntries are the map's.
	KeySize, ValueSize, MaxEntries uint32
	// NCPU is the number of per-CPU values of per-CPU maps.
	NCPU uint32
	// Values is the address of the value (or ID) of index/slot 0.
	Values uint64
	// Elem is the value size rounded up to 8 (distance between CPUs'
	// values in per-CPU maps).
	Elem uint64
	// Stride is the distance between the values of consecutive
	// indexes/slots.
	Stride uint64
	// Hash index (hash routes only; zero otherwise).
	//
	// Keys is the address of slot 0's key; slot s's key is at
	// Keys + s*SlotStride. State is the address of slot 0's state word
	// (u32, 1 = in use; the u32 after it is the LRU referenced word).
	Keys, State, SlotStride uint64
	// Buckets is the address of BucketMask+1 u32 bucket heads; Next and
	// Hashes the addresses of MaxEntries u32 chain links and key hashes.
	Buckets, Next, Hashes uint64
	// BucketMask is the number of buckets minus one (a power of two minus one).
	BucketMask uint32
	// pad keeps Seed 8-aligned.
	_ uint32
	// Seed is the map's hash seed (see NativeHash).
	Seed uint64
}

// Byte offsets of the NativeDesc fields: the ABI of generated code.
const (
	NativeOffID         = 0
	NativeOffRoute      = 4
	NativeOffKeySize    = 8
	NativeOffValueSize  = 12
	NativeOffMaxEntries = 16
	NativeOffNCPU       = 20
	NativeOffValues     = 24
	NativeOffElem       = 32
	NativeOffStride     = 40
	NativeOffKeys       = 48
	NativeOffState      = 56
	NativeOffSlotStride = 64
	NativeOffBuckets    = 72
	NativeOffNext       = 80
	NativeOffHashes     = 88
	NativeOffBucketMask = 96
	NativeOffSeed       = 104
	// NativeDescSize is the size of NativeDesc.
	NativeDescSize = 112
)

// The global descriptor table: NativeTableSize u64 entries at
// NativeTableAddr(), entry id&NativeTableMask holding the address of the
// descriptor of map id (or of another map whose ID has the same low bits,
// or 0). It is allocated once and never freed or moved.
const (
	NativeTableSize = 1 << 16
	NativeTableMask = NativeTableSize - 1
)

// Hash index (RouteHash and its variants).
//
// The key's 32-bit hash is h = NativeHash(key, Seed). Its bucket is
// h & BucketMask. A bucket head is a u32: a slot number s (< MaxEntries)
// whose chain continues at Next[s], or an end marker with bit 31 set,
// NativeChainEnd | bucket, naming the bucket whose chain it ends. A reader:
//
//	b := h & BucketMask
//	for tries := 0; tries < NativeMaxRestarts; tries++ {
//		n := load(Buckets[b])
//		for steps := 0; n&NativeChainEnd == 0 && steps <= MaxEntries; steps++ {
//			if Hashes[n] == h && State[n] == 1 && key equals Keys[n] {
//				return n
//			}
//			n = load(Next[n])
//		}
//		if n == NativeChainEnd|b { return miss }   // reached our own chain's end
//		// else a concurrent delete moved a slot we were on to another
//		// chain (or the step bound hit): start over.
//	}
//	return miss
//
// Writers (Go, under the map's lock) fill a slot's key, value, hash and
// state before publishing it with an atomic store into a bucket head or a
// Next link, and unlink a slot with one atomic store before reusing it.
// Every load of a head or link is a plain aligned 32-bit load (atomic on
// amd64 and arm64). Values are addressed in place, as in the kernel's
// preallocated hash maps: a program may see a value that a concurrent
// update is rewriting, never memory outside the map.
const (
	// NativeChainEnd marks a chain's end (bit 31; low bits: the bucket).
	NativeChainEnd = 1 << 31
	// NativeMaxRestarts bounds a reader's restarts after racing a delete.
	NativeMaxRestarts = 4
)

// Constants of NativeHash.
const (
	nativeHashK1 = 0x9e3779b97f4a7c15
	nativeHashK2 = 0xff51afd7ed558ccd
	nativeHashK3 = 0xc4ceb9fe1a85ec53
)

// NativeHash is the hash of the hash index, chosen to be cheap in generated
// code: the key is read as little-endian u64 words (a last partial word
// zero-extended, its bytes in key order), each mixed in with one xor, one
// multiply and one shift, then finalised. seed is random per map, so hash
// flooding needs the seed.
//
//	h := seed ^ (len(key) * K1)
//	for each word w: h = (h ^ w) * K2; h ^= h >> 32
//	h ^= h >> 29; h *= K3; h ^= h >> 32
//	return uint32(h)
func NativeHash(key []byte, seed uint64) uint32 {
	h := seed ^ uint64(len(key))*nativeHashK1
	for len(key) >= 8 {
		w := uint64(key[0]) | uint64(key[1])<<8 | uint64(key[2])<<16 | uint64(key[3])<<24 |
			uint64(key[4])<<32 | uint64(key[5])<<40 | uint64(key[6])<<48 | uint64(key[7])<<56
		h = (h ^ w) * nativeHashK2
		h ^= h >> 32
		key = key[8:]
	}
	if len(key) > 0 {
		var w uint64
		for i, b := range key {
			w |= uint64(b) << (8 * i)
		}
		h = (h ^ w) * nativeHashK2
		h ^= h >> 32
	}
	h ^= h >> 29
	h *= nativeHashK3
	h ^= h >> 32
	return uint32(h)
}
