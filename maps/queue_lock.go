package maps

import (
	"runtime"
	"sync/atomic"
)

// spinMutex is the writer lock of queues, stacks and hash maps: a
// compare-and-swap to take it and a release store to drop it, as the
// kernel's spin locks. sync.Mutex drops its lock with a second locked
// read-modify-write, which on amd64 costs as much as taking it: a push or
// pop paid for two full barriers where one is enough (measured: 14 ns a
// Lock/Unlock pair against 8 ns). Critical sections are short and never
// wait for another goroutine, so a waiter spins briefly and then yields
// the processor (a holder may have been descheduled, and must run to
// release the lock).
type spinMutex struct{ v uint32 }

// spinMutexSpins is how many failed attempts a waiter makes before it
// starts yielding.
const spinMutexSpins = 64

func (l *spinMutex) Lock() {
	if !atomic.CompareAndSwapUint32(&l.v, 0, 1) {
		l.wait()
	}
}

func (l *spinMutex) wait() {
	for i := 1; ; i++ {
		if atomic.LoadUint32(&l.v) == 0 && atomic.CompareAndSwapUint32(&l.v, 0, 1) {
			return
		}
		if i >= spinMutexSpins {
			runtime.Gosched()
		}
	}
}

// Unlock drops the lock with storeRelease: every load and store of the
// critical section is ordered before it.
func (l *spinMutex) Unlock() { storeRelease(&l.v) }
