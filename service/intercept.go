package service

import (
	"context"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// admit checks the caller's credentials, recorded by the transport's
// handshake. Nothing of the call runs for a refused caller.
func (s *Server) admit(ctx context.Context) (peerInfo, error) {
	if s.opts.Auth == nil {
		return peerInfo{}, nil
	}
	p, ok := peer.FromContext(ctx)
	if !ok {
		return peerInfo{}, errPermission
	}
	pi, ok := p.AuthInfo.(peerInfo)
	if !ok || !pi.Allowed {
		return pi, errPermission
	}
	return pi, nil
}

// unaryInterceptor admits the caller, turns a panic into an Internal error
// (a malformed request must never end the service) and logs the call.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	start := s.begin()
	pi, err := s.admit(ctx)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in call", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "internal error: %v", r)
		}
		s.end(info.FullMethod, pi, start, err)
	}()
	if err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// streamInterceptor is unaryInterceptor for streaming calls (Exec).
func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	start := s.begin()
	pi, err := s.admit(ss.Context())
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in call", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "internal error: %v", r)
		}
		s.end(info.FullMethod, pi, start, err)
	}()
	if err != nil {
		return err
	}
	return h(srv, ss)
}

func (s *Server) begin() time.Time {
	s.active.Add(1)
	return time.Now()
}

// end records a finished call: idle time, metrics and, for failures and
// refusals, a log line (successful element operations are too many to log).
func (s *Server) end(method string, pi peerInfo, start time.Time, err error) {
	d := time.Since(start)
	s.lastActive.Store(time.Now().UnixNano())
	s.active.Add(-1)
	code := status.Code(err)
	s.metrics.observe(method, code, d)
	switch {
	case code == codes.PermissionDenied && err == errPermission:
		s.log.Warn("refused caller", "method", method, "uid", pi.UID, "gid", pi.GID, "pid", pi.PID)
	case code == codes.Internal || code == codes.Unknown:
		s.log.Error("call failed", "method", method, "uid", pi.UID, "code", code.String(), "error", err, "duration", d)
	case err != nil:
		s.log.Debug("call failed", "method", method, "uid", pi.UID, "code", code.String(), "error", err, "duration", d)
	default:
		s.log.Debug("call", "method", method, "uid", pi.UID, "duration", d)
	}
}
