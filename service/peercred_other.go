//go:build !linux && !darwin

package service

import (
	"errors"
	"net"
)

// peerCredentials is not implemented here: every caller is refused when
// an Auth is configured.
func peerCredentials(net.Conn) (uid, gid uint32, pid int32, err error) {
	return 0, 0, 0, errors.New("peer credentials are not supported on this OS")
}
