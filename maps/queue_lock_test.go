package maps

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestQueueLockExcludes has goroutines, started together, increment a plain
// counter under the lock: never two holders at once, no increment lost.
// (Without the lock it fails at once on two processors.)
func TestQueueLockExcludes(t *testing.T) {
	const workers, rounds = 4, 200000
	var l spinMutex
	var n int
	var inside atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < rounds; i++ {
				l.Lock()
				if inside.Add(1) != 1 {
					panic("two holders of the queue lock")
				}
				v := n
				for j := 0; j < i%16; j++ { // widen the window a little
					v += j & 0
				}
				n = v + 1
				inside.Add(-1)
				l.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if n != workers*rounds {
		t.Fatalf("counter %d, want %d", n, workers*rounds)
	}
}
