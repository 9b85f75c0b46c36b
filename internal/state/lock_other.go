//go:build !unix && !windows

package state

import "os"

// lockFile is a no-op where the OS offers no file locks (wasm, plan9): the
// state directory must then not be shared by concurrent processes.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) error { return nil }

func tryLockFile(f *os.File) error { return nil }
