//go:build unix

package service

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// prepareDir creates the state directory for the administrators: mode
// 0770 and the group's ownership with a group, 0700 without.
func prepareDir(root string, auth *Auth) error {
	mode := os.FileMode(0o700)
	gid := -1
	if auth != nil && auth.GID >= 0 {
		mode, gid = 0o770, auth.GID
	}
	if err := os.MkdirAll(root, mode); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if gid >= 0 {
		if err := os.Chown(root, -1, gid); err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
	}
	if auth != nil {
		if err := os.Chmod(root, mode); err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
	}
	return nil
}

// listen creates the socket, 0660 with the group's ownership (0600 without
// a group). The state lock is held, so a socket file already there is a
// dead service's and is replaced.
func listen(path string, auth *Auth) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("socket path %s exists and is not a socket", path)
		}
		os.Remove(path)
	}
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	mode := os.FileMode(0o600)
	if auth == nil {
		mode = 0o666
	} else if auth.GID >= 0 {
		mode = 0o660
		if err := os.Chown(path, -1, auth.GID); err != nil {
			l.Close()
			return nil, err
		}
	}
	if err := os.Chmod(path, mode); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// pipeAuth reports whether the endpoint does its own access control (named
// pipes on Windows; never here).
func pipeAuth(path string) bool { return false }
