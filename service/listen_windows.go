//go:build windows

package service

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/Microsoft/go-winio"
)

// prepareDir creates the state directory (its ACL is inherited; the
// service is meant to run as SYSTEM under %ProgramData%).
func prepareDir(root string, auth *Auth) error {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	return nil
}

// pipeSDDL admits the Administrators group and SYSTEM only: on Windows the
// named pipe's security descriptor is the administrator check, enforced by
// the OS when the client opens the pipe.
const pipeSDDL = "D:P(A;;GA;;;BA)(A;;GA;;;SY)"

// openSDDL admits every local user (--no-auth).
const openSDDL = "D:P(A;;GA;;;WD)"

// listen creates a named pipe (\\.\pipe\...) or, for other paths, an
// AF_UNIX socket (Windows 10 and later), which has no peer credentials.
func listen(path string, auth *Auth) (net.Listener, error) {
	if strings.HasPrefix(path, `\\.\pipe\`) {
		sd := pipeSDDL
		if auth == nil {
			sd = openSDDL
		}
		return winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: sd})
	}
	os.Remove(path)
	return net.Listen("unix", path)
}

// pipeAuth reports whether the endpoint does its own access control.
func pipeAuth(path string) bool { return strings.HasPrefix(path, `\\.\pipe\`) }
