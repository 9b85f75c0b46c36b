package helpers

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/bpfhost/bpfhost/vm"
)

// bpf_spin_lock and bpf_spin_unlock lock the 4-byte struct bpf_spin_lock
// inside a map value: 0 is unlocked, 1 locked. The word lives in off-heap map
// memory shared by every virtual CPU (and, for file-backed maps, by other
// processes), so the lock is a compare-and-swap on that word rather than a Go
// mutex.
//
// A waiting run spins briefly and then yields with runtime.Gosched, so that
// a holder that was descheduled (more runs than OS threads) gets to run and
// release the lock. The kernel's verifier guarantees that a holder cannot
// loop or call out while holding the lock; an unverified program can, so a
// wait is bounded by SpinLockTimeout, after which the waiting run is aborted
// instead of hanging the host.

// SpinLockTimeout bounds how long bpf_spin_lock waits for a lock before
// aborting the run. Variable so that tests can shorten it.
var SpinLockTimeout = 5 * time.Second

// spinsBeforeYield is how many failed attempts a waiter makes before it
// starts yielding the processor.
const spinsBeforeYield = 64

// spinLock is bpf_spin_lock(lock).
func spinLock(ctx *vm.Context, r1, _, _, _, _ uint64) uint64 {
	if !lockArg(ctx, FnSpinLock, r1) {
		return 0
	}
	s := state(ctx)
	if s.lockHeld != 0 {
		// The kernel's verifier refuses a second lock while one is held;
		// taking it would deadlock this run against itself.
		ctx.Abort("helper bpf_spin_lock: lock %#x requested while lock %#x is held (one lock at a time)", r1, s.lockHeld)
		return 0
	}
	w := vm.Atomic32(r1)
	if !atomic.CompareAndSwapUint32(w, 0, 1) && !waitLock(w) {
		ctx.Abort("helper bpf_spin_lock: lock %#x still held by another run after %v", r1, SpinLockTimeout)
		return 0
	}
	s.lockHeld = r1
	return 0
}

// waitLock spins, then yields, until it takes the lock at w or the timeout
// passes; it reports whether it took the lock.
func waitLock(w *uint32) bool {
	var deadline time.Time
	for i := 1; ; i++ {
		if atomic.LoadUint32(w) == 0 && atomic.CompareAndSwapUint32(w, 0, 1) {
			return true
		}
		if i < spinsBeforeYield {
			continue
		}
		runtime.Gosched()
		// Reading the clock on every yield would dominate a short wait.
		if i%spinsBeforeYield == 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(SpinLockTimeout)
			} else if now.After(deadline) {
				return false
			}
		}
	}
}

// spinUnlock is bpf_spin_unlock(lock).
func spinUnlock(ctx *vm.Context, r1, _, _, _, _ uint64) uint64 {
	if !lockArg(ctx, FnSpinUnlock, r1) {
		return 0
	}
	s := state(ctx)
	if s.lockHeld != r1 {
		ctx.Abort("helper bpf_spin_unlock: lock %#x is not held by this run", r1)
		return 0
	}
	s.lockHeld = 0
	atomic.StoreUint32(vm.Atomic32(r1), 0)
	return 0
}

// lockArg checks the lock pointer: 4 writable, 4-byte aligned bytes (the
// atomic operations fault on misaligned words on some architectures).
func lockArg(ctx *vm.Context, fn int32, addr uint64) bool {
	if addr%4 != 0 {
		ctx.Abort("helper bpf_%s: lock %#x is not 4-byte aligned", name(fn), addr)
		return false
	}
	_, ok := mem(ctx, fn, "lock", addr, 4, true)
	return ok && addr != 0
}

// releaseLock frees a lock a run ended holding (the kernel's verifier
// refuses such programs), so that other runs are not blocked forever.
func releaseLock(s *cpuState) {
	if s.lockHeld != 0 {
		atomic.StoreUint32(vm.Atomic32(s.lockHeld), 0)
		s.lockHeld = 0
	}
}
