//go:build linux

package service

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/maps"
)

// runAsNobody runs the client helper as uid/gid 65534 against socket.
func runAsNobody(t *testing.T, socket, pin string) string {
	t.Helper()
	cmd := exec.Command(nobodyBinary(t), socket, pin)
	cmd.Env = append(os.Environ(), envHelper+"=client")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client as nobody: %v\n%s", err, out)
	}
	return string(out)
}

// nobodyBinary copies the test binary where nobody may run it (the go
// tool builds it in a directory only root can enter).
func nobodyBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bpfhost-nobody")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "client")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// openUp lets nobody reach path: its directories searchable, the socket
// writable, so that the service's own check is what refuses.
func openUp(t *testing.T, socket string) {
	for d := filepath.Dir(socket); d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(d, fi.Mode().Perm()|0o011)
	}
	if err := os.Chmod(socket, 0o666); err != nil {
		t.Fatal(err)
	}
}

// TestRefusesNonAdmin checks that a user who is neither root nor in the
// group is refused every call with PermissionDenied and changes nothing.
func TestRefusesNonAdmin(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	auth, err := NewAuth("")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, auth)
	ctx := ctxT(t)
	const pin = "/sys/fs/bpf/auth/a"
	if _, err := ts.c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Array), KeySize: 4, ValueSize: 8, MaxEntries: 1, Pin: pin}); err != nil {
		t.Fatal(err) // root is admitted
	}
	// With the socket's own permissions (0600 without a group) nobody
	// cannot even connect.
	fi, err := os.Stat(ts.socket)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, %v; want 0600", fi.Mode(), err)
	}
	// Opened up, the connection is made and every call is refused.
	openUp(t, ts.socket)
	out := runAsNobody(t, ts.socket, pin)
	want := "version: PermissionDenied \"permission denied\"\nupdate: PermissionDenied \"permission denied\"\n"
	if out != want {
		t.Fatalf("nobody's calls:\n%s\nwant:\n%s", out, want)
	}
	v, err := ts.c.MapLookup(ctx, client.Pinned(pin), u32(0))
	if err != nil || le64(v) != 0 {
		t.Fatalf("map after refused update: %v %v", v, err)
	}
}

// TestAdmitsGroup admits a member of the configured group (nobody's own
// group, nogroup, stands for the administrators' group here).
func TestAdmitsGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	auth, err := NewAuth("65534")
	if err != nil {
		t.Skipf("no group 65534: %v", err)
	}
	ts := startServer(t, auth)
	ctx := ctxT(t)
	const pin = "/sys/fs/bpf/auth/g"
	if _, err := ts.c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Array), KeySize: 4, ValueSize: 8, MaxEntries: 1, Pin: pin}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(ts.socket)
	if err != nil || fi.Mode().Perm() != 0o660 || fi.Sys().(*syscall.Stat_t).Gid != 65534 {
		t.Fatalf("socket %v gid %v, %v; want 0660, group 65534", fi.Mode(), fi.Sys().(*syscall.Stat_t).Gid, err)
	}
	for d := filepath.Dir(ts.socket); d != "/" && d != "."; d = filepath.Dir(d) {
		fi, _ := os.Stat(d)
		os.Chmod(d, fi.Mode().Perm()|0o011)
	}
	out := runAsNobody(t, ts.socket, pin)
	if !strings.HasPrefix(out, "version: OK") || !strings.Contains(out, "update: OK") {
		t.Fatalf("group member's calls:\n%s", out)
	}
	v, err := ts.c.MapLookup(ctx, client.Pinned(pin), u32(0))
	if err != nil || le64(v) != 666 {
		t.Fatalf("map after the member's update: %v %v", v, err)
	}
}

// TestOneServicePerRoot checks that a second service for the same state
// directory refuses to start.
func TestOneServicePerRoot(t *testing.T) {
	ts := startServer(t, nil)
	_, err := New(Options{Root: ts.root})
	if err == nil || !strings.Contains(err.Error(), "in use by another bpfhost process") {
		t.Fatalf("second service: %v", err)
	}
}

// TestCLIRefused runs the command line as nobody against a directory whose
// service does not admit it: the command is refused with bpftool's error
// form, and does not fall back to opening the directory itself.
func TestCLIRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	auth, err := NewAuth("")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, auth)
	if err := os.WriteFile(filepath.Join(ts.root, client.InfoFile), []byte(`{"pid":1,"socket":"`+ts.socket+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	openUp(t, ts.socket)
	cmd := exec.Command(nobodyBinary(t), "--root", ts.root, "map", "show")
	cmd.Env = append(os.Environ(), envHelper+"=cli")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || errb.String() != "Error: permission denied\n" || out.String() != "" {
		t.Fatalf("cli as nobody: %v\nstdout %q\nstderr %q", err, out.String(), errb.String())
	}
}
