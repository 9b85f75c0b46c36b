//go:build !amd64 || race

package maps

import "sync/atomic"

// storeRelease stores 0 to *p with release ordering: an atomic store (a
// release store, STLR, on arm64; under the race detector the atomic makes
// the lock's ordering visible to it).
func storeRelease(p *uint32) { atomic.StoreUint32(p, 0) }
