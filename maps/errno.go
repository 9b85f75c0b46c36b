package maps

import "fmt"

// Errno is an error number with Linux's values, so that helpers can return
// exactly what the kernel's would (as -errno) on every OS.
type Errno int32

// Error numbers used by map operations and helpers.
const (
	EPERM   Errno = 1
	ENOENT  Errno = 2
	E2BIG   Errno = 7
	EBADF   Errno = 9
	EAGAIN  Errno = 11
	ENOMEM  Errno = 12
	EBUSY   Errno = 16
	EEXIST  Errno = 17
	EINVAL  Errno = 22
	ENOSPC  Errno = 28
	ERANGE  Errno = 34
	ENOTSUP Errno = 95
)

var errnoText = map[Errno]string{
	EPERM: "operation not permitted", ENOENT: "no such file or directory",
	E2BIG: "argument list too long", EBADF: "bad file descriptor",
	EAGAIN: "resource temporarily unavailable", ENOMEM: "cannot allocate memory",
	EBUSY: "device or resource busy", EEXIST: "file exists", EINVAL: "invalid argument",
	ENOSPC: "no space left on device", ERANGE: "numerical result out of range",
	ENOTSUP: "operation not supported",
}

// Error returns the C library's text for the error, as bpftool prints it.
func (e Errno) Error() string {
	if s, ok := errnoText[e]; ok {
		return s
	}
	return fmt.Sprintf("errno %d", int32(e))
}

// ErrnoOf returns the Errno inside err (EINVAL for other non-nil errors, 0 for nil).
func ErrnoOf(err error) Errno {
	if err == nil {
		return 0
	}
	var e Errno
	if asErrno(err, &e) {
		return e
	}
	return EINVAL
}
