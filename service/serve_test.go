//go:build linux || darwin

package service

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/internal/state"
)

// TestServeIdleTimeout runs the serve command's loop: the socket and
// service.json appear with the administrators' permissions, calls keep the
// service alive, and it exits on its own once idle, removing both.
func TestServeIdleTimeout(t *testing.T) {
	root := filepath.Join(t.TempDir(), "state")
	cfg := &Config{Root: root, IdleTimeout: 300 * time.Millisecond, LogLevel: "info"}
	ready := make(chan *Server, 1)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- Run(context.Background(), cfg, slog.New(slog.DiscardHandler), func(s *Server) { ready <- s })
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	fi, err := os.Stat(root)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state directory mode %v, %v; want 0700 without a group", fi.Mode(), err)
	}
	c, err := client.Dial(root)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 5; i++ { // 500ms of calls, beyond the idle timeout
		if _, err := c.Version(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("service stopped while in use after %v: %v", time.Since(start), err)
	default:
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("service did not stop when idle")
	}
	for _, f := range []string{client.InfoFile, client.DefaultSocket} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Errorf("%s left behind", f)
		}
	}
}

// TestServeWaitsForCommand: serve waits for a command line holding the
// directory (here a State opened by the test) instead of failing.
func TestServeWaitsForCommand(t *testing.T) {
	root := t.TempDir()
	st, err := state.Open(root, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan *Server, 1)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- Run(ctx, &Config{Root: root, LogLevel: "info"}, slog.New(slog.DiscardHandler), func(s *Server) { ready <- s })
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case <-ready:
		t.Fatal("service started while the directory was held")
	case err := <-done:
		t.Fatalf("service gave up at once: %v", err)
	default:
	}
	st.Close()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("service did not start once the directory was free")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
