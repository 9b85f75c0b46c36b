//go:build !unix && !windows

package offheap

import (
	"errors"
	"os"
	"sync"
)

// On platforms without mmap (js, wasip1, plan9) blocks come from the Go heap.
// Go's collector does not move heap objects, and keeping every live block in
// this set keeps it reachable until Free, which gives the same guarantees.
var (
	liveMu sync.Mutex
	live   = map[*byte][]byte{}
)

func allocAnon(size int) ([]byte, error) {
	mem := make([]byte, size)
	liveMu.Lock()
	live[&mem[0]] = mem
	liveMu.Unlock()
	return mem, nil
}

func mapFile(f *os.File, size int) ([]byte, error) {
	return nil, errors.New("file-backed memory is not supported on this platform")
}

func syncFile(mem []byte) error { return nil }

func free(mem []byte) error {
	liveMu.Lock()
	delete(live, &mem[0])
	liveMu.Unlock()
	return nil
}
