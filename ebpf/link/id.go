package link

import (
	"sync"
	"sync/atomic"
)

// lastID is the highest link ID handed out in this process.
var lastID atomic.Uint32

// ReserveIDs makes new links get IDs above n (a state directory's links
// keep their IDs across processes, and new ones must not reuse them).
func ReserveIDs(n uint32) {
	for {
		cur := lastID.Load()
		if cur >= n || lastID.CompareAndSwap(cur, n) {
			return
		}
	}
}

// LastID returns the highest link ID handed out in this process.
func LastID() uint32 { return lastID.Load() }

// live are the links of this process by ID, so that IDs given explicitly
// (restored links) cannot collide.
var (
	liveMu sync.Mutex
	live   = map[uint32]*Link{}
)

// register gives l an ID: id when non-zero (a restored link), else the
// next free one.
func register(l *Link, id uint32) bool {
	liveMu.Lock()
	defer liveMu.Unlock()
	if id == 0 {
		id = lastID.Add(1)
	} else {
		if live[id] != nil {
			return false
		}
		ReserveIDs(id)
	}
	l.info.ID = id
	live[id] = l
	return true
}

func unregister(l *Link) {
	liveMu.Lock()
	defer liveMu.Unlock()
	if live[l.info.ID] == l {
		delete(live, l.info.ID)
	}
}

// ByID returns the live link with the given ID in this process.
func ByID(id uint32) (*Link, bool) {
	liveMu.Lock()
	defer liveMu.Unlock()
	l, ok := live[id]
	return l, ok
}
