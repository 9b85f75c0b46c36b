// Package maps implements eBPF maps with the Linux kernel's type numbers and
// semantics: shared key/value stores that programs reach through helpers and
// user space reaches through the API and CLI.
//
// Every byte a program can address (map values, ring buffer records) lives in
// off-heap memory (internal/offheap), preallocated when the map is created as
// the kernel does by default, so pointers returned to programs stay valid and
// in place for the map's lifetime. The memory can be anonymous or file-backed;
// a file-backed map reopened with Open finds its contents intact.
package maps

import (
	"fmt"
	"runtime"
)

// Type is a map type, numbered as in the Linux UAPI (enum bpf_map_type).
type Type uint32

// Map types supported by bpfhost, with Linux's numbers.
const (
	Hash           Type = 1
	Array          Type = 2
	ProgArray      Type = 3
	PerfEventArray Type = 4
	PerCPUHash     Type = 5
	PerCPUArray    Type = 6
	LRUHash        Type = 9
	LRUCPUHash     Type = 10
	LPMTrie        Type = 11
	ArrayOfMaps    Type = 12
	HashOfMaps     Type = 13
	Queue          Type = 22
	Stack          Type = 23
	RingBuf        Type = 27
)

var typeNames = map[Type]string{
	Hash: "hash", Array: "array", ProgArray: "prog_array", PerfEventArray: "perf_event_array",
	PerCPUHash: "percpu_hash", PerCPUArray: "percpu_array", LRUHash: "lru_hash",
	LRUCPUHash: "lru_percpu_hash", LPMTrie: "lpm_trie", ArrayOfMaps: "array_of_maps",
	HashOfMaps: "hash_of_maps", Queue: "queue", Stack: "stack", RingBuf: "ringbuf",
}

// String returns bpftool's name for the type.
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type_%d", uint32(t))
}

// ParseType maps bpftool's name of a map type to its number.
func ParseType(name string) (Type, bool) {
	for t, s := range typeNames {
		if s == name {
			return t, true
		}
	}
	return 0, false
}

// PerCPU reports whether values of the type are replicated per CPU.
func (t Type) PerCPU() bool {
	return t == PerCPUHash || t == PerCPUArray || t == LRUCPUHash
}

// Update flags, as in the Linux UAPI.
const (
	UpdateAny     uint64 = 0 // BPF_ANY: create or replace
	UpdateNoExist uint64 = 1 // BPF_NOEXIST: create only
	UpdateExist   uint64 = 2 // BPF_EXIST: replace only
	UpdateLock    uint64 = 4 // BPF_F_LOCK (not supported)
)

// Map creation flags, as in the Linux UAPI.
const (
	FlagNoPrealloc  uint32 = 1 << 0
	FlagNoCommonLRU uint32 = 1 << 1
	FlagRdOnlyProg  uint32 = 1 << 7
	FlagWrOnlyProg  uint32 = 1 << 8
	FlagMmapable    uint32 = 1 << 10
)

// Spec describes a map to create.
type Spec struct {
	Name       string
	Type       Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
	// InnerMap is the template every inner map of a map-in-map must match.
	InnerMap *Spec
}

// Map is one eBPF map. All methods are safe for concurrent use, by programs
// running on any number of goroutines and by user space at the same time.
//
// User-space methods copy. For per-CPU maps their value buffers hold one
// value per possible CPU, each rounded up to 8 bytes, as the kernel's bpf()
// syscall does. Keys and values of the wrong size are rejected with EINVAL.
//
// Program-side methods (the ...Elem methods) back the helpers: they take the
// calling CPU and return addresses of off-heap memory rather than copies.
type Map interface {
	// Spec returns the map's description.
	Spec() Spec
	// ID returns the map's registry ID (0 before Register).
	ID() uint32

	// Lookup copies the value of key into value.
	Lookup(key, value []byte) error
	// Update stores value under key according to flags (UpdateAny, UpdateNoExist, UpdateExist).
	Update(key, value []byte, flags uint64) error
	// Delete removes key.
	Delete(key []byte) error
	// NextKey writes the key following key into next; a nil key asks for the first key.
	// It returns ENOENT after the last key.
	NextKey(key, next []byte) error
	// LookupAndDelete copies and removes an element: for queues and stacks
	// (key nil) the next element, for hashes the element under key.
	LookupAndDelete(key, value []byte) error

	// LookupElem returns the address of the value of key for cpu, or 0.
	LookupElem(key []byte, cpu int) uintptr
	// UpdateElem is Update from a program running on cpu.
	UpdateElem(key, value []byte, flags uint64, cpu int) error
	// DeleteElem is Delete from a program.
	DeleteElem(key []byte) error

	// Regions lists the address ranges of off-heap memory programs may read
	// and write through pointers this map hands out.
	Regions() []Region

	// Close releases the map's memory. No program that can reach it may run.
	Close() error
}

// Region is a range of addresses [Start, End).
type Region struct {
	Start, End uintptr
}

// Contains reports whether [addr, addr+size) lies inside the region.
func (r Region) Contains(addr uintptr, size uintptr) bool {
	return addr >= r.Start && addr+size <= r.End && addr+size >= addr
}

// Queue is implemented by queue and stack maps (BPF_MAP_TYPE_QUEUE/STACK).
type QueueMap interface {
	Map
	// Push adds value; with flags BPF_EXIST a full map drops its oldest element.
	Push(value []byte, flags uint64) error
	// Pop removes the next element into value.
	Pop(value []byte) error
	// Peek copies the next element into value without removing it.
	Peek(value []byte) error
}

// RingBufMap is implemented by BPF_MAP_TYPE_RINGBUF.
type RingBufMap interface {
	Map
	// Reserve returns the address of size bytes of record space, or 0 when the
	// buffer is full. The record must be submitted or discarded.
	Reserve(size uint64, flags uint64) uintptr
	// Submit makes the record at addr visible to consumers.
	Submit(addr uintptr, flags uint64)
	// Discard drops the record at addr.
	Discard(addr uintptr, flags uint64)
	// Output copies data into a new record and submits it.
	Output(data []byte, flags uint64) error
	// Query answers bpf_ringbuf_query (BPF_RB_AVAIL_DATA, RING_SIZE, CONS_POS, PROD_POS).
	Query(flags uint64) uint64
	// Read pops the next submitted record for a user-space consumer; ok is
	// false when none is ready.
	Read() (record []byte, ok bool)
}

// PerfEventArrayMap is implemented by BPF_MAP_TYPE_PERF_EVENT_ARRAY.
type PerfEventArrayMap interface {
	Map
	// Output appends a sample to the ring of the given CPU index.
	Output(cpu int, data []byte) error
	// Read pops the next sample of any CPU for a user-space consumer.
	Read() (cpu int, sample []byte, ok bool)
}

// ProgArrayMap is implemented by BPF_MAP_TYPE_PROG_ARRAY. Values are
// program IDs (the user-space API writes them as 4-byte values).
type ProgArrayMap interface {
	Map
	// Program returns the program ID at index, or 0.
	Program(index uint32) uint32
}

// MapOfMaps is implemented by array_of_maps and hash_of_maps. Values are
// inner map IDs; user space writes 4-byte map IDs.
type MapOfMaps interface {
	Map
	// Inner returns the inner map ID stored under key, or 0.
	Inner(key []byte) uint32
}

var possibleCPUs = 0

// SetPossibleCPUs sets how many CPUs per-CPU maps created afterwards hold
// values for (the number of virtual CPUs of the execution context).
func SetPossibleCPUs(n int) { possibleCPUs = n }

// PossibleCPUs returns the number of CPUs per-CPU maps hold values for.
func PossibleCPUs() int {
	if possibleCPUs > 0 {
		return possibleCPUs
	}
	return runtime.NumCPU()
}
