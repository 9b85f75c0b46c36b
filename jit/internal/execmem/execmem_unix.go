//go:build linux || darwin || freebsd

package execmem

import "golang.org/x/sys/unix"

func mapRW(n int) ([]byte, error) {
	return unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
}

func protectRX(mem []byte) error { return unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC) }

func unmap(mem []byte) error { return unix.Munmap(mem) }
