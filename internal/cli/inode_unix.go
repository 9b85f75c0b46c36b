//go:build unix

package cli

import (
	"io/fs"
	"syscall"
)

// inodeOf is a directory's inode number: a cgroup v2 directory's inode is
// the kernel's cgroup ID.
func inodeOf(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
