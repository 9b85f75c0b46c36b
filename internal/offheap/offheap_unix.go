//go:build unix

package offheap

import (
	"os"

	"golang.org/x/sys/unix"
)

func allocAnon(size int) ([]byte, error) {
	return unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
}

func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

func syncFile(mem []byte) error { return unix.Msync(mem, unix.MS_SYNC) }

func free(mem []byte) error { return unix.Munmap(mem) }
