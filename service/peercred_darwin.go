package service

import (
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerCredentials returns the credentials the kernel recorded when the
// peer connected (LOCAL_PEERCRED; the first group is the effective one).
func peerCredentials(conn net.Conn) (uid, gid uint32, pid int32, err error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0, 0, 0, fmt.Errorf("%T has no file descriptor", conn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, 0, 0, err
	}
	var cred *unix.Xucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	}); err != nil {
		return 0, 0, 0, err
	}
	if cerr != nil {
		return 0, 0, 0, cerr
	}
	if cred.Ngroups > 0 {
		gid = cred.Groups[0]
	}
	return cred.Uid, gid, -1, nil
}
