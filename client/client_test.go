package client

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestNoService: a directory without a service, and a socket nobody
// listens on (a killed service's), both give ErrNoService.
func TestNoService(t *testing.T) {
	root := t.TempDir()
	if _, err := Dial(root); !errors.Is(err, ErrNoService) {
		t.Fatalf("empty directory: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	sock := filepath.Join(root, DefaultSocket)
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if err := os.WriteFile(filepath.Join(root, InfoFile), []byte(`{"pid":1,"socket":"`+sock+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(root); !errors.Is(err, ErrNoService) {
		t.Fatalf("stale socket: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, InfoFile), []byte(`{"pid":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(root); err == nil {
		t.Fatal("info file without a socket accepted")
	}
}

func TestPinnedIsAbsolute(t *testing.T) {
	wd, _ := os.Getwd()
	if got := Pinned("rel/p").Pinned; got != filepath.Join(wd, "rel/p") {
		t.Fatalf("Pinned(rel/p) = %q", got)
	}
	if got := Pinned("/sys/fs/bpf/x").Pinned; got != "/sys/fs/bpf/x" {
		t.Fatalf("Pinned(/sys/fs/bpf/x) = %q", got)
	}
}
