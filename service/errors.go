package service

import (
	"errors"
	"fmt"

	"github.com/bpfhost/bpfhost/maps"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errPermission is what every refused caller gets, whatever it asked.
var errPermission = status.Error(codes.PermissionDenied, "permission denied")

// Errnos the status mapping knows beyond those maps exports.
const (
	eacces = maps.Errno(13)
	enotd  = maps.Errno(20) // ENOTDIR
)

// toStatus turns an error of the state, maps or ebpf packages into a gRPC
// status, by the errno it wraps: a client sees NotFound for ENOENT as a
// bpf() caller sees ENOENT. The message keeps the whole error text.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var e maps.Errno
	code := codes.Internal
	if errors.As(err, &e) {
		switch e {
		case maps.ENOENT:
			code = codes.NotFound
		case maps.EEXIST:
			code = codes.AlreadyExists
		case maps.EINVAL, enotd:
			code = codes.InvalidArgument
		case maps.EPERM, eacces:
			code = codes.PermissionDenied
		case maps.E2BIG, maps.ENOSPC, maps.ENOMEM:
			code = codes.ResourceExhausted
		default:
			code = codes.FailedPrecondition
		}
	}
	return status.Error(code, err.Error())
}

// invalid is an InvalidArgument status.
func invalid(format string, args ...any) error {
	return status.Error(codes.InvalidArgument, fmt.Sprintf(format, args...))
}

// notFound is a NotFound status.
func notFound(format string, args ...any) error {
	return status.Error(codes.NotFound, fmt.Sprintf(format, args...))
}
