package maps

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// The registry gives every live map a numeric ID, as the kernel does. Helpers
// resolve map handles through it on every call, so reads are lock-free: the
// table is an immutable snapshot replaced on each change (changes are rare,
// lookups are the hot path).
type registryTable struct {
	byID    map[uint32]Map
	regions []ownedRegion // sorted by Start, for checked-mode address tests
	// direct holds most maps by ID modulo its size (the first of each
	// slot's IDs), so that ByID mostly costs an index instead of a Go map
	// lookup (bpf_map_lookup_elem resolves its map on every call).
	direct *[directSlots]directEntry
}

// directSlots is the size of registryTable.direct.
const directSlots = 1024

type directEntry struct {
	id uint32
	m  Map
}

type ownedRegion struct {
	Region
	id uint32
}

var (
	registryMu sync.Mutex
	registry   atomic.Pointer[registryTable]
	nextID     uint32
)

// IDSetter is implemented by maps so that the registry can record their ID.
type IDSetter interface{ SetID(uint32) }

func snapshot() *registryTable {
	if t := registry.Load(); t != nil {
		return t
	}
	return &registryTable{byID: map[uint32]Map{}}
}

func publish(byID map[uint32]Map) {
	t := &registryTable{byID: byID, direct: new([directSlots]directEntry)}
	for id, m := range byID {
		if e := &t.direct[id%directSlots]; e.id == 0 {
			*e = directEntry{id, m}
		}
		for _, r := range m.Regions() {
			t.regions = append(t.regions, ownedRegion{r, id})
		}
	}
	sort.Slice(t.regions, func(i, j int) bool { return t.regions[i].Start < t.regions[j].Start })
	registry.Store(t)
}

// Register assigns m the next free ID and makes it reachable by ByID.
func Register(m Map) uint32 {
	registryMu.Lock()
	defer registryMu.Unlock()
	old := snapshot()
	for {
		nextID++
		if _, taken := old.byID[nextID]; !taken && nextID != 0 {
			break
		}
	}
	register(old, m, nextID)
	return nextID
}

// RegisterWithID registers m under a chosen ID (restoring persisted state).
func RegisterWithID(m Map, id uint32) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	old := snapshot()
	if id == 0 {
		return fmt.Errorf("map ID 0 is reserved")
	}
	if _, taken := old.byID[id]; taken {
		return fmt.Errorf("map ID %d is in use", id)
	}
	register(old, m, id)
	if id > nextID {
		nextID = id
	}
	return nil
}

func register(old *registryTable, m Map, id uint32) {
	byID := make(map[uint32]Map, len(old.byID)+1)
	for k, v := range old.byID {
		byID[k] = v
	}
	byID[id] = m
	if s, ok := m.(IDSetter); ok {
		s.SetID(id)
	}
	publish(byID)
	nativeRegister(m, id)
}

// Unregister removes the map with the given ID.
func Unregister(id uint32) {
	registryMu.Lock()
	defer registryMu.Unlock()
	old := snapshot()
	m, ok := old.byID[id]
	if !ok {
		return
	}
	nativeUnregister(m, id)
	byID := make(map[uint32]Map, len(old.byID))
	for k, v := range old.byID {
		if k != id {
			byID[k] = v
		}
	}
	publish(byID)
}

// ByID returns the registered map with the given ID, or nil.
func ByID(id uint32) Map {
	t := registry.Load()
	if t == nil {
		return nil
	}
	if e := &t.direct[id%directSlots]; e.id == id && id != 0 {
		return e.m
	}
	return t.byID[id]
}

// ContainsAddr reports whether [addr, addr+size) lies inside memory that some
// live map lets programs address. Checked-mode engines use it for pointers a
// program obtained from map helpers.
func ContainsAddr(addr, size uintptr) bool {
	t := registry.Load()
	if t == nil {
		return false
	}
	// The last region starting at or before addr: a binary search written
	// out (sort.Search calls its closure at every step; checked runs'
	// helpers test string and address arguments with this).
	rs := t.regions
	lo, hi := 0, len(rs) // rs[:lo] start at or before addr, rs[hi:] after it
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if rs[mid].Start > addr {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo > 0 && rs[lo-1].Contains(addr, size)
}
