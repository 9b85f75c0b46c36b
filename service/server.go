// Package service is the bpfhost service: one long-running process that
// owns a state directory (its maps, programs and pins) and serves the
// bpfhost.v1 gRPC API (package api) over a Unix domain socket to
// administrators: root and the members of one configured group.
//
// The service holds the state directory's lock for its whole life, so no
// other service and no embedded command line can change the directory
// under it; command lines started while it runs send their commands to it
// (client package, Exec). Every change to metadata (objects, pins) is
// written and fsync'd before the call that made it returns; map contents
// live in file-backed shared mappings, so a store survives a kill of the
// process as soon as it is made. See docs/service.md.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/internal/cli"
	"github.com/bpfhost/bpfhost/internal/state"
	"google.golang.org/grpc"
)

// APIVersion is the version of the bpfhost.v1 API this service speaks.
const APIVersion = 1

// Options configure a Server.
type Options struct {
	// Root is the state directory.
	Root string
	// Engine selects the execution engine ("" = auto).
	Engine string
	// CPUs is the number of virtual CPUs (0 = as recorded, else the host's).
	CPUs int
	// Auth decides who may call; nil allows everyone (tests, and OSes
	// without peer credentials).
	Auth *Auth
	// Logger receives structured logs (nil: discarded).
	Logger *slog.Logger
	// BPFStats makes `prog show` print run_time_ns and run_cnt, as the
	// kernel does with kernel.bpf_stats_enabled=1 (the API always has them).
	BPFStats bool
}

// Server is a running service: the open state directory and the gRPC
// server over it.
type Server struct {
	api.UnimplementedBpfhostServer

	opts    Options
	log     *slog.Logger
	started time.Time

	// mu guards st: element operations and test runs (which maps and
	// programs make safe for concurrent use) share it; everything that
	// changes objects, pins or metadata holds it exclusively.
	mu sync.RWMutex
	st *state.State

	grpc *grpc.Server

	// active counts calls in progress; lastActive is the Unix nanosecond
	// time the last call ended (idle timeout).
	active     atomic.Int64
	lastActive atomic.Int64

	metrics metrics
}

// New opens the state directory (failing at once if another process holds
// it) and prepares the gRPC server.
func New(opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := state.Open(opts.Root, state.Options{CPUs: opts.CPUs, Engine: opts.Engine, NoWait: true})
	if err != nil {
		if errors.Is(err, state.ErrLocked) {
			return nil, fmt.Errorf("state directory %s is in use by another bpfhost process (a service or a command): %w", opts.Root, state.ErrLocked)
		}
		return nil, err
	}
	st.StatsEnabled = opts.BPFStats
	if err := st.EnableTrace(); err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{opts: opts, log: log, started: time.Now(), st: st}
	s.lastActive.Store(time.Now().UnixNano())
	var creds []grpc.ServerOption
	if opts.Auth != nil {
		creds = append(creds, grpc.Creds(opts.Auth.credentials()))
	}
	s.grpc = grpc.NewServer(append(creds,
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
		grpc.MaxRecvMsgSize(64<<20), grpc.MaxSendMsgSize(64<<20))...)
	api.RegisterBpfhostServer(s.grpc, s)
	log.Info("state directory opened", "root", opts.Root, "maps", len(st.Meta.Maps),
		"progs", len(st.Meta.Progs), "pins", len(st.Meta.Pins), "cpus", st.CPUs())
	return s, nil
}

// Serve answers calls on l until Stop.
func (s *Server) Serve(l net.Listener) error { return s.grpc.Serve(l) }

// stopGrace is how long Stop lets calls in progress finish.
const stopGrace = 5 * time.Second

// Stop lets the calls in progress finish (for at most stopGrace, then
// cancels them), then releases the state directory.
func (s *Server) Stop() {
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		s.log.Warn("calls still running at stop; cancelling them")
		s.grpc.Stop()
		<-done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != nil {
		s.st.Close()
		s.st = nil
	}
}

// IdleSince returns how long no call has been in progress (0 while one is).
func (s *Server) IdleSince() time.Duration {
	if s.active.Load() > 0 {
		return 0
	}
	return time.Since(time.Unix(0, s.lastActive.Load()))
}

// Version describes the service.
func (s *Server) Version(ctx context.Context, _ *api.VersionRequest) (*api.VersionReply, error) {
	engine := s.opts.Engine
	if engine == "" {
		engine = "auto"
	}
	s.mu.RLock()
	cpus := s.st.CPUs()
	s.mu.RUnlock()
	return &api.VersionReply{Version: cli.Version, ApiVersion: APIVersion, Root: s.opts.Root, Engine: engine,
		Cpus: uint32(cpus), Pid: int64(os.Getpid()), StartedUnixNano: s.started.UnixNano(),
		Os: runtime.GOOS, Arch: runtime.GOARCH}, nil
}
