package maps

// Design notes for the map implementations (see map.go for the package
// documentation). Each section explains one decision.
//
// # Preallocation
//
// Every map preallocates its storage when it is created, as the kernel does
// by default: hash maps hold max_entries slots and fail a new key with E2BIG
// when all are taken (LRU maps evict instead); LPM tries hold max_entries
// entries (ENOSPC when full); queues, stacks, ring buffers and perf rings
// have fixed capacity. BPF_F_NO_PREALLOC is accepted (and required for LPM
// tries, as in the kernel) but storage is preallocated anyway: nothing a
// program can observe depends on it except memory use. Preallocation is what
// lets a pointer returned by LookupElem stay valid for the map's lifetime: a
// deleted slot is reused by a later insert, exactly the kernel's prealloc
// semantics (a program may see the new element's value through an old
// pointer), but the memory never goes away while the map lives.
//
// Updates of existing elements write the value in place. The kernel swaps in
// a fresh element instead, so that readers see either the old or the new
// value; here a program reading a value while user space rewrites it may see
// a mix, as with the kernel's arrays. BPF_F_LOCK is refused (EINVAL): bpfhost
// values carry no bpf_spin_lock.
//
// # Layout
//
// A map is one off-heap block (internal/offheap): anonymous memory, or a
// file mapped shared when Options.Path is set. The block has two parts, each
// starting on a page boundary:
//
//   - the private part: a 128-byte header (magic, type, sizes, flags, CPU
//     count, part sizes, then per-type state words such as queue head/tail,
//     ring buffer positions or the LRU clock) followed by per-type metadata:
//     hash and LPM slots (state, LRU age, key), prog-array and map-in-map
//     IDs, perf ring positions;
//   - the value part: the values programs address (Regions), or for types
//     whose contents programs never address (queues, perf rings, map-in-map
//     IDs) private data that Regions does not list.
//
// Everything that must survive a reopen lives in the block. Derived indexes
// are rebuilt from the block by Open: the hash key index in a separate
// off-heap block (generated code reads it, see native.go), the free-slot
// stacks, occupancy bitmaps, the LRU list and the LPM trie nodes on the Go
// heap.
// A program that writes wildly through a value pointer can corrupt values but
// never keys, occupancy or positions; and every length or position read back
// from memory a program can reach (ring buffer record headers) or from a file
// (positions, slot states) is bounds-checked, so corruption costs data, never
// a crash of the host. Open refuses a file whose header does not match the
// spec and options (including the CPU count of per-CPU maps).
//
// Values are round_up(value_size, 8) bytes apart. A per-CPU element holds one
// such value per CPU in CPU order, which is also the layout of the user-space
// value buffers (the bpf() syscall's), so user-space copies are one copy.
//
// # Locking
//
// Arrays, prog arrays and maps of maps take no lock: array values are shared
// memory, and array-of-IDs entries are single words read and written with
// atomics. Hash map lookups take no lock: the key index is the
// bucket-chained index of native.go in off-heap memory, walked by Go exactly
// as generated code walks it, and writers (updates, deletes, evictions,
// under a sync.Mutex) publish with atomic stores in the
// order the walk relies on. NextKey takes no lock either (the occupancy
// bitmap is read and written with atomics). LRU lookups mark the element referenced with
// one atomic store, so they do not serialize either. LPM tries guard their
// Go-heap index with a sync.RWMutex: lookups shared, updates exclusively. Queues and stacks use a mutex; ring buffers a producer
// mutex (the kernel's spinlock) with atomic positions and record headers so
// that the consumer never blocks producers; perf rings a mutex per index.
// Off-heap memory is invisible to the race detector, which is intended: it
// is shared the way kernel map memory is.
//
// # Errors
//
// Operations programs reach through helpers (LookupElem, UpdateElem,
// DeleteElem, Push/Pop/Peek, ring buffer and perf output) return bare Errno
// values, which never allocate. User-space operations return errors that wrap
// the same Errno with the map, the operation, the key and the flags.
// Errors follow the kernel's, checked against it by the differential tests
// (kernel_test.go, kernel_errno_test.go): EEXIST/ENOENT for BPF_NOEXIST and
// BPF_EXIST, E2BIG for a full hash or an index out of range, ENOSPC for a
// full LPM trie, EINVAL for deleting array elements, the kernel-internal
// ENOTSUPP (524) for operations a type lacks, EPERM for user-space writes to
// BPF_F_RDONLY maps and reads of BPF_F_WRONLY ones. Map creation refusals
// come from Validate, which mirrors map_create and each type's alloc_check.
//
// # LRU
//
// LRU maps keep one list (BPF_F_NO_COMMON_LRU is accepted and uses it too).
// New and updated elements go to the head; lookups (Go's and native code's)
// only set a referenced word in the slot, never move list nodes, so they
// stay lock-free. When a new key finds the map full, the tail is evicted
// unless its word is set, in which case it gets a second chance: the word is
// cleared and it moves to the head. This approximates the kernel's active/inactive lists;
// exact eviction choices differ from the kernel's (which also evicts early
// because of per-CPU free lists, and evicts even when an update replaces an
// existing key), so the kernel differential test keeps LRU maps far from
// full. Each element's age is stored in its slot so the order survives Open.
//
// # Iteration order
//
// Hash maps iterate in slot order, not the kernel's bucket order; as in the
// kernel, NextKey of a missing key (one just deleted, say) restarts from the
// first key. LPM tries iterate exactly
// like the kernel (post-order: more specific prefixes first, 0-branches
// first). Arrays iterate by index.
//
// # Ring buffers and perf rings
//
// Ring buffers use Linux's record format and reservation rules (see
// ringbuf.go); the data area is twice the ring size so that a record crossing
// the end is contiguous, as the kernel's double mapping makes it. Ring buffer
// sizes must be power-of-two multiples of Linux's 4096-byte page on every
// host, so objects built for Linux load everywhere. Perf event arrays hold a
// bounded ring per index (Options.PerfRingBytes); Update attaches a reader at
// an index like installing a perf event descriptor, and Output without one
// fails with ENOENT as in the kernel.
//
// # Native descriptors
//
// Arrays, per-CPU arrays, prog arrays, arrays of maps and every hash type
// publish a NativeDesc (native.go, native_desc.go) so that generated code
// reads them without calling Go; Go's own lookups use the same memory and,
// for hashes, the same walk, so both routes agree. NativeReference is that
// walk written in Go against the descriptor alone, for tests. A descriptor
// outlives its map (it is never freed or reused); Close retires it before
// unmapping anything, and storage.free explains why unmapping is safe.
