// Package offheap allocates memory outside the Go heap for everything an eBPF
// program can address: stacks, packet buffers, contexts and map storage.
//
// eBPF registers hold raw addresses, which the garbage collector cannot see,
// and goroutine stacks move. Memory reached through such addresses must stay
// alive and in place for as long as a program may touch it, so it is mapped
// directly from the operating system (mmap, VirtualAlloc) and released only by
// an explicit Free. The race detector and checkptr ignore such memory, which
// is what we want: programs and user space share it the way the kernel's maps
// are shared, with atomics where the program asks for them.
package offheap

import (
	"fmt"
	"os"
	"unsafe"
)

// Block is a page-aligned block of memory outside the Go heap.
type Block struct {
	mem  []byte
	file *os.File // non-nil for file-backed blocks
}

// pageSize is the allocation granularity used for rounding.
var pageSize = os.Getpagesize()

func roundUp(n int) int {
	return (n + pageSize - 1) &^ (pageSize - 1)
}

// Alloc returns a zeroed block of at least size bytes.
func Alloc(size int) (*Block, error) {
	if size <= 0 {
		return nil, fmt.Errorf("offheap: invalid size %d", size)
	}
	mem, err := allocAnon(roundUp(size))
	if err != nil {
		return nil, fmt.Errorf("offheap: allocating %d bytes: %w", size, err)
	}
	return &Block{mem: mem[:size:len(mem)]}, nil
}

// MapFile maps size bytes of the file at path, creating or extending it as
// needed, so that stores into the block reach the file (the page cache) at
// once and survive the process being killed.
func MapFile(path string, size int) (*Block, error) {
	if size <= 0 {
		return nil, fmt.Errorf("offheap: invalid size %d", size)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	full := roundUp(size)
	if st, err := f.Stat(); err != nil {
		f.Close()
		return nil, err
	} else if st.Size() < int64(full) {
		if err := f.Truncate(int64(full)); err != nil {
			f.Close()
			return nil, fmt.Errorf("offheap: sizing %s: %w", path, err)
		}
	}
	mem, err := mapFile(f, full)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("offheap: mapping %s: %w", path, err)
	}
	return &Block{mem: mem[:size:len(mem)], file: f}, nil
}

// Bytes returns the block's memory. The slice stays valid until Free.
func (b *Block) Bytes() []byte { return b.mem }

// Addr returns the address of the first byte of the block.
func (b *Block) Addr() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b.mem))) }

// Len returns the usable size of the block.
func (b *Block) Len() int { return len(b.mem) }

// Sync flushes a file-backed block to stable storage; a no-op otherwise.
func (b *Block) Sync() error {
	if b == nil || b.file == nil {
		return nil
	}
	return syncFile(b.mem[:cap(b.mem)])
}

// Free unmaps the block. No program may run that can still reach it.
func (b *Block) Free() error {
	if b == nil || b.mem == nil {
		return nil
	}
	err := free(b.mem[:cap(b.mem)])
	b.mem = nil
	if b.file != nil {
		if cerr := b.file.Close(); err == nil {
			err = cerr
		}
		b.file = nil
	}
	return err
}
