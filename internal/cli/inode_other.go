//go:build !unix

package cli

import "io/fs"

// inodeOf has no inode to give where the OS has none; cgroup IDs are 0.
func inodeOf(fs.FileInfo) uint64 { return 0 }
