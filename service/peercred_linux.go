package service

import (
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerCredentials returns the credentials the kernel recorded when the
// peer connected (SO_PEERCRED).
func peerCredentials(conn net.Conn) (uid, gid uint32, pid int32, err error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0, 0, 0, fmt.Errorf("%T has no file descriptor", conn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, 0, 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, 0, 0, err
	}
	if cerr != nil {
		return 0, 0, 0, cerr
	}
	return cred.Uid, cred.Gid, cred.Pid, nil
}
