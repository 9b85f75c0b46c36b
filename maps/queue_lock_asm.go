//go:build amd64 && !race

package maps

// storeRelease stores 0 to *p with release ordering (queue_lock_amd64.s).
//
//go:noescape
func storeRelease(p *uint32)
