//go:build !unix && !windows

package service

import (
	"fmt"
	"net"
	"os"
)

// prepareDir creates the state directory (permissions are the OS's defaults).
func prepareDir(root string, auth *Auth) error {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	return nil
}

// listen creates the socket (AF_UNIX, which Windows 10 and later offer).
// A Windows named pipe with an administrators-only security descriptor is
// not done yet.
func listen(path string, auth *Auth) (net.Listener, error) {
	os.Remove(path)
	return net.Listen("unix", path)
}

// pipeAuth reports whether the endpoint does its own access control.
func pipeAuth(path string) bool { return false }
