package service

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/internal/state"
)

// Config is the command line of `bpfhost serve`.
type Config struct {
	Root, Socket, Group string
	IdleTimeout         time.Duration
	Engine              string
	CPUs                int
	MetricsAddr         string
	LogLevel            string
	LogFormat           string
	// BPFStats enables run_time_ns/run_cnt in `prog show`.
	BPFStats bool
	// NoAuth admits every local caller (tests; OSes without peer credentials).
	NoAuth bool
}

// ParseFlags parses the arguments of `bpfhost serve`.
func ParseFlags(args []string, stderr io.Writer) (*Config, error) {
	cfg := &Config{}
	fs := flag.NewFlagSet("bpfhost serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Root, "root", "", "state directory (default $BPFHOST_ROOT or the system's)")
	fs.StringVar(&cfg.Socket, "socket", "", "Unix socket path (default ROOT/"+client.DefaultSocket+")")
	fs.StringVar(&cfg.Group, "group", "", "group whose members may use the service besides root")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "exit after this long without calls (0: never)")
	fs.StringVar(&cfg.Engine, "engine", os.Getenv("BPFHOST_ENGINE"), "engine: interpreter, jit or auto")
	fs.IntVar(&cfg.CPUs, "cpus", 0, "virtual CPUs (fixed once the directory holds maps)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics on this loopback address (off by default)")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "text or json")
	fs.BoolVar(&cfg.BPFStats, "bpf-stats", false, "show run_time_ns and run_cnt in prog show (kernel.bpf_stats_enabled)")
	fs.BoolVar(&cfg.NoAuth, "no-auth", false, "admit every local caller (no peer credential check)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch cfg.Engine {
	case "", "interpreter", "jit", "auto":
	default:
		return nil, fmt.Errorf("invalid engine %q (interpreter, jit or auto)", cfg.Engine)
	}
	if cfg.IdleTimeout < 0 {
		return nil, fmt.Errorf("negative idle timeout")
	}
	return cfg, nil
}

// Main runs `bpfhost serve ARGS` until a signal, the idle timeout or a
// failure, and returns the exit status.
func Main(args []string, stderr io.Writer) int {
	cfg, err := ParseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	serve := func(ctx context.Context) error { return Run(ctx, cfg, log, nil) }
	if handled, err := runAsOSService(serve); handled || err != nil {
		if err != nil {
			log.Error("service failed", "error", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx); err != nil {
		log.Error("service failed", "error", err)
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	return 0
}

func newLogger(cfg *Config, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("invalid log level %q", cfg.LogLevel)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch cfg.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("invalid log format %q (text or json)", cfg.LogFormat)
}

// lockWait bounds how long serve waits for a command line that holds the
// state directory.
const lockWait = 10 * time.Second

// Run serves cfg until ctx ends or the idle timeout passes. ready, if set,
// is called once the socket accepts connections.
func Run(ctx context.Context, cfg *Config, log *slog.Logger, ready func(*Server)) error {
	root := cfg.Root
	if root == "" {
		var err error
		if root, err = state.DefaultRoot(); err != nil {
			return fmt.Errorf("no state directory: %v (set %s or use --root)", err, state.EnvRoot)
		}
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	sock := cfg.Socket
	if sock == "" {
		sock = client.DefaultEndpoint(root)
	}
	if !pipeAuth(sock) {
		if sock, err = filepath.Abs(sock); err != nil {
			return err
		}
	}
	var auth *Auth
	if !cfg.NoAuth {
		switch {
		case pipeAuth(sock):
			// The pipe's security descriptor admits administrators only.
			if cfg.Group != "" {
				return fmt.Errorf("--group is not supported with named pipes (Administrators and SYSTEM are admitted)")
			}
			auth = &Auth{GID: -1}
		case runtime.GOOS != "linux" && runtime.GOOS != "darwin":
			return fmt.Errorf("peer credentials are not implemented for Unix sockets on %s; use a named pipe or --no-auth on a single-user machine", runtime.GOOS)
		default:
			if auth, err = NewAuth(cfg.Group); err != nil {
				return err
			}
		}
	}
	if err := prepareDir(root, auth); err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		if err := checkLoopback(cfg.MetricsAddr); err != nil {
			return err
		}
	}
	srvAuth := auth
	if pipeAuth(sock) {
		srvAuth = nil // the OS checked the caller when it opened the pipe
	}
	opts := Options{Root: root, Engine: cfg.Engine, CPUs: cfg.CPUs, Auth: srvAuth, Logger: log, BPFStats: cfg.BPFStats}
	srv, err := New(opts)
	// A command line holding the directory finishes soon: wait for it, but
	// never for another service.
	for deadline := time.Now().Add(lockWait); errors.Is(err, state.ErrLocked) && time.Now().Before(deadline); {
		if c, derr := client.Dial(root); derr == nil {
			c.Close()
			break
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
		srv, err = New(opts)
	}
	if err != nil {
		return err
	}
	defer srv.Stop()
	l, err := listen(sock, auth)
	if err != nil {
		return err
	}
	if !pipeAuth(sock) {
		defer os.Remove(sock)
	}
	info := filepath.Join(root, client.InfoFile)
	if err := writeInfo(info, &client.ServiceInfo{PID: os.Getpid(), Socket: sock, Started: srv.started.UnixNano()}, auth); err != nil {
		l.Close()
		return err
	}
	defer os.Remove(info)
	if cfg.MetricsAddr != "" {
		ml, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		go srv.serveMetrics(ml)
		defer ml.Close()
		log.Info("metrics", "addr", ml.Addr().String())
	}
	if cfg.NoAuth {
		log.Warn("--no-auth: every local user may load programs and change maps through this service")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("serving", "socket", sock, "root", root, "pid", os.Getpid(), "group", cfg.Group,
		"startup", time.Since(srv.started).String())
	if ready != nil {
		ready(srv)
	}
	var idle <-chan time.Time
	if cfg.IdleTimeout > 0 {
		t := time.NewTicker(min(cfg.IdleTimeout/4+time.Millisecond, time.Second))
		defer t.Stop()
		idle = t.C
	}
	for {
		select {
		case <-ctx.Done():
			log.Info("stopping", "reason", "signal")
			return nil
		case err := <-errc:
			return err
		case <-idle:
			if srv.IdleSince() >= cfg.IdleTimeout {
				log.Info("stopping", "reason", "idle", "idle_timeout", cfg.IdleTimeout.String())
				return nil
			}
		}
	}
}

// checkLoopback refuses a metrics address other machines could reach.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("metrics address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("metrics address %q is not a loopback address (127.0.0.1, ::1, localhost)", addr)
	}
	return nil
}

// writeInfo writes the file clients find the socket by (write, sync,
// rename, so a reader never sees half of it).
func writeInfo(path string, si *client.ServiceInfo, auth *Auth) error {
	b, err := json.Marshal(si)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	mode := os.FileMode(0o644)
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
